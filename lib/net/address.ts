// host:port text as the command line takes it (--listen-addr, --advertise-addr,
// a manager to join), with IPv6 hosts in brackets.

export interface HostPort {
  /** Without brackets, as net and https expect it. */
  host: string;
  port: number;
}

export const DEFAULT_PORT = 4242;
export const DEFAULT_LISTEN_ADDR = `0.0.0.0:${DEFAULT_PORT}`;

/**
 * Parses "host:port", "[v6]:port". `allowPortZero` is for listening (an
 * ephemeral port); a dialled port must be real. Errors name the flag's value
 * as given, since it came from the user.
 */
export function parseHostPort(text: string, opts: { allowPortZero?: boolean } = {}): HostPort {
  const t = text.trim();
  const m = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(t) ?? /^([^:[\]\s/]+):(\d+)$/.exec(t);
  if (!m) throw new TypeError(`invalid address ${JSON.stringify(text)}: expected host:port (IPv6 as [addr]:port)`);
  const port = Number(m[2]);
  const min = opts.allowPortZero ? 0 : 1;
  if (!Number.isInteger(port) || port < min || port > 65535) {
    throw new TypeError(`invalid address ${JSON.stringify(text)}: port must be ${min}-65535`);
  }
  return { host: m[1], port };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
