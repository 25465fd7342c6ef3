// `swarm leave` on a manager. Refused without --force when this is the last
// manager (its leaving erases the swarm) or when the remaining managers could
// not form a quorum. Otherwise leadership moves away first (a leader removing
// itself is the fragile case of single-step membership changes), the node
// becomes a worker in the store (Down once its agent is gone), the leader's membership loop removes it
// from Raft, and we wait to see that applied here before going.

import { thaw } from './store';
import { ManagerError } from './errors';
import { Manager } from './manager';

export type LeavePlan = { kind: 'last-manager' } | { kind: 'no-quorum' } | { kind: 'remove' };

export function planManagerLeave(
  m: Manager,
  nodeId: string,
  reachable: (nodeId: string) => boolean,
  force: boolean,
): LeavePlan {
  const managers = m.store.list('node').filter((n) => n.role === 'manager' && n.managerStatus);
  const others = managers.filter((n) => n.id !== nodeId);
  if (others.length === 0) {
    if (!force) {
      throw new ManagerError(
        'Refused',
        'this node is the last manager of the swarm: leaving erases all of its state. Use --force to leave anyway',
      );
    }
    return { kind: 'last-manager' };
  }
  const up = others.filter((n) => reachable(n.id)).length;
  const quorum = Math.floor(others.length / 2) + 1;
  if (up < quorum || !m.hasLeader) {
    if (!force) {
      throw new ManagerError(
        'Refused',
        `leaving would leave ${up} reachable managers out of ${others.length}: without a Raft quorum the swarm becomes inaccessible. Use --force to leave anyway`,
      );
    }
    return { kind: 'no-quorum' };
  }
  return { kind: 'remove' };
}

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new ManagerError('Internal', `timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Takes this manager out of Raft and turns its node into a worker. */
export async function removeSelfFromRaft(m: Manager, nodeId: string, reachable: (nodeId: string) => boolean): Promise<void> {
  if (m.isLeader) {
    const target = m.store
      .list('node')
      .find((n) => n.id !== nodeId && n.role === 'manager' && n.managerStatus && reachable(n.id));
    if (target?.managerStatus) m.raft.transferLeadership(target.managerStatus.raftId);
    await until('leadership to move to another manager', () => !m.isLeader && m.hasLeader, 10_000);
  }
  for (let attempt = 0; ; attempt++) {
    await m.syncRead();
    const self = m.store.get('node', nodeId);
    if (!self) break;
    const next = thaw(self);
    next.role = 'worker';
    next.spec.desiredRole = 'worker';
    delete next.managerStatus;
    // Its status goes Down through the dispatcher once its agent's session closes.
    try {
      await m.write([{ op: 'update', kind: 'node', object: next, expectedVersion: self.meta.version }]);
      break;
    } catch (e) {
      if (!(e instanceof ManagerError && e.code === 'Conflict') || attempt >= 5) throw e;
    }
  }
  // A removed member rarely learns that its removal committed: the leader stops
  // talking to it once applied. So either we see it applied, or the leader went
  // silent on us. (Were the leader to die instead, the next one's membership loop
  // removes us all the same: the store no longer names us a manager.)
  await until(
    'the leader to take this manager out of Raft',
    () => {
      const cfg = m.raft.status().config;
      return (!cfg.voters.includes(m.raftId) && !cfg.learners.includes(m.raftId)) || !m.hasLeader;
    },
    20_000,
  );
}
