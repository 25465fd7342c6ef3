// What a manager reports of its own work as it happens, for whoever measures
// it (lib/daemon wires Prometheus to it). An interface, so lib/manager stays
// free of any metrics library and the simulator can ignore it; every hook is
// optional and must be cheap and must not throw: they run on the write path
// and in the leader's loops.

import type { NodeId } from '../raft/core/types';

export interface ManagerObserver {
  /** One Manager.write that reached Raft: how long the proposal took to commit and apply here, and whether it did. */
  proposal?(seconds: number, ok: boolean): void;
  /** Raft's leader changed, as this manager saw it (NONE: no leader known). */
  leaderChanged?(leader: NodeId): void;
  /** One pass of a leader loop built on ReconcileLoop (orchestrator, scheduler), with its name. */
  reconcilePass?(loop: string, seconds: number): void;
}
