// A manager: the Raft member, the replicated store it applies to, a proposer
// that turns store transactions into Raft proposals and answers with the
// store's verdict, and the loops that run only while this manager leads.

import { DEFAULT_RAFT_TIMING, RaftTiming } from '../api/cluster-defaults';
import { RaftLogger } from '../raft/core/config';
import { NodeId, NONE } from '../raft/core/types';
import { RaftNode } from '../raft/node/raft-node';
import { Transport, TransportHandlers } from '../raft/transport/transport';
import { fromRaftError, fromStoreError, ManagerError } from './errors';
import { LeaderLoop, LeaderLoops } from './leader-loops';
import { EventLog } from './events/event-log';
import { Action, encodeTransaction, MemoryStore, StoreStateMachine } from './store';
import { AppliedChange } from './store';
import { TaskMetricsStore } from './metrics/metrics-view';
import { DEFAULT_MAX_ENTRY_BYTES, mib } from './entry-size';
import { ControlHost, IdSource } from './control-host';
import { Clock, realClock, realTimers, Timers } from '../util/timers';
import { newObjectId } from '../api/ids';
import type { ManagerObserver } from './observer';
import type { RecordCipher } from '../raft/storage';

export interface ManagerOptions {
  raftId: NodeId;
  /** Where the WAL and snapshots live. */
  raftDir: string;
  /** The URL other managers dial for Raft. */
  raftUrl: string;
  transport: (handlers: TransportHandlers) => Transport;
  /** A brand-new cluster: the initial Raft members (this manager alone for `swarm init`). */
  bootstrap?: { id: NodeId; url: string }[];
  timing?: Partial<RaftTiming>;
  /** Linearizable reads from the Raft leader's lease (docs/raft.md, "Reads"); default on. */
  leaseReads?: boolean;
  /** How long a write may wait for a quorum before failing with NoQuorum. */
  writeTimeoutMs?: number;
  /** The largest encoded transaction write() proposes (entry-size.ts says why the default). */
  maxEntryBytes?: number;
  logger?: RaftLogger;
  onFatal?: (e: Error) => void;
  /** The leader loops' time and ids (ControlHost); real ones by default. */
  clock?: Clock;
  timers?: Timers;
  ids?: IdSource;
  /** Told of proposals, leader changes and loop passes (the daemon's Prometheus metrics). */
  observer?: ManagerObserver;
  /** Seals the WAL's entries and the snapshots with this manager's data key (docs/encryption.md). */
  cipher?: RecordCipher;
}

export { DEFAULT_RAFT_TIMING };
export type { RaftTiming };

export class Manager implements ControlHost {
  readonly store = new MemoryStore();
  /** Tasks' resource use, from the agents connected to this manager (the leader's dispatcher). */
  readonly metrics = new TaskMetricsStore();
  private readonly sm = new StoreStateMachine(this.store);
  private readonly loops: LeaderLoops;
  private readonly leaderWaiters = new Set<() => void>();
  private raftNode!: RaftNode;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly ids: IdSource;
  /** `swarm events`: what changed, as this manager applied it. */
  readonly events: EventLog;
  readonly observer?: ManagerObserver;

