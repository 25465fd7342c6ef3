// The local Docker engine as both orchestrators leave it: task containers are
// found by the labels swarm mode puts on them, which our executor puts on its
// containers too (lib/worker/executor/docker/labels.ts).

import Docker from 'dockerode';
import { log } from './lifecycle';

export const engine = new Docker();

export const NODE_LABEL = 'com.docker.swarm.node.id';
export const SERVICE_NAME_LABEL = 'com.docker.swarm.service.name';

export async function containersWithLabel(key: string, value: string, all: boolean): Promise<Docker.ContainerInfo[]> {
  return engine.listContainers({ all, filters: { label: [`${key}=${value}`] } });
}

/** `docker rm -f` of every container carrying the label; 404 and 409 (already going) are fine. */
export async function removeContainersWithLabel(key: string, value: string): Promise<number> {
  const found = await containersWithLabel(key, value, true);
  await Promise.all(
    found.map(async (c) => {
      try {
        await engine.getContainer(c.Id).remove({ force: true, v: true });
      } catch (e) {
        const status = (e as { statusCode?: number }).statusCode;
        if (status !== 404 && status !== 409) throw e;
      }
    }),
  );
  if (found.length > 0) log(`removed ${found.length} container(s) labelled ${key}=${value}`);
  return found.length;
}
