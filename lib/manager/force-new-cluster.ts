// The store's half of `swarm init --force-new-cluster`: once the surviving
// manager leads its one-member Raft (lib/raft/node/force-new-cluster.ts did
// the log), the other managers stop being managers in the store. Otherwise
// the membership loop would add them back to Raft, with logs that diverged.
// Their nodes, labels and tasks stay; each keeps its Raft id in
// managerStatus, so when one comes back its agent is handed a worker
// certificate like any demoted manager, and it can be promoted again.

import { ManagerError } from './errors';
import { Manager } from './manager';
import { thaw } from './store';

const WRITE_RETRIES = 5;

/** Returns the ids of the nodes demoted. */
export async function demoteOtherManagers(m: Manager, selfId: string): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    await m.syncRead();
    const others = m.store.list('node').filter((n) => n.id !== selfId && (n.role === 'manager' || n.spec.desiredRole === 'manager'));
    if (others.length === 0) return [];
    const actions = others.map((n) => {
      const next = thaw(n);
      next.role = 'worker';
      next.spec.desiredRole = 'worker';
      return { op: 'update' as const, kind: 'node' as const, object: next, expectedVersion: n.meta.version };
    });
    try {
      await m.write(actions);
      return others.map((n) => n.id);
    } catch (e) {
      if (e instanceof ManagerError && e.code === 'Conflict' && attempt < WRITE_RETRIES) continue;
      throw e;
    }
  }
}
