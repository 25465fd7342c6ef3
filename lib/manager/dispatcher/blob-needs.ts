// Which secrets and configs one node must hold: those named by its tasks that
// have not finished, counted, so a secret named by 100,000 tasks of a node is
// sent once when the first appears and forgotten when the last one ends or
// leaves. Updated per changed task, never by a rescan of the node's tasks.

import type { AssignedBlob, AssignmentsUpdate } from '../../api/assignments';
import { isTerminal, Task } from '../../api/service-types';
import type { DeepReadonly } from '../store/deep-freeze';

type RTask = DeepReadonly<Task>;
export type BlobKind = 'secret' | 'config';
export type BlobLookup = (kind: BlobKind, id: string) => AssignedBlob | undefined;
type BlobChanges = Pick<AssignmentsUpdate, 'secrets' | 'configs' | 'delSecrets' | 'delConfigs'>;

/** The ids a task needs on its node: none once it finished (its container keeps what it was given). */
export function blobsNeeded(t: RTask | undefined, kind: BlobKind): readonly string[] {
  if (t === undefined || isTerminal(t.status.state)) return [];
  const c = t.spec.container;
  return kind === 'secret' ? (c.secrets ?? []).map((r) => r.secretId) : (c.configs ?? []).map((r) => r.configId);
}

class Counter {
  private readonly counts = new Map<string, number>();
  /** What the node holds now, as far as it was told. */
  private readonly held = new Set<string>();
  private readonly touched = new Set<string>();

  add(id: string, by: number): void {
    const n = (this.counts.get(id) ?? 0) + by;
    if (n > 0) this.counts.set(id, n);
    else this.counts.delete(id);
    this.touched.add(id);
  }

  /** The changes since the last call: ids to send (with their data), ids to forget. */
  take(lookup: (id: string) => AssignedBlob | undefined): { send: AssignedBlob[]; forget: string[] } {
    const send: AssignedBlob[] = [];
    const forget: string[] = [];
    for (const id of this.touched) {
      const needed = this.counts.has(id);
      if (needed && !this.held.has(id)) {
        // Gone from the store (it cannot be while a service names it): the node's executor says what is missing.
        const blob = lookup(id);
        if (blob === undefined) continue;
        send.push(blob);
        this.held.add(id);
      } else if (!needed && this.held.has(id)) {
        forget.push(id);
        this.held.delete(id);
      }
    }
    this.touched.clear();
    return { send, forget };
  }
}

export class BlobNeeds {
  private readonly secrets = new Counter();
  private readonly configs = new Counter();

  /** The node's view of a task goes from `before` to `now` (either absent). */
  replace(before: RTask | undefined, now: RTask | undefined): void {
    if (before === now) return;
    for (const [kind, counter] of [['secret', this.secrets], ['config', this.configs]] as const) {
      for (const id of blobsNeeded(before, kind)) counter.add(id, -1);
      for (const id of blobsNeeded(now, kind)) counter.add(id, 1);
    }
  }

  /** The fields of the next update that bring the node's secrets and configs up to date; empty when nothing changed. */
  take(lookup: BlobLookup): BlobChanges {
    const s = this.secrets.take((id) => lookup('secret', id));
    const c = this.configs.take((id) => lookup('config', id));
    const out: BlobChanges = {};
    if (s.send.length > 0) out.secrets = s.send;
    if (c.send.length > 0) out.configs = c.send;
    if (s.forget.length > 0) out.delSecrets = s.forget;
    if (c.forget.length > 0) out.delConfigs = c.forget;
    return out;
  }
}
