import { isIP } from 'net';

// The short port syntax, `[IP:][HOST:]CONTAINER[/PROTO]` with ranges, parsed
// as docker does (go-connections' nat.ParsePortSpec, then the loader's
// toServicePortConfigs): "3000-3005" is six unpublished ports,
// "9090-9091:8080-8081" two published ones, "8000-8010:80" one target port
// published on each host port of the range. The host IP is kept so the
// converter can say it is ignored (swarm services listen on every address).

export interface ShortPort {
  protocol: string;
  target: number;
  /** 0 when not published. */
  published: number;
  /** The IP the user wrote, "" if none. */
  hostIp: string;
}

function parseRange(text: string): [number, number] | undefined {
  const one = (t: string) => (/^[0-9]+$/.test(t) && Number(t) <= 65535 ? Number(t) : undefined);
  if (text === '') return undefined;
  if (!text.includes('-')) {
    const n = one(text);
    return n === undefined ? undefined : [n, n];
  }
  const parts = text.split('-');
  if (parts.length !== 2) return undefined;
  const start = one(parts[0]);
  const end = one(parts[1]);
  if (start === undefined || end === undefined || end < start) return undefined;
  return [start, end];
}

interface Mapping {
  port: number;
  proto: string;
  ip: string;
  hostPort: string;
}

/** nat.ParsePortSpec; a string error says what is wrong, in docker's words. */
function parsePortSpec(raw: string): Mapping[] | string {
  const parts = raw.split(':');
  let ip = '';
  let hostPort = '';
  let containerPort: string;
  if (parts.length === 1) containerPort = parts[0];
  else if (parts.length === 2) [hostPort, containerPort] = parts;
  else if (parts.length === 3) [ip, hostPort, containerPort] = parts;
  else {
    ip = parts.slice(0, -2).join(':');
    hostPort = parts[parts.length - 2];
    containerPort = parts[parts.length - 1];
  }
  const slash = containerPort.indexOf('/');
  let proto = slash < 0 ? '' : containerPort.slice(slash + 1);
  containerPort = slash < 0 ? containerPort : containerPort.slice(0, slash);
  if (containerPort === '') return `no port specified: ${raw}<empty>`;
  proto = (proto || 'tcp').toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) return `invalid proto: ${proto}`;
  if (ip.startsWith('[')) {
    if (!ip.endsWith(']')) return `invalid IP address ${ip}`;
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && isIP(ip) === 0) return `invalid IP address: ${ip}`;
  const container = parseRange(containerPort);
  if (!container) return `invalid containerPort: ${containerPort}`;
  let host: [number, number] = [0, 0];
  if (hostPort !== '') {
    const h = parseRange(hostPort);
    if (!h) return `invalid hostPort: ${hostPort}`;
    host = h;
    if (container[1] - container[0] !== host[1] - host[0] && container[1] !== container[0]) {
      return `invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`;
    }
  }
  const count = container[1] - container[0] + 1;
  const out: Mapping[] = [];
  for (let i = 0; i < count; i++) {
    let hp = '';
    if (hostPort !== '') {
      hp = String(host[0] + i);
      if (count === 1 && host[0] !== host[1]) hp += `-${host[1]}`;
    }
    out.push({ port: container[0] + i, proto, ip, hostPort: hp });
  }
  return out;
}

/** Whether docker's schema "ports" format accepts the text. */
export function isPortSpec(raw: string): boolean {
  return typeof parsePortSpec(raw) !== 'string';
}

/** One short-syntax entry as the port configs docker makes of it; a string is an error. */
export function parseShortPort(raw: string): ShortPort[] | string {
  const mappings = parsePortSpec(raw);
  if (typeof mappings === 'string') return mappings;
  // docker sorts the "port/proto" keys as strings before converting.
  const sorted = [...mappings].sort((a, b) => {
    const ka = `${a.port}/${a.proto}`;
    const kb = `${b.port}/${b.proto}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const out: ShortPort[] = [];
  for (const m of sorted) {
    if (m.hostPort === '') {
      out.push({ protocol: m.proto, target: m.port, published: 0, hostIp: m.ip });
      continue;
    }
    const range = parseRange(m.hostPort);
    if (!range) return `invalid hostport binding (${m.hostPort}) for port (${m.port})`;
    for (let p = range[0]; p <= range[1]; p++) out.push({ protocol: m.proto, target: m.port, published: p, hostIp: m.ip });
  }
  return out;
}
