// A leader loop that keeps Raft's membership equal to the managers in the
// store: a joined manager is added as a learner, promoted to voter once it
// has caught up, and a manager that left the store is removed. One change at
// a time, as the Raft core requires. A demoted leader first hands leadership
// to another voter, whose loop then removes it.

import { Manager } from './manager';
import { LeaderLoop } from './leader-loops';

/** A learner within this many entries of the leader's commit index counts as caught up. */
const CAUGHT_UP_LAG = 50;

export class RaftMembershipLoop implements LeaderLoop {
  readonly name = 'raft-membership';
  private timer?: NodeJS.Timeout;
  private busy = false;
  private running = false;

  constructor(
    private readonly m: Manager,
    private readonly log: { warn(m: string): void; info(m: string): void },
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.running = true;
    this.timer = setInterval(() => void this.reconcile(), this.intervalMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One step toward the desired membership; exposed for tests. */
  async reconcile(): Promise<void> {
    if (this.busy || !this.running || !this.m.isLeader) return;
    this.busy = true;
    try {
      await this.step();
    } catch (e) {
      this.log.warn(`raft membership: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.busy = false;
    }
  }

  private async step(): Promise<void> {
    const status = this.m.raft.status();
    const voters = new Set(status.config.voters);
    const learners = new Set(status.config.learners);
    const desired = new Map<number, string>();
    for (const n of this.m.store.list('node')) {
      if (n.role === 'manager' && n.managerStatus) desired.set(n.managerStatus.raftId, n.managerStatus.addr);
    }
    if (!desired.has(this.m.raftId) && desired.size > 0) {
      // This leader was demoted: hand over to the most caught-up voter, whose loop then removes us.
      const target = [...voters]
        .filter((id) => id !== this.m.raftId && desired.has(id))
        .sort((a, b) => (status.progress?.get(b)?.match ?? 0) - (status.progress?.get(a)?.match ?? 0))[0];
      if (target !== undefined) {
        this.log.info(`raft membership: this manager was demoted; transferring leadership to ${target}`);
        this.m.raft.transferLeadership(target);
        return;
      }
    }
    for (const [raftId, addr] of desired) {
      if (!voters.has(raftId) && !learners.has(raftId)) {
        this.log.info(`raft membership: adding manager ${raftId} (${addr}) as a learner`);
        await this.m.raft.addMember(raftId, `wss://${addr}/raft`, true);
        return;
      }
    }
    for (const raftId of learners) {
      if (!desired.has(raftId)) continue;
      const match = status.progress?.get(raftId)?.match ?? 0;
      if (match + CAUGHT_UP_LAG >= status.hardState.commit) {
        this.log.info(`raft membership: promoting manager ${raftId} to voter (match ${match}, commit ${status.hardState.commit})`);
        await this.m.raft.addMember(raftId, '');
        return;
      }
    }
    for (const raftId of [...voters, ...learners]) {
      // Never remove ourselves here: a leader steps down before it leaves.
      if (!desired.has(raftId) && raftId !== this.m.raftId) {
        this.log.info(`raft membership: removing ${raftId}, no longer a manager`);
        await this.m.raft.removeMember(raftId);
        return;
      }
    }
  }
}
