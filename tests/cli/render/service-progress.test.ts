import type { TaskState } from '../../../lib/api/service-types';
import {
  progressBar,
  progressInterruptedLines,
  progressRollbackLine,
  progressVerifyLine,
  renderServiceProgress,
  type ProgressTask,
} from '../../../lib/cli/render/service-progress';

const t = (slot: number | undefined, state: TaskState, extra: Partial<ProgressTask> = {}): ProgressTask => ({
  ...(slot !== undefined ? { slot } : {}),
  desiredState: 'running',
  status: { state, message: '' },
  ...extra,
});

const FULL = `[${'='.repeat(50)}>]`;

describe('progress bars as docker draws them', () => {
  test.each<[TaskState, number]>([
    ['new', 5],
    ['pending', 16],
    ['assigned', 22],
    ['accepted', 27],
    ['preparing', 33],
    ['ready', 38],
    ['starting', 44],
    ['running', 50],
  ])('%s: %i cells of 50', (state, cells) => {
    const frame = renderServiceProgress({ mode: 'replicated', replicas: 1, tasks: [t(1, state)] });
    expect(frame.lines[1]).toBe(`1/1: ${state.padEnd(9)} [${'='.repeat(cells)}>${' '.repeat(50 - cells)}]`);
  });
  test('the bar alone', () => {
    expect(progressBar(9, 9)).toBe(FULL);
    expect(progressBar(0, 9)).toBe(`[>${' '.repeat(50)}]`);
  });
});

describe('replicated services', () => {
  test('one line per slot; an error or "no suitable node" replaces the bar', () => {
    const frame = renderServiceProgress({
      mode: 'replicated',
      replicas: 4,
      tasks: [
        t(2, 'starting'),
        t(1, 'running'),
        t(3, 'pending', { status: { state: 'pending', message: 'pending task scheduling', err: 'no suitable node (insufficient resources on 2 nodes)' } }),
        t(4, 'pending', { status: { state: 'pending', message: 'no suitable node (scheduling constraints not satisfied on 3 nodes)' } }),
      ],
    });
    expect(frame.lines).toEqual([
      'overall progress: 1 out of 4 tasks',
      `1/4: running   ${FULL}`,
      '2/4: starting  [============================================>      ]',
      '3/4: no suitable node (insufficient resources on 2 nodes)',
      '4/4: no suitable node (scheduling constraints not satisfied on 3 nodes)',
    ]);
    expect(frame).toMatchObject({ running: 1, total: 4, converged: false });
  });

  test('converged when every slot runs; slots shown 1..N whatever their numbers', () => {
    const frame = renderServiceProgress({ mode: 'replicated', replicas: 2, tasks: [t(7, 'running'), t(3, 'running')] });
    expect(frame.lines).toEqual(['overall progress: 2 out of 2 tasks', `1/2: running   ${FULL}`, `2/2: running   ${FULL}`]);
    expect(frame.converged).toBe(true);
  });

  test('slots without a task yet are blank; zero replicas converge at once', () => {
    expect(renderServiceProgress({ mode: 'replicated', replicas: 2, tasks: [] }).lines).toEqual([
      'overall progress: 0 out of 2 tasks',
      '1/2:',
      '2/2:',
    ]);
    expect(renderServiceProgress({ mode: 'replicated', replicas: 0, tasks: [] })).toEqual({
      lines: ['overall progress: 0 out of 0 tasks'],
      running: 0,
      total: 0,
      converged: true,
    });
  });

  test('of several tasks in a slot the one meant to run wins, then the least advanced', () => {
    const frame = renderServiceProgress({
      mode: 'replicated',
      replicas: 1,
      tasks: [
        t(1, 'failed', { desiredState: 'shutdown' }),
        t(1, 'running'),
        t(1, 'preparing'),
      ],
    });
    expect(frame.lines[1]).toBe('1/1: preparing [=================================>                 ]');
    // docker counts only the task it shows for the slot.
    expect(frame.running).toBe(0);
  });

  test('a failed task with an error shows the error, on one line cut to 75 characters', () => {
    const err = `task: non-zero exit (1)\n${'x'.repeat(100)}`;
    const frame = renderServiceProgress({
      mode: 'replicated',
      replicas: 1,
      tasks: [t(1, 'failed', { desiredState: 'shutdown', status: { state: 'failed', message: 'started', err } })],
    });
    expect(frame.lines[1]).toBe(`1/1: task: non-zero exit (1) ${'x'.repeat(50)}…`);
    // A task being shut down without an error shows nothing.
    expect(renderServiceProgress({ mode: 'replicated', replicas: 1, tasks: [t(1, 'shutdown', { desiredState: 'shutdown' })] }).lines[1]).toBe('1/1:');
  });

  test('older spec versions and tasks on down nodes are left out', () => {
    const frame = renderServiceProgress({
      mode: 'replicated',
      replicas: 2,
      specVersion: 5,
      activeNodeIds: new Set(['n1']),
      tasks: [
        t(1, 'running', { specVersion: 4, nodeId: 'n1' }),
        t(1, 'assigned', { specVersion: 5, nodeId: 'n1' }),
        t(2, 'running', { specVersion: 5, nodeId: 'n2' }),
        t(2, 'pending', { specVersion: 5 }),
      ],
    });
    expect(frame.lines).toEqual([
      'overall progress: 0 out of 2 tasks',
      '1/2: assigned  [======================>                            ]',
      '2/2: pending   [================>                                  ]',
    ]);
  });

  test('no bars at 110 columns or less; no state lines at all when not a terminal', () => {
    const snapshot = {
      mode: 'replicated' as const,
      replicas: 2,
      tasks: [t(1, 'running'), t(2, 'pending', { status: { state: 'pending' as const, message: '', err: 'no suitable node' } })],
    };
    expect(renderServiceProgress(snapshot, { width: 110 }).lines).toEqual([
      'overall progress: 1 out of 2 tasks',
      '1/2: running',
      '2/2: no suitable node',
    ]);
    expect(renderServiceProgress(snapshot, { width: 111 }).lines[1]).toBe(`1/2: running   ${FULL}`);
    expect(renderServiceProgress(snapshot, { terminal: false }).lines).toEqual([
      'overall progress: 1 out of 2 tasks',
      '2/2: no suitable node',
    ]);
  });

  test('more than 20 replicas: the overall line only; rollback wording', () => {
    const tasks = Array.from({ length: 21 }, (_, i) => t(i + 1, 'running'));
    expect(renderServiceProgress({ mode: 'replicated', replicas: 21, tasks }).lines).toEqual(['overall progress: 21 out of 21 tasks']);
    expect(renderServiceProgress({ mode: 'replicated', replicas: 21, tasks, rollback: true }).lines).toEqual([
      'overall progress: rolling back update: 21 out of 21 tasks',
    ]);
  });
});

