// The status batcher alone, on a bare MemoryStore and hand-driven timers:
// one transaction per batch, retry on a concurrent change, nothing lost when
// a write fails, nothing written after stop.

import { newObjectId } from '../../lib/api/ids';
import { Node } from '../../lib/api/types';
import { StatusBatcher } from '../../lib/manager/dispatcher/status-batcher';
import { fromStoreError, ManagerError } from '../../lib/manager/errors';
import { Action, AppliedChange, MemoryStore } from '../../lib/manager/store';
import { Draft } from '../../lib/manager/store/transaction';
import { ManualTimers, settle } from './manual-timers';

class StoreWriter {
  readonly store = new MemoryStore();
  private index = 0;
  calls = 0;
  /** Runs before a write is applied, once per entry; may throw to fail the write. */
  before: Array<() => void> = [];

  apply(actions: Action[]): AppliedChange[] {
    const r = this.store.apply(++this.index, { at: new Date().toISOString(), actions });
    if (!r.ok) throw fromStoreError(r.error);
    return r.changes;
  }

  readonly write = async (actions: Action[]): Promise<AppliedChange[]> => {
    this.calls++;
    this.before.shift()?.();
    return this.apply(actions);
  };
}

function workerNode(): Draft<Node> {
  return {
    id: newObjectId(),
    spec: { labels: {}, desiredRole: 'worker', availability: 'active' },
    role: 'worker',
    status: { state: 'unknown' },
  };
}

const quiet = { warn: () => undefined };

describe('StatusBatcher', () => {
  it('cuts a batch larger than one entry takes into several transactions, each within the bound', async () => {
    const w = new StoreWriter();
    const nodes = Array.from({ length: 200 }, () => workerNode());
    w.apply(nodes.map((n) => ({ op: 'create', kind: 'node', object: n })));
    const sizes: number[] = [];
    const bounded = {
      store: w.store,
      maxEntryBytes: 8 * 1024,
      write: async (actions: Action[]) => {
        sizes.push(JSON.stringify({ at: new Date().toISOString(), actions }).length);
        return w.write(actions);
      },
    };
    const timers = new ManualTimers();
    const b = new StatusBatcher(bounded, timers, 100, quiet);
    let done = 0;
    for (const n of nodes) b.enqueue(n.id, { state: 'ready', addr: '10.0.0.1', message: 'x'.repeat(40) }, () => done++);
    timers.fire();
    await settle();
    expect(sizes.length).toBeGreaterThan(3);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(8 * 1024);
    expect(done).toBe(200);
    for (const n of nodes) expect(w.store.get('node', n.id)?.status.state).toBe('ready');
  });

  it('writes every change gathered in an interval in one transaction, then calls back', async () => {
    const w = new StoreWriter();
    const nodes = [workerNode(), workerNode(), workerNode()];
    w.apply(nodes.map((n) => ({ op: 'create', kind: 'node', object: n })));
    const timers = new ManualTimers();
    const b = new StatusBatcher(w, timers, 100, quiet);
    const done: string[] = [];
    for (const n of nodes) b.enqueue(n.id, { state: 'ready', addr: '10.0.0.1' }, () => done.push(n.id));
    expect(w.calls).toBe(0);
    timers.fire();
    await settle();
    expect(w.calls).toBe(1);
    expect(b.writes).toBe(1);
    expect(done.sort()).toEqual(nodes.map((n) => n.id).sort());
    for (const n of nodes) expect(w.store.get('node', n.id)?.status).toEqual({ state: 'ready', addr: '10.0.0.1' });
    // Nothing changed: nothing written, and the callback still comes.
    let again = false;
    b.enqueue(nodes[0].id, { state: 'ready', addr: '10.0.0.1' }, () => (again = true));
    timers.fire();
    await settle();
    expect(w.calls).toBe(1);
    expect(again).toBe(true);
  });

  it('re-reads and retries when another writer changed a node meanwhile, keeping that change', async () => {
    const w = new StoreWriter();
    const n = workerNode();
    w.apply([{ op: 'create', kind: 'node', object: n }]);
    const timers = new ManualTimers();
    const b = new StatusBatcher(w, timers, 100, quiet);
    w.before.push(() => {
      const cur = w.store.get('node', n.id)!;
      w.apply([{ op: 'update', kind: 'node', object: { ...cur, spec: { ...cur.spec, labels: { zone: 'a' } } }, expectedVersion: cur.meta.version }]);
    });
    b.enqueue(n.id, { state: 'down', message: 'heartbeat failure' });
    timers.fire();
    await settle();
    expect(w.calls).toBe(2);
    const node = w.store.get('node', n.id)!;
    expect(node.status).toEqual({ state: 'down', message: 'heartbeat failure' });
    expect(node.spec.labels).toEqual({ zone: 'a' });
  });

  it('keeps the changes of a failed write for the next batch; newer changes win', async () => {
    const w = new StoreWriter();
    const n = workerNode();
    w.apply([{ op: 'create', kind: 'node', object: n }]);
    const timers = new ManualTimers();
    const b = new StatusBatcher(w, timers, 100, quiet);
    let committed = 0;
    w.before.push(() => {
      // A change queued while the write is in flight, then the write fails.
      b.enqueue(n.id, { state: 'ready' });
      throw new ManagerError('NoQuorum', 'no quorum');
    });
    b.enqueue(n.id, { state: 'down', message: 'session closed', addr: '10.0.0.2' }, () => committed++);
    timers.fire();
    await settle();
    expect(w.store.get('node', n.id)?.status.state).toBe('unknown');
    expect(committed).toBe(0);
    timers.fire();
    await settle();
    expect(w.store.get('node', n.id)?.status).toEqual({ state: 'ready', addr: '10.0.0.2' });
    expect(committed).toBe(1);
  });

  it('writes nothing once stopped', async () => {
    const w = new StoreWriter();
    const n = workerNode();
    w.apply([{ op: 'create', kind: 'node', object: n }]);
    const timers = new ManualTimers();
    const b = new StatusBatcher(w, timers, 100, quiet);
    b.enqueue(n.id, { state: 'ready' });
    await b.stop();
    expect(timers.due.size).toBe(0);
    b.enqueue(n.id, { state: 'down' });
    timers.fire();
    await settle();
    expect(w.calls).toBe(0);
  });
});
