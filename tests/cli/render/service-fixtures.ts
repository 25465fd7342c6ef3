import type { PortConfig, Service, ServiceSpec, Task, TaskState } from '../../../lib/api/service-types';
import { defaultServiceSpec } from '../../../lib/api/service-defaults';

export const META = { version: 12, createdAt: '2024-05-01T10:00:00.123456789Z', updatedAt: '2024-05-01T10:05:00Z' };

/** A stored service with docker's defaults, changed by `edit`. */
export function service(id: string, name: string, edit: (spec: ServiceSpec) => void = () => undefined): Service {
  const spec = defaultServiceSpec('', '');
  spec.name = name;
  edit(spec);
  return { id, meta: { ...META }, spec };
}

export const port = (
  publishedPort: number,
  targetPort: number,
  protocol: 'tcp' | 'udp' = 'tcp',
  publishMode: 'host' | 'ingress' = 'ingress',
): PortConfig => ({ protocol, targetPort, publishedPort, publishMode });

export interface TaskFixture {
  id: string;
  serviceId?: string;
  serviceName?: string;
  slot?: number;
  nodeId?: string;
  image?: string;
  desired?: TaskState;
  state?: TaskState;
  /** When the state last changed. */
  at?: string;
  createdAt?: string;
  err?: string;
  message?: string;
  ports?: PortConfig[];
  specVersion?: number;
}

export function task(f: TaskFixture): Task {
  const spec = defaultServiceSpec('', f.image ?? 'nginx:1.25').task;
  return {
    id: f.id,
    meta: { version: 1, createdAt: f.createdAt ?? '2024-05-01T10:00:00Z', updatedAt: f.createdAt ?? '2024-05-01T10:00:00Z' },
    serviceId: f.serviceId ?? 'svcweb000000000000000000a',
    serviceName: f.serviceName ?? 'web',
    ...(f.slot !== undefined ? { slot: f.slot } : {}),
    ...(f.nodeId !== undefined ? { nodeId: f.nodeId } : {}),
    spec,
    ports: [],
    specVersion: f.specVersion ?? 1,
    desiredState: f.desired ?? 'running',
    status: {
      state: f.state ?? 'running',
      timestamp: f.at ?? '2024-05-01T10:00:00Z',
      message: f.message ?? '',
      ...(f.err !== undefined ? { err: f.err } : {}),
      ...(f.ports !== undefined ? { ports: f.ports } : {}),
    },
  };
}
