// The ports a node has seen a service's tasks serve, kept while the service
// is in the table. A task reports its ports up to a poll period after it
// starts, so without this memory a VIP port would close the moment the only
// task known to serve it ends, while its replicas (started a moment ago and
// not yet polled) serve it too; Docker's IPVS forwards every port of a VIP,
// so a port that was served once stays open here until the service goes.

import type { ServedPort } from '../api/network-types';
import { portKey } from './listen-plan';
import type { NetIndex } from './table';

export class ServedMemory {
  private readonly seen = new Map<string, Map<string, ServedPort>>();

  /** Adds what the table's tasks serve now, forgets services the table no longer has. */
  update(index: NetIndex): void {
    for (const id of this.seen.keys()) if (!index.data.services.has(id)) this.seen.delete(id);
    for (const [serviceId, tasks] of index.tasksByService) {
      if (!index.data.services.has(serviceId)) continue;
      let ports = this.seen.get(serviceId);
      for (const t of tasks) {
        for (const p of t.served) {
          if (!ports) this.seen.set(serviceId, (ports = new Map()));
          if (!ports.has(portKey(p))) ports.set(portKey(p), { protocol: p.protocol, port: p.port });
        }
      }
    }
  }

  /** Every port a task of the service was seen serving while the service was in the table. */
  servedBy(serviceId: string): ServedPort[] {
    return [...(this.seen.get(serviceId)?.values() ?? [])];
  }
}
