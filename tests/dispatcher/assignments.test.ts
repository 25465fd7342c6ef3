// Tasks down the dispatcher's sessions: the whole set once per session, then
// only what changed, never a node's own status report echoed back, every
// frame within the bound; and the node's view (what its executor gets)
// always ends up what the store says.

import { ASSIGNMENT_CHUNK_BYTES, AssignmentsUpdate } from '../../lib/api/assignments';
import { DISPATCHER_MAX_FRAME_BYTES, ManagerMessage, parseManagerMessage } from '../../lib/api/dispatcher-protocol';
import { defaultServiceSpec } from '../../lib/api/service-defaults';
import { Task, TaskState, taskStateRank } from '../../lib/api/service-types';
import { chunkAssignments, mustSend } from '../../lib/manager/dispatcher/assignment-diff';
import { ManagerError } from '../../lib/manager/errors';
import type { Action, Draft } from '../../lib/manager/store/transaction';
import { AssignmentView } from '../../lib/worker/assignment-view';
import { RawClient, TestSwarm, until } from './harness';

const STAMP = '2026-01-01T00:00:00Z';

function task(id: string, nodeId: string | undefined, o: { state?: TaskState; desired?: TaskState; env?: string[] } = {}): Draft<Task> {
  const spec = defaultServiceSpec('web', 'busybox').task;
  if (o.env) spec.container.env = o.env;
  const state = o.state ?? 'assigned';
  return {
    id,
    serviceId: 'svc',
    serviceName: 'web',
    slot: 1,
    ...(nodeId ? { nodeId } : {}),
    spec,
    ports: [],
    specVersion: 1,
    desiredState: o.desired ?? 'running',
    networks: [],
    status: { state, timestamp: STAMP, message: state },
  };
}

/** A task as the node must see it: everything but the version stamp and the status (which the node reports itself). */
function assignment(t: Pick<Task, 'meta' | 'status'>): unknown {
  const { meta: _meta, status: _status, ...rest } = t;
  return rest;
}

type Update = Extract<ManagerMessage, { type: 'assignmentsUpdate' }>;
const onlyUpdates = (ms: readonly ManagerMessage[]): Update[] => ms.filter((m): m is Update => m.type === 'assignmentsUpdate');
const updates = (c: RawClient): Update[] => onlyUpdates(c.received);

