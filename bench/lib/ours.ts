// Our cluster as an Orchestrator: commands through the compiled CLI (what a
// user types) or straight to the manager's control socket (the orchestrator
// alone, without the CLI's start-up); counts always from the control socket.

import { performance } from 'perf_hooks';
import type { Service, Task } from '../../lib/api/service-types';
import { buildServiceSpec } from '../../lib/cli/service-flags';
import { api, swarmCli, SwarmNode } from './nodes';
import { Orchestrator, tallyOf, TaskTally, Via, Workload } from './orchestrator';

export class Ours implements Orchestrator {
  readonly label = 'ours';

  constructor(
    private readonly manager: SwarmNode,
    private readonly via: Via,
  ) {}

  async create(name: string, replicas: number, w: Workload): Promise<number> {
    if (this.via === 'cli') {
      const args = ['service', 'create', '-d', '--no-resolve-image', '--name', name, '--replicas', String(replicas), '--stop-grace-period', w.stopGrace];
      return (await swarmCli(this.manager, [...args, w.image, ...w.args])).ms;
    }
    const spec = buildServiceSpec({ name, replicas: String(replicas), stopGracePeriod: w.stopGrace }, w.image, w.args);
    return this.timed(() => api(this.manager, 'POST', '/v1/services', { spec, resolveImage: false }));
  }

  async scale(name: string, replicas: number): Promise<number> {
    if (this.via === 'cli') return (await swarmCli(this.manager, ['service', 'scale', '-d', `${name}=${replicas}`])).ms;
    return this.timed(async () => {
      // The same two calls `swarm service scale` makes.
      const { service } = await api<{ service: Service }>(this.manager, 'GET', `/v1/services/${encodeURIComponent(name)}`);
      await api(this.manager, 'POST', `/v1/services/${service.id}/update`, { spec: { ...service.spec, replicas }, version: service.meta.version });
    });
  }

  async remove(name: string): Promise<number> {
    if (this.via === 'cli') return (await swarmCli(this.manager, ['service', 'rm', name])).ms;
    return this.timed(() => api(this.manager, 'POST', `/v1/services/${encodeURIComponent(name)}/remove`, {}));
  }

  async tally(name: string): Promise<TaskTally> {
    return tallyOf(
      (await this.tasks(name)).map((t) => ({ desired: t.desiredState, state: t.status.state, stateAt: Date.parse(t.status.timestamp), err: t.status.err })),
    );
  }

  async tasks(name: string): Promise<Task[]> {
    return (await api<{ tasks: Task[] }>(this.manager, 'GET', `/v1/tasks?service=${encodeURIComponent(name)}`)).tasks;
  }

  private async timed(fn: () => Promise<unknown>): Promise<number> {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  }
}
