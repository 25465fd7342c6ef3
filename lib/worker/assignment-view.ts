// The node's view of its assignments, rebuilt from the dispatcher's updates
// (lib/api/assignments.ts): a reset starts it afresh, every message sets and
// deletes tasks, and only a message marked `done` yields the whole list, so
// the executor never sees half of a set or of an update. The secrets and
// configs those tasks need come and go the same way, and live only here, in
// memory: forgotten as soon as the dispatcher says no task needs them.

import type { AssignedBlob, AssignmentsUpdate } from '../api/assignments';
import type { Task } from '../api/service-types';
import type { AssignedBlobs } from './executor/types';

export interface Assignment {
  tasks: Task[];
  /** A copy of the maps at `done`: the next update's first messages do not change what this one handed out. */
  blobs: AssignedBlobs;
}

export class AssignmentView {
  private readonly tasks = new Map<string, Task>();
  private readonly secrets = new Map<string, AssignedBlob>();
  private readonly configs = new Map<string, AssignedBlob>();

  /** Applies one message; the whole assignment once it completes an update, else undefined. */
  apply(u: AssignmentsUpdate): Assignment | undefined {
    if (u.reset) {
      this.tasks.clear();
      this.secrets.clear();
      this.configs.clear();
    }
    for (const id of u.del) this.tasks.delete(id);
    for (const t of u.set) this.tasks.set(t.id, t);
    for (const id of u.delSecrets ?? []) this.secrets.delete(id);
    for (const id of u.delConfigs ?? []) this.configs.delete(id);
    for (const b of u.secrets ?? []) this.secrets.set(b.id, b);
    for (const b of u.configs ?? []) this.configs.set(b.id, b);
    if (!u.done) return undefined;
    return { tasks: [...this.tasks.values()], blobs: { secrets: new Map(this.secrets), configs: new Map(this.configs) } };
  }

  get size(): number {
    return this.tasks.size;
  }

  /** How many secrets and configs the node holds now. */
  get blobCount(): number {
    return this.secrets.size + this.configs.size;
  }
}
