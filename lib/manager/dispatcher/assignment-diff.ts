// What a node must be told when one of its tasks changed, and the messages
// that tell it, each within the chunk bound (lib/api/assignments.ts).

import { AssignmentsUpdate, ASSIGNMENT_CHUNK_BYTES, ASSIGNMENT_CHUNK_ENTRIES } from '../../api/assignments';
import { Task, taskStateRank, TaskStatus } from '../../api/service-types';
import type { DeepReadonly } from '../store/deep-freeze';
import { jsonEqual } from './json-equal';

type RTask = DeepReadonly<Task>;

/**
 * Whether the node must hear of the change from `sent` (what it was last
 * told) to `now`: any field but the version stamp and the status, or a
 * status the node did not report itself (`reported`, its latest report):
 * its own reports are never echoed back.
 */
export function mustSend(sent: RTask, now: RTask, reported: DeepReadonly<TaskStatus> | undefined): boolean {
  if (sent === now) return false;
  if (!jsonEqual(sent, now, notAssignment)) return true;
  if (jsonEqual(sent.status, now.status)) return false;
  // The node knows its latest report, and anything behind it (an earlier report whose write was still on its way).
  return reported === undefined || !(jsonEqual(now.status, reported) || taskStateRank(now.status.state) < taskStateRank(reported.state));
}

/** The fields a node reports or the store stamps, compared apart (or not at all). */
function notAssignment(key: string): boolean {
  return key === 'meta' || key === 'status';
}

/** Splits one update into messages of bounded size and count; the first carries `reset`, the last `done`. */
export function chunkAssignments(reset: boolean, set: readonly RTask[], del: readonly string[], maxBytes = ASSIGNMENT_CHUNK_BYTES): AssignmentsUpdate[] {
  const out: AssignmentsUpdate[] = [];
  let current: AssignmentsUpdate = { reset, done: false, set: [], del: [] };
  let bytes = 0;
  const room = (size: number): void => {
    const entries = current.set.length + current.del.length;
    if (entries === 0 || (entries < ASSIGNMENT_CHUNK_ENTRIES && bytes + size <= maxBytes)) return;
    out.push(current);
    current = { reset: false, done: false, set: [], del: [] };
    bytes = 0;
  };
  for (const t of set) {
    const size = Buffer.byteLength(JSON.stringify(t));
    room(size);
    // Frozen store objects go out as they are: JSON.stringify reads them without a copy.
    current.set.push(t as Task);
    bytes += size;
  }
  for (const id of del) {
    const size = Buffer.byteLength(id) + 3;
    room(size);
    current.del.push(id);
    bytes += size;
  }
  out.push(current);
  out[out.length - 1].done = true;
  return out;
}
