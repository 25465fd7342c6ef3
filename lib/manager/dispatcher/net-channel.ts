// The network table over the dispatcher's sessions. A session gets its
// machine's whole view once registered, then, within ~20 ms of any change to
// networks, services, tasks or nodes, only what changed in it: entries set
// and entries deleted. Large tables span several messages; the node uses one
// only once the message marked `done` arrived.
//
// The views are kept by network/net-view-index.ts from the store's events, so
// a change costs each machine the entries that changed for it, not its whole
// view; sessions of one machine (one hostKey) share the view and the messages.
// When the watch overflows or the store is replaced by a snapshot, the index
// is read again from the store and every session is sent its whole table.

import { DISPATCHER_CHUNK_BYTES } from '../../api/dispatcher-protocol';
import type { NetRef, NetUpdate } from '../../api/net-table';
import { NET_UPDATE_MAX_ENTRIES } from '../../api/net-table-parse';
import { NetViewIndex, SizedEntry } from '../network/net-view-index';
import type { StoreEvent } from '../store';
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
  private index = new NetViewIndex();
  /** Registered sessions, each with the machine (hostKey) whose view it holds. */
  private readonly sessions = new Map<AgentSession, string>();
  /** Sessions owed a whole table at the next flush. */
  private readonly owed = new Set<AgentSession>();

  constructor(
    private readonly host: DispatcherHost,
    private readonly timers: Timers,
  ) {}

  start(): void {
    this.running = true;
    this.index = new NetViewIndex();
    this.index.rebuild(this.host.store);
    this.follower = followStore(this.host.store, ['network', 'service', 'task', 'node'], (ev) => this.onEvent(ev), () => this.lost());
  }

  stop(): void {
    this.running = false;
    this.follower?.stop();
    this.follower = undefined;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.sessions.clear();
    this.owed.clear();
  }

  /** The whole table for a session that just registered. */
  sendFull(s: AgentSession): void {
    if (!this.running) return;
    this.onClose(s);
    const hostKey = this.index.hostKeyOf(s.nodeId);
    this.sessions.set(s, hostKey);
    this.index.watch(hostKey);
    // The machine's other sessions have not been sent the latest changes yet: the
    // new one joins them at the next flush, or it would be ahead of what follows.
    if (this.index.hasPending(hostKey)) {
      this.owed.add(s);
      return this.soon();
    }
    for (const m of messages(true, this.index.viewOf(hostKey), [])) s.send({ v: 1, type: 'netUpdate', ...m });
  }

  onClose(s: AgentSession): void {
    const hostKey = this.sessions.get(s);
    if (hostKey === undefined) return;
    this.sessions.delete(s);
    this.owed.delete(s);
    this.index.unwatch(hostKey);
  }

  private onEvent(ev: StoreEvent): void {
    if (!this.running) return;
    if (ev.action === 'reset') return this.lost();
    this.index.apply(ev);
    this.soon();
  }

  /** Changes were missed (or the store replaced): read it all again, and send everyone everything. */
  private lost(): void {
    if (!this.running) return;
    this.index.rebuild(this.host.store);
    for (const s of this.sessions.keys()) this.owed.add(s);
    this.soon();
  }

  private soon(): void {
    if (!this.running || this.timer !== undefined) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, SEND_DELAY_MS);
  }

  private flush(): void {
    // A node that now reports another hostKey belongs to another machine's view: it gets that one whole.
    for (const [s, hostKey] of [...this.sessions]) {
      if (!s.isOpen) {
        this.onClose(s);
        continue;
      }
      const now = this.index.hostKeyOf(s.nodeId);
      if (now === hostKey) continue;
      this.index.unwatch(hostKey);
      this.index.watch(now);
      this.sessions.set(s, now);
      this.owed.add(s);
    }
    const changes = this.index.drain();
    const byMachine = new Map<string, NetUpdate[]>();
    const wholeByMachine = new Map<string, NetUpdate[]>();
    for (const [s, hostKey] of this.sessions) {
      let out: NetUpdate[] | undefined;
      if (this.owed.has(s)) {
        out = wholeByMachine.get(hostKey);
        if (!out) wholeByMachine.set(hostKey, (out = messages(true, this.index.viewOf(hostKey), [])));
      } else {
        const c = changes.get(hostKey);
        if (!c) continue;
        out = byMachine.get(hostKey);
        if (!out) byMachine.set(hostKey, (out = messages(false, c.set, c.del)));
      }
      for (const m of out) s.send({ v: 1, type: 'netUpdate', ...m });
    }
    this.owed.clear();
  }
}

/** Splits one update into messages of bounded size; only the last says `done`. */
function messages(reset: boolean, set: readonly SizedEntry[], del: readonly NetRef[]): NetUpdate[] {
  const out: NetUpdate[] = [];
  let current: NetUpdate = { reset, done: false, set: [], del: [] };
  let bytes = 0;
  const room = (size: number) => {
    if (current.set.length + current.del.length < NET_UPDATE_MAX_ENTRIES && bytes + size <= MAX_MESSAGE_BYTES) return;
    out.push(current);
    current = { reset: false, done: false, set: [], del: [] };
    bytes = 0;
  };
  for (const { entry, json } of set) {
    room(json.length);
    current.set.push(entry);
    bytes += json.length;
  }
  for (const r of del) {
    room(64);
    current.del.push(r);
    bytes += 64;
  }
  out.push(current);
  out[out.length - 1].done = true;
  return out;
}
