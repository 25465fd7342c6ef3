// The events a manager makes from its store, as `swarm events` shows them:
// driven through a real store with transactions, a hand-wound clock and timers.

import { ClusterEvent, EventStreamItem, parseEventFilters } from '../../../lib/api/cluster-events';
import { EventLog, EventQuery } from '../../../lib/manager/events/event-log';
import { MemoryStore, thaw } from '../../../lib/manager/store';
import { Action } from '../../../lib/manager/store/transaction';
import type { Timers } from '../../../lib/util/timers';
import { node, service, task, txAt } from '../store/fixtures';

const T0 = Date.parse('2026-12-03T17:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

class FakeTime implements Timers {
  now = T0 + 60_000;
  private pending: { at: number; fn: () => void }[] = [];
  clock = () => this.now;
  setTimeout(fn: () => void, ms: number) {
    const t = { at: this.now + ms, fn };
    this.pending.push(t);
    return t;
  }
  clearTimeout(h: unknown) {
    this.pending = this.pending.filter((t) => t !== h);
  }
  advance(ms: number) {
    this.now += ms;
    const due = this.pending.filter((t) => t.at <= this.now);
    this.pending = this.pending.filter((t) => t.at > this.now);
    for (const t of due) t.fn();
  }
}

/** Lets the watch stream hand its queued events to the log. */
const settle = () => new Promise<void>((r) => setImmediate(r));

function setup(capacity?: number, subscriberLimit?: number) {
  const store = new MemoryStore();
  const time = new FakeTime();
  const log = new EventLog(store, time.clock, time, { capacity, subscriberLimit });
  log.start();
  let index = 0;
  const apply = async (atMs: number, ...actions: Action[]) => {
    const r = store.apply(++index, txAt(iso(atMs), ...actions));
    if (!r.ok) throw new Error(r.error.message);
    await settle();
  };
  return { store, time, log, apply };
}

async function collect(it: AsyncIterable<EventStreamItem>): Promise<EventStreamItem[]> {
  const out: EventStreamItem[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const all = (extra: Partial<EventQuery> = {}): EventQuery => ({ sinceMs: 0, untilMs: T0 + 60_000, filters: {}, ...extra });

async function scaledWeb() {
  const s = setup();
  await s.apply(T0, { op: 'create', kind: 'service', object: service('s1', 'web') });
  const v1 = s.store.get('service', 's1')!;
  const spec = { ...thaw(v1.spec), replicas: 3 };
  await s.apply(T0 + 1000, { op: 'update', kind: 'service', object: { ...thaw(v1), spec }, expectedVersion: v1.meta.version });
  return s;
}

describe('store changes become docker-shaped events', () => {
  test('a scale is a service update with replicas.old/new at the time of its transaction', async () => {
    const { log } = await scaledWeb();
    const evs = (await collect(log.subscribe(all(), new AbortController().signal))) as ClusterEvent[];
    expect(evs).toEqual([
      { Type: 'service', Action: 'create', Actor: { ID: 's1', Attributes: { name: 'web' } }, scope: 'swarm', time: T0 / 1000, timeNano: T0 * 1e6 },
      {
        Type: 'service',
        Action: 'update',
        Actor: { ID: 's1', Attributes: { name: 'web', 'replicas.old': '1', 'replicas.new': '3' } },
        scope: 'swarm',
        time: (T0 + 1000) / 1000,
        timeNano: (T0 + 1000) * 1e6,
      },
    ]);
  });

  test('a remove carries the name and the time of the deleting transaction, not of the last update', async () => {
    const s = await scaledWeb();
    await s.apply(T0 + 5000, { op: 'delete', kind: 'service', id: 's1' });
    const evs = (await collect(s.log.subscribe(all({ filters: { event: ['remove'] } }), new AbortController().signal))) as ClusterEvent[];
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ Type: 'service', Action: 'remove', Actor: { ID: 's1', Attributes: { name: 'web' } }, time: (T0 + 5000) / 1000 });
  });

  test('a drained node shows availability.old/new; a node going down shows state.old/new', async () => {
    const s = setup();
    await s.apply(T0, { op: 'create', kind: 'node', object: node('n1', 'host-1') });
    const n = s.store.get('node', 'n1')!;
    await s.apply(T0 + 1, { op: 'update', kind: 'node', object: { ...thaw(n), spec: { ...thaw(n.spec), availability: 'drain' } }, expectedVersion: n.meta.version });
    const n2 = s.store.get('node', 'n1')!;
    await s.apply(T0 + 2, { op: 'update', kind: 'node', object: { ...thaw(n2), status: { state: 'down' } }, expectedVersion: n2.meta.version });
    const evs = (await collect(s.log.subscribe(all({ filters: { type: ['node'], event: ['update'] } }), new AbortController().signal))) as ClusterEvent[];
    expect(evs.map((e) => e.Actor.Attributes)).toEqual([
      { name: 'host-1', 'availability.old': 'active', 'availability.new': 'drain' },
      { name: 'host-1', 'state.old': 'ready', 'state.new': 'down' },
    ]);
  });

  test('a task reports its state changes with its service and node; a change of neither state is no event', async () => {
    const s = setup();
    await s.apply(T0, { op: 'create', kind: 'node', object: node('n1', 'host-1') }, { op: 'create', kind: 'service', object: service('s1', 'web') });
    await s.apply(T0 + 1, { op: 'create', kind: 'task', object: task('t1', 's1', 'n1') });
    await s.apply(T0 + 2, { op: 'setTaskStatus', kind: 'task', id: 't1', nodeId: 'n1', status: { state: 'running', timestamp: iso(T0), message: 'started' } });
    const t = s.store.get('task', 't1')!;
    await s.apply(T0 + 3, { op: 'update', kind: 'task', object: { ...thaw(t), notBefore: iso(T0) }, expectedVersion: t.meta.version });
    await s.apply(T0 + 4, {
      op: 'setTaskStatus',
      kind: 'task',
      id: 't1',
      nodeId: 'n1',
      status: { state: 'failed', timestamp: iso(T0), message: 'exited', err: 'exit code 2' },
    });
    const evs = (await collect(s.log.subscribe(all({ filters: { type: ['task'] } }), new AbortController().signal))) as ClusterEvent[];
    const base = { name: 'svc-s1.1.t1', 'service.id': 's1', 'service.name': 'svc-s1', 'node.id': 'n1', 'node.name': 'host-1' };
    expect(evs.map((e) => [e.Action, e.Actor.Attributes])).toEqual([
      ['create', { ...base, state: 'new', desiredstate: 'running' }],
      ['update', { ...base, 'state.old': 'new', 'state.new': 'running' }],
      ['update', { ...base, 'state.old': 'running', 'state.new': 'failed', error: 'exit code 2' }],
    ]);
  });

  test('an autoscaler decision shows its replicas and its reason', async () => {
    const s = setup();
    await s.apply(T0, { op: 'create', kind: 'service', object: service('s1', 'web') });
    const v1 = s.store.get('service', 's1')!;
    const last = { at: iso(T0 + 10), from: 1, to: 4, metric: 'cpu' as const, value: 180, target: 50, reason: 'cpu 180% of target 50% on 1 task: 4 wanted' };
    await s.apply(T0 + 10, {
      op: 'update',
      kind: 'service',
      object: { ...thaw(v1), spec: { ...thaw(v1.spec), replicas: 4 }, autoscaleStatus: { last } },
      expectedVersion: v1.meta.version,
    });
    const [ev] = (await collect(s.log.subscribe(all({ filters: { event: ['update'] } }), new AbortController().signal))) as ClusterEvent[];
    expect(ev.Actor.Attributes).toEqual({
      name: 'web',
      'replicas.old': '1',
      'replicas.new': '4',
      'autoscale.metric': 'cpu',
      'autoscale.value': '180',
      'autoscale.target': '50',
      'autoscale.reason': last.reason,
    });
  });

  test('a leader change is an update of the old and the new leader node with leader.old/new', async () => {
    const s = setup();
    await s.apply(T0, { op: 'create', kind: 'node', object: node('m1', 'mgr-1', { role: 'manager', managerStatus: { raftId: 1, addr: 'a:1' } }) }, {
      op: 'create',
      kind: 'node',
      object: node('m2', 'mgr-2', { role: 'manager', managerStatus: { raftId: 2, addr: 'a:2' } }),
    });
    s.log.leaderChanged(1);
    s.log.leaderChanged(0);
    s.log.leaderChanged(2);
    const evs = (await collect(s.log.subscribe(all({ filters: { type: ['node'], event: ['update'] } }), new AbortController().signal))) as ClusterEvent[];
    expect(evs.map((e) => [e.Actor.ID, e.Actor.Attributes])).toEqual([
      ['m1', { name: 'mgr-1', 'leader.old': 'false', 'leader.new': 'true' }],
      ['m1', { name: 'mgr-1', 'leader.old': 'true', 'leader.new': 'false' }],
      ['m2', { name: 'mgr-2', 'leader.old': 'false', 'leader.new': 'true' }],
    ]);
  });
});

describe('filters', () => {
  test('values of one key are OR-ed, different keys AND-ed, and service= also picks its tasks', async () => {
    const s = setup();
    await s.apply(T0, { op: 'create', kind: 'node', object: node('n1', 'host-1') }, { op: 'create', kind: 'service', object: service('s1', 'web') });
    await s.apply(T0, { op: 'create', kind: 'service', object: service('s2', 'db') });
    await s.apply(T0 + 1, { op: 'create', kind: 'task', object: { ...task('t1', 's1', 'n1'), serviceName: 'web' } });
    const q = (words: string[]) => collect(s.log.subscribe(all({ filters: parseEventFilters(words) }), new AbortController().signal));
    const ids = async (words: string[]) => ((await q(words)) as ClusterEvent[]).map((e) => e.Actor.ID);
    expect(await ids(['type=service', 'type=node'])).toEqual(['n1', 's1', 's2']);
    expect(await ids(['service=web'])).toEqual(['s1', 't1']);
    expect(await ids(['service=web', 'type=service'])).toEqual(['s1']);
    expect(await ids(['service=s2', 'service=web', 'type=service'])).toEqual(['s1', 's2']);
    expect(await ids(['node=host-1'])).toEqual(['n1', 't1']);
    expect(await ids(['type=network'])).toEqual([]);
  });
});

describe('since, until and the live stream', () => {
  test('without --since nothing is replayed; new events stream until the reader goes away', async () => {
    const s = await scaledWeb();
    const abort = new AbortController();
    const it = s.log.subscribe({ filters: {} }, abort.signal)[Symbol.asyncIterator]();
    const v = s.store.get('service', 's1')!;
    await s.apply(T0 + 2000, { op: 'update', kind: 'service', object: { ...thaw(v), spec: { ...thaw(v.spec), replicas: 5 } }, expectedVersion: v.meta.version });
    const first = (await it.next()).value as ClusterEvent;
    expect(first.Actor.Attributes).toMatchObject({ 'replicas.old': '3', 'replicas.new': '5' });
    abort.abort();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  test('--since keeps to events from then; --until ends the live stream when its time comes', async () => {
    const s = await scaledWeb();
    const it = s.log.subscribe({ sinceMs: T0 + 500, untilMs: s.time.now + 10_000, filters: {} }, new AbortController().signal)[Symbol.asyncIterator]();
    expect(((await it.next()).value as ClusterEvent).Action).toBe('update');
    await s.apply(T0 + 3000, { op: 'delete', kind: 'service', id: 's1' });
    expect(((await it.next()).value as ClusterEvent).Action).toBe('remove');
    const end = it.next();
    s.time.advance(10_000);
    expect(await end).toEqual({ value: undefined, done: true });
  });

  test('an event stamped after --until is not shown even while the stream is open', async () => {
    const s = setup();
    const it = s.log.subscribe({ untilMs: s.time.now + 10_000, filters: {} }, new AbortController().signal)[Symbol.asyncIterator]();
    await s.apply(s.time.now + 20_000, { op: 'create', kind: 'service', object: service('s1', 'late') });
    await s.apply(s.time.now + 1, { op: 'create', kind: 'service', object: service('s2', 'ontime') });
    expect(((await it.next()).value as ClusterEvent).Actor.Attributes.name).toBe('ontime');
  });

  test('the ring keeps the newest events only', async () => {
    const s = setup(3);
    for (let i = 0; i < 5; i++) await s.apply(T0 + i, { op: 'create', kind: 'service', object: service(`s${i}`, `svc${i}`) });
    const evs = (await collect(s.log.subscribe(all(), new AbortController().signal))) as ClusterEvent[];
    expect(evs.map((e) => e.Actor.ID)).toEqual(['s2', 's3', 's4']);
  });

  test('a snapshot that replaces the store is reported as a gap', async () => {
    const s = await scaledWeb();
    const other = new MemoryStore();
    other.apply(1, txAt(iso(T0), { op: 'create', kind: 'service', object: service('x', 'x') }));
    s.store.restore(other.snapshot());
    await settle();
    const items = await collect(s.log.subscribe(all(), new AbortController().signal));
    expect(items[items.length - 1]).toEqual({ gap: expect.stringContaining('snapshot') });
  });

  test('a reader that stops reading keeps a bounded backlog and is told what it missed', async () => {
    const s = setup(100, 3);
    const it = s.log.subscribe({ filters: {} }, new AbortController().signal)[Symbol.asyncIterator]();
    for (let i = 0; i < 5; i++) await s.apply(T0 + i, { op: 'create', kind: 'service', object: service(`s${i}`, `svc${i}`) });
    const got: EventStreamItem[] = [];
    for (let i = 0; i < 3; i++) got.push((await it.next()).value as EventStreamItem);
    expect(got[0]).toEqual({ gap: expect.stringContaining('fell behind by more than 3 events') });
    expect(got.slice(1).map((e) => (e as ClusterEvent).Actor.ID)).toEqual(['s3', 's4']);
  });
});
