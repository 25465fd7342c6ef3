// What applying an entry produced. User errors are values, not exceptions: the
// apply loop of every manager must carry on past a refused transaction, and the
// proposer needs the verdict to answer its client.

import { Kind } from '../../api/types';

export type StoreErrorCode = 'VersionConflict' | 'NotFound' | 'AlreadyExists' | 'NameConflict' | 'Invalid';

export interface StoreError {
  code: StoreErrorCode;
  message: string;
  /** Position of the offending action in the transaction, when one action is to blame. */
  actionIndex?: number;
}

export interface AppliedChange {
  kind: Kind;
  id: string;
  op: 'create' | 'update' | 'delete';
  /** The object's new meta.version (for a delete, the index that removed it). */
  version: number;
}

export type ApplyResult =
  | { ok: true; index: number; changes: AppliedChange[] }
  | { ok: false; index: number; error: StoreError };
