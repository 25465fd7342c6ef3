// The network table over the dispatcher's sessions. A session gets its
// machine's whole view (network/net-table.ts) once registered, then, within
// ~20 ms of any change to networks, services, tasks or nodes, only what
// changed in it: entries set and entries deleted, against what that session
// was last sent. Large tables span several messages; the node uses one only
// once the message marked `done` arrived.

import { DISPATCHER_CHUNK_BYTES } from '../../api/dispatcher-protocol';
import type { NetEntry, NetRef, NetUpdate } from '../../api/net-table';
import { NET_UPDATE_MAX_ENTRIES } from '../../api/net-table-parse';
import { hostKeyOf, viewFor } from '../network/net-table';
import { followStore, StoreFollower } from './follow-store';
import type { AgentSession } from './agent-session';
import type { DispatcherHost } from './dispatcher';
import { TimerHandle, Timers } from './timers';

const SEND_DELAY_MS = 20;
/** Keeps each message far below the frame bound both ends enforce. */
const MAX_MESSAGE_BYTES = DISPATCHER_CHUNK_BYTES;

export class NetChannel {
  private follower?: StoreFollower;
  private timer: TimerHandle | undefined;
  private running = false;
  /** What each session was sent, entry key → the entry's JSON. */
  private readonly sent = new Map<AgentSession, Map<string, string>>();

  constructor(
    private readonly host: DispatcherHost,
    private readonly timers: Timers,
  ) {}

  start(): void {
    this.running = true;
    // Any change (or changes missed) means: compare the views again soon.
    this.follower = followStore(this.host.store, ['network', 'service', 'task', 'node'], () => this.soon(), () => this.soon());
  }

  stop(): void {
    this.running = false;
    this.follower?.stop();
    this.follower = undefined;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.sent.clear();
  }

  /** The whole table for a session that just registered. */
  sendFull(s: AgentSession): void {
    if (!this.running) return;
    const view = this.viewOf(s, new Map());
    const sent = new Map<string, string>();
    for (const [k, e] of view) sent.set(k, JSON.stringify(e));
    this.sent.set(s, sent);
    send(s, true, [...view.values()], []);
  }

  onClose(s: AgentSession): void {
    this.sent.delete(s);
  }

  private soon(): void {
    if (!this.running || this.timer !== undefined) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, SEND_DELAY_MS);
  }

  private flush(): void {
    const views = new Map<string, Map<string, NetEntry>>();
    for (const [s, sent] of this.sent) {
      if (!s.isOpen) {
        this.sent.delete(s);
        continue;
      }
      const view = this.viewOf(s, views);
      const set: NetEntry[] = [];
      const del: NetRef[] = [];
      for (const [k, e] of view) {
        const json = JSON.stringify(e);
        if (sent.get(k) === json) continue;
        sent.set(k, json);
        set.push(e);
      }
      for (const k of sent.keys()) {
        if (view.has(k)) continue;
        sent.delete(k);
        const i = k.indexOf(':');
        del.push({ kind: k.slice(0, i) as NetRef['kind'], id: k.slice(i + 1) });
      }
      if (set.length > 0 || del.length > 0) send(s, false, set, del);
    }
  }

  /** Sessions of one machine share a view, computed once per flush. */
  private viewOf(s: AgentSession, cache: Map<string, Map<string, NetEntry>>): Map<string, NetEntry> {
    const key = hostKeyOf(this.host.store.get('node', s.nodeId), s.nodeId);
    let view = cache.get(key);
    if (!view) cache.set(key, (view = viewFor(this.host.store, key)));
    return view;
  }
}

/** Splits one update into messages of bounded size; only the last says `done`. */
function send(s: AgentSession, reset: boolean, set: NetEntry[], del: NetRef[]): void {
  const messages: NetUpdate[] = [];
  let current: NetUpdate = { reset, done: false, set: [], del: [] };
  let bytes = 0;
  const room = (size: number) => {
    if (current.set.length + current.del.length < NET_UPDATE_MAX_ENTRIES && bytes + size <= MAX_MESSAGE_BYTES) return;
    messages.push(current);
    current = { reset: false, done: false, set: [], del: [] };
    bytes = 0;
  };
  for (const e of set) {
    const size = JSON.stringify(e).length;
    room(size);
    current.set.push(e);
    bytes += size;
  }
  for (const r of del) {
    room(64);
    current.del.push(r);
    bytes += 64;
  }
  messages.push(current);
  messages[messages.length - 1].done = true;
  for (const m of messages) s.send({ v: 1, type: 'netUpdate', ...m });
}
