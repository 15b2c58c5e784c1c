/**
 * @progress/lsm — a pure-TypeScript embedded key-value store. Public API; everything not exported
 * here is internal (package `exports` blocks deep imports). Test helpers (MemFs, FaultFs) are in
 * the separate `@progress/lsm/testing` entry point.
 */

export { Db, openDb, type Change, type TransactionOptions, type UpdateOptions } from './db.js';
export type { DbOptions } from './options.js';
export { DEFAULTS as DEFAULT_OPTIONS } from './options.js';
export { Txn, TxnIterator, type Item, type IterateOptions, type EntryOptions } from './txn/txn.js';
export { WriteBatch } from './db/write-batch.js';
export type { DbStats, LevelStats } from './db/stats.js';
export type { KeyInput, ValueInput } from './txn/inputs.js';
export {
  ConflictError, CorruptionError, DbClosedError, DiscardedTxnError, EmptyKeyError, ErrorCode, InvalidArgumentError,
  IoError, KeyNotFoundError, KeyTooLargeError, LockedError, LsmError, ReadOnlyError, TxnTimeoutError, TxnTooBigError,
  ValueTooLargeError, isLsmError,
} from './errors.js';
export { BugError } from './assert.js';
export type { Fs, ReadableFile, WritableFile, FileStat } from './fs/fs.js';
export { NodeFs, nodeFs } from './fs/node-fs.js';
export type {
  BackupOptions, BackupResult, BackupSource, BackupTarget, LoadOptions, LoadResult, NodeWritableLike, WebReadableLike,
  WebWritableLike,
} from './backup/backup.js';
export type { VerifyChecked, VerifyProblem, VerifyReport } from './verify/verify.js';
