// The durable storage of a raft node: WAL segments plus snapshot files.
export { DiskStorage, DEFAULT_SEGMENT_SIZE } from './wal';
export type { DiskStorageOptions, RecoveredState } from './wal';
export { WalCorruptError, SnapshotCorruptError, StorageFailedError } from './errors';
export type { OpenFile, StorageFile } from './file-io';
export { AesGcmRecordCipher, RecordKeyError, DEK_SIZE, keyId } from './record-cipher';
export type { RecordCipher, SealPurpose } from './record-cipher';
