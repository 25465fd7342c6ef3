// New tasks as the orchestrator creates them: the service's task spec and
// ports at its current version, in state NEW, wanting to run.

import { PortConfig, Service, Task, TaskSpec } from '../../api/service-types';
import { DeepReadonly } from '../store';
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
    // The service's own frozen objects, not copies: a draft only travels as JSON in a Raft entry, and the
    // store builds the task from that. Copying them was a tenth of a 100,000-replica create.
    spec: service.spec.task as TaskSpec,
    ports: service.spec.endpoint.ports as PortConfig[],
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
