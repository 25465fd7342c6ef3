// A committed store change as the cluster events docker's daemon makes from
// swarmkit's watch stream (moby daemon/events.go): create, update, remove with
// the name and, on an update, the old and new values of what an operator
// watches. Pure, so every manager turns the same log into the same events.

import { ClusterEvent, makeEvent } from '../../api/cluster-events';
import type { Node, Task } from '../../api/types';
import { taskName } from '../../api/service-types';
import type { ChangeEvent } from '../store';
import type { DeepReadonly } from '../store';

const ACTION = { create: 'create', update: 'update', delete: 'remove' } as const;

/** A node's name as docker shows it: the one given, else its hostname. */
export function nodeDisplayName(n: DeepReadonly<Node> | undefined): string | undefined {
  if (!n) return undefined;
  return n.spec.name || n.description?.hostname || undefined;
}

function changed(attrs: Record<string, string>, key: string, oldValue: string | number | undefined, newValue: string | number | undefined): void {
  if (oldValue === newValue) return;
  if (oldValue !== undefined) attrs[`${key}.old`] = String(oldValue);
  if (newValue !== undefined) attrs[`${key}.new`] = String(newValue);
}

/**
 * The events one change makes (none for the cluster object, which docker
 * does not report, nor for a task update that changed neither its state nor
 * its desired state: a placement note or an address is no event).
 * `nodeName` looks up the name of a task's node.
 */
export function translateChange(ev: ChangeEvent, nodeName: (id: string) => string | undefined): ClusterEvent[] {
  const ms = Date.parse(ev.at);
  const action = ACTION[ev.action];
  switch (ev.kind) {
    case 'service': {
      const s = ev.object;
      const attrs: Record<string, string> = { name: s.spec.name };
      const old = ev.oldObject;
      if (ev.action === 'update' && old) {
        changed(attrs, 'image', old.spec.task.container.image, s.spec.task.container.image);
        if (s.spec.mode === 'replicated' && old.spec.mode === 'replicated') changed(attrs, 'replicas', old.spec.replicas, s.spec.replicas);
        changed(attrs, 'updatestate', old.updateStatus?.state, s.updateStatus?.state);
        const decision = s.autoscaleStatus?.last;
        if (decision && decision.at !== old.autoscaleStatus?.last.at) {
          attrs['autoscale.metric'] = decision.metric;
          attrs['autoscale.value'] = String(decision.value);
          attrs['autoscale.target'] = String(decision.target);
          attrs['autoscale.reason'] = decision.reason;
        }
      }
      return [makeEvent('service', action, s.id, attrs, ms)];
    }
    case 'node': {
      const n = ev.object;
      const attrs: Record<string, string> = {};
      const name = nodeDisplayName(n);
      if (name) attrs.name = name;
      const old = ev.oldObject;
      if (ev.action === 'update' && old) {
        changed(attrs, 'availability', old.spec.availability, n.spec.availability);
        changed(attrs, 'role', old.role, n.role);
        changed(attrs, 'state', old.status.state, n.status.state);
      }
      return [makeEvent('node', action, n.id, attrs, ms)];
    }
    case 'network':
    case 'secret':
    case 'config':
      // Only the name: a secret's data never goes into an event.
      return [makeEvent(ev.kind, action, ev.object.id, { name: ev.object.spec.name }, ms)];
    case 'task': {
      const t = ev.object;
      const old = ev.oldObject;
      if (ev.action === 'update' && old && old.status.state === t.status.state && old.desiredState === t.desiredState) return [];
      const attrs = taskAttributes(t, nodeName);
      if (ev.action === 'update' && old) {
        changed(attrs, 'state', old.status.state, t.status.state);
        changed(attrs, 'desiredstate', old.desiredState, t.desiredState);
        if (t.status.err && t.status.state !== old.status.state) attrs.error = t.status.err;
      } else {
        attrs.state = t.status.state;
        attrs.desiredstate = t.desiredState;
      }
      return [makeEvent('task', action, t.id, attrs, ms)];
    }
    case 'cluster':
      return [];
  }
}

function taskAttributes(t: DeepReadonly<Task>, nodeName: (id: string) => string | undefined): Record<string, string> {
  const attrs: Record<string, string> = { name: taskName(t), 'service.id': t.serviceId, 'service.name': t.serviceName };
  if (t.nodeId) {
    attrs['node.id'] = t.nodeId;
    const n = nodeName(t.nodeId);
    if (n) attrs['node.name'] = n;
  }
  return attrs;
}

/**
 * Raft's leader changed, as docker reports it: an update of the manager node
 * with leader.old/leader.new. `ms` is this manager's clock (a leader change is
 * no transaction, so managers may differ by their clocks' skew).
 */
export function leaderEvents(
  previous: DeepReadonly<Node> | undefined,
  next: DeepReadonly<Node> | undefined,
  ms: number,
): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  const one = (n: DeepReadonly<Node>, was: boolean) => {
    const attrs: Record<string, string> = { 'leader.old': String(was), 'leader.new': String(!was) };
    const name = nodeDisplayName(n);
    if (name) attrs.name = name;
    out.push(makeEvent('node', 'update', n.id, attrs, ms));
  };
  if (previous && previous.id !== next?.id) one(previous, true);
  if (next && next.id !== previous?.id) one(next, false);
  return out;
}
