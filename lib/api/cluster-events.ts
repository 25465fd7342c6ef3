// Cluster events in the shape `docker events --format '{{json .}}'` prints on a
// swarm manager, and the rules both the CLI and the daemon apply to them:
// filters, the times --since/--until take, and docker's one-line text form.
// The daemon checks a request again, as any client may call its socket.

import { parseDuration } from '../util/go-duration';

export const EVENT_TYPES = ['service', 'node', 'task', 'network', 'secret', 'config'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface ClusterEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'swarm';
  /** Unix seconds. */
  time: number;
  /** Unix nanoseconds (millisecond precision: the store's times are milliseconds). */
  timeNano: number;
}

/** What the event stream carries besides events: a note that some were missed. */
export interface EventGap {
  gap: string;
}

export type EventStreamItem = ClusterEvent | EventGap;

export function isGap(item: EventStreamItem): item is EventGap {
  return (item as EventGap).gap !== undefined;
}

export function eventMs(ev: ClusterEvent): number {
  // timeNano is ms * 1e6 in a double: rounding gives the ms back exactly.
  return Math.round(ev.timeNano / 1e6);
}

export function makeEvent(type: EventType, action: string, id: string, attributes: Record<string, string>, ms: number): ClusterEvent {
  return { Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'swarm', time: Math.floor(ms / 1000), timeNano: ms * 1e6 };
}

// ------------------------------------------------------------------ filters

export const FILTER_KEYS = ['type', 'event', 'service', 'node', 'network', 'secret', 'config', 'scope'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** Key → the values given for it; values of one key are OR'ed, keys AND'ed (docker's rule). */
export type EventFilters = Partial<Record<FilterKey, string[]>>;

/** Parses `key=value` words as `--filter` takes them; throws on an unknown key or a bad value. */
export function parseEventFilters(words: readonly string[]): EventFilters {
  const out: EventFilters = {};
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0 || eq === w.length - 1) throw new Error(`bad filter "${w}": use key=value, e.g. type=service`);
    const key = w.slice(0, eq);
    const value = w.slice(eq + 1);
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      throw new Error(`invalid filter key "${key}": use one of ${FILTER_KEYS.join(', ')}`);
    }
    const k = key as FilterKey;
    if (k === 'type' && !(EVENT_TYPES as readonly string[]).includes(value)) {
      throw new Error(`invalid filter type=${value}: use one of ${EVENT_TYPES.join(', ')}`);
    }
    if (k === 'scope' && value !== 'swarm' && value !== 'local') throw new Error(`invalid filter scope=${value}: use swarm or local`);
    (out[k] ??= []).push(value);
  }
  return out;
}

/** Back to `key=value` words (for the query string). */
export function filterWords(f: EventFilters): string[] {
  return Object.entries(f).flatMap(([k, vs]) => (vs ?? []).map((v) => `${k}=${v}`));
}

/** An id given in full or as a unique-looking prefix, or the exact name. */
function namesActor(value: string, id: string, name: string | undefined): boolean {
  return id.startsWith(value) || name === value;
}

/**
 * Docker's rule for `service=`, `node=` and the like: the event must be about
 * such an object, named by id (or id prefix) or name. Tasks are about their
 * service and their node too, so `service=web` also shows web's tasks.
 */
function aboutObject(ev: ClusterEvent, type: EventType, value: string): boolean {
  const a = ev.Actor.Attributes;
  if (ev.Type === type) return namesActor(value, ev.Actor.ID, a.name);
  if (ev.Type === 'task' && type === 'service') return namesActor(value, a['service.id'] ?? '', a['service.name']);
  if (ev.Type === 'task' && type === 'node') return a['node.id'] !== undefined && namesActor(value, a['node.id'], a['node.name']);
  return false;
}

export function matchesFilters(ev: ClusterEvent, f: EventFilters): boolean {
  const any = (key: FilterKey, test: (v: string) => boolean) => {
    const vs = f[key];
    return !vs || vs.some(test);
  };
  return (
    any('type', (v) => ev.Type === v) &&
    any('event', (v) => ev.Action === v) &&
    any('scope', (v) => ev.scope === v) &&
    any('service', (v) => aboutObject(ev, 'service', v)) &&
    any('node', (v) => aboutObject(ev, 'node', v)) &&
    any('network', (v) => aboutObject(ev, 'network', v)) &&
    any('secret', (v) => aboutObject(ev, 'secret', v)) &&
    any('config', (v) => aboutObject(ev, 'config', v))
  );
}

// -------------------------------------------------------------------- times

/**
 * A time as docker's --since/--until take it, in Unix milliseconds: RFC 3339
 * (a date alone is midnight UTC), Unix seconds with an optional fraction, or
 * a Go duration meaning that long before `nowMs`.
 */
export function parseEventTime(text: string, nowMs: number, what = 'time'): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/i.test(s)) {
    // A time without a zone is taken as UTC, as on a daemon that runs in UTC.
    const iso = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : /(Z|[+-]\d{2}:\d{2})$/i.test(s) ? s : `${s}Z`;
    const ms = Date.parse(iso.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  let ago: number;
  try {
    ago = parseDuration(s);
  } catch {
    throw new Error(`invalid ${what} "${text}": use an RFC 3339 time (2026-12-03T17:00:00Z), Unix seconds, or a duration before now (10m)`);
  }
  return nowMs - ago;
}

// --------------------------------------------------------------------- text

function nanoTime(ev: ClusterEvent): string {
  const ms = eventMs(ev);
  const iso = new Date(ms).toISOString(); // ...T17:00:00.123Z
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

/** Docker's default line: `TIME TYPE ACTION ID (k=v, ...)`, attributes sorted by key. */
export function formatEventLine(ev: ClusterEvent): string {
  const attrs = Object.keys(ev.Actor.Attributes)
    .sort()
    .map((k) => `${k}=${ev.Actor.Attributes[k]}`);
  return `${nanoTime(ev)} ${ev.Type} ${ev.Action} ${ev.Actor.ID}${attrs.length ? ` (${attrs.join(', ')})` : ''}`;
}
