// A service with more replicas than one Raft entry holds: the orchestrator
// writes its tasks in several transactions, each within the manager's bound.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { defaultServiceSpec } from '../../../lib/api/service-defaults';
import { Manager } from '../../../lib/manager/manager';
import { Orchestrator } from '../../../lib/manager/orchestrator';
import { createService } from '../../../lib/manager/service-ops';
import { Action, encodeTransaction } from '../../../lib/manager/store';
import { startLocalManager } from '../../../lib/testing/local-managers';
import { waitFor } from '../../raft/node/harness';

const LIMIT = 64 * 1024;
const REPLICAS = 2_000;

describe('orchestrator: a service bigger than one entry', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-big-service-'));
  let m: Manager;

  afterAll(async () => {
    await m?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test(`${REPLICAS} replicas are created in several entries, each under the bound`, async () => {
    m = await startLocalManager(root, { maxEntryBytes: LIMIT });
    await waitFor(() => m.isLeader, 'a leader');
    const taskWrites: number[] = [];
    const write = m.write.bind(m);
    jest.spyOn(m, 'write').mockImplementation((actions: Action[]) => {
      if (actions.some((a) => a.kind === 'task')) taskWrites.push(encodeTransaction({ at: new Date().toISOString(), actions }).length);
      return write(actions);
    });
    const warnings: string[] = [];
    m.addLeaderLoop(new Orchestrator(m, { warn: (msg: string) => warnings.push(msg) }));
    const spec = defaultServiceSpec('web', 'busybox');
    spec.replicas = REPLICAS;
    const s = await createService(m, spec);
    await waitFor(() => m.store.tasksByService(s.id).length === REPLICAS, `${REPLICAS} tasks`, 30_000);
    const slots = new Set(m.store.tasksByService(s.id).map((t) => t.slot));
    expect(slots.size).toBe(REPLICAS);
    expect(taskWrites.length).toBeGreaterThan(10);
    for (const bytes of taskWrites) expect(bytes).toBeLessThanOrEqual(LIMIT);
    expect(warnings).toEqual([]);
  }, 60_000);
});
