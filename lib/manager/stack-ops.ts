// What `swarm stack …` does on a manager. A stack is the set of services
// (and networks) labelled with its namespace. Every spec is checked first,
// then the networks it lacks, the service creations, changes and (with
// prune) removals go into one Raft transaction, all or nothing, unless they
// exceed one entry's bound (entry-size.ts; hundreds of services): then into
// several, networks first, and a deploy cut short by a conflict is planned
// again from what was written, so it still ends with the whole file.
// A service whose spec did not change is not written, so its tasks keep
// running.

import { StackDeployResult, StackNetworkRequest, StackRemoveResult } from '../api/network-api';
import { StackBlobRequest } from '../api/stack-blobs';
import { Network } from '../api/network-types';
import { Service, ServiceSpec } from '../api/service-types';
import { chunkActions } from './entry-size';
import { ManagerError } from './errors';
import { Manager } from './manager';
import { validateNetworkSpec } from './network/network-ops';
import { NetworkRef, resolveServiceNetworks } from './network/service-networks';
import { freeSubnet } from './network/subnets';
import { updatedService, validateServiceSpec } from './service-ops';
import { BlobLookup, resolveServiceBlobs, storedBlobs } from './service-blobs';
import { planStackBlobs } from './stack-blobs';
import { canonicalJson } from './store/canonical-json';
import { DeepReadonly } from './store';
import { Action } from './store/transaction';

export const NAMESPACE_LABEL = 'com.docker.stack.namespace';

/** The stack's secrets and configs, as `stack deploy` sends them. */
export interface StackBlobs {
  secrets: readonly StackBlobRequest[];
  configs: readonly StackBlobRequest[];
}

const byName = (a: { spec: { name: string } }, b: { spec: { name: string } }) => a.spec.name.localeCompare(b.spec.name);

const WRITE_RETRIES = 5;

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

/**
 * The stack's networks as they will be: existing ones found by name (an
 * external one must exist; one of the same name that another stack or a
 * user made is refused), missing ones created with a subnet from the pool.
 */
function planNetworks(m: Manager, namespace: string, requests: readonly StackNetworkRequest[]): { byName: Map<string, NetworkRef>; actions: Action[]; created: string[] } {
  const byName = new Map<string, NetworkRef>();
  const actions: Action[] = [];
  const created: string[] = [];
  const subnets = m.store.list('network').map((n) => n.subnet);
  const problems: string[] = [];
  for (const r of requests) {
    const existing = m.store.findByName('network', r.name)[0];
    if (r.external) {
      if (!existing) problems.push(`network "${r.name}" is declared as external, but could not be found; create it first (swarm network create ${r.name})`);
      else byName.set(r.name, existing);
      continue;
    }
    if (existing) {
      if (existing.spec.labels[NAMESPACE_LABEL] !== namespace) problems.push(`network ${r.name} already exists and is not part of stack ${namespace}`);
      else byName.set(r.name, existing);
      continue;
    }
    if (!r.spec || r.spec.name !== r.name) {
      problems.push(`network ${r.name}: the request carries no spec for it`);
      continue;
    }
    try {
      validateNetworkSpec(r.spec);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
      continue;
    }
    const subnet = r.spec.subnet ?? freeSubnet(m.store.list('cluster')[0]?.spec.addressPool, subnets);
    if (subnet === undefined) {
      problems.push(`network ${r.name}: no free subnet left in the cluster's address pool`);
      continue;
    }
    subnets.push(subnet);
    const network = { id: m.ids(), spec: { ...r.spec, labels: { ...r.spec.labels, [NAMESPACE_LABEL]: namespace } }, subnet };
    actions.push({ op: 'create', kind: 'network', object: network });
    byName.set(r.name, network);
    created.push(r.name);
  }
  if (problems.length > 0) throw new ManagerError('Invalid', problems.join('\n'));
  return { byName, actions, created };
}

export async function deployStack(
  m: Manager,
  namespace: string,
  specs: ServiceSpec[],
  networks: readonly StackNetworkRequest[],
  prune: boolean,
  blobs: StackBlobs = { secrets: [], configs: [] },
): Promise<StackDeployResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deployOnce(m, namespace, specs, networks, prune, blobs);
    } catch (e) {
      // Another manager took one of the same free subnets first, or the leader gave
      // one of the services its VIPs since the read: plan again on a fresh read.
      const stale = e instanceof ManagerError && ((e.code === 'Invalid' && /overlaps/.test(e.message)) || e.code === 'Conflict');
      if (stale && attempt < WRITE_RETRIES) continue;
      throw e;
    }
  }
}

