// The converge bench's third side, no orchestrator at all: the same N
// containers created and started straight through the engine API, all at
// once. What it takes is the engine's own limit, the floor under both
// orchestrators' create times. The containers are configured as our executor
// configures a task's (lib/worker/executor/docker/container-config.ts):
// default network, no restart policy, the workload's stop grace.

import { performance } from 'perf_hooks';
import { parseDuration } from '../../lib/util/go-duration';
import { engine, removeContainersWithLabel } from './engine';
import { checkNotAborted, Cleanup, log } from './lifecycle';
import { Marks, marksText } from './measure';
import { Workload } from './orchestrator';

/** Marks the bench's raw containers, so that a failed run's cleanup finds them. */
export const RAW_LABEL = 'swarm-bench.raw';

const secs = (ms: number) => Math.round(ms) / 1000;

/** Creates, starts and inspects one container; resolves with when (performance time) its create returned and it was seen running. */
async function oneContainer(name: string, w: Workload): Promise<{ createdAt: number; runningAt: number }> {
  const c = await engine.createContainer({
    Image: w.image,
    Cmd: [...w.args],
    Labels: { [RAW_LABEL]: name },
    StopTimeout: Math.ceil(parseDuration(w.stopGrace) / 1000),
    HostConfig: { RestartPolicy: { Name: 'no' } },
  });
  const createdAt = performance.now();
  await c.start();
  const state = (await c.inspect()).State;
  if (!state.Running) throw new Error(`raw: container ${c.id.slice(0, 12)} is ${state.Status} after its start (exit code ${state.ExitCode}${state.Error ? `, ${state.Error}` : ''})`);
  return { createdAt, runningAt: performance.now() };
}

/** The raw side's figure: seconds from the first request until all run, and milestones on the way. */
export interface RawTime {
  s: number;
  marks: Marks;
}

/**
 * N containers of the workload created and started in parallel, timed from
 * the first request until the engine reports every one running; then removed
 * (not timed: the orchestrators' remove is another operation, a graceful stop).
 */
export async function measureRawCreate(cleanup: Cleanup, name: string, replicas: number, w: Workload): Promise<RawTime> {
  checkNotAborted();
  cleanup.add(`remove raw containers ${name}`, async () => void (await removeContainersWithLabel(RAW_LABEL, name)));
  const t0 = performance.now();
  // allSettled: removing them must wait for every create, or a late one would outlive the removal.
  const results = await Promise.allSettled(Array.from({ length: replicas }, () => oneContainer(name, w)));
  await removeContainersWithLabel(RAW_LABEL, name);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const done = results.map((r) => (r as PromiseFulfilledResult<{ createdAt: number; runningAt: number }>).value);
  const created = done.map((d) => d.createdAt);
  const running = done.map((d) => d.runningAt);
  const marks: Marks = {
    last_created: secs(Math.max(...created) - t0),
    first_running: secs(Math.min(...running) - t0),
    running: secs(Math.max(...running) - t0),
  };
  const s = secs(Math.max(...running) - t0);
  log(`raw: create: ${replicas}/${replicas} running after ${s.toFixed(2)} s (${marksText(marks)})`);
  return { s, marks };
}
