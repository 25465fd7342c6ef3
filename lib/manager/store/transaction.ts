// The command format: one Raft entry carries one Transaction, applied all or
// nothing. Actions run in order and each sees the effects of the ones before it,
// so a transaction may create a service and its tasks, or update an object twice.

import { KINDS, Kind, Meta, ObjectsByKind } from '../../api/types';
import { Check, isPlainObject, matches, obj, oneOf, optional, posInt } from './schema';
import { OBJECT_SCHEMAS, objectId } from './object-schemas';

/** An object as a proposer sends it: the store writes meta, so meta may be left out (and is ignored if present). */
export type Draft<T extends { meta: Meta }> = Omit<T, 'meta'> & { meta?: Meta };

type ActionFor<K extends Kind> =
  | { op: 'create'; kind: K; object: Draft<ObjectsByKind[K]> }
  /** Replaces the whole object; refused unless the stored meta.version equals expectedVersion. */
  | { op: 'update'; kind: K; object: Draft<ObjectsByKind[K]>; expectedVersion: number }
  | { op: 'delete'; kind: K; id: string; expectedVersion?: number };

export type Action = { [K in Kind]: ActionFor<K> }[Kind];

export interface Transaction {
  /** ISO-8601 UTC time chosen by the proposer; becomes createdAt/updatedAt, so apply never reads a clock. */
  at: string;
  actions: Action[];
}

export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

const kindCheck = oneOf(...KINDS);
const actionShape: Record<Action['op'], Check> = {
  create: obj({ op: oneOf('create'), kind: kindCheck, object: () => undefined }),
  update: obj({ op: oneOf('update'), kind: kindCheck, object: () => undefined, expectedVersion: posInt }),
  delete: obj({ op: oneOf('delete'), kind: kindCheck, id: objectId, expectedVersion: optional(posInt) }),
};
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
  if (op !== 'create' && op !== 'update' && op !== 'delete') {
    return `${path}.op must be one of create, update, delete (got ${JSON.stringify(op) ?? 'nothing'})`;
  }
  const err = actionShape[op](a, path);
  if (err || op === 'delete') return err;
  return OBJECT_SCHEMAS[a.kind as Kind](a.object, `${path}.object (${a.kind as Kind})`);
}