describe('assignment messages, without a manager', () => {
  it('a large set splits into messages within the chunk bound; the view yields the whole set once, at the last', () => {
    const tasks = Array.from({ length: 300 }, (_, i) => ({ ...task(`t${i}`, 'n', { env: [`PAYLOAD=${'x'.repeat(2000)}`] }), meta: { version: 1, createdAt: STAMP, updatedAt: STAMP } }) as Task);
    const messages = chunkAssignments(true, tasks, []);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.map((m) => [m.reset, m.done])).toEqual(messages.map((_, i) => [i === 0, i === messages.length - 1]));
    const view = new AssignmentView();
    const lists = messages.map((m) => {
      const frame = JSON.stringify({ v: 1, type: 'assignmentsUpdate', ...m });
      expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(ASSIGNMENT_CHUNK_BYTES + 4096);
      return view.apply(parsedUpdate(frame));
    });
    expect(lists.slice(0, -1).every((l) => l === undefined)).toBe(true);
    expect(lists[lists.length - 1]?.tasks.map((t) => t.id)).toEqual(tasks.map((t) => t.id));
  });

  it('a status the node reported is not news to it; any other change is', () => {
    const before = { ...task('t1', 'n'), meta: { version: 1, createdAt: STAMP, updatedAt: STAMP } } as Task;
    const running = { state: 'running' as const, timestamp: STAMP, message: 'started' };
    const reported = { ...before, meta: { ...before.meta, version: 2 }, status: running };
    expect(mustSend(before, reported, running)).toBe(false);
    // The same status written by someone else (no report of the node's): the node must hear of it.
    expect(mustSend(before, reported, undefined)).toBe(true);
    expect(mustSend(before, { ...reported, desiredState: 'shutdown' }, running)).toBe(true);
    expect(mustSend(before, { ...before, meta: { ...before.meta, version: 3 } }, undefined)).toBe(false);
    // An earlier report written after the node sent a later one: the node knows better already.
    const starting = { state: 'starting' as const, timestamp: STAMP, message: 'starting' };
    expect(mustSend(before, { ...reported, status: starting }, running)).toBe(false);
    // A state beyond what the node reported (the manager's): news.
    expect(mustSend(before, { ...reported, status: { state: 'orphaned', timestamp: STAMP, message: 'node down' } }, running)).toBe(true);
  });

  it.each([
    ['a reset that deletes', { reset: true, done: true, set: [], del: ['t1'] }, 'a reset deletes nothing'],
    ['no done marker', { reset: false, set: [], del: [] }, 'reset and done must be true or false'],
    ['a task without a spec', { reset: false, done: true, set: [{ id: 't', desiredState: 'running', status: {} }], del: [] }, 'set[0].spec must be an object'],
    ['an empty id to delete', { reset: false, done: true, set: [], del: [''] }, 'del[0] must not be empty'],
    ['the old whole list', { tasks: [] }, 'unexpected field "tasks"'],
  ])('the agent refuses %s with the reason', (_what, fields, reason) => {
    const r = parseManagerMessage(JSON.stringify({ v: 1, type: 'assignmentsUpdate', ...fields }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

function parsedUpdate(frame: string): AssignmentsUpdate {
  const r = parseManagerMessage(frame);
  if (!r.ok || r.value.type !== 'assignmentsUpdate') throw new Error(`not an assignmentsUpdate: ${r.ok ? r.value.type : r.reason}`);
  return r.value;
}

let swarm: TestSwarm;
beforeAll(async () => {
  swarm = await TestSwarm.start(1, 500);
  const lead = await swarm.leader();
  await lead.manager.write([{ op: 'create', kind: 'service', object: { id: 'svc', spec: defaultServiceSpec('web', 'busybox') } }]);
});
afterAll(() => swarm.close());

async function write(actions: Action[]): Promise<void> {
  const lead = await swarm.leader();
  await lead.manager.write(actions);
}

function stored(id: string): Task {
  const t = swarm.managers[0].manager.store.get('task', id);
  if (!t) throw new Error(`no task ${id}`);
  return t as Task;
}

async function setDesired(id: string, desired: TaskState): Promise<void> {
  const t = stored(id);
  await write([{ op: 'update', kind: 'task', object: { ...structuredClone(t), desiredState: desired }, expectedVersion: t.meta.version }]);
}

async function session(hostname: string): Promise<{ nodeId: string; client: RawClient; reconnect: () => Promise<RawClient> }> {
  const w = await swarm.worker(hostname);
  const open = async (): Promise<RawClient> => {
    const c = await swarm.raw(swarm.managers[0].addr, w.credentials);
    c.register(hostname);
    await c.next('registered');
    return c;
  };
  return { nodeId: w.nodeId, client: await open(), reconnect: open };
}

describe('assignments over a session', () => {
  it('the whole set at registration (tasks not yet scheduled excluded), then only changes; a reconnect gets it whole again', async () => {
    const { nodeId, client, reconnect } = await session('as-full');
    await write([
      { op: 'create', kind: 'task', object: task('f1', nodeId) },
      { op: 'create', kind: 'task', object: task('f2', nodeId, { state: 'running' }) },
      // A global task waits for the scheduler's say before its node hears of it.
      { op: 'create', kind: 'task', object: task('f3', nodeId, { state: 'pending' }) },
    ]);
    await until(() => updates(client).flatMap((u) => u.set).length === 2, 'the two scheduled tasks to reach the node');
    // The session registered before the tasks existed: its set was empty, the tasks came as a change.
    expect(updates(client).map((u) => [u.reset, u.done, u.set.map((t) => t.id).sort(), u.del])).toEqual([
      [true, true, [], []],
      [false, true, ['f1', 'f2'], []],
    ]);

    client.ws.close();
    const again = await reconnect();
    await until(() => updates(again).length > 0, 'the set for the new session');
    const [full] = updates(again);
    expect(full.reset && full.done).toBe(true);
    expect(full.set.map((t) => t.id).sort()).toEqual(['f1', 'f2']);
    again.ws.close();
  });

  it("the node's own status report is not sent back; a desired-state change is one small update", async () => {
    const { nodeId, client } = await session('as-own');
    const ids = Array.from({ length: 100 }, (_, i) => `own${i}`);
    await write(ids.map((id) => ({ op: 'create' as const, kind: 'task' as const, object: task(id, nodeId) })));
    await until(() => updates(client).flatMap((u) => u.set).length === 100, 'the 100 tasks to reach the node');
    const fullBytes = Buffer.byteLength(JSON.stringify({ v: 1, type: 'assignments', tasks: ids.map(stored) }));
    const seen = client.received.length;

    client.send({ v: 1, type: 'taskStatus', updates: [{ taskId: 'own7', status: { state: 'running', timestamp: STAMP, message: 'started' } }] });
    await until(() => stored('own7').status.state === 'running', 'the report to be written');
    // A later change to another task: the socket keeps order, so an echo of own7 would arrive before or with it.
    await setDesired('own8', 'shutdown');
    await until(() => client.received.length > seen, 'the desired-state change to reach the node');
    const after = client.received.slice(seen);
    expect(after).toHaveLength(1);
    const [u] = onlyUpdates(after);
    expect(u.set.map((t) => [t.id, t.desiredState])).toEqual([['own8', 'shutdown']]);
    expect(u.del).toEqual([]);
    // What the old protocol sent for either change: every task of the node, in full.
    const bytes = client.sizes[client.sizes.length - 1];
    expect(bytes).toBeLessThan(fullBytes / 50);
    client.ws.close();
  });

  it('a status written by someone else (not the node) does reach the node', async () => {
    const { nodeId, client } = await session('as-other');
    await write([{ op: 'create', kind: 'task', object: task('o1', nodeId) }]);
    await until(() => updates(client).some((u) => u.set.some((t) => t.id === 'o1')), 'o1 to reach the node');
    const seen = updates(client).length;
    const t = stored('o1');
    await write([{ op: 'update', kind: 'task', object: { ...structuredClone(t), status: { state: 'rejected', timestamp: STAMP, message: 'by the manager' } }, expectedVersion: t.meta.version }]);
    await until(() => updates(client).length > seen, 'the status to reach the node');
    expect(updates(client)[seen].set.map((x) => [x.id, x.status.state])).toEqual([['o1', 'rejected']]);
    client.ws.close();
  });

  it('a task moved off the node or removed is deleted from its view', async () => {
    const a = await session('as-move-a');
    const b = await session('as-move-b');
    await write([
      { op: 'create', kind: 'task', object: task('m1', a.nodeId) },
      { op: 'create', kind: 'task', object: task('m2', a.nodeId) },
    ]);
    await until(() => updates(a.client).flatMap((u) => u.set).length === 2, 'both tasks on a');
    const m1 = stored('m1');
    await write([
      { op: 'update', kind: 'task', object: { ...structuredClone(m1), nodeId: b.nodeId }, expectedVersion: m1.meta.version },
      { op: 'delete', kind: 'task', id: 'm2' },
    ]);
    await until(() => updates(a.client).flatMap((u) => u.del).length === 2, 'both deletions to reach a');
    expect(updates(a.client).flatMap((u) => u.del).sort()).toEqual(['m1', 'm2']);
    await until(() => updates(b.client).some((u) => u.set.some((t) => t.id === 'm1')), 'm1 to reach b');
    a.client.ws.close();
    b.client.ws.close();
  });

  it('a large set arrives in several frames, each within the bound, and the agent hands it over once, whole', async () => {
    const w = await swarm.worker('as-large');
    const ids = Array.from({ length: 400 }, (_, i) => `big${i}`);
    // 400 tasks of about 2.5 KB: about 1 MB, four times the chunk size.
    for (let i = 0; i < ids.length; i += 100) {
      await write(ids.slice(i, i + 100).map((id) => ({ op: 'create' as const, kind: 'task' as const, object: task(id, w.nodeId, { env: [`PAYLOAD=${'y'.repeat(2000)}`] }) })));
    }
    const raw = await swarm.raw(swarm.managers[0].addr, w.credentials);
    raw.register('as-large');
    await until(() => updates(raw).some((u) => u.done), 'the whole set');
    const frames = raw.received.map((m, i) => ({ m, bytes: raw.sizes[i] })).filter((f) => f.m.type === 'assignmentsUpdate');
    expect(frames.length).toBeGreaterThanOrEqual(4);
    for (const f of frames) expect(f.bytes).toBeLessThanOrEqual(ASSIGNMENT_CHUNK_BYTES + 4096);
    expect(Math.max(...frames.map((f) => f.bytes))).toBeLessThan(DISPATCHER_MAX_FRAME_BYTES);
    raw.ws.close();

    const lists: (readonly Task[])[] = [];
    const agent = swarm.agent(w, 'as-large');
    agent.on('assignments', (tasks) => lists.push(tasks));
    await agent.waitRegistered(5000);
    await until(() => lists.length > 0, 'the agent to hand over the set');
    expect(lists).toHaveLength(1);
    expect(lists[0].map((t) => t.id).sort()).toEqual([...ids].sort());
    await agent.stop();
  });

  it('a frame over the bound is refused on either end, and said so', async () => {
    const w = await swarm.worker('as-frame');
    const warnings: string[] = [];
    const agent = swarm.agent(w, 'as-frame', { logger: { warn: (msg) => warnings.push(msg), info: () => undefined } });
    await agent.waitRegistered(5000);
    const line = 'q'.repeat(60_000);
    const lines = Array.from({ length: 80 }, () => ({ taskId: 't', stream: 'stdout' as const, line, timestamp: STAMP }));
    // 4.8 MB: the agent does not send it (the manager would close the session on it).
    expect(agent.send({ v: 1, type: 'logs', requestId: 'r1', lines })).toBe(false);
    expect(warnings).toEqual([`a logs message of ${Buffer.byteLength(JSON.stringify({ v: 1, type: 'logs', requestId: 'r1', lines }))} bytes is more than a frame may carry (${DISPATCHER_MAX_FRAME_BYTES}): not sent`]);
    expect(agent.state).toBe('registered');
    await agent.stop();

    // A client that sends one anyway: the manager closes the session (1009) and says why.
    const raw = await swarm.raw(swarm.managers[0].addr, w.credentials);
    raw.register('as-frame');
    await raw.next('registered');
    raw.send({ v: 1, type: 'logs', requestId: 'r2', lines });
    expect((await raw.whenClosed()).code).toBe(1009);
    await until(() => swarm.warnings.some((m) => m.includes(w.nodeId)), 'the dispatcher to warn');
    expect(swarm.warnings.filter((m) => m.includes(w.nodeId))).toEqual([`node ${w.nodeId}: it sent a frame larger than ${DISPATCHER_MAX_FRAME_BYTES} bytes: session closed`]);
  });

  it("the agent's view after a random sequence of changes is the store's (seeded)", async () => {
    for (const seed of [1, 2, 3]) await randomRun(seed);
  });
});

/** mulberry32: a small seeded generator, so a failing sequence can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FORWARD: TaskState[] = ['accepted', 'preparing', 'starting', 'running', 'complete'];

async function randomRun(seed: number): Promise<void> {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const me = await swarm.worker(`as-rand-${seed}`);
  const other = await swarm.worker(`as-rand-other-${seed}`);
  let latest: readonly Task[] = [];
  const agent = swarm.agent(me, `as-rand-${seed}`);
  agent.on('assignments', (tasks) => (latest = tasks));
  await agent.waitRegistered(5000);
  const ids: string[] = [];
  let n = 0;
  for (let step = 0; step < 60; step++) {
    const store = swarm.managers[0].manager.store;
    const live = ids.filter((id) => store.get('task', id));
    const r = random();
    try {
      if (r < 0.25 || live.length === 0) {
        const id = `r${seed}x${n++}`;
        ids.push(id);
        await write([{ op: 'create', kind: 'task', object: task(id, pick([me.nodeId, me.nodeId, other.nodeId]), { state: pick(['pending', 'assigned', 'assigned']) }) }]);
      } else if (r < 0.45) {
        // The node reports progress on one of its tasks (as the executor would).
        const mine = live.filter((id) => store.get('task', id)?.nodeId === me.nodeId);
        if (mine.length === 0) continue;
        const id = pick(mine);
        const state = pick(FORWARD);
        agent.send({ v: 1, type: 'taskStatus', updates: [{ taskId: id, status: { state, timestamp: STAMP, message: state } }] });
      } else {
        const id = pick(live);
        const t = stored(id);
        const next = structuredClone(t);
        const what = random();
        if (what < 0.3) next.desiredState = pick(['running', 'shutdown', 'remove']);
        else if (what < 0.5) next.nodeId = pick([me.nodeId, other.nodeId]);
        else if (what < 0.65 && taskStateRank(t.status.state) < taskStateRank('assigned')) next.status = { state: 'assigned', timestamp: STAMP, message: 'scheduled' };
        else if (what < 0.8) next.spec = { ...next.spec, container: { ...next.spec.container, env: [`STEP=${step}`] } };
        else {
          await write([{ op: 'delete', kind: 'task', id }]);
          continue;
        }
        await write([{ op: 'update', kind: 'task', object: next, expectedVersion: t.meta.version }]);
      }
    } catch (e) {
      // A write that lost to the agent's status batch: the sequence goes on, as a real loop's would.
      if (!(e instanceof ManagerError && e.code === 'Conflict')) throw e;
    }
  }
  const expected = (): unknown[] =>
    swarm.managers[0].manager.store
      .tasksByNode(me.nodeId)
      .filter((t) => taskStateRank(t.status.state) >= taskStateRank('assigned'))
      .map((t) => assignment(t as Task))
      .sort(byId);
  const actual = (): unknown[] => latest.map(assignment).sort(byId);
  await until(() => JSON.stringify(actual()) === JSON.stringify(expected()), `seed ${seed}: the agent's view to equal the store's`, 5000);
  expect(actual()).toEqual(expected());
  await agent.stop();
}

function byId(a: unknown, b: unknown): number {
  return (a as { id: string }).id.localeCompare((b as { id: string }).id);
}
