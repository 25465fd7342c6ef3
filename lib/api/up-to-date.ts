// Whether a task runs what its service asks for now. The orchestrator replaces
// the tasks that do not; the CLI's progress view follows the ones that do.

import { canonicalJson } from '../util/canonical-json';
import { DeepReadonly } from '../util/deep-readonly';
import { Service, Task } from './service-types';

/** Whether the task runs what the service asks for now (spec and ports; the version alone may differ for a label change). */
export function isUpToDate(task: DeepReadonly<Task>, service: DeepReadonly<Service>): boolean {
  return upToDateCheck(service)(task);
}

/** isUpToDate for many tasks of one service: the service's side is encoded once, not once per task. */
export function upToDateCheck(service: DeepReadonly<Service>): (task: DeepReadonly<Task>) => boolean {
  const spec = canonicalJson(service.spec.task);
  const ports = canonicalJson(service.spec.endpoint.ports);
  return (task) => canonicalJson(task.spec) === spec && canonicalJson(task.ports) === ports;
}
