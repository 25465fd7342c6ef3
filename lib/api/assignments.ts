// What a node is told about its tasks: the whole set once per session, then
// only what changed (lib/manager/dispatcher/task-channel.ts), in messages of
// bounded size. The node rebuilds the list from them (lib/worker/assignment-view.ts).

import { DISPATCHER_CHUNK_BYTES } from './frame-bounds';
import type { ConfigSpec } from './secret-types';
import type { Task } from './service-types';

/**
 * A secret's or config's content as a node receives it: only while one of its
 * unfinished tasks names it (swarmkit's assignment of dependencies), never
 * with the labels. The node keeps it in memory and writes it only to a tmpfs.
 */
export interface AssignedBlob {
  id: string;
  /** For messages and logs; the id is what tasks name. */
  name: string;
  /** base64, as in the store. */
  data: string;
  /** Configs only: rendered per task on the node. */
  templating?: ConfigSpec['templating'];
}

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
  /**
   * Secrets and configs the node's tasks now need and it was not given yet
   * (all it needs, after a reset); absent when none. Acted on with the
   * tasks, at `done`, so a task and what it reads arrive together.
   */
  secrets?: AssignedBlob[];
  configs?: AssignedBlob[];
  /** Ids of those no unfinished task of the node needs any more: the node forgets them. */
  delSecrets?: string[];
  delConfigs?: string[];
}

/** Content per message. */
export const ASSIGNMENT_CHUNK_BYTES = DISPATCHER_CHUNK_BYTES;
/** Entries per message, whatever their size. */
export const ASSIGNMENT_CHUNK_ENTRIES = 5_000;
