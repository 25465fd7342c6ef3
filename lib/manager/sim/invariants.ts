// What must hold of the store after every step of a run, and what must hold
// once the faults have stopped and time has passed.
//
// Safety, at every step:
//   - a slot (replicated) or a node (global) of a service has at most one
//     live task (wanted running, not stopped). More are allowed only as
//     start-first updates leave them: the old task runs on until its
//     replacement does, and an update that supersedes one still under way
//     adds its own task before either goes (swarmkit's updater too); so each
//     live task of the slot has a spec none of the others has, and the
//     service (or the spec it updates from) asks for start-first;
//   - no node holds reservations above its resources among the tasks placed
//     on it that have not stopped (what the scheduler counts as taken).
// Liveness, after the faults: a replicated service runs `replicas` tasks on
// the current spec, one per slot, and nothing else is wanted running; a global
// service runs one such task on every eligible node and none elsewhere; no
// task wanted stopped is still running on a live node; no update is paused.

import { isTerminal, Service, Task, taskStateRank } from '../../api/service-types';
import { Node } from '../../api/types';
import { matchesConstraints, parseConstraints, schedNode } from '../../scheduler';
import { slotKey } from '../../api/finished-tasks';
import { upToDateCheck } from '../../api/up-to-date';
import { activeUpdateConfig } from '../orchestrator/update-status';
import { canonicalJson } from '../store/canonical-json';
import { Action, DeepReadonly, MemoryStore } from '../store';

type RTask = DeepReadonly<Task>;
type RService = DeepReadonly<Service>;

const live = (t: RTask) => t.desiredState === 'running' && !isTerminal(t.status.state);
const ASSIGNED = taskStateRank('assigned');

function startFirst(s: RService): boolean {
  return [s.spec.update, s.spec.rollback, s.previousSpec?.update, s.previousSpec?.rollback].some((u) => u?.order === 'start-first');
}

export function safetyViolations(store: MemoryStore): string[] {
  const out: string[] = [];
  for (const s of store.list('service')) {
    const upToDate = upToDateCheck(s);
    const bySlot = new Map<string, RTask[]>();
    for (const t of store.tasksByService(s.id)) {
      if (!live(t)) continue;
      const k = slotKey(t);
      const list = bySlot.get(k);
      if (list) list.push(t);
      else bySlot.set(k, [t]);
    }
    for (const [k, ts] of bySlot) {
      if (ts.length === 1) continue;
      const fresh = ts.filter(upToDate).length;
      const specs = new Set(ts.map((t) => canonicalJson([t.spec, t.ports])));
      if (specs.size === ts.length && startFirst(s)) continue;
      out.push(`service ${s.spec.name} ${k}: ${ts.length} live tasks (${fresh} on the current spec): ${ts.map(describe).join(', ')}`);
    }
  }
  for (const n of store.list('node')) {
    const cap = n.description?.resources;
    if (!cap) continue;
    let cpu = 0;
    let mem = 0;
    for (const t of store.tasksByNode(n.id)) {
      if (isTerminal(t.status.state) || taskStateRank(t.status.state) < ASSIGNED) continue;
      cpu += t.spec.resources.reservations.nanoCPUs;
      mem += t.spec.resources.reservations.memoryBytes;
    }
    if (cpu > cap.nanoCPUs || mem > cap.memoryBytes) {
      out.push(`node ${n.id} overcommitted: ${cpu / 1e9} of ${cap.nanoCPUs / 1e9} CPUs, ${mem} of ${cap.memoryBytes} bytes reserved`);
    }
  }
  return out;
}

/**
 * Checked on each write of a leader loop, once applied: a task it created
 * shares its slot with another live task only if the service's update order
 * in force is start-first. Stop-first tells the old task to stop in the very
 * write that creates the new one (so do a restart and a replacement for a
 * lost node); the state check above cannot see a loop that does not, since
 * it must allow such pairs for the moment a user's change leaves them.
 */
export function stopFirstViolations(store: MemoryStore, actions: readonly Action[]): string[] {
  const out: string[] = [];
  for (const a of actions) {
    if (a.op !== 'create' || a.kind !== 'task') continue;
    const t = store.get('task', a.object.id);
    const s = t && store.get('service', t.serviceId);
    if (!t || !s || activeUpdateConfig(s).order === 'start-first') continue;
    const others = store.tasksByService(s.id).filter((o) => o.id !== t.id && live(o) && slotKey(o) === slotKey(t));
    if (others.length > 0) out.push(`service ${s.spec.name} (stop-first): ${describe(t)} created while ${others.map(describe).join(', ')} still live in ${slotKey(t)}`);
  }
  return out;
}

/** Why the store has not converged, or [] when it has. `alive` tells which nodes' agents run. */
export function convergenceGaps(store: MemoryStore, alive: (nodeId: string) => boolean): string[] {
  const out: string[] = [];
  const nodes = store.list('node');
  const serviceIds = new Set<string>();
  for (const s of store.list('service')) {
    serviceIds.add(s.id);
    const name = s.spec.name;
    const st = s.updateStatus?.state;
    if (st === 'paused' || st === 'rollback_paused') out.push(`service ${name}: update ${st}`);
    const upToDate = upToDateCheck(s);
    const wanted = store.tasksByService(s.id).filter((t) => t.desiredState === 'running');
    const good = wanted.filter((t) => t.status.state === 'running' && upToDate(t));
    if (good.length !== wanted.length) out.push(`service ${name}: ${wanted.length - good.length} task(s) wanted running are not running on the current spec (${wanted.filter((t) => !good.includes(t)).map(describe).join(', ')})`);
    if (s.spec.mode === 'replicated') {
      const slots = new Set(good.map((t) => t.slot));
      // Slots are not renumbered after a scale down (swarmkit neither): `replicas` distinct ones, whatever their numbers.
      if (good.length !== s.spec.replicas || slots.size !== good.length || slots.has(undefined)) {
        out.push(`service ${name}: ${good.length} running in slots [${[...slots].join(',')}], wants ${s.spec.replicas}`);
      }
    } else {
      const cs = parseConstraints(s.spec.task.placement.constraints);
      const eligible = new Set(nodes.filter((n) => n.status.state === 'ready' && n.spec.availability === 'active' && matchesConstraints(schedNode(n as Node), cs)).map((n) => n.id));
      const on = new Map<string, number>();
      for (const t of good) on.set(t.nodeId ?? '', (on.get(t.nodeId ?? '') ?? 0) + 1);
      for (const id of eligible) if (on.get(id) !== 1) out.push(`service ${name}: ${on.get(id) ?? 0} task(s) on eligible node ${id}`);
      for (const id of on.keys()) if (!eligible.has(id)) out.push(`service ${name}: a task on node ${id}, which is not eligible`);
    }
  }
  for (const t of store.list('task')) {
    if (!serviceIds.has(t.serviceId) && !isTerminal(t.status.state) && t.nodeId !== undefined && alive(t.nodeId)) {
      out.push(`task ${t.id} of a removed service still ${t.status.state} on ${t.nodeId}`);
    }
    if (t.desiredState !== 'running' && t.nodeId !== undefined && alive(t.nodeId) && !isTerminal(t.status.state) && taskStateRank(t.status.state) >= ASSIGNED) {
      out.push(`task ${describe(t)} told to stop is still ${t.status.state}`);
    }
  }
  return out;
}

function describe(t: RTask): string {
  return `${t.id.slice(0, 8)}(slot ${t.slot ?? '-'}, node ${t.nodeId ?? '-'}, ${t.status.state}, wants ${t.desiredState}, v${t.specVersion})`;
}
