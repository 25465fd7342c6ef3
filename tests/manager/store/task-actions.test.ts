// The narrow task actions: each applies only while its condition holds and is
// skipped (not refused) otherwise, so one stale action never fails its batch.

import { TaskStatus } from '../../../lib/api/service-types';
import { thaw } from '../../../lib/manager/store';
import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { Action } from '../../../lib/manager/store/transaction';
import { ChangeEvent } from '../../../lib/manager/store/watch';
import { service, task, tx, txAt, LATER } from './fixtures';

const st = (state: TaskStatus['state'], message: string = state): TaskStatus => ({ state, timestamp: '2026-01-02T00:00:00Z', message });

function storeWith(...tasks: ReturnType<typeof task>[]): MemoryStore {
  const s = new MemoryStore();
  const r = s.apply(1, tx({ op: 'create', kind: 'service', object: service('s1', 'web') }, ...tasks.map((t): Action => ({ op: 'create', kind: 'task', object: t }))));
  if (!r.ok) throw new Error(r.error.message);
  return s;
}

function placed(id: string, nodeId: string, state: TaskStatus['state']) {
  return { ...task(id, 's1', nodeId), status: st(state) };
}

describe('setTaskStatus', () => {
  test('moves a status forward, bumps the version and tells watchers old and new', async () => {
    const s = storeWith(placed('t1', 'n1', 'assigned'));
    const w = s.watch({ kinds: ['task'] });
    const r = s.apply(2, txAt(LATER, { op: 'setTaskStatus', kind: 'task', id: 't1', nodeId: 'n1', status: st('running') }));
    expect(r).toEqual({ ok: true, index: 2, changes: [{ kind: 'task', id: 't1', op: 'update', version: 2 }] });
    const t = s.get('task', 't1')!;
    expect(t.status.state).toBe('running');
    expect(t.meta).toEqual({ version: 2, createdAt: '2026-01-02T03:04:05.000Z', updatedAt: LATER });
    expect(t.spec.container.image).toBe('busybox'); // the rest of the task is kept
    const ev = (await w.next()).value as ChangeEvent;
    expect(ev).toMatchObject({ action: 'update', id: 't1', version: 2 });
    expect(ev.kind === 'task' && ev.oldObject?.status.state).toBe('assigned');
    w.close();
  });

  test('a stale report (an earlier state, the same status, another node) is skipped and the batch still applies', () => {
    const s = storeWith(placed('t1', 'n1', 'running'), placed('t2', 'n1', 'starting'), placed('t3', 'n2', 'assigned'));
    const same = s.get('task', 't1')!.status;
    const r = s.apply(
      2,
      tx(
        { op: 'setTaskStatus', kind: 'task', id: 't1', nodeId: 'n1', status: st('starting') },
        { op: 'setTaskStatus', kind: 'task', id: 't1', nodeId: 'n1', status: thaw(same) },
        { op: 'setTaskStatus', kind: 'task', id: 't3', nodeId: 'n1', status: st('running') },
        { op: 'setTaskStatus', kind: 'task', id: 'gone', nodeId: 'n1', status: st('running') },
        { op: 'setTaskStatus', kind: 'task', id: 't2', nodeId: 'n1', status: st('running') },
      ),
    );
    expect(r.ok && r.changes.map((c) => c.id)).toEqual(['t2']);
    expect(s.get('task', 't1')!.meta.version).toBe(1);
    expect(s.get('task', 't3')!.status.state).toBe('assigned');
    expect(s.get('task', 't2')!.status.state).toBe('running');
  });

  test('the same state with news (an exit code, an error) applies', () => {
    const s = storeWith(placed('t1', 'n1', 'failed'));
    s.apply(2, tx({ op: 'setTaskStatus', kind: 'task', id: 't1', status: { ...st('failed'), exitCode: 3, err: 'exit 3' } }));
    expect(s.get('task', 't1')!.status).toMatchObject({ state: 'failed', exitCode: 3, err: 'exit 3' });
  });
});

describe('assign', () => {
  const assigned = st('assigned', 'scheduled');
  const nets = [{ networkId: 'net1', addresses: ['10.0.1.5/24'] }];

  test('places a waiting task: node, status, addresses; its restart delay is cleared', () => {
    const s = storeWith({ ...task('t1', 's1'), status: st('pending'), notBefore: '2026-01-02T00:00:00Z' });
    s.apply(2, tx({ op: 'assign', kind: 'task', id: 't1', nodeId: 'n1', status: assigned, networks: nets }));
    const t = s.get('task', 't1')!;
    expect(t).toMatchObject({ nodeId: 'n1', status: assigned, networks: nets });
    expect('notBefore' in t).toBe(false);
  });

  test('a task placed, shut down or pinned elsewhere meanwhile is left alone', () => {
    const s = storeWith(
      placed('t1', 'n2', 'assigned'),
      { ...task('t2', 's1'), desiredState: 'shutdown' },
      task('t3', 's1', 'n3'),
      task('t4', 's1', 'n1'),
    );
    const r = s.apply(2, tx(...['t1', 't2', 't3', 't4'].map((id): Action => ({ op: 'assign', kind: 'task', id, nodeId: 'n1', status: assigned }))));
    expect(r.ok && r.changes.map((c) => c.id)).toEqual(['t4']); // pinned to n1 (a global task)
    expect(s.get('task', 't1')!.nodeId).toBe('n2');
    expect(s.get('task', 't2')!.nodeId).toBeUndefined();
  });

  test('an assignment must say the task is at least assigned', () => {
    const s = storeWith(task('t1', 's1'));
    s.apply(2, tx({ op: 'assign', kind: 'task', id: 't1', nodeId: 'n1', status: st('pending') }));
    expect(s.get('task', 't1')!.nodeId).toBeUndefined();
  });
});

