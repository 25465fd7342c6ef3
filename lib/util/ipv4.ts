// IPv4 addresses and CIDR blocks as numbers: what subnet allocation, address
// allocation and flag validation all need, in one place.

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  /** Prefix length, 0-32. */
  bits: number;
}

const OCTETS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address as a number, or undefined when it is not a dotted IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const m = OCTETS.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (const o of m.slice(1)) {
    if ((o.length > 1 && o.startsWith('0')) || Number(o) > 255) return undefined;
    n = n * 256 + Number(o);
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses "10.0.1.0/24"; throws a one-line error naming the text otherwise (host bits must be clear). */
export function parseCidr(text: string): Cidr {
  const [addr, bitsText, extra] = text.split('/');
  const base = parseIpv4(addr ?? '');
  const bits = Number(bitsText);
  if (base === undefined || extra !== undefined || !/^\d{1,2}$/.test(bitsText ?? '') || bits > 32) {
    throw new Error(`invalid subnet "${text}": use a CIDR such as 10.0.1.0/24`);
  }
  if (hostPart(base, bits) !== 0) {
    throw new Error(`invalid subnet "${text}": it has host bits set (the network is ${formatCidr({ base: networkPart(base, bits), bits })})`);
  }
  return { base, bits };
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.base)}/${c.bits}`;
}

/** How many addresses the block holds. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.bits);
}

function hostPart(n: number, bits: number): number {
  return bits === 0 ? n : n % 2 ** (32 - bits);
}

function networkPart(n: number, bits: number): number {
  return n - hostPart(n, bits);
}

export function cidrContains(c: Cidr, addr: number): boolean {
  return addr >= c.base && addr < c.base + cidrSize(c);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

/** The i-th address of the block (0 is the network address). */
export function addressAt(c: Cidr, i: number): number {
  if (i < 0 || i >= cidrSize(c)) throw new RangeError(`address ${i} is outside ${formatCidr(c)}`);
  return c.base + i;
}
