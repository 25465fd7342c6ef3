// What `swarm service …` does on a manager: checks a spec beyond its shape
// (the store checks the shape), then creates, updates or removes the service.
// Tasks are the orchestrator's business: these only change the service.

import { autoscalePolicyProblem } from '../api/autoscale-policy';
export { updatedService } from './orchestrator/update-status';

import { isTerminal, Service, ServiceSpec, Task } from '../api/service-types';
import { Node } from '../api/types';
import { matchesConstraints, parseConstraints, parsePreference, schedNode } from '../scheduler';
import { ManagerError } from './errors';
import { Manager } from './manager';
import { resolveNetwork } from './network/network-ops';
import { resolveServiceNetworks } from './network/service-networks';
import { resolveServiceBlobs, storedBlobs, withStandInIds } from './service-blobs';
import { DeepReadonly, thaw } from './store';
import { MANUAL_ROLLBACK_MESSAGE, rolledBackService, updatedService } from './orchestrator/update-status';
import { serviceSchema } from './store/service-schemas';
import { objectId } from './store/object-schemas';

const NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,62})$/;

/** Everything about a spec that can be wrong without reading the cluster. */
export function validateServiceSpec(spec: ServiceSpec): void {
  const shape = serviceSchema(objectId, () => undefined)({ id: 'x', spec }, 'service');
  if (shape) throw new ManagerError('Invalid', shape.replace(/^service\.spec\./, ''));
  if (!NAME.test(spec.name)) {
    throw new ManagerError('Invalid', `invalid service name "${spec.name}": use letters, digits, '_', '.' and '-', starting with a letter or digit, at most 63 characters`);
  }
  try {
    parseConstraints(spec.task.placement.constraints);
    for (const p of spec.task.placement.preferences) parsePreference(`spread=${p.spread}`);
  } catch (e) {
    throw new ManagerError('Invalid', e instanceof Error ? e.message : String(e));
  }
  const autoscale = autoscalePolicyProblem(spec);
  if (autoscale) throw new ManagerError('Invalid', autoscale);
  const published = new Set<string>();
  for (const p of spec.endpoint.ports) {
    // The routing mesh balances on a virtual IP, which dnsrr does not have.
    if (spec.endpoint.mode === 'dnsrr' && p.publishMode === 'ingress') {
      throw new ManagerError('Invalid', `port ${p.publishedPort || '(any)'}:${p.targetPort}/${p.protocol} is published in ingress mode, which cannot be used with endpoint mode dnsrr (use mode=host)`);
    }
    if (p.publishedPort === 0) continue;
    const key = `${p.publishedPort}/${p.protocol}`;
    if (published.has(key)) throw new ManagerError('Invalid', `port ${key} is published twice`);
    published.add(key);
  }
}

/** A published port may belong to one service only (docker refuses the second). */
function checkPortsFree(m: Manager, spec: ServiceSpec, selfId?: string): void {
  const mine = new Set(spec.endpoint.ports.filter((p) => p.publishedPort > 0).map((p) => `${p.publishedPort}/${p.protocol}`));
  if (mine.size === 0) return;
  for (const s of m.store.list('service')) {
    if (s.id === selfId) continue;
    for (const p of s.spec.endpoint.ports) {
      const key = `${p.publishedPort}/${p.protocol}`;
      if (p.publishedPort > 0 && mine.has(key)) {
        throw new ManagerError('Conflict', `port ${key} is already published by service ${s.spec.name}`);
      }
    }
  }
}

export function resolveService(m: Manager, ref: string): DeepReadonly<Service> {
  const r = m.store.resolve('service', ref);
  if (!r.ok) throw new ManagerError(r.error.code === 'Ambiguous' ? 'Invalid' : 'NotFound', r.error.code === "NotFound" ? `no such service: ${ref}` : r.error.message);
  return r.object;
}

export async function createService(m: Manager, given: ServiceSpec): Promise<DeepReadonly<Service>> {
  validateServiceSpec(withStandInIds(given));
  await m.syncRead();
  const spec = resolveServiceBlobs(given, storedBlobs(m.store));
  validateServiceSpec(spec);
  if (m.store.findByName('service', spec.name).length > 0) {
    throw new ManagerError('Conflict', `service ${spec.name} already exists`);
  }
  checkPortsFree(m, spec);
  const stored = resolveServiceNetworks(spec, (ref) => resolveNetwork(m, ref));
  const id = m.ids();
  await m.write([{ op: 'create', kind: 'service', object: { id, spec: stored } }]);
  return m.store.get('service', id) as DeepReadonly<Service>;
}

