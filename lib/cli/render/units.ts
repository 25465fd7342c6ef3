// Sizes, CPU counts and durations in the words docker prints them with
// (docker/go-units BytesSize and HumanDuration, and node inspect's CPUs).

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Memory as `docker node inspect --pretty` prints it: 2147483648 -> "2GiB", 2087354368 -> "1.944GiB". */
export function bytesSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < BINARY_UNITS.length - 1) {
    size /= 1024;
    unit++;
  }
  return formatSignificant(size, 4) + BINARY_UNITS[unit];
}

/**
 * Go's `%.<precision>g`: `precision` significant digits, trailing zeros
 * dropped, exponent form only for very small or large values. Rounding is on
 * the exact binary value with ties to even, as Go does it; toPrecision would
 * round ties up and print 1.0625KiB as "1.063KiB" where docker says "1.062KiB".
 */
export function formatSignificant(value: number, precision: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const negative = value < 0;
  // 100 digits hold any double's exact decimal expansion in the sizes we print.
  const exact = Math.abs(value).toPrecision(100);
  const [mantissa, exp = '0'] = exact.split('e');
  const pointAt = mantissa.indexOf('.');
  const allDigits = mantissa.replace('.', '');
  const firstNonZero = allDigits.search(/[1-9]/);
  const digits = allDigits.slice(firstNonZero);
  // decimal exponent of the first significant digit
  let exponent = (pointAt === -1 ? mantissa.length : pointAt) - 1 - firstNonZero + Number(exp);

  let kept = digits.slice(0, precision).padEnd(precision, '0').split('').map(Number);
  const next = Number(digits[precision] ?? '0');
  const restNonZero = /[1-9]/.test(digits.slice(precision + 1));
  const roundUp = next > 5 || (next === 5 && (restNonZero || kept[precision - 1] % 2 === 1));
  if (roundUp) {
    let k = precision - 1;
    while (k >= 0 && kept[k] === 9) kept[k--] = 0;
    if (k >= 0) kept[k]++;
    else {
      kept = [1, ...kept.slice(0, precision - 1)];
      exponent++;
    }
  }

  const sign = negative ? '-' : '';
  const trimZeros = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  const text = kept.join('');
  if (exponent < -4 || exponent >= precision) {
    const head = trimZeros(`${text[0]}.${text.slice(1)}`);
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${head}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return sign + trimZeros(`0.${'0'.repeat(-exponent - 1)}${text}`);
  return sign + trimZeros(`${text.slice(0, exponent + 1)}.${text.slice(exponent + 1)}`);
}

/** CPUs as node inspect prints them: whole CPUs, the fraction cut off (2.5 CPUs print as 2). */
export function cpuCount(nanoCPUs: number): number {
  return Math.trunc(nanoCPUs / 1e9);
}

/** go-units HumanDuration, used by `docker info` for the heartbeat period and certificate expiry. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}