async function deployOnce(
  m: Manager,
  namespace: string,
  asGiven: ServiceSpec[],
  networks: readonly StackNetworkRequest[],
  prune: boolean,
  blobs: StackBlobs,
): Promise<StackDeployResult> {
  await m.syncRead();
  const secrets = planStackBlobs(m, namespace, NAMESPACE_LABEL, 'secret', blobs.secrets);
  const configs = planStackBlobs(m, namespace, NAMESPACE_LABEL, 'config', blobs.configs);
  const stored = storedBlobs(m.store);
  const blobLookup: BlobLookup = (kind, ref) => (kind === 'secret' ? secrets : configs).byName.get(ref) ?? stored(kind, ref);
  const withBlobs: ServiceSpec[] = [];
  const blobProblems: string[] = [];
  for (const spec of asGiven) {
    try {
      withBlobs.push(resolveServiceBlobs(spec, blobLookup));
    } catch (e) {
      blobProblems.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (blobProblems.length > 0) throw new ManagerError('Invalid', blobProblems.join('\n'));
  const given = withBlobs;
  checkSpecs(m, namespace, given);
  const planned = planNetworks(m, namespace, networks);
  const lookup = (ref: string): NetworkRef => {
    const n = planned.byName.get(ref) ?? m.store.findByName('network', ref)[0];
    if (!n) throw new ManagerError('NotFound', `network ${ref} not found`);
    return n;
  };
  const problems: string[] = [];
  const specs = given.flatMap((spec) => {
    try {
      return [resolveServiceNetworks(spec, lookup)];
    } catch (e) {
      problems.push(`service ${spec.name}: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
  });
  if (problems.length > 0) throw new ManagerError('Invalid', problems.join('\n'));
  const current = new Map(stackServices(m, namespace).map((s) => [s.spec.name, s]));
  const result: StackDeployResult = {
    created: [],
    updated: [],
    unchanged: [],
    removed: [],
    networksCreated: planned.created,
    secretsCreated: secrets.created,
    secretsUpdated: secrets.updated,
    configsCreated: configs.created,
    configsUpdated: configs.updated,
  };
  // Secrets and configs before the services that name them: chunks commit in order.
  const actions: Action[] = [...planned.actions, ...secrets.actions, ...configs.actions];
  for (const given of specs) {
    const existing = current.get(given.name);
    current.delete(given.name);
    const spec = existing ? withAutoscaledReplicas(existing, given) : given;
    if (!existing) {
      actions.push({ op: 'create', kind: 'service', object: { id: m.ids(), spec } });
      result.created.push(spec.name);
    } else if (canonicalJson(existing.spec) === canonicalJson(spec)) {
      result.unchanged.push(spec.name);
    } else {
      if (existing.spec.mode !== spec.mode) throw new ManagerError('Invalid', `service ${spec.name}: mode cannot be changed (it is ${existing.spec.mode}); remove the service first`);
      actions.push({ op: 'update', kind: 'service', object: updatedService(existing, spec, m.clock()), expectedVersion: existing.meta.version });
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
  for (const chunk of chunkActions(actions, m.maxEntryBytes)) await m.write(chunk);
  return result;
}

/**
 * docker/cli#2235: redeploying a file resets the replicas of every service to
 * the file's count. For a service the autoscaler scales, the count it reached
 * is the one that matters: the redeployed spec keeps the current replicas,
 * brought within the file's bounds, so an unchanged file changes nothing.
 */
export function withAutoscaledReplicas(existing: DeepReadonly<Service>, spec: ServiceSpec): ServiceSpec {
  const p = spec.autoscale;
  if (!p || spec.mode !== 'replicated' || existing.spec.mode !== 'replicated' || !existing.spec.autoscale) return spec;
  return { ...spec, replicas: Math.min(Math.max(existing.spec.replicas, p.min), p.max) };
}

/**
 * Removes the stack's services and its own networks, secrets and configs in
 * one transaction (the services first, so the store sees them unused). One
 * of the stack's networks, secrets or configs that a service of another
 * stack still uses stays.
 */
export async function removeStack(m: Manager, namespace: string): Promise<StackRemoveResult> {
  await m.syncRead();
  const services = stackServices(m, namespace);
  const ours = m.store.list('network').filter((n) => n.spec.labels[NAMESPACE_LABEL] === namespace);
  const ourSecrets = m.store.list('secret').filter((b) => b.spec.labels[NAMESPACE_LABEL] === namespace);
  const ourConfigs = m.store.list('config').filter((b) => b.spec.labels[NAMESPACE_LABEL] === namespace);
  if (services.length === 0 && ours.length === 0 && ourSecrets.length === 0 && ourConfigs.length === 0) {
    throw new ManagerError('NotFound', `nothing found in stack: ${namespace}`);
  }
  const sorted = [...services].sort((a, b) => a.spec.name.localeCompare(b.spec.name));
  const leaving = new Set(sorted.map((s) => s.id));
  const stillUsed = (n: DeepReadonly<Network>) =>
    m.store.list('service').some((s) => !leaving.has(s.id) && s.spec.task.networks?.some((a) => a.target === n.id));
  const networks = ours.filter((n) => !stillUsed(n)).sort((a, b) => a.spec.name.localeCompare(b.spec.name));
  const others = m.store.list('service').filter((s) => !leaving.has(s.id));
  const secrets = ourSecrets.filter((b) => !others.some((s) => s.spec.task.container.secrets?.some((r) => r.secretId === b.id))).sort(byName);
  const configs = ourConfigs.filter((b) => !others.some((s) => s.spec.task.container.configs?.some((r) => r.configId === b.id))).sort(byName);
  await m.write([
    ...sorted.map((s) => ({ op: 'delete' as const, kind: 'service' as const, id: s.id, expectedVersion: s.meta.version })),
    ...networks.map((n) => ({ op: 'delete' as const, kind: 'network' as const, id: n.id, expectedVersion: n.meta.version })),
    ...secrets.map((b) => ({ op: 'delete' as const, kind: 'secret' as const, id: b.id, expectedVersion: b.meta.version })),
    ...configs.map((b) => ({ op: 'delete' as const, kind: 'config' as const, id: b.id, expectedVersion: b.meta.version })),
  ]);
  return {
    removed: sorted.map((s) => s.spec.name),
    networksRemoved: networks.map((n) => n.spec.name),
    secretsRemoved: secrets.map((b) => b.spec.name),
    configsRemoved: configs.map((b) => b.spec.name),
  };
}
