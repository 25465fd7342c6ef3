// What `swarm stack …` does on a manager. A stack is the set of services
// labelled with its namespace. A deploy is all or nothing: every spec is
// checked first, then creations, changes and (with prune) removals go into
// one Raft transaction. A service whose spec did not change is not written,
// so its tasks keep running.

import { newObjectId } from '../api/ids';
import { Service, ServiceSpec } from '../api/service-types';
import { ManagerError } from './errors';
import { Manager } from './manager';
import { validateServiceSpec } from './service-ops';
import { canonicalJson } from './store/canonical-json';
import { DeepReadonly } from './store';
import { Action } from './store/transaction';

export const NAMESPACE_LABEL = 'com.docker.stack.namespace';

export interface DeployResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

export function stackServices(m: Manager, namespace: string): DeepReadonly<Service>[] {
  return m.store.list('service').filter((s) => s.spec.labels[NAMESPACE_LABEL] === namespace);
}

/** Namespaces with their service counts, for `stack ls`. */
export function listStacks(m: Manager): { name: string; services: number }[] {
  const counts = new Map<string, number>();
  for (const s of m.store.list('service')) {
    const ns = s.spec.labels[NAMESPACE_LABEL];
    if (ns !== undefined) counts.set(ns, (counts.get(ns) ?? 0) + 1);
  }
  return [...counts].map(([name, services]) => ({ name, services })).sort((a, b) => a.name.localeCompare(b.name));
}

function checkSpecs(m: Manager, namespace: string, specs: readonly ServiceSpec[]): void {
  const problems: string[] = [];
  const names = new Set<string>();
  const ports = new Map<string, string>();
  for (const spec of specs) {
    try {
      validateServiceSpec(spec);
    } catch (e) {
      problems.push(`service ${spec.name}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (spec.labels[NAMESPACE_LABEL] !== namespace) problems.push(`service ${spec.name}: missing the ${NAMESPACE_LABEL}=${namespace} label`);
    if (names.has(spec.name.toLowerCase())) problems.push(`service ${spec.name} appears twice`);
    names.add(spec.name.toLowerCase());
    for (const p of spec.endpoint.ports) {
      if (p.publishedPort === 0) continue;
      const key = `${p.publishedPort}/${p.protocol}`;
      const other = ports.get(key);
      if (other) problems.push(`port ${key} is published by both ${other} and ${spec.name}`);
      ports.set(key, spec.name);
    }
  }
  for (const s of m.store.list('service')) {
    const ours = s.spec.labels[NAMESPACE_LABEL] === namespace;
    if (!ours && names.has(s.spec.name.toLowerCase())) problems.push(`service ${s.spec.name} already exists and is not part of stack ${namespace}`);
    if (ours) continue;
    for (const p of s.spec.endpoint.ports) {
      const by = ports.get(`${p.publishedPort}/${p.protocol}`);
      if (p.publishedPort > 0 && by) problems.push(`port ${p.publishedPort}/${p.protocol} of ${by} is already published by service ${s.spec.name}`);
    }
  }
  if (problems.length > 0) throw new ManagerError('Invalid', problems.join('\n'));
}

export async function deployStack(m: Manager, namespace: string, specs: ServiceSpec[], prune: boolean): Promise<DeployResult> {
  await m.syncRead();
  checkSpecs(m, namespace, specs);
  const current = new Map(stackServices(m, namespace).map((s) => [s.spec.name, s]));
  const result: DeployResult = { created: [], updated: [], unchanged: [], removed: [] };
  const actions: Action[] = [];
  for (const spec of specs) {
    const existing = current.get(spec.name);
    current.delete(spec.name);
    if (!existing) {
      actions.push({ op: 'create', kind: 'service', object: { id: newObjectId(), spec } });
      result.created.push(spec.name);
    } else if (canonicalJson(existing.spec) === canonicalJson(spec)) {
      result.unchanged.push(spec.name);
    } else {
      if (existing.spec.mode !== spec.mode) throw new ManagerError('Invalid', `service ${spec.name}: mode cannot be changed (it is ${existing.spec.mode}); remove the service first`);
      actions.push({
        op: 'update',
        kind: 'service',
        object: { id: existing.id, spec, previousSpec: existing.spec as ServiceSpec },
        expectedVersion: existing.meta.version,
      });
      result.updated.push(spec.name);
    }
  }
  if (prune) {
    // In name order, so the output does not depend on the store's iteration order.
    for (const s of [...current.values()].sort((a, b) => a.spec.name.localeCompare(b.spec.name))) {
      actions.push({ op: 'delete', kind: 'service', id: s.id, expectedVersion: s.meta.version });
      result.removed.push(s.spec.name);
    }
  }
  await m.write(actions);
  return result;
}

export async function removeStack(m: Manager, namespace: string): Promise<string[]> {
  await m.syncRead();
  const services = stackServices(m, namespace);
  if (services.length === 0) throw new ManagerError('NotFound', `nothing found in stack: ${namespace}`);
  const sorted = [...services].sort((a, b) => a.spec.name.localeCompare(b.spec.name));
  await m.write(sorted.map((s) => ({ op: 'delete' as const, kind: 'service' as const, id: s.id, expectedVersion: s.meta.version })));
  return sorted.map((s) => s.spec.name);
}
