// Managers in one process for tests and benchmarks: real Raft on disk under
// `root`, joined by the in-memory transport, fast ticks. What each caller
// varies (entry bound, write timeout, observer, loops) goes in `options`.

import { join } from 'path';
import { Manager, ManagerOptions } from '../manager/manager';
import { LocalNetwork } from '../raft/transport';

export type LocalManagerOptions = Omit<ManagerOptions, 'raftId' | 'raftDir' | 'raftUrl' | 'transport' | 'bootstrap'>;

/** Managers with these Raft ids, bootstrapped together; data in root/m<ID>. */
export async function startLocalManagers(root: string, ids: readonly number[], options: LocalManagerOptions = {}): Promise<Manager[]> {
  const net = new LocalNetwork();
  const managers: Manager[] = [];
  for (const id of ids) {
    managers.push(
      await Manager.start({
        timing: { tickMs: 10 },
        ...options,
        raftId: id,
        raftDir: join(root, `m${id}`),
        raftUrl: `local://${id}`,
        transport: (h) => net.transport({ id, ...h }),
        bootstrap: ids.map((p) => ({ id: p, url: `local://${p}` })),
      }),
    );
  }
  return managers;
}

/** One manager alone: it elects itself. */
export async function startLocalManager(root: string, options: LocalManagerOptions = {}): Promise<Manager> {
  const [m] = await startLocalManagers(root, [1], options);
  return m;
}
