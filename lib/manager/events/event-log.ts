// The cluster events one manager saw: every manager applies the same Raft
// log, so each makes the same events from its own store's watch stream, and
// `swarm events` works against any of them. Recent events are kept in a
// bounded ring for --since; subscribers get the new ones as they come.

import {
  ClusterEvent,
  EventFilters,
  EventStreamItem,
  eventMs,
  matchesFilters,
} from '../../api/cluster-events';
import type { Node } from '../../api/types';
import type { Clock, TimerHandle, Timers } from '../../util/timers';
import { AsyncQueue } from '../../util/async-queue';
import type { DeepReadonly, MemoryStore, StoreEvent } from '../store';
import { followStore, StoreFollower } from '../dispatcher/follow-store';
import { leaderEvents, nodeDisplayName, translateChange } from './translate';

export interface EventLogOptions {
  /** Most events kept for --since (docker keeps 256; a cluster makes many more). */
  capacity?: number;
  /** Events older than this are not replayed. */
  maxAgeMs?: number;
  /** Most items waiting for one slow reader before it is told it missed some. */
  subscriberLimit?: number;
}

export const DEFAULT_EVENT_CAPACITY = 10_000;
export const DEFAULT_EVENT_MAX_AGE_MS = 3_600_000;
const DEFAULT_SUBSCRIBER_LIMIT = 100_000;
/** setTimeout's longest delay; a later --until is checked again when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

export interface EventQuery {
  /** Replay kept events from then (Unix ms). */
  sinceMs?: number;
  /** End the stream then (Unix ms); a time past ends it after the replay. */
  untilMs?: number;
  filters: EventFilters;
}

type Item = ClusterEvent | { gap: string; ms: number };

export class EventLog {
  private readonly ring: (Item | undefined)[];
  private next = 0;
  private readonly subscribers = new Set<(item: Item) => void>();
  private follower: StoreFollower | undefined;
  private leaderNode: DeepReadonly<Node> | undefined;
  private readonly maxAgeMs: number;
  private readonly subscriberLimit: number;

  constructor(
    private readonly store: MemoryStore,
    private readonly clock: Clock,
    private readonly timers: Timers,
    options: EventLogOptions = {},
  ) {
    const capacity = options.capacity ?? DEFAULT_EVENT_CAPACITY;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`event capacity must be a positive integer (got ${capacity})`);
    this.ring = new Array<Item | undefined>(capacity);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_EVENT_MAX_AGE_MS;
    this.subscriberLimit = options.subscriberLimit ?? DEFAULT_SUBSCRIBER_LIMIT;
  }

  /** Starts following the store; call before the store applies anything that should be seen. */
  start(): void {
    if (this.follower) return;
    this.follower = followStore(
      this.store,
      ['node', 'service', 'task', 'network'],
      (ev) => this.onStoreEvent(ev),
      () => this.record({ gap: 'this manager fell behind the store and missed some events', ms: this.clock() }),
    );
  }

  stop(): void {
    this.follower?.stop();
    this.follower = undefined;
  }

  /** Raft's leader is now the manager with this raft id (0: none known). */
  leaderChanged(raftId: number): void {
    const next = raftId ? this.store.list('node').find((n) => n.managerStatus?.raftId === raftId) : undefined;
    const events = leaderEvents(this.leaderNode, next, this.clock());
    // A node with that raft id not yet in the store (a fresh replay) is no leader we can name.
    this.leaderNode = next;
    for (const e of events) this.record(e);
  }

  /** The events a reader asked for: the kept ones from --since, then new ones until --until (or until `signal`). */
  subscribe(q: EventQuery, signal: AbortSignal): AsyncIterable<EventStreamItem> {
    const replay = q.sinceMs !== undefined || q.untilMs !== undefined;
    const now = this.clock();
    // Set once the reader is live; a reader that stops before (replay only) has nothing to undo.
    let finish = (): void => undefined;
    // A reader that stops reading (a stalled terminal) must not make the manager hold every event since.
    const out = new AsyncQueue<EventStreamItem>({
      limit: this.subscriberLimit,
      overflow: (limit) => ({ gap: `the reader fell behind by more than ${limit} events; they were dropped` }),
      onReturn: () => finish(),
    });
    const inWindow = (ms: number) => (q.sinceMs === undefined || ms >= q.sinceMs) && (q.untilMs === undefined || ms <= q.untilMs);
    const pass = (item: Item): EventStreamItem | undefined => {
      if ('gap' in item) return { gap: item.gap };
      return inWindow(eventMs(item)) && matchesFilters(item, q.filters) ? item : undefined;
    };
    if (replay) {
      const oldest = now - this.maxAgeMs;
      for (const item of this.kept()) {
        const ms = 'gap' in item ? item.ms : eventMs(item);
        if (ms < oldest || ('gap' in item && !inWindow(ms))) continue;
        const p = pass(item);
        if (p) out.push(p);
      }
    }
    if (q.untilMs !== undefined && q.untilMs <= now) {
      out.end();
      return out;
    }
    const sub = (item: Item) => {
      const p = pass(item);
      if (p) out.push(p);
    };
    this.subscribers.add(sub);
    let timer: TimerHandle | undefined;
    finish = () => {
      this.subscribers.delete(sub);
      if (timer !== undefined) this.timers.clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      out.end();
    };
    if (q.untilMs !== undefined) {
      const until = q.untilMs;
      const arm = () => {
        const left = until - this.clock();
        if (left <= 0) return finish();
        timer = this.timers.setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      arm();
    }
    if (signal.aborted) finish();
    else signal.addEventListener('abort', finish);
    return out;
  }

  /** The kept items, oldest first. */
  private *kept(): Generator<Item> {
    const n = this.ring.length;
    for (let i = 0; i < n; i++) {
      const item = this.ring[(this.next + i) % n];
      if (item) yield item;
    }
  }

  private onStoreEvent(ev: StoreEvent): void {
    if (ev.action === 'reset') {
      this.record({ gap: 'this manager replaced its state with a snapshot from the leader; changes before it are not shown', ms: this.clock() });
      return;
    }
    const names = (id: string) => nodeDisplayName(this.store.get('node', id));
    for (const e of translateChange(ev, names)) this.record(e);
  }

  private record(item: Item): void {
    this.ring[this.next] = item;
    this.next = (this.next + 1) % this.ring.length;
    if (this.subscribers.size === 0) return;
    // A subscriber may end itself (its --until passed) while we iterate: iterate a copy.
    for (const s of [...this.subscribers]) s(item);
  }
}
