// Whether a task runs what its service asks for now. The orchestrator replaces
// the tasks that do not; the CLI's progress view follows the ones that do.
//
// The orchestrator asks this of every task of a service at every pass, and
// encoding a task's spec is most of a pass's cost at 100,000 tasks. Stored
// objects are frozen and a narrow task write keeps the task's spec object, so
// a spec found equal to the service's is remembered by identity: the next
// pass compares one string reference instead of encoding the spec again.

import { canonicalJson } from '../util/canonical-json';
import { DeepReadonly } from '../util/deep-readonly';
import { Service, Task } from './service-types';

/** Canonical JSON of frozen objects, by identity (service specs: few, asked for often). */
const encoded = new WeakMap<object, string>();
/** Frozen task specs and port lists found equal to a service's, with that service's encoding (a shared string). */
const matched = new WeakMap<object, string>();

function encode(o: object): string {
  let s = encoded.get(o);
  if (s === undefined) {
    s = canonicalJson(o);
    if (Object.isFrozen(o)) encoded.set(o, s);
  }
  return s;
}

function equal(taskSide: object, serviceSide: string): boolean {
  if (matched.get(taskSide) === serviceSide) return true;
  if (canonicalJson(taskSide) !== serviceSide) return false;
  if (Object.isFrozen(taskSide)) matched.set(taskSide, serviceSide);
  return true;
}

/** Whether the task runs what the service asks for now (spec and ports; the version alone may differ for a label change). */
export function isUpToDate(task: DeepReadonly<Task>, service: DeepReadonly<Service>): boolean {
  return upToDateCheck(service)(task);
}

/** isUpToDate for many tasks of one service: the service's side is encoded once, not once per task. */
export function upToDateCheck(service: DeepReadonly<Service>): (task: DeepReadonly<Task>) => boolean {
  const spec = encode(service.spec.task);
  const ports = encode(service.spec.endpoint.ports);
  // The store gives a new task its service's own spec object when they read the same: then nothing to compare.
  return (task) => (task.spec === service.spec.task || equal(task.spec, spec)) && (task.ports === service.spec.endpoint.ports || equal(task.ports, ports));
}
