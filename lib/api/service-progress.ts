// What `service create/update/scale` without -d follow while they wait, as
// the control API's /v1/services/:ref/progress answers it: the tasks that hold
// a slot (or a node), not the service's whole history, and only the nodes
// those tasks are on. The CLI polls it several times a second, so its cost is
// that of the service's tasks, never a scan of every node of the cluster
// (except for a global service, whose expected count is the active nodes).

import { DeepReadonly } from '../util/deep-readonly';
import { finishedForGood } from './finished-tasks';
import { Service, Task } from './service-types';

export interface ServiceProgressView {
  service: Service;
  /** The service's tasks wanted running, and those finished for good that hold their slot. */
  tasks: Task[];
  /** Of the nodes the view needs (the tasks' for a replicated service, all for a global one), those neither Down nor drained. */
  activeNodeIds: string[];
}

/** The tasks holding a slot: finishedForGood and isUpToDate reach the same verdicts on them as on the whole history. */
export function slotHolders<T extends DeepReadonly<Task>>(serviceId: string, tasks: readonly T[], now: number): T[] {
  const finished = finishedForGood(serviceId, tasks, now);
  return tasks.filter((t) => t.desiredState === 'running' || finished.has(t.id));
}
