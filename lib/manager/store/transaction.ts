// The command format: one Raft entry carries one Transaction, applied all or
// nothing. Actions run in order and each sees the effects of the ones before it,
// so a transaction may create a service and its tasks, or update an object twice.
//
// Besides whole-object writes, three narrow task actions carry only what the
// leader's loops change many times a second: a status, an assignment, a
// desired state. Each names the condition under which it still makes sense
// (the state only moves forward, the task is still waiting for a node) and is
// skipped, not refused, when that no longer holds: a stale status report or a
// task shut down meanwhile costs nothing and holds back no other action of
// its batch, where a whole object conditioned on its version failed the
// batch and forced a re-read.

import { NetworkAttachment } from '../../api/network-types';
import { TaskState, TaskStatus } from '../../api/service-types';
import { KINDS, Kind, Meta, ObjectsByKind } from '../../api/types';
import { Check, isPlainObject, matches, obj, oneOf, optional, posInt } from './schema';
import { OBJECT_SCHEMAS, objectId } from './object-schemas';
import { networkAttachments, taskState, taskStatus } from './service-schemas';

/** An object as a proposer sends it: the store writes meta, so meta may be left out (and is ignored if present). */
export type Draft<T extends { meta: Meta }> = Omit<T, 'meta'> & { meta?: Meta };

type ActionFor<K extends Kind> =
  | { op: 'create'; kind: K; object: Draft<ObjectsByKind[K]> }
  /** Replaces the whole object; refused unless the stored meta.version equals expectedVersion. */
  | { op: 'update'; kind: K; object: Draft<ObjectsByKind[K]>; expectedVersion: number }
  | { op: 'delete'; kind: K; id: string; expectedVersion?: number };

/** A task's status moves forward (a later state, or the same state with news); skipped otherwise, or when `nodeId` is given and the task is not on that node. */
export interface SetTaskStatus {
  op: 'setTaskStatus';
  kind: 'task';
  id: string;
  status: TaskStatus;
  nodeId?: string;
}

/** The scheduler's placement: applied only while the task waits for a node (new or pending, wanted running, unplaced or pinned to this node). Clears notBefore. */
export interface AssignTask {
  op: 'assign';
  kind: 'task';
  id: string;
  nodeId: string;
  status: TaskStatus;
  networks?: NetworkAttachment[];
}

/**
 * The desired state moves forward (running -> shutdown -> remove); skipped
 * otherwise. `status` is for a task that never reached a node: applied only
 * if it still has none and the status moves forward.
 */
export interface SetDesiredState {
  op: 'setDesiredState';
  kind: 'task';
  id: string;
  desiredState: TaskState;
  status?: TaskStatus;
}

export type TaskAction = SetTaskStatus | AssignTask | SetDesiredState;

export type Action = { [K in Kind]: ActionFor<K> }[Kind] | TaskAction;

export const TASK_ACTIONS: ReadonlySet<string> = new Set<TaskAction['op']>(['setTaskStatus', 'assign', 'setDesiredState']);

export interface Transaction {
  /** ISO-8601 UTC time chosen by the proposer; becomes createdAt/updatedAt, so apply never reads a clock. */
  at: string;
  actions: Action[];
}

export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

const kindCheck = oneOf(...KINDS);
const taskKind = oneOf('task');
const actionShape: Record<Action['op'], Check> = {
  create: obj({ op: oneOf('create'), kind: kindCheck, object: () => undefined }),
  update: obj({ op: oneOf('update'), kind: kindCheck, object: () => undefined, expectedVersion: posInt }),
  delete: obj({ op: oneOf('delete'), kind: kindCheck, id: objectId, expectedVersion: optional(posInt) }),
  setTaskStatus: obj({ op: oneOf('setTaskStatus'), kind: taskKind, id: objectId, status: taskStatus, nodeId: optional(objectId) }),
  assign: obj({ op: oneOf('assign'), kind: taskKind, id: objectId, nodeId: objectId, status: taskStatus, networks: optional(networkAttachments(objectId)) }),
  setDesiredState: obj({ op: oneOf('setDesiredState'), kind: taskKind, id: objectId, desiredState: taskState, status: optional(taskStatus) }),
};
const OPS = Object.keys(actionShape) as Action['op'][];
const atCheck = matches(ISO_TIME, 'an ISO-8601 UTC time like 2026-01-02T03:04:05.678Z');

export type ParsedTransaction = { ok: true; tx: Transaction } | { ok: false; message: string; actionIndex?: number };

/** Checks that decoded data is a well-formed Transaction (shapes only; the store checks it against its state). */
export function parseTransaction(value: unknown): ParsedTransaction {
  if (!isPlainObject(value)) return { ok: false, message: 'a transaction must be an object' };
  for (const key of Object.keys(value)) {
    if (key !== 'at' && key !== 'actions') return { ok: false, message: `transaction has an unknown field ${JSON.stringify(key)}` };
  }
  const atErr = atCheck(value.at, 'transaction.at');
  if (atErr) return { ok: false, message: atErr };
  const actions = value.actions;
  if (!Array.isArray(actions) || actions.length === 0) {
    return { ok: false, message: 'transaction.actions must be a non-empty array' };
  }
  for (let i = 0; i < actions.length; i++) {
    const err = checkAction(actions[i], `actions[${i}]`);
    if (err) return { ok: false, message: err, actionIndex: i };
  }
  return { ok: true, tx: value as unknown as Transaction };
}

function checkAction(a: unknown, path: string): string | undefined {
  if (!isPlainObject(a)) return `${path} must be an object`;
  const op = a.op;
  if (typeof op !== 'string' || !(OPS as string[]).includes(op)) {
    return `${path}.op must be one of ${OPS.join(', ')} (got ${JSON.stringify(op) ?? 'nothing'})`;
  }
  const err = actionShape[op as Action['op']](a, path);
  if (err || (op !== 'create' && op !== 'update')) return err;
  return OBJECT_SCHEMAS[a.kind as Kind](a.object, `${path}.object (${a.kind as Kind})`);
}
