import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';

export const RESOLV_CONF = '/etc/resolv.conf';
const DNS_PORT = 53;

/** A resolver that forwarded queries are relayed to. */
export interface Upstream {
  address: string;
  port: number;
  family: 4 | 6;
}

export function upstreamLabel(u: Upstream): string {
  return u.family === 6 ? `[${u.address}]:${u.port}` : `${u.address}:${u.port}`;
}

/** "ip", "ip:port", or for IPv6 "[ip]:port"; throws a one-line error for anything else. */
export function parseUpstream(text: string): Upstream {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  let address: string;
  let portText: string | undefined;
  if (bracketed) {
    address = bracketed[1];
    portText = bracketed[2];
  } else if (isIP(trimmed) !== 0) {
    // Before the "ip:port" split: a bare IPv6 address is full of colons.
    address = trimmed;
  } else {
    const colon = trimmed.lastIndexOf(':');
    address = colon < 0 ? trimmed : trimmed.slice(0, colon);
    portText = colon < 0 ? undefined : trimmed.slice(colon + 1);
  }
  const family = isIP(address);
  if (family === 0) throw new Error(`dns upstream "${text}" is not an IP address or ip:port`);
  let port = DNS_PORT;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new Error(`dns upstream "${text}" has an invalid port`);
  }
  return { address, port, family: family === 6 ? 6 : 4 };
}

/**
 * The `nameserver` addresses of a resolv.conf, in order. Entries that are not IP
 * addresses are skipped, as the C library skips them.
 */
export function nameserversFromResolvConf(text: string): string[] {
  const servers: string[] = [];
  for (const line of text.split('\n')) {
    const [keyword, value] = line.trim().split(/\s+/);
    if (keyword !== 'nameserver' || value === undefined) continue;
    // isIP accepts a zone id (fe80::1%eth0), which the socket needs to pick the link.
    if (isIP(value) !== 0) servers.push(value);
  }
  return servers;
}

/**
 * The search domains of a resolv.conf (the last `search` or `domain` line wins,
 * as in the C library), lower-case without dots at the ends. Docker copies them
 * into containers, whose resolvers then ask NAME.DOMAIN for a bare NAME.
 */
export function searchDomainsFromResolvConf(text: string): string[] {
  let domains: string[] = [];
  for (const line of text.split('\n')) {
    const [keyword, ...values] = line.trim().split(/\s+/);
    if (keyword === 'search' || keyword === 'domain') domains = values.map((d) => d.toLowerCase().replace(/^\.+|\.+$/g, '')).filter((d) => d !== '');
  }
  return domains;
}

/**
 * The host's resolvers from resolv.conf, less the server's own address (asking
 * ourselves would loop). A missing or unreadable file gives none.
 */
export async function upstreamsFromResolvConf(selfAddress: string, path = RESOLV_CONF): Promise<Upstream[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  return nameserversFromResolvConf(text)
    .filter((address) => address !== selfAddress)
    .map((address) => ({ address, port: DNS_PORT, family: isIP(address) === 6 ? 6 : 4 }));
}
