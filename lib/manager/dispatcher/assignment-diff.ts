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

/** The secrets and configs an update brings and takes away (blob-needs.ts). */
export type BlobChanges = Pick<AssignmentsUpdate, 'secrets' | 'configs' | 'delSecrets' | 'delConfigs'>;

/**
 * Splits one update into messages of bounded size and count; the first carries
 * `reset`, the last `done`. A secret or config larger than the bound (up to
 * 500 KiB, ~667 KiB as base64) goes alone in its message, which still fits a
 * frame (frame-bounds.ts).
 */
export function chunkAssignments(
  reset: boolean,
  set: readonly RTask[],
  del: readonly string[],
  blobs: BlobChanges = {},
  maxBytes = ASSIGNMENT_CHUNK_BYTES,
): AssignmentsUpdate[] {
  const out: AssignmentsUpdate[] = [];
  const fresh = (): AssignmentsUpdate => ({ reset: false, done: false, set: [], del: [] });
  let current: AssignmentsUpdate = { ...fresh(), reset };
  let entries = 0;
  let bytes = 0;
  const put = (size: number, add: (m: AssignmentsUpdate) => void): void => {
    if (entries > 0 && (entries >= ASSIGNMENT_CHUNK_ENTRIES || bytes + size > maxBytes)) {
      out.push(current);
      current = fresh();
      entries = bytes = 0;
    }
    add(current);
    entries++;
    bytes += size;
  };
  for (const b of blobs.secrets ?? []) put(b.data.length + 256, (m) => (m.secrets ??= []).push(b));
  for (const b of blobs.configs ?? []) put(b.data.length + 256, (m) => (m.configs ??= []).push(b));
  // Frozen store objects go out as they are: JSON.stringify reads them without a copy.
  for (const t of set) put(Buffer.byteLength(JSON.stringify(t)), (m) => m.set.push(t as Task));
  for (const id of del) put(Buffer.byteLength(id) + 3, (m) => m.del.push(id));
  for (const id of blobs.delSecrets ?? []) put(Buffer.byteLength(id) + 3, (m) => (m.delSecrets ??= []).push(id));
  for (const id of blobs.delConfigs ?? []) put(Buffer.byteLength(id) + 3, (m) => (m.delConfigs ??= []).push(id));
  out.push(current);
  out[out.length - 1].done = true;
  return out;
}
