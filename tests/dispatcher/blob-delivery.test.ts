// Secrets and configs over the task channel, on a bare MemoryStore and
// hand-driven timers: a node gets the data its unfinished tasks name, once,
// with the first task needing it; a removal when the last one ends or moves;
// a node without such a task never sees it.

import type { ManagerMessage } from '../../lib/api/dispatcher-protocol';
import { parseManagerMessage } from '../../lib/api/dispatcher-protocol';
import { defaultServiceSpec } from '../../lib/api/service-defaults';
import type { Config, Secret } from '../../lib/api/secret-types';
import type { Task, TaskState } from '../../lib/api/service-types';
import type { AgentSession } from '../../lib/manager/dispatcher/agent-session';
import type { DispatcherHost } from '../../lib/manager/dispatcher/dispatcher';
import { TaskChannel } from '../../lib/manager/dispatcher/task-channel';
import { fromStoreError } from '../../lib/manager/errors';
import { Action, MemoryStore } from '../../lib/manager/store';
import type { Draft } from '../../lib/manager/store/transaction';
import { AssignmentView } from '../../lib/worker/assignment-view';
import { ManualTimers, settle } from './manual-timers';

const STAMP = '2026-01-01T00:00:00Z';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const PASSWORD = 'correct horse battery staple';

function secret(id: string, name: string, data: string): Draft<Secret> {
  return { id, spec: { name, labels: { team: 'db' }, data: b64(data) } };
}
function config(id: string, name: string, data: string): Draft<Config> {
  return { id, spec: { name, labels: {}, data: b64(data) } };
}

function task(id: string, nodeId: string, o: { secrets?: string[]; configs?: string[]; state?: TaskState } = {}): Draft<Task> {
  const spec = defaultServiceSpec('web', 'busybox').task;
  const file = (n: string) => ({ name: n, uid: '0', gid: '0', mode: 0o444 });
  spec.container.secrets = (o.secrets ?? []).map((s) => ({ secretId: s, secretName: s, file: file(s) }));
  spec.container.configs = (o.configs ?? []).map((c) => ({ configId: c, configName: c, file: file(`/${c}`) }));
  return {
    id,
    serviceId: 'svc',
    serviceName: 'web',
    slot: 1,
    nodeId,
    spec,
    ports: [],
    specVersion: 1,
    desiredState: 'running',
    networks: [],
    status: { state: o.state ?? 'assigned', timestamp: STAMP, message: 'scheduled' },
  };
}

type Update = Extract<ManagerMessage, { type: 'assignmentsUpdate' }>;

class Setup {
  readonly store = new MemoryStore();
  readonly timers = new ManualTimers();
  private index = 0;
  readonly sent = new Map<string, ManagerMessage[]>([
    ['n1', []],
    ['n2', []],
  ]);
  // The channel reads only these members of a session; a real one needs a socket.
  readonly sessions = new Map(
    ['n1', 'n2'].map((n) => [n, { nodeId: n, isOpen: true, answered: true, send: (m: ManagerMessage) => this.sent.get(n)?.push(m) } as unknown as AgentSession]),
  );
  readonly channel = new TaskChannel({ store: this.store, write: async () => [] } as unknown as DispatcherHost, this.timers, { warn: () => undefined }, (id) =>
    this.sessions.get(id),
  );

  apply(...actions: Action[]): void {
    const r = this.store.apply(++this.index, { at: STAMP, actions });
    if (!r.ok) throw fromStoreError(r.error);
  }

  setState(id: string, state: TaskState): void {
    const t = this.store.get('task', id) as Task;
    this.apply({ op: 'update', kind: 'task', object: { ...structuredClone(t), status: { state, timestamp: STAMP, message: state } }, expectedVersion: t.meta.version });
  }

  move(id: string, nodeId: string): void {
    const t = this.store.get('task', id) as Task;
    this.apply({ op: 'update', kind: 'task', object: { ...structuredClone(t), nodeId }, expectedVersion: t.meta.version });
  }

  start(): void {
    this.channel.start();
    for (const s of this.sessions.values()) this.channel.sendFull(s);
  }

  async flush(): Promise<void> {
    await settle();
    this.timers.fire();
  }

  /** What a node received, through the wire format and its own parser. */
  updates(node: string): Update[] {
    return (this.sent.get(node) ?? [])
      .filter((m): m is Update => m.type === 'assignmentsUpdate')
      .map((m) => {
        const parsed = parseManagerMessage(JSON.stringify(m));
        if (!parsed.ok || parsed.value.type !== 'assignmentsUpdate') throw new Error(`unparsable: ${parsed.ok ? parsed.value.type : parsed.reason}`);
        return parsed.value;
      });
  }

