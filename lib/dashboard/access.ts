// What a dashboard request may do, decided before anything reaches the daemon:
// the page's API calls are relayed only when their method and path are on the
// allow-list below (the daemon's socket also stops, leaves and rotates join
// tokens: the page never needs those, so a stolen tab cannot ask for them);
// a non-loopback listener wants the printed bearer token; and a request whose
// Host or Origin is not the dashboard's own is refused, so a web page elsewhere
// cannot drive a loopback dashboard through DNS rebinding or a cross-site form.
// Pure functions, tested without sockets.

import { timingSafeEqual, createHash } from 'crypto';

/** A daemon route the page may call: `:x` matches one path segment. */
interface Rule {
  method: 'GET' | 'POST';
  pattern: string;
}

const RELAYED: readonly Rule[] = [
  { method: 'GET', pattern: '/v1/info' },
  { method: 'GET', pattern: '/v1/nodes' },
  { method: 'GET', pattern: '/v1/nodes/:ref' },
  { method: 'POST', pattern: '/v1/nodes/:ref/update' },
  { method: 'GET', pattern: '/v1/services' },
  { method: 'GET', pattern: '/v1/services/:ref' },
  { method: 'POST', pattern: '/v1/services/:ref/rollback' },
  { method: 'POST', pattern: '/v1/services/:ref/remove' },
  { method: 'GET', pattern: '/v1/tasks' },
  { method: 'GET', pattern: '/v1/stacks' },
  { method: 'GET', pattern: '/v1/networks' },
];

/** Streamed daemon routes, relayed to the page as Server-Sent Events. */
const STREAMED: readonly Rule[] = [
  { method: 'GET', pattern: '/v1/events' },
  { method: 'GET', pattern: '/v1/logs' },
];

export type RouteKind = 'relay' | 'stream';

/** Whether the page may send `method path` (a daemon path, `/v1/…`) to the daemon, and how it is answered. */
export function relayKind(method: string, path: string): RouteKind | undefined {
  if (!isCleanPath(path)) return undefined;
  if (RELAYED.some((r) => r.method === method && matches(r.pattern, path))) return 'relay';
  if (STREAMED.some((r) => r.method === method && matches(r.pattern, path))) return 'stream';
  return undefined;
}

/** No dot segments, no doubled or encoded slashes: what is matched is what the daemon's router will see. */
function isCleanPath(path: string): boolean {
  if (!path.startsWith('/v1/') || path.includes('//')) return false;
  for (const seg of path.split('/').slice(1)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return false;
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || decoded.includes('/')) return false;
  }
  return true;
}

function matches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  return want.length === got.length && want.every((w, i) => w.startsWith(':') || w === got[i]);
}

/**
 * Compares a presented token with the expected one in constant time. Both are
 * hashed first so that neither their lengths nor their contents leak through timing.
 */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined || expected === '') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}

/** The token from `Authorization: Bearer …`. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header ?? '');
  return m?.[1];
}

/**
 * The Host header must name the dashboard as it listens (so a rebound DNS name
 * pointing at 127.0.0.1 is refused), and an Origin, when the browser sends one,
 * must be that same host: other sites' pages cannot call the API.
 */
export function originAllowed(allowedHosts: ReadonlySet<string>, host: string | undefined, origin: string | undefined): { ok: true } | { ok: false; why: string } {
  if (host === undefined || !allowedHosts.has(host.toLowerCase())) return { ok: false, why: `Host ${host ?? '(none)'} is not this dashboard's address` };
  if (origin === undefined) return { ok: true };
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return { ok: false, why: `Origin ${origin} is not a URL` };
  }
  if (o.host.toLowerCase() !== host.toLowerCase()) return { ok: false, why: `Origin ${origin} is not this dashboard` };
  return { ok: true };
}

/** The Host values a browser sends for a dashboard on `host:port` (loopback answers to its usual names too). */
export function hostsFor(host: string, port: number, loopback: boolean): Set<string> {
  const names = new Set<string>([hostPort(host, port)]);
  if (loopback) for (const h of ['localhost', '127.0.0.1', '[::1]']) names.add(`${h}:${port}`);
  return new Set([...names].map((n) => n.toLowerCase()));
}

function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `HOST:PORT`, `:PORT` (loopback) or `[v6]:PORT`; throws on anything else. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new Error(`--listen ${value}: use HOST:PORT, e.g. 127.0.0.1:8080`);
  const host = m[1] ?? (m[2] === '' ? '127.0.0.1' : m[2]);
  return { host, port };
}
