// Small conversions docker's formatter applies to values before printing them.

/**
 * docker's PrettyPrint: the first letter upper-cased and the rest lower-cased,
 * which is why states print as "Ready" and why a join time ends in "utc".
 * A one-letter string comes out lower-cased, as docker does it.
 */
export function prettyPrint(value: string): string {
  if (value.length === 0) return value;
  if (value.length === 1) return value.toLowerCase();
  return value[0].toUpperCase() + value.slice(1).toLowerCase();
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * An RFC 3339 time as Go's time.Time.String() prints it in UTC:
 * "2024-03-05 14:07:09.5 +0000 UTC" (fraction without trailing zeros, left
 * out when zero). Digits past the millisecond are kept when the input has
 * them and is already in UTC, since Date would drop them.
 */
export function goTimeString(rfc3339: string): string {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return rfc3339;
  const utcFraction = /\.(\d+)Z$/i.exec(rfc3339);
  let fraction = utcFraction ? utcFraction[1].slice(0, 9) : pad(date.getUTCMilliseconds(), 3);
  fraction = fraction.replace(/0+$/, '');
  const day = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${day} ${time}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}