  /** Every secret id the node was sent data for, in order (repeats included). */
  secretsSent(node: string): string[] {
    return this.updates(node).flatMap((u) => (u.secrets ?? []).map((b) => b.id));
  }
  wire(node: string): string {
    return JSON.stringify(this.sent.get(node));
  }
}

describe('secrets and configs over the task channel', () => {
  it('a node gets exactly what its tasks name, with the first task; the other node never', async () => {
    const s = new Setup();
    s.apply({ op: 'create', kind: 'secret', object: secret('sec1', 'db_password', PASSWORD) }, { op: 'create', kind: 'config', object: config('cfg1', 'nginx_conf', 'listen 80;') }, { op: 'create', kind: 'secret', object: secret('sec2', 'unused', 'nobody needs this') });
    s.apply({ op: 'create', kind: 'task', object: task('t1', 'n1', { secrets: ['sec1'], configs: ['cfg1'] }) }, { op: 'create', kind: 'task', object: task('t2', 'n2') });
    s.start();

    const [first] = s.updates('n1');
    expect(first).toMatchObject({ reset: true, done: true });
    expect(first.set.map((t) => t.id)).toEqual(['t1']);
    expect(first.secrets).toEqual([{ id: 'sec1', name: 'db_password', data: b64(PASSWORD) }]);
    expect(first.configs).toEqual([{ id: 'cfg1', name: 'nginx_conf', data: b64('listen 80;') }]);
    // Labels stay with the managers; an unneeded secret goes nowhere.
    expect(s.wire('n1')).not.toContain('team');
    expect(s.wire('n1')).not.toContain(b64('nobody needs this'));
    expect(s.wire('n2')).not.toContain(b64(PASSWORD));
    expect(s.updates('n2')[0].secrets).toBeUndefined();

    // A task created later on n2 brings the secret with it, in the same update.
    s.apply({ op: 'create', kind: 'task', object: task('t3', 'n2', { secrets: ['sec1'] }) });
    await s.flush();
    const [, second] = s.updates('n2');
    expect(second.set.map((t) => t.id)).toEqual(['t3']);
    expect(second.secrets?.map((b) => b.id)).toEqual(['sec1']);
  });

  it('a secret named by many tasks goes once; forgotten when the last ends or moves away', async () => {
    const s = new Setup();
    s.apply({ op: 'create', kind: 'secret', object: secret('sec1', 'db_password', PASSWORD) });
    s.apply(...Array.from({ length: 50 }, (_, i) => ({ op: 'create' as const, kind: 'task' as const, object: task(`a${i}`, 'n1', { secrets: ['sec1'] }) })));
    s.start();
    s.apply(...Array.from({ length: 50 }, (_, i) => ({ op: 'create' as const, kind: 'task' as const, object: task(`b${i}`, 'n1', { secrets: ['sec1'] }) })));
    await s.flush();
    expect(s.secretsSent('n1')).toEqual(['sec1']);

    // 99 tasks end (failed, shut down, deleted): the node still needs it for the last one.
    for (let i = 0; i < 50; i++) s.setState(`a${i}`, i % 2 === 0 ? 'failed' : 'shutdown');
    s.apply(...Array.from({ length: 49 }, (_, i) => ({ op: 'delete' as const, kind: 'task' as const, id: `b${i}` })));
    await s.flush();
    expect(s.updates('n1').flatMap((u) => u.delSecrets ?? [])).toEqual([]);

    // The last one moves to n2: n1 forgets the secret, n2 gets it.
    s.move('b49', 'n2');
    await s.flush();
    const last = s.updates('n1').at(-1);
    expect(last?.del).toEqual(['b49']);
    expect(last?.delSecrets).toEqual(['sec1']);
    expect(s.secretsSent('n2')).toEqual(['sec1']);
    expect(s.secretsSent('n1')).toEqual(['sec1']);

    // A task ending by its own report is not echoed, but the removal still goes.
    const done = { state: 'complete' as const, timestamp: STAMP, message: 'exit 0' };
    s.channel.onStatus(s.sessions.get('n2') as AgentSession, [{ taskId: 'b49', status: done }]);
    const t = s.store.get('task', 'b49') as Task;
    // What the status batch writes (the test's host writes nothing itself).
    s.apply({ op: 'update', kind: 'task', object: { ...structuredClone(t), status: done }, expectedVersion: t.meta.version });
    await s.flush();
    expect(s.updates('n2').at(-1)).toMatchObject({ set: [], del: [], delSecrets: ['sec1'] });
  });

  it('only changed tasks are looked at: a status change of a task naming no secret sends nothing about secrets', async () => {
    const s = new Setup();
    s.apply({ op: 'create', kind: 'secret', object: secret('sec1', 'db_password', PASSWORD) });
    s.apply({ op: 'create', kind: 'task', object: task('t1', 'n1', { secrets: ['sec1'] }) }, { op: 'create', kind: 'task', object: task('t2', 'n1') });
    s.start();
    const get = jest.spyOn(s.store, 'get');
    s.setState('t2', 'failed');
    await s.flush();
    // The channel read t2 (and t2's node's session): never the secret, never t1.
    expect(get.mock.calls.map(([kind, id]) => `${kind}/${id}`).filter((k) => !k.startsWith('task/t2'))).toEqual([]);
    expect(s.updates('n1').at(-1)?.secrets).toBeUndefined();
    expect(s.updates('n1').at(-1)?.delSecrets).toBeUndefined();
  });

  it('a reconnecting node gets what it needs again with its full set; a large secret goes alone in a message that still fits a frame', async () => {
    const s = new Setup();
    const big = 'x'.repeat(500 * 1024);
    s.apply({ op: 'create', kind: 'secret', object: secret('sec1', 'big', big) }, { op: 'create', kind: 'secret', object: secret('sec2', 'small', PASSWORD) });
    s.apply({ op: 'create', kind: 'task', object: task('t1', 'n1', { secrets: ['sec1', 'sec2'] }) });
    s.start();
    s.channel.onClose(s.sessions.get('n1') as AgentSession);
    s.channel.sendFull(s.sessions.get('n1') as AgentSession);
    const updates = s.updates('n1');
    // Each full set: the big secret alone, then the rest, done at the last.
    expect(updates.map((u) => [u.reset, u.done, (u.secrets ?? []).map((b) => b.id)])).toEqual([
      [true, false, ['sec1']],
      [false, true, ['sec2']],
      [true, false, ['sec1']],
      [false, true, ['sec2']],
    ]);
    for (const m of s.sent.get('n1') ?? []) expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThan(4 * 1024 * 1024);
    const view = new AssignmentView();
    const handed = updates.slice(2).map((u) => view.apply(u));
    expect(handed[0]).toBeUndefined();
    expect(Buffer.from(handed[1]?.blobs.secrets.get('sec1')?.data ?? '', 'base64').toString()).toBe(big);
  });
});

