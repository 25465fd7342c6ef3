// Docker's own swarm mode on the local engine as an Orchestrator, driven the
// same two ways as ours: the docker CLI, or the engine API (dockerode).

import { performance } from 'perf_hooks';
import { engine } from './engine';
import { execTool } from './exec';
import { Orchestrator, tallyOf, TaskTally, Via, Workload } from './orchestrator';

/** The fields of the engine's /tasks answer that the bench reads (dockerode types them as any). */
interface EngineTask {
  DesiredState: string;
  Status: { State: string; Timestamp: string; Err?: string };
}

/** "1s", "500ms", "2m" to nanoseconds, for the API's StopGracePeriod. */
function graceNs(d: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(d);
  if (!m) throw new Error(`unsupported duration ${d}`);
  const unitMs = { ms: 1, s: 1_000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'];
  return Number(m[1]) * unitMs * 1_000_000;
}

export class DockerSwarm implements Orchestrator {
  readonly label = 'swarm';

  constructor(private readonly via: Via) {}

  async create(name: string, replicas: number, w: Workload): Promise<number> {
    if (this.via === 'cli') {
      // --no-resolve-image: the image is local and no registry is reachable.
      const args = ['service', 'create', '--detach', '--quiet', '--no-resolve-image', '--name', name, '--replicas', String(replicas), '--stop-grace-period', w.stopGrace];
      return (await execTool('docker', [...args, w.image, ...w.args])).ms;
    }
    return timed(() =>
      engine.createService({
        Name: name,
        TaskTemplate: { ContainerSpec: { Image: w.image, Args: w.args, StopGracePeriod: graceNs(w.stopGrace) } },
        Mode: { Replicated: { Replicas: replicas } },
      }),
    );
  }

  async scale(name: string, replicas: number): Promise<number> {
    if (this.via === 'cli') return (await execTool('docker', ['service', 'scale', '--detach', `${name}=${replicas}`])).ms;
    return timed(async () => {
      // Inspect then update at that version, as `docker service scale` does.
      const svc = engine.getService(name);
      const info = (await svc.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
      // docker-modem sends _query as the query string and _body as the body (else both get everything).
      await svc.update({ _query: { version: info.Version.Index }, _body: { ...info.Spec, Mode: { Replicated: { Replicas: replicas } } } });
    });
  }

  async remove(name: string): Promise<number> {
    if (this.via === 'cli') return (await execTool('docker', ['service', 'rm', name])).ms;
    return timed(() => engine.getService(name).remove());
  }

  async tally(name: string): Promise<TaskTally> {
    const tasks = (await engine.listTasks({ filters: { service: [name] } })) as EngineTask[];
    return tallyOf(tasks.map((t) => ({ desired: t.DesiredState, state: t.Status.State, stateAt: Date.parse(t.Status.Timestamp), err: t.Status.Err })));
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