/** Replaces the spec; `version` (from a read) makes a concurrent change fail instead of being lost. */
export async function updateService(m: Manager, ref: string, given: ServiceSpec, version?: number): Promise<DeepReadonly<Service>> {
  validateServiceSpec(withStandInIds(given));
  await m.syncRead();
  const spec = resolveServiceBlobs(given, storedBlobs(m.store));
  validateServiceSpec(spec);
  const current = resolveService(m, ref);
  if (spec.name !== current.spec.name) throw new ManagerError('Invalid', 'a service cannot be renamed');
  if (spec.mode !== current.spec.mode) throw new ManagerError('Invalid', `service mode cannot be changed (it is ${current.spec.mode})`);
  checkPortsFree(m, spec, current.id);
  const stored = resolveServiceNetworks(spec, (ref) => resolveNetwork(m, ref));
  const expectedVersion = version ?? current.meta.version;
  await m.write([{ op: 'update', kind: 'service', object: updatedService(current, stored, m.clock()), expectedVersion }]);
  return m.store.get('service', current.id) as DeepReadonly<Service>;
}

/**
 * `service rollback`: back to the previous spec, rolled out with the rollback
 * settings. `version` (from a read) makes a concurrent change fail instead of
 * being lost.
 */
export async function rollbackService(m: Manager, ref: string, version?: number): Promise<DeepReadonly<Service>> {
  await m.syncRead();
  const current = resolveService(m, ref);
  if (!current.previousSpec) throw new ManagerError('Invalid', `service ${current.spec.name} does not have a previous spec to roll back to`);
  const restored = thaw(current.previousSpec) as ServiceSpec;
  // The cluster may have changed since that spec was current: a port taken, a network gone.
  checkPortsFree(m, restored, current.id);
  resolveServiceNetworks(restored, (r) => resolveNetwork(m, r));
  const next = rolledBackService(current, MANUAL_ROLLBACK_MESSAGE, m.clock());
  await m.write([{ op: 'update', kind: 'service', object: next, expectedVersion: version ?? current.meta.version }]);
  return m.store.get('service', current.id) as DeepReadonly<Service>;
}

export async function removeService(m: Manager, ref: string): Promise<string> {
  await m.syncRead();
  const s = resolveService(m, ref);
  await m.write([{ op: 'delete', kind: 'service', id: s.id, expectedVersion: s.meta.version }]);
  return s.id;
}

/** Running tasks and how many are wanted, as `service ls` shows them ("3/5"). */
export function replicaCounts(
  service: DeepReadonly<Service>,
  tasks: readonly DeepReadonly<Task>[],
  nodes: readonly DeepReadonly<Node>[],
): { running: number; desired: number } {
  return new ReplicaCounter(nodes).counts(service, tasks);
}

/**
 * replicaCounts for a whole listing: the nodes are read once, and matched
 * once per distinct constraint list of the global services, so `service ls`
 * costs O(tasks + nodes x distinct constraints) instead of a pass over every
 * node for every service.
 */
export class ReplicaCounter {
  private readonly active: ReturnType<typeof schedNode>[];
  private readonly eligible = new Map<string, number>();

  constructor(nodes: readonly DeepReadonly<Node>[]) {
    this.active = nodes.filter((n) => n.status.state !== 'down' && n.spec.availability !== 'drain').map((n) => schedNode(n as Node));
  }

  counts(service: DeepReadonly<Service>, tasks: readonly DeepReadonly<Task>[]): { running: number; desired: number } {
    let running = 0;
    for (const t of tasks) if (t.desiredState === 'running' && t.status.state === 'running') running++;
    if (service.spec.mode === 'replicated') return { running, desired: service.spec.replicas };
    return { running, desired: this.eligibleNodes(service.spec.task.placement.constraints) };
  }

  private eligibleNodes(given: readonly string[]): number {
    const key = JSON.stringify(given);
    let n = this.eligible.get(key);
    if (n === undefined) {
      n = 0;
      let constraints: ReturnType<typeof parseConstraints> | undefined;
      try {
        constraints = parseConstraints(given);
      } catch {
        // A constraint that does not parse was refused on input; should one be stored, no node qualifies.
      }
      if (constraints) for (const node of this.active) if (matchesConstraints(node, constraints)) n++;
      this.eligible.set(key, n);
    }
    return n;
  }
}

/** Tasks still on their way up or down, for `service rm` and `stack rm` to wait on. */
export function liveTaskCount(tasks: readonly DeepReadonly<Task>[]): number {
  return tasks.filter((t) => !isTerminal(t.status.state)).length;
}
