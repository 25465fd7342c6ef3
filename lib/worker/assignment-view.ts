// The node's view of its assignments, rebuilt from the dispatcher's updates
// (lib/api/assignments.ts): a reset starts it afresh, every message sets and
// deletes tasks, and only a message marked `done` yields the whole list, so
// the executor never sees half of a set or of an update.

import type { AssignmentsUpdate } from '../api/assignments';
import type { Task } from '../api/service-types';

export class AssignmentView {
  private readonly tasks = new Map<string, Task>();

  /** Applies one message; the full list once it completes an update, else undefined. */
  apply(u: AssignmentsUpdate): Task[] | undefined {
    if (u.reset) this.tasks.clear();
    for (const id of u.del) this.tasks.delete(id);
    for (const t of u.set) this.tasks.set(t.id, t);
    return u.done ? [...this.tasks.values()] : undefined;
  }

  get size(): number {
    return this.tasks.size;
  }
}
