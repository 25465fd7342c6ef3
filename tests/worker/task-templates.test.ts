import { defaultTaskSpec } from '../../lib/api/service-defaults';
import { Task } from '../../lib/api/service-types';
import { expandTaskTemplates, expandTemplate } from '../../lib/worker/task-templates';

function task(over: Partial<Task> = {}): Task {
  const spec = defaultTaskSpec('busybox');
  spec.container.hostname = 'web-{{.Task.Slot}}.{{ .Node.Hostname }}';
  spec.container.env = ['NODE={{.Node.ID}}', 'PLAIN=1', 'KEEP={{.Service.Labels}}'];
  spec.container.mounts = [{ type: 'volume', source: 'data-{{.Task.Slot}}', target: '/data/{{.Service.Name}}', readOnly: false }];
  return {
    id: 't1',
    meta: { version: 1, createdAt: 'x', updatedAt: 'x' },
    serviceId: 's1',
    serviceName: 'web',
    slot: 3,
    nodeId: 'n1',
    spec,
    ports: [],
    specVersion: 1,
    desiredState: 'running',
    status: { state: 'assigned', timestamp: 'x', message: '' },
    ...over,
  };
}

const node = { id: 'n1', hostname: 'box1' };

describe('task templates', () => {
  test('hostname, env and mounts are expanded for the task and its node', () => {
    const t = expandTaskTemplates(task(), node);
    expect(t.spec.container.hostname).toBe('web-3.box1');
    expect(t.spec.container.env).toEqual(['NODE=n1', 'PLAIN=1', 'KEEP={{.Service.Labels}}']);
    expect(t.spec.container.mounts[0]).toMatchObject({ source: 'data-3', target: '/data/web' });
  });

  test('a global task has no slot: Task.Slot gives the node id, as in docker', () => {
    expect(expandTemplate('{{.Task.Slot}}', task({ slot: undefined }), node)).toBe('n1');
    expect(expandTemplate('{{.Task.Name}} {{.Task.ID}} {{.Service.ID}}', task(), node)).toBe('web.3.t1 t1 s1');
  });

  test('a task without templates is handed on as it is', () => {
    const plain = task();
    plain.spec.container.hostname = undefined;
    plain.spec.container.env = ['A=1'];
    plain.spec.container.mounts = [];
    expect(expandTaskTemplates(plain, node)).toBe(plain);
  });
});
