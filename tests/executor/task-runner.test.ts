import type { Task } from '../../lib/api/service-types';
import { abortError } from '../../lib/worker/executor/abort';
import type { ExitInfo, Observation, Progress, RunDetails, TaskController } from '../../lib/worker/executor/controller';
import { TaskRunner } from '../../lib/worker/executor/task-runner';
import { makeTask, StatusLog, withDesired, withStatus } from './helpers';

/** A controller whose waits the test settles by hand, recording what the runner asked of it. */
class FakeController implements TaskController {
  readonly calls: string[] = [];
  observation: Observation = { phase: 'absent' };
  prepareError: Error | undefined;
  private settle: ((p: Progress) => void) | undefined;
  stopResult: { byUs: boolean; exit?: ExitInfo } = { byUs: true, exit: { exitCode: 143 } };

  async observe(): Promise<Observation> {
    this.calls.push('observe');
    return this.observation;
  }
  async prepare(): Promise<RunDetails> {
    this.calls.push('prepare');
    if (this.prepareError !== undefined) throw this.prepareError;
    return { containerId: 'c1' };
  }
  async start(): Promise<void> {
    this.calls.push('start');
  }
  wait(until: 'running' | 'exit', signal: AbortSignal): Promise<Progress> {
    this.calls.push(`wait:${until}`);
    return new Promise<Progress>((resolve, reject) => {
      this.settle = resolve;
      signal.addEventListener('abort', () => reject(abortError()), { once: true });
    });
  }
  async stop(graceMs: number): Promise<{ byUs: boolean; exit?: ExitInfo }> {
    this.calls.push(`stop:${graceMs}`);
    return this.stopResult;
  }
  async remove(): Promise<void> {
    this.calls.push('remove');
  }

  /** Settles the pending wait once the runner is waiting. */
  async progress(p: Progress): Promise<void> {
    await until(() => this.settle !== undefined);
    const settle = this.settle;
    this.settle = undefined;
    settle?.(p);
  }
}

async function until(cond: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setImmediate(r));
  }
}

const quiet = { warn: () => undefined };

function setup(task: Task, ctrl = new FakeController()): { runner: TaskRunner; ctrl: FakeController; statuses: StatusLog } {
  const statuses = new StatusLog();
  const runner = new TaskRunner(task, ctrl, statuses.listener, quiet);
  return { runner, ctrl, statuses };
}