describe('global services', () => {
  const n1 = 'node1aaaaaaaaaaaaaaaaaaaa';
  const n2 = 'node2bbbbbbbbbbbbbbbbbbbb';
  test('one line per node, by short node id; total is the nodes with tasks', () => {
    const frame = renderServiceProgress({
      mode: 'global',
      replicas: 0,
      tasks: [t(undefined, 'starting', { nodeId: n2 }), t(undefined, 'running', { nodeId: n1 })],
    });
    expect(frame.lines).toEqual([
      'overall progress: 1 out of 2 tasks',
      `node1aaaaaaa: running   ${FULL}`,
      'node2bbbbbbb: starting  [============================================>      ]',
    ]);
    expect(frame.converged).toBe(false);
  });
  test('a node that is down keeps counting in the total but not as running (as in docker)', () => {
    const frame = renderServiceProgress({
      mode: 'global',
      replicas: 0,
      activeNodeIds: new Set([n1]),
      tasks: [t(undefined, 'running', { nodeId: n2 }), t(undefined, 'running', { nodeId: n1 })],
    });
    expect(frame.lines).toEqual(['overall progress: 1 out of 2 tasks', `node1aaaaaaa: running   ${FULL}`]);
  });
  test('before any task exists', () => {
    expect(renderServiceProgress({ mode: 'global', replicas: 0, tasks: [] })).toEqual({
      lines: ['overall progress: waiting for new tasks'],
      running: 0,
      total: 0,
      converged: false,
    });
  });
});

describe('the other lines', () => {
  test('verify, rollback and interruption', () => {
    expect(progressVerifyLine({ stage: 'waiting', remainingMs: 5000 })).toBe('verify: Waiting 6 seconds to verify that tasks are stable...');
    expect(progressVerifyLine({ stage: 'waiting', remainingMs: 4200 })).toBe('verify: Waiting 5 seconds to verify that tasks are stable...');
    expect(progressVerifyLine({ stage: 'waiting', remainingMs: 0 })).toBe('verify: Waiting 1 seconds to verify that tasks are stable...');
    expect(progressVerifyLine({ stage: 'failure' })).toBe('verify: Detected task failure');
    expect(progressVerifyLine({ stage: 'converged', service: 'web' })).toBe('verify: Service web converged');
    expect(progressRollbackLine('update failed, rolling back')).toBe('rollback: update failed, rolling back');
    expect(progressInterruptedLines('web')).toEqual([
      'Operation continuing in background.',
      'Use `swarm service ps web` to check progress.',
    ]);
  });
});