describe('setDesiredState', () => {
  test('only moves forward', () => {
    const s = storeWith(placed('t1', 'n1', 'running'), { ...placed('t2', 'n1', 'running'), desiredState: 'remove' });
    const r = s.apply(
      2,
      tx({ op: 'setDesiredState', kind: 'task', id: 't1', desiredState: 'shutdown' }, { op: 'setDesiredState', kind: 'task', id: 't2', desiredState: 'shutdown' }),
    );
    expect(r.ok && r.changes.map((c) => c.id)).toEqual(['t1']);
    expect(s.get('task', 't1')!.desiredState).toBe('shutdown');
    expect(s.get('task', 't1')!.status.state).toBe('running'); // the node reports the stop
    expect(s.get('task', 't2')!.desiredState).toBe('remove');
  });

  test('its status applies only to a task that never reached a node', () => {
    const s = storeWith(task('t1', 's1'), placed('t2', 'n1', 'assigned'));
    const down = st('shutdown', 'shut down before it was placed');
    s.apply(2, tx(...['t1', 't2'].map((id): Action => ({ op: 'setDesiredState', kind: 'task', id, desiredState: 'shutdown', status: down }))));
    expect(s.get('task', 't1')!).toMatchObject({ desiredState: 'shutdown', status: down });
    // Placed meanwhile: its node stops it and says so.
    expect(s.get('task', 't2')!).toMatchObject({ desiredState: 'shutdown', status: { state: 'assigned' } });
  });
});

describe('malformed narrow actions are refused with the field at fault', () => {
  test.each([
    [{ op: 'setTaskStatus', kind: 'node', id: 't1', status: st('running') }, /actions\[0\]\.kind must be one of task/],
    [{ op: 'setTaskStatus', kind: 'task', id: 't1', status: { state: 'flying', timestamp: 'x', message: '' } }, /actions\[0\]\.status\.state must be one of/],
    [{ op: 'assign', kind: 'task', id: 't1', status: st('assigned') }, /actions\[0\]\.nodeId/],
    [{ op: 'setDesiredState', kind: 'task', id: 't1', desiredState: 'running', extra: 1 }, /unknown field "extra"/],
  ])('%j', (action, message) => {
    const s = storeWith(task('t1', 's1'));
    const r = s.apply(2, tx(action as unknown as Action));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
    expect(s.get('task', 't1')!.meta.version).toBe(1);
  });
});

describe('sorted lists stay true as tasks change in place, move and go', () => {
  test('by node, by service and all', () => {
    const s = storeWith(placed('t2', 'n1', 'running'), placed('t1', 'n1', 'running'), { ...task('t3', 's1'), status: st('pending') });
    const ids = (ts: readonly { id: string }[]) => ts.map((t) => t.id);
    expect(ids(s.tasksByNode('n1'))).toEqual(['t1', 't2']);
    expect(ids(s.tasksByNode('n2'))).toEqual([]);
    s.apply(2, tx({ op: 'setTaskStatus', kind: 'task', id: 't1', status: st('failed') }));
    expect(s.tasksByNode('n1')[0].status.state).toBe('failed'); // the object of now, not a cached one
    s.apply(3, tx({ op: 'assign', kind: 'task', id: 't3', nodeId: 'n2', status: st('assigned') }));
    expect(ids(s.tasksByNode('n2'))).toEqual(['t3']);
    s.apply(4, tx({ op: 'delete', kind: 'task', id: 't2' }, { op: 'create', kind: 'task', object: placed('t0', 'n1', 'running') }));
    expect(ids(s.tasksByNode('n1'))).toEqual(['t0', 't1']);
    expect(ids(s.tasksByService('s1'))).toEqual(['t0', 't1', 't3']);
    expect(ids(s.list('task'))).toEqual(['t0', 't1', 't3']);
    const mine = s.tasksByService('s1');
    mine.pop(); // a caller's array is its own
    expect(ids(s.tasksByService('s1'))).toEqual(['t0', 't1', 't3']);
  });
});

describe('a new task shares its service spec when it reads the same', () => {
  test('the same frozen objects, the same content; a task with another spec keeps its own', () => {
    const s = storeWith(task('t1', 's1'), { ...task('t2', 's1'), spec: { ...task('t2', 's1').spec, forceUpdate: 7 } });
    const svc = s.get('service', 's1')!;
    const t1 = s.get('task', 't1')!;
    expect(t1.spec).toBe(svc.spec.task);
    expect(t1.ports).toBe(svc.spec.endpoint.ports);
    expect(Object.isFrozen(t1.spec)).toBe(true);
    const t2 = s.get('task', 't2')!;
    expect(t2.spec).not.toBe(svc.spec.task);
    expect(t2.spec.forceUpdate).toBe(7);
    // Stored state is content: a snapshot of it restores equal.
    const copy = new MemoryStore();
    copy.restore(s.snapshot());
    expect(copy.get('task', 't1')).toEqual(t1);
  });
});
