// The whole scheduling path, store to committed assignments: one in-process
// manager (real Raft on a temporary data dir, in-memory transport), its
// orchestrator and scheduling loop, N nodes in the store, and services
// totalling T replicas created through service-ops as the control API does.
// Timed from the first create until every task is committed as assigned;
// nothing runs them (no dispatcher), so this is the control plane alone.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { defaultServiceSpec } from '../../lib/api/service-defaults';
import type { Node } from '../../lib/api/types';
import { chunkActions } from '../../lib/manager/entry-size';
import { Orchestrator } from '../../lib/manager/orchestrator';
import { SchedulingLoop } from '../../lib/manager/scheduling-loop';
import { createService } from '../../lib/manager/service-ops';
import { Action } from '../../lib/manager/store';
import { startLocalManager } from '../../lib/testing/local-managers';
import { eventually } from '../../lib/util/eventually';

export interface PassFigures {
  nodes: number;
  tasks: number;
  services: number;
  /** First create until every task is committed as assigned. */
  seconds: number;
  placementsPerS: number;
  /** Raft entries committed meanwhile. */
  entries: number;
  warnings: string[];
}

export async function wholePass(nodes: readonly Node[], tasks: number, services: number, timeoutMs = 300_000): Promise<PassFigures> {
  const root = mkdtempSync(join(tmpdir(), 'swarm-bench-pass-'));
  const warnings: string[] = [];
  // Big entries take a while to apply; a single manager has no one to lose the lead to anyway.
  const m = await startLocalManager(root, { timing: { tickMs: 100 }, writeTimeoutMs: 60_000 });
  try {
    await eventually('a leader', async () => m.isLeader || undefined, 10_000, 10);
    const creates: Action[] = nodes.map(({ meta: _meta, ...n }) => ({ op: 'create', kind: 'node', object: n }));
    for (const chunk of chunkActions(creates, m.maxEntryBytes)) await m.write(chunk);
    const log = { warn: (msg: string) => warnings.push(msg) };
    m.addLeaderLoop(new Orchestrator(m, log));
    m.addLeaderLoop(new SchedulingLoop(m, log));
    const firstIndex = m.store.appliedIndex;
    const t0 = performance.now();
    for (let s = 0; s < services; s++) {
      const spec = defaultServiceSpec(`svc${s}`, 'busybox');
      spec.replicas = Math.floor(tasks / services) + (s < tasks % services ? 1 : 0);
      spec.task.resources.reservations = { nanoCPUs: 0.05e9, memoryBytes: 64 * 1024 * 1024 };
      await createService(m, spec);
    }
    const assigned = (): boolean => {
      if (m.store.count('task') < tasks) return false;
      for (const t of m.store.scan('task')) if (t.status.state !== 'assigned') return false;
      return true;
    };
    // Polled every 10 ms: the figure is seconds, and a scan of 100,000 tasks costs a few ms.
    await eventually(`${tasks} tasks assigned`, async () => assigned() || undefined, timeoutMs, 10);
    const seconds = (performance.now() - t0) / 1000;
    return { nodes: nodes.length, tasks, services, seconds, placementsPerS: Math.round(tasks / seconds), entries: m.store.appliedIndex - firstIndex, warnings };
  } finally {
    await m.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
