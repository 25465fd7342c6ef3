// Docker's service templates: `{{.Task.Slot}}`, `{{.Node.Hostname}}` and the
// like in a task's hostname, environment and mount paths, expanded on the
// node that runs it (only the node knows its own name). A placeholder this
// does not know is left as written, so nothing is silently emptied.

import { Task } from '../api/service-types';
import { taskName } from '../api/service-types';

export interface TemplateNode {
  id: string;
  hostname: string;
}

const PLACEHOLDER = /\{\{\s*\.(Service|Node|Task)\.(ID|Name|Hostname|Slot)\s*\}\}/g;

function valueOf(task: Task, node: TemplateNode, scope: string, field: string): string | undefined {
  switch (`${scope}.${field}`) {
    case 'Service.ID':
      return task.serviceId;
    case 'Service.Name':
      return task.serviceName;
    case 'Node.ID':
      return node.id;
    case 'Node.Hostname':
      return node.hostname;
    case 'Task.ID':
      return task.id;
    case 'Task.Name':
      return taskName(task);
    case 'Task.Slot':
      // A global task has no slot; docker prints the node id there.
      return task.slot !== undefined ? String(task.slot) : node.id;
    default:
      return undefined;
  }
}

export function expandTemplate(text: string, task: Task, node: TemplateNode): string {
  if (!text.includes('{{')) return text;
  return text.replace(PLACEHOLDER, (whole, scope: string, field: string) => valueOf(task, node, scope, field) ?? whole);
}

/** The task with its templates expanded; the same object when there are none. */
export function expandTaskTemplates(task: Task, node: TemplateNode): Task {
  const c = task.spec.container;
  const has = (s: string | undefined) => s !== undefined && s.includes('{{');
  if (!has(c.hostname) && !c.env.some(has) && !c.mounts.some((m) => has(m.source) || has(m.target))) return task;
  const x = (s: string) => expandTemplate(s, task, node);
  return {
    ...task,
    spec: {
      ...task.spec,
      container: {
        ...c,
        hostname: c.hostname !== undefined ? x(c.hostname) : undefined,
        env: c.env.map(x),
        mounts: c.mounts.map((m) => ({ ...m, source: x(m.source), target: x(m.target) })),
      },
    },
  };
}
