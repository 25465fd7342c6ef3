// The order `docker node ls` lists nodes in: hostnames compared naturally,
// so "node-2" comes before "node-10". Runs of digits compare by value; when
// two values are equal the one with fewer leading zeros comes first; other
// characters compare by code point (the same as Go's byte-wise UTF-8 order).

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export function naturalCompare(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const dx = isDigit(x[i]);
    const dy = isDigit(y[j]);
    if (dx !== dy) return dx ? -1 : 1; // the text run that ended first sorts first
    if (!dx) {
      if (x[i] !== y[j]) return x[i].codePointAt(0)! - y[j].codePointAt(0)!;
      i++;
      j++;
      continue;
    }
    const zeroStartX = i;
    const zeroStartY = j;
    while (x[i] === '0') i++;
    while (y[j] === '0') j++;
    const valueStartX = i;
    const valueStartY = j;
    while (isDigit(x[i])) i++;
    while (isDigit(y[j])) j++;
    const vx = x.slice(valueStartX, i).join('');
    const vy = y.slice(valueStartY, j).join('');
    if (vx.length !== vy.length) return vx.length - vy.length;
    if (vx !== vy) return vx < vy ? -1 : 1;
    const zerosX = valueStartX - zeroStartX;
    const zerosY = valueStartY - zeroStartY;
    if (zerosX !== zerosY) return zerosX - zerosY;
  }
  return (x.length - i) - (y.length - j);
}
