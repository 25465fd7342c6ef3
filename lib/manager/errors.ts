// Errors the manager layer reports to the CLI and to remote callers, with
// the exit-worthy message already worded for the operator.

import { RaftNodeError } from '../raft/node/errors';
import { StoreError } from './store';

export type ManagerErrorCode =
  | 'NoQuorum'
  | 'NotLeader'
  | 'Stopped'
  | 'Conflict'
  | 'NotFound'
  | 'Invalid'
  | 'Refused'
  /** A write whose Raft entry would exceed the entry size bound (entry-size.ts). */
  | 'TooLarge'
  | 'Internal';

export class ManagerError extends Error {
  constructor(
    readonly code: ManagerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ManagerError';
  }
}

export function fromStoreError(e: StoreError): ManagerError {
  switch (e.code) {
    case 'VersionConflict':
      return new ManagerError('Conflict', `${e.message} (someone changed it meanwhile; retry)`);
    case 'NotFound':
      return new ManagerError('NotFound', e.message);
    case 'AlreadyExists':
    case 'NameConflict':
      return new ManagerError('Conflict', e.message);
    case 'Invalid':
      return new ManagerError('Invalid', e.message);
  }
}

export function fromRaftError(e: unknown): Error {
  if (!(e instanceof RaftNodeError)) return e instanceof Error ? e : new Error(String(e));
  switch (e.code) {
    case 'Timeout':
    case 'NoLeader':
      return new ManagerError(
        'NoQuorum',
        `no quorum: the write was not committed (${e.message}). The cluster needs a majority of its managers to be reachable.`,
      );
    case 'Stopped':
      return new ManagerError('Stopped', 'this manager is stopping');
    case 'StorageFailed':
      return new ManagerError('Internal', e.message);
    default:
      return new ManagerError('Refused', e.message);
  }
}
