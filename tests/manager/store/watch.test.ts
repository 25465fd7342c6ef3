import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { StoreEvent, WatchOverflowError } from '../../../lib/manager/store/watch';
import { node, service, task, tx } from './fixtures';

const summary = (e: StoreEvent): string =>
  e.action === 'reset' ? `reset@${e.version}` : `${e.action} ${e.kind} ${e.id}@${e.version}`;

describe('watch', () => {
  test('events come after each commit, in action order, with old objects on update', async () => {
    const s = new MemoryStore();
    const w = s.watch();
    s.apply(1, tx(
      { op: 'create', kind: 'service', object: service('s1', 'web') },
      { op: 'create', kind: 'task', object: task('t1', 's1') },
    ));
    s.apply(2, tx({ op: 'update', kind: 'task', object: task('t1', 's1', 'n1'), expectedVersion: 1 }));
    s.apply(3, tx({ op: 'delete', kind: 'task', id: 't1' }));
    expect(w.pending).toBe(4);
    const got: StoreEvent[] = [];
    for (let i = 0; i < 4; i++) got.push((await w.next()).value as StoreEvent);
    expect(got[0].action !== 'reset' && got[0].object).toBe(s.get('service', 's1')); // the store's own frozen object
    expect(got.map(summary)).toEqual(['create service s1@1', 'create task t1@1', 'update task t1@2', 'delete task t1@3']);
    const upd = got[2];
    if (upd.action !== 'update' || upd.kind !== 'task') throw new Error('expected a task update');
    expect(upd.oldObject?.nodeId).toBeUndefined();
    expect(upd.object.nodeId).toBe('n1');
    const del = got[3];
    expect(del.action === 'delete' && del.object.meta.version).toBe(2);
    expect(Object.isFrozen(del)).toBe(true);
  });

  test('refused and malformed entries emit nothing', () => {
    const s = new MemoryStore();
    const w = s.watch();
    s.apply(1, tx({ op: 'create', kind: 'service', object: service('s1', 'web') }, { op: 'delete', kind: 'node', id: 'nope' }));
    s.applyEntry(2, new Uint8Array([1, 2, 3]));
    expect(w.pending).toBe(0);
  });

  test('a waiting reader is woken by the next commit; for-await works', async () => {
    const s = new MemoryStore();
    const w = s.watch();
    const waiting = w.next();
    s.apply(1, tx({ op: 'create', kind: 'node', object: node('n1', 'h1') }));
    expect(summary((await waiting).value as StoreEvent)).toBe('create node n1@1');

    s.apply(2, tx({ op: 'create', kind: 'node', object: node('n2', 'h2') }));
    const seen: string[] = [];
    for await (const ev of w) {
      seen.push(summary(ev));
      if (seen.length === 1) break; // break calls return(), which closes the watcher
    }
    expect(seen).toEqual(['create node n2@2']);
    expect(w.isClosed).toBe(true);
    expect(s.watcherCount).toBe(0);
  });

  test('filters by kind and action', async () => {
    const s = new MemoryStore();
    const w = s.watch({ kinds: ['task'], actions: ['create', 'delete'] });
    s.apply(1, tx(
      { op: 'create', kind: 'service', object: service('s1', 'web') },
      { op: 'create', kind: 'task', object: task('t1', 's1') },
      { op: 'create', kind: 'task', object: task('t2', 's1') },
    ));
    s.apply(2, tx({ op: 'update', kind: 'task', object: task('t1', 's1', 'n1'), expectedVersion: 1 }, { op: 'delete', kind: 'task', id: 't2' }));
    const got: string[] = [];
    while (w.pending > 0) got.push(summary((await w.next()).value as StoreEvent));
    expect(got).toEqual(['create task t1@1', 'create task t2@1', 'delete task t2@2']);
  });

  test('close resolves a waiting reader with done and stops delivery', async () => {
    const s = new MemoryStore();
    const w = s.watch();
    const waiting = w.next();
    w.close();
    expect(await waiting).toEqual({ value: undefined, done: true });
    s.apply(1, tx({ op: 'create', kind: 'node', object: node('n1', 'h1') }));
    expect(await w.next()).toEqual({ value: undefined, done: true });
  });

  test('a subscriber that falls behind is closed with an overflow error; others carry on', async () => {
    const s = new MemoryStore();
    const slow = s.watch({ limit: 3 });
    const fast = s.watch({ limit: 3 });
    for (let i = 1; i <= 4; i++) {
      s.apply(i, tx({ op: 'create', kind: 'node', object: node(`n${i}`, `h${i}`) }));
      if (i <= 3) await fast.next();
    }
    expect(slow.isClosed).toBe(true);
    expect(slow.pending).toBe(0); // its queue was released
    await expect(slow.next()).rejects.toBeInstanceOf(WatchOverflowError);
    await expect(slow.next()).rejects.toThrow('watch fell behind: more than 3 events were waiting; re-read the store and watch again');
    expect(fast.isClosed).toBe(false);
    expect(summary((await fast.next()).value as StoreEvent)).toBe('create node n4@4');
    expect(s.watcherCount).toBe(1);
  });

  test('memory stays bounded under a flood: at most `limit` events are ever queued', () => {
    const s = new MemoryStore();
    const w = s.watch({ limit: 50 });
    let max = 0;
    for (let i = 1; i <= 200; i++) {
      s.apply(i, tx({ op: 'create', kind: 'service', object: service(`s${i}`, `svc${i}`) }));
      max = Math.max(max, w.pending);
    }
    expect(max).toBe(50);
    expect(w.isClosed).toBe(true);
  });

  test('restore sends one reset event and drops what was queued', async () => {
    const a = new MemoryStore();
    a.apply(10, tx({ op: 'create', kind: 'node', object: node('n1', 'h1') }));
    const s = new MemoryStore();
    const w = s.watch({ kinds: ['service'] });
    s.apply(1, tx({ op: 'create', kind: 'service', object: service('s1', 'web') }));
    s.restore(a.snapshot());
    expect(w.pending).toBe(1);
    expect((await w.next()).value).toEqual({ action: 'reset', version: 10 });
  });

  test('bad options are refused at once', () => {
    expect(() => new MemoryStore().watch({ limit: 0 })).toThrow(RangeError);
  });
});
