// Errors that make a node refuse to start or stop writing. Each names the file
// (and for the WAL the byte offset) so an operator can inspect or restore it.

/** A WAL record is damaged somewhere a crash cannot explain (not a torn tail). */
export class WalCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`WAL corrupt: ${file} at byte offset ${offset}: ${reason}`);
    this.name = 'WalCorruptError';
  }
}

/** A snapshot file is damaged and the WAL cannot replace it. */
export class SnapshotCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`snapshot corrupt: ${file}: ${reason}`);
    this.name = 'SnapshotCorruptError';
  }
}

/**
 * A write or fsync failed earlier. After a failed fsync the kernel may have
 * dropped the dirty pages and cleared the error, so retrying could report
 * success for data that never reached the disk: the storage refuses all
 * further work and the process is expected to exit and recover from disk.
 */
export class StorageFailedError extends Error {
  constructor(override readonly cause: unknown) {
    super(`storage failed earlier and accepts no more writes: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StorageFailedError';
  }
}