  private constructor(private readonly opts: ManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.timers = opts.timers ?? realTimers;
    this.ids = opts.ids ?? newObjectId;
    // Following from before Raft replays its log: --since then covers what the log still holds.
    this.events = new EventLog(this.store, this.clock, this.timers);
    this.events.start();
    this.observer = opts.observer;
    this.loops = new LeaderLoops((name, e) =>
      opts.logger?.warn(`leader loop ${name} failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  static async start(opts: ManagerOptions): Promise<Manager> {
    const m = new Manager(opts);
    const t = { ...DEFAULT_RAFT_TIMING, ...opts.timing };
    m.raftNode = await RaftNode.start({
      id: opts.raftId,
      dataDir: opts.raftDir,
      url: opts.raftUrl,
      transport: opts.transport,
      stateMachine: m.sm,
      bootstrap: opts.bootstrap,
      tickMs: t.tickMs,
      electionTick: t.electionTick,
      heartbeatTick: t.heartbeatTick,
      snapshotEvery: t.snapshotEvery,
      leaseReads: opts.leaseReads ?? true,
      proposalTimeoutMs: opts.writeTimeoutMs ?? 5_000,
      logger: opts.logger,
      onFatal: opts.onFatal,
      storage: opts.cipher ? { cipher: opts.cipher } : undefined,
      onLeaderChange: (lead) => {
        void m.loops.setLeader(lead === opts.raftId);
        m.events.leaderChanged(lead);
        if (lead !== NONE) m.leaderKnown();
        m.observer?.leaderChanged?.(lead);
      },
    });
    return m;
  }

  get raft(): RaftNode {
    return this.raftNode;
  }

  get raftId(): NodeId {
    return this.opts.raftId;
  }

  get isLeader(): boolean {
    return this.raftNode.isLeader;
  }

  /** The leader's raft id, 0 when none is known. */
  get leader(): NodeId {
    return this.raftNode.leader;
  }

  get hasLeader(): boolean {
    return this.raftNode.leader !== NONE;
  }

  /** Resolves true once a leader is known (at once if one is), false after `ms` without one. */
  leaderWithin(ms: number): Promise<boolean> {
    if (this.hasLeader) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.leaderWaiters.delete(waiter);
        resolve(false);
      }, ms);
      this.leaderWaiters.add(waiter);
    });
  }

  private leaderKnown(): void {
    const waiters = [...this.leaderWaiters];
    this.leaderWaiters.clear();
    for (const w of waiters) w();
  }

  /** Raft ids in the current configuration, voters and learners. */
  raftMembers(): readonly NodeId[] {
    const c = this.raftNode.status().config;
    return [...c.voters, ...c.learners];
  }

  /** Writers with many actions cut them into transactions of at most this many bytes (chunkActions). */
  get maxEntryBytes(): number {
    return this.opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  }

  addLeaderLoop(loop: LeaderLoop): void {
    this.loops.add(loop);
  }

  /**
   * Commits one all-or-nothing transaction through Raft (forwarded to the
   * leader from a follower) and returns what it changed, or throws a
   * ManagerError with the store's or the quorum's reason. A transaction
   * above maxEntryBytes is refused before it is proposed (TooLarge): the
   * transport would drop it and stall the log behind it.
   */
  async write(actions: Action[]): Promise<AppliedChange[]> {
    if (actions.length === 0) return [];
    const data = encodeTransaction({ at: new Date(this.clock()).toISOString(), actions });
    if (data.length > this.maxEntryBytes) {
      throw new ManagerError(
        'TooLarge',
        `the write of ${actions.length} action(s) is ${data.length} bytes (${mib(data.length)}) encoded, above the limit of one Raft entry, ` +
          `${this.maxEntryBytes} bytes (${mib(this.maxEntryBytes)}); nothing was written. Split it into smaller writes.`,
      );
    }
    let index: number;
    const started = performance.now();
    try {
      ({ index } = await this.raftNode.propose(data));
      this.observer?.proposal?.((performance.now() - started) / 1000, true);
    } catch (e) {
      this.observer?.proposal?.((performance.now() - started) / 1000, false);
      throw fromRaftError(e);
    }
    const result = this.sm.resultFor(index);
    if (!result) throw new ManagerError('Internal', `the verdict for log entry ${index} was lost`);
    if (!result.ok) throw fromStoreError(result.error);
    return result.changes;
  }

  /**
   * Waits until this manager's store reflects every write committed before
   * the call (ReadIndex), so a read right after a write elsewhere sees it.
   */
  async syncRead(): Promise<void> {
    try {
      await this.raftNode.read();
    } catch (e) {
      throw fromRaftError(e);
    }
  }

  async stop(): Promise<void> {
    await this.loops.setLeader(false);
    await this.raftNode.stop();
    this.events.stop();
  }
}
