// New tasks as the orchestrator creates them: a copy of the service's task
// spec and ports at its current version, in state NEW, wanting to run.

import { Service, Task } from '../../api/service-types';
import { canonicalJson } from '../store/canonical-json';
import { DeepReadonly, thaw } from '../store';
import { Draft } from '../store/transaction';

export interface NewTaskOptions {
  slot?: number;
  nodeId?: string;
  notBefore?: number;
  restarts?: readonly string[];
  message?: string;
}

/** `id` comes from the caller's id source, so planning stays pure and a seeded run deterministic. */
export function newTask(service: DeepReadonly<Service>, now: number, id: string, o: NewTaskOptions): Draft<Task> {
  const t: Draft<Task> = {
    id,
    serviceId: service.id,
    serviceName: service.spec.name,
    spec: thaw(service.spec.task),
    ports: thaw(service.spec.endpoint.ports),
    specVersion: service.meta.version,
    desiredState: 'running',
    status: { state: 'new', timestamp: new Date(now).toISOString(), message: o.message ?? 'created' },
  };
  if (o.slot !== undefined) t.slot = o.slot;
  if (o.nodeId !== undefined) t.nodeId = o.nodeId;
  if (o.notBefore !== undefined && o.notBefore > now) t.notBefore = new Date(o.notBefore).toISOString();
  if (o.restarts && o.restarts.length > 0) t.restarts = [...o.restarts];
  return t;
}

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
