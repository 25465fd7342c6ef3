// -p/--publish, --publish-add and --publish-rm values, in both of docker's
// forms: the long one (`published=8080,target=80,protocol=udp,mode=host`) and
// the short one (`8080:80`, `8080:80/udp`, `80`, ranges like `8000-8001:80-81`).
// As in docker a port is published in ingress mode unless mode=host is given.

import type { PortConfig } from '../../api/service-types';
import { splitCsvRecord } from './csv-fields';
import { flagError } from './errors';

/** A --publish-rm value: what to match; undefined parts match anything. */
export interface PortMatcher {
  targetPort: number;
  protocol: 'tcp' | 'udp';
  publishedPort?: number;
  publishMode?: 'host' | 'ingress';
}

// docker's test for the long form: any `word=word` in the value.
const LONG_SYNTAX = /\w+=\w+(,\w+=\w+)*/;

function parsePortNumber(flag: string, value: string, what: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw flagError(flag, value, `invalid ${what} (${text}): must be an integer from 0 to 65535`);
  }
  return Number(text);
}

function parseProtocol(flag: string, value: string, text: string): 'tcp' | 'udp' {
  const p = text.toLowerCase();
  if (p === 'tcp' || p === 'udp') return p;
  if (p === 'sctp') throw flagError(flag, value, 'protocol sctp is not supported, use tcp or udp');
  throw flagError(flag, value, `invalid protocol value '${text}': use tcp or udp`);
}

interface LongPort {
  config: PortConfig;
  givenPublished: boolean;
  givenMode: boolean;
}

function parseLong(flag: string, value: string): LongPort {
  let fields: string[];
  try {
    fields = splitCsvRecord(value);
  } catch (e) {
    throw flagError(flag, value, (e as Error).message);
  }
  const config: PortConfig = { protocol: 'tcp', targetPort: 0, publishedPort: 0, publishMode: 'ingress' };
  let givenPublished = false;
  let givenMode = false;
  for (const field of fields) {
    // docker lower-cases the whole field, so "Protocol=UDP" works.
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) throw flagError(flag, value, `invalid field '${field}': expected key=value`);
    const key = lower.slice(0, eq);
    const val = lower.slice(eq + 1);
    switch (key) {
      case 'protocol':
        config.protocol = parseProtocol(flag, value, val);
        break;
      case 'mode':
        if (val !== 'ingress' && val !== 'host') {
          throw flagError(flag, value, `invalid publish mode value (${val}): must be either 'ingress' or 'host'`);
        }
        config.publishMode = val;
        givenMode = true;
        break;
      case 'target':
        config.targetPort = parsePortNumber(flag, value, 'target port', val);
        break;
      case 'published':
        config.publishedPort = parsePortNumber(flag, value, 'published port', val);
        givenPublished = true;
        break;
      default:
        throw flagError(flag, value, `invalid field key '${key}': use published, target, protocol or mode`);
    }
  }
  if (config.targetPort === 0) throw flagError(flag, value, "missing mandatory field 'target'");
  return { config, givenPublished, givenMode };
}

function parseRange(flag: string, value: string, what: string, text: string): [number, number] {
  const bad = () => flagError(flag, value, `invalid ${what}: ${text}`);
  if (text === '') throw bad();
  const dash = text.indexOf('-');
  const parts = dash < 0 ? [text, text] : [text.slice(0, dash), text.slice(dash + 1)];
  if (!parts.every((p) => /^\d+$/.test(p) && Number(p) <= 65535)) throw bad();
  const [start, end] = parts.map(Number);
  if (end < start) throw flagError(flag, value, `invalid range specified for port: ${text}`);
  return [start, end];
}

/** The short form, as docker's nat.ParsePortSpec reads `[hostPort:]containerPort[/proto]`. */
function parseShort(flag: string, value: string): PortConfig[] {
  const colon = value.split(':');
  if (colon.length > 2) throw flagError(flag, value, 'hostip is not supported');
  const hostPart = colon.length === 2 ? colon[0] : '';
  const slash = colon[colon.length - 1].split('/');
  const containerPart = slash[0];
  const protocol = slash.length > 1 && slash[1] !== '' ? parseProtocol(flag, value, slash[1]) : 'tcp';
  if (slash.length > 2) throw flagError(flag, value, `invalid proto: ${slash.slice(1).join('/')}`);
  if (containerPart === '') throw flagError(flag, value, 'no port specified');
  const [tStart, tEnd] = parseRange(flag, value, 'containerPort', containerPart);
  if (tStart === 0) throw flagError(flag, value, 'invalid containerPort: 0');
  const out: PortConfig[] = [];
  const add = (target: number, published: number) =>
    out.push({ protocol, targetPort: target, publishedPort: published, publishMode: 'ingress' });
  if (hostPart === '') {
    for (let t = tStart; t <= tEnd; t++) add(t, 0);
    return out;
  }
  const [pStart, pEnd] = parseRange(flag, value, 'hostPort', hostPart);
  if (pEnd - pStart === tEnd - tStart) {
    for (let i = 0; i <= tEnd - tStart; i++) add(tStart + i, pStart + i);
  } else if (tStart === tEnd) {
    // A host range for one container port: one published port per host port, as docker does.
    for (let p = pStart; p <= pEnd; p++) add(tStart, p);
  } else {
    throw flagError(flag, value, `invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
  }
  return out;
}

/** One --publish/--publish-add value; the short form can stand for several ports. */
export function parsePublish(flag: string, value: string): PortConfig[] {
  return LONG_SYNTAX.test(value) ? [parseLong(flag, value).config] : parseShort(flag, value);
}

/**
 * A --publish-rm value. docker matches on target port, protocol and publish
 * mode only; here the published port also narrows the match when given
 * (`8080:80`), and the mode only when written out (`target=80,mode=host`),
 * so `--publish-rm 80` removes a host-mode port too.
 */
export function parsePublishRm(flag: string, value: string): PortMatcher[] {
  if (LONG_SYNTAX.test(value)) {
    const { config, givenPublished, givenMode } = parseLong(flag, value);
    return [
      {
        targetPort: config.targetPort,
        protocol: config.protocol,
        publishedPort: givenPublished ? config.publishedPort : undefined,
        publishMode: givenMode ? config.publishMode : undefined,
      },
    ];
  }
  const hasPublished = value.includes(':');
  return parseShort(flag, value).map((p) => ({
    targetPort: p.targetPort,
    protocol: p.protocol,
    publishedPort: hasPublished ? p.publishedPort : undefined,
  }));
}

export function portMatches(p: PortConfig, m: PortMatcher): boolean {
  return (
    p.targetPort === m.targetPort &&
    p.protocol === m.protocol &&
    (m.publishedPort === undefined || p.publishedPort === m.publishedPort) &&
    (m.publishMode === undefined || p.publishMode === m.publishMode)
  );
}

/** docker's key for a port ("8080:80/tcp/ingress"): duplicates are dropped and the list sorted by it. */
export function portKey(p: PortConfig): string {
  return `${p.publishedPort}:${p.targetPort}/${p.protocol}/${p.publishMode}`;
}

/** The same port given twice is kept once. */
export function dedupePorts(ports: readonly PortConfig[]): PortConfig[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const k = portKey(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
