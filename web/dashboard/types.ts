// The shapes the daemon's control API answers with, as far as the page reads
// them (lib/api has the full types; the page does not import Node code).

export interface Port {
  protocol: string;
  targetPort: number;
  publishedPort: number;
  publishMode: 'host' | 'ingress';
}

export interface Node {
  id: string;
  role: 'manager' | 'worker';
  spec: { labels: Record<string, string>; availability: 'active' | 'pause' | 'drain' };
  description?: { hostname: string; platform: { os: string; arch: string }; resources: { nanoCPUs: number; memoryBytes: number } };
  status: { state: string; message?: string; addr?: string };
  managerStatus?: { addr: string };
}

export interface NodeList {
  nodes: Node[];
  leaderNodeId?: string;
  reachability: Record<string, string>;
  stale: boolean;
}

export interface ServiceSpec {
  name: string;
  mode: 'replicated' | 'global';
  replicas: number;
  task: { container: { image: string } };
  endpoint: { ports: Port[] };
  autoscale?: { min: number; max: number; cpuPercent?: number; memoryPercent?: number };
}

export interface Service {
  id: string;
  meta: { version: number; createdAt?: string };
  spec: ServiceSpec;
  previousSpec?: ServiceSpec;
  endpoint?: { ports?: Port[] };
  updateStatus?: { state: string; message: string; startedAt: string; completedAt?: string };
  autoscaleStatus?: { last: { at: string; from: number; to: number; reason: string } };
}

export interface ServiceEntry {
  service: Service;
  running: number;
  desired: number;
}

export interface Task {
  id: string;
  serviceId: string;
  serviceName: string;
  slot?: number;
  nodeId?: string;
  desiredState: string;
  status: { state: string; timestamp: string; message: string; err?: string; exitCode?: number };
  spec: { container: { image: string } };
}

export interface ServiceView extends ServiceEntry {
  tasks: Task[];
  nodeNames: Record<string, string>;
}

export interface ClusterEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano: number;
}

export interface Info {
  clusterId: string;
  nodeId: string;
  hostname: string;
  managers: { nodeId: string; addr?: string; reachability?: string; leader: boolean }[];
}
