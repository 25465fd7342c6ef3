// What a node is told about its tasks: the whole set once per session, then
// only what changed (lib/manager/dispatcher/task-channel.ts), in messages of
// bounded size. The node rebuilds the list from them (lib/worker/assignment-view.ts).

import { DISPATCHER_CHUNK_BYTES } from './frame-bounds';
import type { Task } from './service-types';

/**
 * One message of an update. `reset` starts the whole set afresh (the first
 * message after registration); a set or an update spans several messages,
 * and only the last says `done`: the node acts on none before it.
 */
export interface AssignmentsUpdate {
  reset: boolean;
  done: boolean;
  /** Tasks new to the node or changed, in full. */
  set: Task[];
  /** Ids of tasks no longer the node's (moved, deleted, or never started there). */
  del: string[];
}

/** Content per message. */
export const ASSIGNMENT_CHUNK_BYTES = DISPATCHER_CHUNK_BYTES;
/** Entries per message, whatever their size. */
export const ASSIGNMENT_CHUNK_ENTRIES = 5_000;
