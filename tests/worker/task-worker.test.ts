// The task worker between a (fake) agent and a (fake) executor: the full
// list the agent hands over reaches the executor; status reports go up in
// messages within the chunk bound however many tasks changed at once, and
// what could not be sent goes again after the next registration.

import { AgentMessage, DISPATCHER_CHUNK_BYTES } from '../../lib/api/dispatcher-protocol';
import { defaultServiceSpec } from '../../lib/api/service-defaults';
import type { Task, TaskStatus } from '../../lib/api/service-types';
import { until } from '../net/fixtures';
import type { Agent } from '../../lib/worker/agent';
import type { Executor } from '../../lib/worker/executor';
import { TaskWorker } from '../../lib/worker/task-worker';

type Listener = (...args: unknown[]) => void;

class FakeAgent {
  state: 'registered' | 'connecting' = 'registered';
  readonly sent: { m: AgentMessage; bytes: number }[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();
  on(event: string, fn: Listener): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(fn);
    return () => set.delete(fn);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const fn of this.listeners.get(event) ?? []) fn(...args);
  }
  send(m: AgentMessage): boolean {
    if (this.state !== 'registered') return false;
    this.sent.push({ m, bytes: Buffer.byteLength(JSON.stringify(m)) });
    return true;
  }
  statusUpdates(): string[] {
    return this.sent.flatMap(({ m }) => (m.type === 'taskStatus' ? m.updates.map((u) => u.taskId) : []));
  }
}

function fakeExecutor(assigned: (readonly Task[])[]): Executor {
  return {
    nodeId: 'n1',
    runtime: 'process',
    assign: async (tasks) => void assigned.push(tasks),
    logs: async function* () {},
    removeVolumes: async () => 0,
    usage: async () => new Map(),
    stop: async () => undefined,
  } as Executor;
}

const STAMP = '2026-01-01T00:00:00Z';
const status = (i: number): TaskStatus => ({ state: 'running', timestamp: STAMP, message: `m${i} ${'z'.repeat(1000)}` });

describe('TaskWorker', () => {
  let worker: TaskWorker | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it("hands the agent's full list to the executor", async () => {
    const agent = new FakeAgent();
    const assigned: (readonly Task[])[] = [];
    // The worker uses only on/send/state of its agent.
    worker = new TaskWorker(agent as unknown as Agent, fakeExecutor(assigned), { warn: () => undefined }, { id: 'n1', hostname: 'h' });
    const t: Task = {
      id: 't1',
      meta: { version: 1, createdAt: STAMP, updatedAt: STAMP },
      serviceId: 's',
      serviceName: 'web',
      slot: 1,
      nodeId: 'n1',
      spec: defaultServiceSpec('web', 'busybox').task,
      ports: [],
      specVersion: 1,
      desiredState: 'running',
      status: status(0),
    };
    agent.emit('assignments', [t]);
    await until(() => assigned.length === 1, 'the executor to get the list');
    expect(assigned[0].map((x) => x.id)).toEqual(['t1']);
  });

  it('splits many status reports into messages within the chunk bound; unsent ones go after the next registration', async () => {
    const agent = new FakeAgent();
    worker = new TaskWorker(agent as unknown as Agent, fakeExecutor([]), { warn: () => undefined }, { id: 'n1', hostname: 'h' });
    const N = 1200;
    // About 1.2 MB of reports at once: several messages' worth.
    for (let i = 0; i < N; i++) worker.onStatus(`t${i}`, status(i));
    await until(() => agent.statusUpdates().length === N, 'every report to go up');
    expect(agent.sent.length).toBeGreaterThanOrEqual(4);
    for (const s of agent.sent) expect(s.bytes).toBeLessThanOrEqual(DISPATCHER_CHUNK_BYTES + 64);
    expect(new Set(agent.statusUpdates()).size).toBe(N);

    agent.state = 'connecting';
    worker.onStatus('t0', { ...status(0), message: 'again' });
    agent.sent.length = 0;
    agent.state = 'registered';
    agent.emit('registered');
    // After a registration every task's newest status goes again (a dying leader may have lost them).
    await until(() => agent.statusUpdates().length === N, 'every report to go again');
    const t0 = agent.sent.flatMap(({ m }) => (m.type === 'taskStatus' ? m.updates : [])).find((u) => u.taskId === 't0');
    expect(t0?.status.message).toBe('again');
  });
});
