// The simulated executor walks each task through the states a real one
// reports, in order, at the configured delays, and stops it when asked.

import type { Task, TaskState, TaskStatus } from '../../lib/api/service-types';
import { defaultTaskSpec } from '../../lib/api/service-defaults';
import { SimExecutor } from '../../lib/testing/sim-nodes';

const DELAYS = { accept: 10, prepare: 100, start: 100, stop: 50 };

function task(id: string, desiredState: TaskState, state: TaskState = 'assigned'): Task {
  return {
    id,
    meta: { version: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' },
    serviceId: 's1',
    serviceName: 'web',
    slot: 1,
    nodeId: 'n1',
    spec: defaultTaskSpec('busybox'),
    ports: [],
    specVersion: 1,
    desiredState,
    status: { state, timestamp: '2026-01-01T00:00:00.000Z', message: '' },
  };
}

describe('SimExecutor', () => {
  let seen: Array<[string, TaskStatus]>;
  let ex: SimExecutor;
  beforeEach(() => {
    jest.useFakeTimers();
    seen = [];
    ex = new SimExecutor('n1', (id, s) => seen.push([id, s]), DELAYS);
  });
  afterEach(async () => {
    await ex.stop();
    jest.useRealTimers();
  });
  const states = (id: string) => seen.filter(([t]) => t === id).map(([, s]) => s.state);

  test('a task reaches running through every state, after the delays', async () => {
    await ex.assign([task('t1', 'running')]);
    // Steps without a delay of their own take a turn of the event loop (1 ms for timers): 5 ms of slack.
    jest.advanceTimersByTime(DELAYS.accept + DELAYS.prepare - 5);
    expect(states('t1')).toEqual(['accepted', 'preparing']);
    jest.advanceTimersByTime(10);
    expect(states('t1')).toEqual(['accepted', 'preparing', 'ready', 'starting']);
    jest.advanceTimersByTime(DELAYS.start - 10);
    expect(states('t1')).toEqual(['accepted', 'preparing', 'ready', 'starting']);
    jest.advanceTimersByTime(10);
    expect(states('t1')).toEqual(['accepted', 'preparing', 'ready', 'starting', 'running']);
    expect(seen.at(-1)?.[1].startedAt).toBeDefined();
    expect(ex.count('running')).toBe(1);
  });

  test('desired ready stops at ready; desired running later starts it', async () => {
    await ex.assign([task('t1', 'ready')]);
    jest.advanceTimersByTime(1_000);
    expect(states('t1')).toEqual(['accepted', 'preparing', 'ready']);
    await ex.assign([task('t1', 'running')]);
    jest.advanceTimersByTime(1_000);
    expect(states('t1').at(-1)).toBe('running');
  });

  test('a stop wanted, even mid-way, ends in shutdown; a task no longer assigned is forgotten', async () => {
    await ex.assign([task('t1', 'running'), task('t2', 'running')]);
    jest.advanceTimersByTime(DELAYS.accept);
    await ex.assign([task('t1', 'shutdown'), task('t2', 'running')]);
    jest.advanceTimersByTime(1_000);
    expect(states('t1').at(-1)).toBe('shutdown');
    expect(states('t1')).not.toContain('running');
    await ex.assign([task('t1', 'shutdown')]);
    expect(ex.size).toBe(1);
    jest.advanceTimersByTime(1_000);
    expect(states('t1').filter((s) => s === 'shutdown')).toHaveLength(1);
  });

  test("another node's task is left alone", async () => {
    await ex.assign([{ ...task('t9', 'running'), nodeId: 'n2' }]);
    jest.advanceTimersByTime(1_000);
    expect(seen).toEqual([]);
  });
});
