// A proxy set over local "tasks": backends are servers on 127.0.0.x addresses
// (all of 127/8 is local on Linux), dialed directly as tasks of this node.

import { createDialer, ProxySet } from '../../../lib/network/proxy';
import type { Backend, Dialer, ListenerSpec } from '../../../lib/network/proxy/types';
import type { Cleanup } from '../../net/fixtures';
import { until } from '../../net/fixtures';

export const SELF = 'node-self';

/** Task id -> container address, as the node's table would say. */
export type LocalTasks = Record<string, string>;

export function localDialer(tasks: LocalTasks): Dialer {
  return createDialer({
    selfNodeId: SELF,
    localAddr: (id) => tasks[id],
    nodeAddr: () => undefined,
    mesh: {
      connect: () => Promise.reject(new Error('no mesh in this test')),
      datagrams: () => Promise.reject(new Error('no mesh in this test')),
    },
  });
}

export function proxySet(cleanup: Cleanup, dialer: Dialer, o: { udpFlowIdleMs?: number } = {}): ProxySet {
  const logs: string[] = [];
  const set = new ProxySet({ dialer, retryBindMs: 50, logger: { warn: (m) => logs.push(m), info: (m) => logs.push(m) }, ...o });
  cleanup.add(() => set.close());
  return set;
}

export function local(...taskIds: string[]): Backend[] {
  return taskIds.map((taskId) => ({ taskId, nodeId: SELF }));
}

export function tcpSpec(address: string, port: number, targetPort: number, backends: () => readonly Backend[], extra: Partial<ListenerSpec> = {}): ListenerSpec {
  return { key: `tcp:${address}:${port}`, address, port, protocol: 'tcp', targetPort, backends, ...extra };
}

export async function listening(set: ProxySet, key: string): Promise<void> {
  await until(() => set.stats().listeners.some((l) => l.key === key && l.listening), `listener ${key} is bound`);
}

export function statsOf(set: ProxySet, key: string) {
  const s = set.stats().listeners.find((l) => l.key === key);
  if (!s) throw new Error(`no listener ${key}`);
  return s;
}
