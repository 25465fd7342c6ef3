// What `swarm node …` does on a manager: resolve a reference the docker way,
// read, and change a node with a read-modify-write that retries when another
// writer got in between (the store refuses stale versions).

import { Node, NodeAvailability } from '../api/types';
import { ManagerError } from './errors';
import { Manager } from './manager';
import { DeepReadonly, thaw } from './store';

export interface NodeUpdate {
  availability?: NodeAvailability;
  labelAdd?: Record<string, string>;
  labelRm?: string[];
}

const AVAILABILITIES: readonly NodeAvailability[] = ['active', 'pause', 'drain'];
const WRITE_RETRIES = 5;

export function resolveNode(m: Manager, ref: string): DeepReadonly<Node> {
  const r = m.store.resolve('node', ref);
  if (!r.ok) {
    const code = r.error.code === 'Ambiguous' ? 'Invalid' : 'NotFound';
    const msg = r.error.code === 'NotFound' ? `node ${ref} not found` : r.error.message;
    throw new ManagerError(code, msg);
  }
  return r.object;
}

export function validateNodeUpdate(u: NodeUpdate): void {
  if (u.availability !== undefined && !AVAILABILITIES.includes(u.availability)) {
    throw new ManagerError('Invalid', `invalid availability "${u.availability}": use active, pause or drain`);
  }
  for (const [k, v] of Object.entries(u.labelAdd ?? {})) {
    if (k.length === 0) throw new ManagerError('Invalid', `invalid label "=${v}": the key is empty`);
  }
  for (const k of u.labelRm ?? []) {
    if (k.length === 0) throw new ManagerError('Invalid', 'invalid --label-rm: the key is empty');
  }
}

/** Applies the update to the node `ref`; returns the node as committed. */
export async function updateNode(m: Manager, ref: string, u: NodeUpdate): Promise<DeepReadonly<Node>> {
  validateNodeUpdate(u);
  for (let attempt = 1; ; attempt++) {
    await m.syncRead();
    const current = resolveNode(m, ref);
    const labels = { ...current.spec.labels };
    for (const k of u.labelRm ?? []) {
      if (!(k in labels)) throw new ManagerError('NotFound', `node ${ref} has no label "${k}"`);
      delete labels[k];
    }
    Object.assign(labels, u.labelAdd ?? {});
    const next = thaw(current);
    next.spec.labels = labels;
    if (u.availability) next.spec.availability = u.availability;
    try {
      await m.write([{ op: 'update', kind: 'node', object: next, expectedVersion: current.meta.version }]);
    } catch (e) {
      if (e instanceof ManagerError && e.code === 'Conflict' && attempt < WRITE_RETRIES) continue;
      throw e;
    }
    return m.store.get('node', current.id) as DeepReadonly<Node>;
  }
}

/**
 * `swarm node rm`: a manager must be demoted first (it is a Raft member);
 * a node that is not Down needs `force`. Its certificate stays valid until it
 * expires, but the dispatcher refuses nodes that are not in the store.
 */
export async function removeNode(m: Manager, ref: string, force: boolean): Promise<string> {
  await m.syncRead();
  const n = resolveNode(m, ref);
  if (n.role === 'manager' || n.spec.desiredRole === 'manager') {
    throw new ManagerError(
      'Refused',
      `node ${ref} is a cluster manager and is a member of the raft cluster: it must be demoted to worker before removal`,
    );
  }
  if (n.status.state !== 'down' && !force) {
    throw new ManagerError('Refused', `node ${ref} is not down and can't be removed (use --force to remove it anyway)`);
  }
  await m.write([{ op: 'delete', kind: 'node', id: n.id, expectedVersion: n.meta.version }]);
  return n.id;
}

export type RoleChangeResult = 'changed' | 'unchanged';

/**
 * `swarm node promote`: records the wish; the node's agent then gets a manager
 * certificate from the leader's dispatcher, the dispatcher records its Raft id
 * and address, and the leader's membership loop adds it to Raft as a learner.
 */
export async function promoteNode(m: Manager, ref: string): Promise<RoleChangeResult> {
  return changeDesiredRole(m, ref, (n) => {
    if (n.spec.desiredRole === 'manager') return undefined;
    const next = thaw(n);
    next.spec.desiredRole = 'manager';
    return next;
  });
}

/**
 * `swarm node demote`: refused for the last manager and when the managers
 * left could not form a quorum. The node stops counting as a manager at once;
 * the membership loop takes it out of Raft (the leader hands over first when
 * it is the one demoted), then its agent gets a worker certificate. Its Raft
 * id stays in managerStatus until then, so the dispatcher can tell when the
 * removal has happened.
 */
export async function demoteNode(m: Manager, ref: string, reachable: (nodeId: string) => boolean): Promise<RoleChangeResult> {
  return changeDesiredRole(m, ref, (n) => {
    if (n.spec.desiredRole === 'worker' && n.role === 'worker') return undefined;
    const managers = m.store.list('node').filter((x) => x.role === 'manager' && x.managerStatus);
    const others = managers.filter((x) => x.id !== n.id);
    if (n.role === 'manager' && others.length === 0) {
      throw new ManagerError('Refused', `node ${ref} is the last manager of the swarm: it cannot be demoted`);
    }
    const up = others.filter((x) => reachable(x.id)).length;
    if (n.role === 'manager' && up < Math.floor(others.length / 2) + 1) {
      throw new ManagerError(
        'Refused',
        `demoting ${ref} would leave ${up} reachable managers out of ${others.length}: the swarm would lose its Raft quorum`,
      );
    }
    const next = thaw(n);
    next.spec.desiredRole = 'worker';
    next.role = 'worker';
    return next;
  });
}

async function changeDesiredRole(
  m: Manager,
  ref: string,
  change: (n: DeepReadonly<Node>) => Node | undefined,
): Promise<RoleChangeResult> {
  for (let attempt = 1; ; attempt++) {
    await m.syncRead();
    const current = resolveNode(m, ref);
    const next = change(current);
    if (!next) return 'unchanged';
    try {
      await m.write([{ op: 'update', kind: 'node', object: next, expectedVersion: current.meta.version }]);
      return 'changed';
    } catch (e) {
      if (e instanceof ManagerError && e.code === 'Conflict' && attempt < WRITE_RETRIES) continue;
      throw e;
    }
  }
}