describe("the node's view of secrets and configs", () => {
  const blob = (id: string) => ({ id, name: id, data: b64(id) });
  const base = { set: [], del: [] };

  it('keeps what it is given until told to forget it; a reset starts afresh; nothing counts before done', () => {
    const view = new AssignmentView();
    expect(view.apply({ ...base, reset: true, done: false, secrets: [blob('s1')] })).toBeUndefined();
    const a = view.apply({ ...base, reset: false, done: true, configs: [blob('c1')] });
    expect([...(a?.blobs.secrets.keys() ?? [])]).toEqual(['s1']);
    expect([...(a?.blobs.configs.keys() ?? [])]).toEqual(['c1']);

    const b = view.apply({ ...base, reset: false, done: true, delSecrets: ['s1'], secrets: [blob('s2')] });
    expect([...(b?.blobs.secrets.keys() ?? [])]).toEqual(['s2']);
    // What was handed out before is a copy: the later update did not change it.
    expect([...(a?.blobs.secrets.keys() ?? [])]).toEqual(['s1']);

    view.apply({ ...base, reset: true, done: false });
    const c = view.apply({ ...base, reset: false, done: true });
    expect(c?.blobs.secrets.size).toBe(0);
    expect(view.blobCount).toBe(0);
  });

  it('the parser refuses a blob that is not base64 or too large, without echoing its content', () => {
    const bad = JSON.stringify({ v: 1, type: 'assignmentsUpdate', reset: false, done: true, set: [], del: [], secrets: [{ id: 's', name: 's', data: 'not base64 hunter2!' }] });
    const r = parseManagerMessage(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).not.toContain('hunter2');
    const huge = JSON.stringify({ v: 1, type: 'assignmentsUpdate', reset: false, done: true, set: [], del: [], configs: [{ id: 'c', name: 'c', data: 'A'.repeat(700_000) }] });
    expect(parseManagerMessage(huge).ok).toBe(false);
    const resetDel = JSON.stringify({ v: 1, type: 'assignmentsUpdate', reset: true, done: true, set: [], del: [], delSecrets: ['s'] });
    expect(parseManagerMessage(resetDel).ok).toBe(false);
  });
});
