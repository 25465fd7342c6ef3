// The labels that mark a container as a task's, the ones docker's own swarm
// mode puts on task containers. The node id label is what keeps several nodes
// that share one engine (tests, demos) out of each other's containers: every
// list, event subscription and removal filters on it.

import type { Task } from '../../../api/service-types';
import { taskName } from '../../../api/service-types';

export const NODE_LABEL = 'com.docker.swarm.node.id';
export const SERVICE_ID_LABEL = 'com.docker.swarm.service.id';
export const SERVICE_NAME_LABEL = 'com.docker.swarm.service.name';
export const TASK_ID_LABEL = 'com.docker.swarm.task.id';
export const TASK_NAME_LABEL = 'com.docker.swarm.task.name';

export function taskLabels(task: Task, nodeId: string): Record<string, string> {
  return {
    [NODE_LABEL]: nodeId,
    [SERVICE_ID_LABEL]: task.serviceId,
    [SERVICE_NAME_LABEL]: task.serviceName,
    [TASK_ID_LABEL]: task.id,
    [TASK_NAME_LABEL]: taskName(task),
  };
}

/** A label filter for the engine's list and events APIs. */
export function labelFilter(key: string, value: string): string {
  return `${key}=${value}`;
}
