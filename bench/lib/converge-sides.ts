// The two sides of the converge bench, each set up once per run: our
// one-manager cluster, and Docker's swarm mode on the same engine. Both stay
// up for all rounds (idle, neither takes measurable CPU from the other).

import { performance } from 'perf_hooks';
import { startCluster } from './cluster';
import { DockerSwarm } from './docker-swarm';
import { containersWithLabel, engine, removeContainersWithLabel, SERVICE_NAME_LABEL } from './engine';
import { execTool } from './exec';
import { Cleanup, log } from './lifecycle';
import { swarmCli } from './nodes';
import { Orchestrator, Via, Workload } from './orchestrator';
import { Ours } from './ours';
import { ensureSwarmMode } from './swarm-mode';

export interface Side {
  o: Orchestrator;
  workload: Workload;
  /** Registers the removal of a service about to be created, for when its measurement fails. */
  guard(cleanup: Cleanup, name: string): void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The service's removal, a bounded wait for its containers, then `docker rm -f` of what is left. */
async function dropService(name: string, rm: () => Promise<unknown>): Promise<void> {
  const count = async () => (await containersWithLabel(SERVICE_NAME_LABEL, name, true)).length;
  const had = await count();
  // Measured to the end: the service is gone already.
  if (had === 0) return;
  const t0 = performance.now();
  await rm().catch((e: unknown) => log(`cleanup: removing service ${name} failed: ${e instanceof Error ? e.message : String(e)}`));
  for (let i = 0; i < 150 && (await count()) > 0; i++) await sleep(200);
  log(`cleanup: service ${name}: ${had} container(s) before, ${await count()} after ${Math.round(performance.now() - t0)} ms`);
  await removeContainersWithLabel(SERVICE_NAME_LABEL, name);
}

export async function oursSide(cleanup: Cleanup, via: Via, w: Workload, keepLogs: boolean): Promise<Side> {
  const c = await startCluster(cleanup, 'converge', 0, { keepLogs });
  return {
    o: new Ours(c.manager, via),
    workload: w,
    guard: (cl, name) => cl.add(`remove service ${name}`, () => dropService(name, () => swarmCli(c.manager, ['service', 'rm', name], 30_000, true))),
  };
}

/**
 * Docker Swarm gets the image by id unless `byTag`: its executor tries a
 * registry pull of a tag before every task, even with --no-resolve-image and
 * the image present, and an image id is never pulled (see converge.ts).
 */
export async function swarmSide(cleanup: Cleanup, via: Via, w: Workload, byTag: boolean): Promise<Side> {
  await ensureSwarmMode(cleanup);
  const image = byTag ? w.image : (await engine.getImage(w.image).inspect()).Id;
  if (!byTag) log(`docker swarm: image ${w.image} given as ${image}, which its executor does not try to pull`);
  return {
    o: new DockerSwarm(via),
    workload: { ...w, image },
    guard: (cl, name) => cl.add(`remove service ${name}`, () => dropService(name, () => execTool('docker', ['service', 'rm', name], 30_000, true))),
  };
}