describe('task runner', () => {
  test('walks a task to running and to its exit, with the container id on the way', async () => {
    const task = makeTask({ nodeId: 'n' });
    const { runner, ctrl, statuses } = setup(task);
    await ctrl.progress({ kind: 'running', details: { containerId: 'c1', pid: 42 } });
    const running = await statuses.reach(task.id, 'running');
    expect(running).toMatchObject({ containerId: 'c1', pid: 42, message: 'started' });
    await ctrl.progress({ kind: 'exited', exit: { exitCode: 0 } });
    // When it first ran stays with it (the updater dates a failure against it).
    expect(await statuses.reach(task.id, 'complete')).toMatchObject({ exitCode: 0, message: 'finished', startedAt: running.timestamp });
    expect(running.startedAt).toBe(running.timestamp);
    expect(statuses.states(task.id)).toEqual(['accepted', 'preparing', 'ready', 'starting', 'running', 'complete']);
    await runner.close(false);
  });

  test('a desired shutdown stops a running task with its grace period and reports SHUTDOWN', async () => {
    const task = makeTask({ nodeId: 'n', container: { stopGracePeriodMs: 1234 } });
    const { runner, ctrl, statuses } = setup(task);
    await ctrl.progress({ kind: 'running', details: {} });
    await statuses.reach(task.id, 'running');
    await until(() => ctrl.calls.includes('wait:exit'));
    runner.update(withDesired(task, 'shutdown'));
    expect(await statuses.reach(task.id, 'shutdown')).toMatchObject({ state: 'shutdown', exitCode: 143 });
    expect(ctrl.calls).toContain('stop:1234');
    await runner.close(false);
  });

  test('a task shut down before it started reports only SHUTDOWN, and desired remove removes it', async () => {
    const task = withDesired(makeTask({ nodeId: 'n' }), 'shutdown');
    const { runner, ctrl, statuses } = setup(task);
    await statuses.reach(task.id, 'shutdown');
    expect(statuses.states(task.id)).toEqual(['shutdown']);
    runner.update(withDesired(task, 'remove'));
    await until(() => ctrl.calls.includes('remove'));
    expect(ctrl.calls).not.toContain('prepare');
    await runner.close(false);
  });

  test('a failed prepare rejects the task with its reason', async () => {
    const task = makeTask({ nodeId: 'n' });
    const ctrl = new FakeController();
    ctrl.prepareError = new Error('pulling image x: no such host');
    const { runner, statuses } = setup(task, ctrl);
    expect(await statuses.reach(task.id, 'rejected')).toMatchObject({ err: 'pulling image x: no such host', message: 'rejected' });
    await runner.close(false);
  });

  test('a failed running task is stopped before its failure is reported', async () => {
    const task = makeTask({ nodeId: 'n', container: { stopGracePeriodMs: 10 } });
    const { runner, ctrl, statuses } = setup(task);
    await ctrl.progress({ kind: 'failed', err: 'task: unhealthy container' });
    expect(await statuses.reach(task.id, 'failed')).toMatchObject({ err: 'task: unhealthy container', exitCode: 143 });
    expect(ctrl.calls.slice(-1)).toEqual(['stop:10']);
    await runner.close(false);
  });

  test('never reports below what the manager already has, nor twice the same state', async () => {
    const task = withStatus(makeTask({ nodeId: 'n' }), 'ready');
    const ctrl = new FakeController();
    ctrl.observation = { phase: 'created' };
    const { runner, statuses } = setup(task, ctrl);
    await ctrl.progress({ kind: 'running', details: {} });
    await statuses.reach(task.id, 'running');
    // A stale copy from the manager changes nothing.
    runner.update(withStatus(task, 'assigned'));
    await ctrl.progress({ kind: 'exited', exit: { exitCode: 2 } });
    expect(await statuses.reach(task.id, 'failed')).toMatchObject({ exitCode: 2, err: 'task: non-zero exit (2)' });
    expect(statuses.states(task.id)).toEqual(['starting', 'running', 'failed']);
    await runner.close(false);
  });

  test('adopting an exited container reports its exit; one the manager already ended reports nothing', async () => {
    const live = withStatus(makeTask({ nodeId: 'n' }), 'running');
    const a = new FakeController();
    a.observation = { phase: 'exited', exit: { exitCode: 0 }, details: { containerId: 'c9' } };
    const first = setup(live, a);
    expect(await first.statuses.reach(live.id, 'complete')).toMatchObject({ containerId: 'c9', exitCode: 0 });

    const ended = withStatus(makeTask({ nodeId: 'n' }), 'failed');
    const b = new FakeController();
    b.observation = { phase: 'exited', exit: { exitCode: 1 }, details: {} };
    const second = setup(ended, b);
    await until(() => b.calls.includes('observe'));
    await second.runner.close(false);
    expect(second.statuses.byTask.size).toBe(0);
    await first.runner.close(false);
  });

  test('a task whose container vanished after it started fails with the reason', async () => {
    const task = withStatus(makeTask({ nodeId: 'n' }), 'running');
    const ctrl = new FakeController();
    ctrl.observation = { phase: 'absent', lost: 'task: container x no longer exists' };
    const { runner, statuses } = setup(task, ctrl);
    expect((await statuses.reach(task.id, 'failed')).err).toBe('task: container x no longer exists');
    await runner.close(false);
  });

  test('waits for notBefore before starting', async () => {
    const notBefore = new Date(Date.now() + 300).toISOString();
    const task = { ...makeTask({ nodeId: 'n' }), notBefore };
    const { runner, statuses } = setup(task);
    const starting = await statuses.reach(task.id, 'starting');
    expect(Date.parse(starting.timestamp)).toBeGreaterThanOrEqual(Date.parse(notBefore));
    await runner.close(false);
  });

  test('a throwing status listener does not stop the task', async () => {
    const task = makeTask({ nodeId: 'n' });
    const ctrl = new FakeController();
    const seen: string[] = [];
    const runner = new TaskRunner(
      task,
      ctrl,
      (_id, s) => {
        seen.push(s.state);
        throw new Error('listener bug');
      },
      quiet,
    );
    await until(() => seen.includes('starting'));
    await runner.close(true);
    expect(ctrl.calls).toContain('remove');
  });
});
