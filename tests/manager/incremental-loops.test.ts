// The leader's loops react to store events with incremental passes, well
// before their 30 s full pass: a failed task is replaced, a drained node's
// tasks move, a node that comes ready takes waiting tasks. Each step must
// happen within 3 s of the change that calls for it, so a pass that only the
// periodic full pass would make fails these tests.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { defaultServiceSpec } from '../../lib/api/service-defaults';
import { Manager } from '../../lib/manager/manager';
import { Orchestrator } from '../../lib/manager/orchestrator';
import { taskChangeMatters } from '../../lib/manager/orchestrator/orchestrator';
import { SchedulingLoop } from '../../lib/manager/scheduling-loop';
import { createService } from '../../lib/manager/service-ops';
import { thaw } from '../../lib/manager/store';
import { startLocalManager } from '../../lib/testing/local-managers';
import { eventually } from '../../lib/util/eventually';
import { node, task } from './store/fixtures';

const QUICK = 3_000;

describe('incremental leader loops', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-incremental-'));
  let m: Manager;

  afterAll(async () => {
    await m?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('a failed task, a drained node and a node coming ready are acted on without waiting for a full pass', async () => {
    m = await startLocalManager(root);
    await eventually('a leader', async () => m.isLeader || undefined, 10_000, 10);
    await m.write([{ op: 'create', kind: 'node', object: node('n1', 'h1') }]);
    const log = { warn: () => undefined };
    m.addLeaderLoop(new Orchestrator(m, log));
    m.addLeaderLoop(new SchedulingLoop(m, log));
    const spec = defaultServiceSpec('web', 'busybox');
    spec.replicas = 2;
    spec.task.restartPolicy.delayMs = 0;
    const svc = await createService(m, spec);
    const live = () => m.store.tasksByService(svc.id).filter((t) => t.desiredState === 'running');
    const on = (nodeId: string) => live().filter((t) => t.nodeId === nodeId && t.status.state === 'assigned');
    await eventually('2 tasks assigned to n1', async () => on('n1').length === 2 || undefined, QUICK, 10);

    // A task fails: its slot gets a new task, placed at once (restart delay 0).
    const failed = on('n1')[0];
    await m.write([{ op: 'setTaskStatus', kind: 'task', id: failed.id, nodeId: 'n1', status: { state: 'failed', timestamp: new Date().toISOString(), message: 'exit 1' } }]);
    await eventually('the failed slot refilled', async () => (on('n1').some((t) => t.slot === failed.slot && t.id !== failed.id) && on('n1').length === 2) || undefined, QUICK, 10);
    expect(m.store.get('task', failed.id)?.desiredState).toBe('shutdown');

    // n1 is drained: its tasks are told to stop and wait for a node, with none to go to.
    const n1 = m.store.get('node', 'n1')!;
    await m.write([{ op: 'update', kind: 'node', object: { ...thaw(n1), spec: { ...thaw(n1.spec), availability: 'drain' } }, expectedVersion: n1.meta.version }]);
    await eventually('n1 emptied, 2 tasks waiting', async () => (on('n1').length === 0 && live().filter((t) => t.status.state === 'pending').length === 2) || undefined, QUICK, 10);

    // n2 comes: the waiting tasks go there.
    await m.write([{ op: 'create', kind: 'node', object: node('n2', 'h2') }]);
    await eventually('2 tasks assigned to n2', async () => on('n2').length === 2 || undefined, QUICK, 10);
  }, 30_000);
});

describe('which task changes replan a service', () => {
  const t = { ...task('t1', 's1', 'n1'), meta: { version: 1, createdAt: '', updatedAt: '' } };
  const at = (state: (typeof t)['status']['state']) => ({ ...t, status: { ...t.status, state } });

  test('stopping, a desired state, and running only while an update is under way', () => {
    expect(taskChangeMatters(at('assigned'), at('failed'), false)).toBe(true);
    expect(taskChangeMatters(at('running'), { ...at('running'), desiredState: 'shutdown' }, false)).toBe(true);
    expect(taskChangeMatters(at('starting'), at('running'), true)).toBe(true);
    expect(taskChangeMatters(at('starting'), at('running'), false)).toBe(false);
    expect(taskChangeMatters(at('new'), at('assigned'), true)).toBe(false);
    expect(taskChangeMatters(at('assigned'), at('preparing'), true)).toBe(false);
  });
});
