/**
 * `LsmLevel`: @progress/lsm behind abstract-level 3.x, so that `level`-ecosystem modules
 * (sublevels, read streams, indexes, ...) run on this engine. Exported from `@progress/lsm/level`;
 * the main entry point does not import abstract-level.
 *
 * Mapping (README "Using @progress/lsm as a level replacement"):
 * - get/getSync/getMany/has/hasMany: one read-only transaction, created synchronously at the call
 *   (implicit snapshot), or the explicit snapshot's transaction.
 * - put/del/batch (array and chained): one read-write transaction per call, so a batch is atomic
 *   and durable when its promise resolves (subject to `syncWrites`).
 * - iterators: a read-only transaction created synchronously when the iterator is (implicit
 *   snapshot), walked with TxnIterator; seek() is supported.
 * - clear: walks keys of a snapshot and deletes them in write batches (not atomic, as allowed).
 * - snapshot(): a read-only transaction held until the snapshot is closed.
 * Keys go through an order-preserving escape so that the empty key is allowed (keys.ts).
 */

import { AbstractLevel, AbstractSnapshot, type AbstractDatabaseOptions } from 'abstract-level';
import { Db } from '../db.js';
import type { Fs } from '../fs/fs.js';
import { joinPath } from '../fs/fs.js';
import { CURRENT_FILE_NAME } from '../fs/filenames.js';
import { nodeFs } from '../fs/node-fs.js';
import type { DbOptions } from '../options.js';
import { MemFs } from '../testing/mem-fs.js';
import type { Txn } from '../txn/txn.js';
import { Cursor } from './cursor.js';
import { LevelError, toLevelError, translate, translateAsync } from './errors.js';
import { LsmIterator, LsmKeyIterator, LsmValueIterator, type PrivateIteratorOptions } from './iterators.js';
import { fromBytes, toBytes, toStoreKey, toStoreRange, type Encoded, type Format, type RangeOptions } from './keys.js';

/** Engine options accepted next to abstract-level's (all of `DbOptions` but `dir`). */
export type LsmEngineOptions = Omit<DbOptions, 'dir'>;

export interface LsmLevelOptions<K = string, V = string> extends AbstractDatabaseOptions<K, V>, LsmEngineOptions {}

type Manifest = ConstructorParameters<typeof AbstractLevel>[0];

/** The option names that belong to the engine; the compiler checks the list against DbOptions. */
const ENGINE_OPTION_NAMES = {
  syncWrites: true, memTableBytes: true, maxImmutableMemtables: true, baseTableBytes: true, baseLevelBytes: true,
  levelSizeMultiplier: true, numLevels: true, l0CompactionTrigger: true, l0SlowdownTrigger: true, l0StopTrigger: true,
  valueThresholdBytes: true, valueLogFileBytes: true, blockCacheBytes: true, maxOpenTables: true, blockBytes: true,
  bloomBitsPerKey: true, numVersionsToKeep: true, compression: true, maxKeyBytes: true, maxValueBytes: true,
  maxTxnEntries: true, maxTxnBytes: true, txnTimeoutMs: true, lockTimeoutMs: true, readOnly: true, inMemory: true,
  autoValueLogGc: true, fs: true, nowMs: true, seed: true,
} as const satisfies Record<keyof LsmEngineOptions, true>;

/**
 * Implicit and explicit snapshots are long-lived read-only transactions: they must not hit the
 * engine's transaction timeout (txnTimeoutMs, default 60 s) while a consumer holds them. This is
 * the largest timeout the engine's options accept (about 24.8 days).
 */
const SNAPSHOT_TIMEOUT_MS = 2 ** 31 - 1;

/** Keys deleted per write batch by clear(); each batch is awaited before the next. */
const CLEAR_CHUNK = 10_000;

interface OpenOptions {
  createIfMissing: boolean;
  errorIfExists: boolean;
}

interface ReadOptions {
  keyEncoding: Format;
  valueEncoding: Format;
  snapshot?: unknown;
}

interface KeyReadOptions {
  keyEncoding: Format;
  snapshot?: unknown;
}

interface BatchOperation {
  type: 'put' | 'del';
  key: Encoded;
  value?: Encoded;
}

interface ClearOptions extends RangeOptions {
  reverse: boolean;
  limit: number;
  snapshot?: unknown;
}

type SnapshotConstructor = new (options: object) => AbstractSnapshot;
/** abstract-level's typings omit AbstractSnapshot's constructor, which takes `{ owner }`. */
const SnapshotBase = AbstractSnapshot as unknown as SnapshotConstructor;

/** An explicit snapshot: a read-only transaction, discarded when the snapshot closes. */
export class LsmSnapshot extends SnapshotBase {
  /** @internal */
  readonly txn: Txn;

  constructor(txn: Txn, options: object) {
    super(options);
    this.txn = txn;
  }

  async _close(): Promise<void> {
    this.txn.discard();
  }
}

export class LsmLevel<KDefault = string, VDefault = string> extends AbstractLevel<Encoded, KDefault, VDefault> {
  /** The directory, or undefined for an in-memory store. */
  readonly location: string | undefined;
  private readonly engineOptions: LsmEngineOptions;
  private readonly fs: Fs;
  private readonly dir: string;
  private lsm: Db | undefined;

  /** A store in directory `location` (created when missing unless `createIfMissing: false`). */
  constructor(location: string, options?: LsmLevelOptions<KDefault, VDefault>);
  /** An in-memory store: `new LsmLevel({ inMemory: true })`; it survives close() and open(). */
  constructor(options: LsmLevelOptions<KDefault, VDefault> & { inMemory: true });
  constructor(locationOrOptions: string | LsmLevelOptions<KDefault, VDefault>, maybeOptions?: LsmLevelOptions<KDefault, VDefault>) {
    const location = typeof locationOrOptions === 'string' ? locationOrOptions : undefined;
    const options = (typeof locationOrOptions === 'string' ? maybeOptions : locationOrOptions) ?? {};
    if (typeof options !== 'object' || options === null) throw new TypeError('LsmLevel options must be an object');
    // Engine options go to the engine (validated at open); everything else, abstract-level's
    // options and userland ones alike, goes to AbstractLevel, which forwards it to open() and the
    // postopen hook as the abstract-level contract says.
    const engineOptions: Record<string, unknown> = {};
    const levelOptions: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(options)) {
      if (Object.hasOwn(ENGINE_OPTION_NAMES, name)) engineOptions[name] = value;
      else levelOptions[name] = value;
    }
    const inMemory = engineOptions.inMemory === true;
    if (location === undefined && !inMemory) {
      throw new TypeError('LsmLevel needs a location (a directory), or { inMemory: true }');
    }
    if (location !== undefined && location.length === 0) throw new TypeError('LsmLevel location must be a non-empty path');
    super(lsmManifest(inMemory), levelOptions as AbstractDatabaseOptions<KDefault, VDefault>);
    this.location = inMemory ? undefined : location;
    this.engineOptions = engineOptions as LsmEngineOptions;
    // One MemFs per in-memory LsmLevel, so that its data outlives close() and reopen.
    this.fs = this.engineOptions.fs ?? (inMemory ? new MemFs() : nodeFs);
    this.dir = inMemory ? (location ?? '/memory') : (location as string);
  }

  /**
   * The underlying @progress/lsm database, for what abstract-level has no words for
   * (serializable transactions, TTL, stats). Keys written through
   * LsmLevel that are empty or start with byte 0x00 or 0x01 are stored escaped (README). Throws
   * LEVEL_DATABASE_NOT_OPEN unless the database is open (or opening, inside a postopen hook).
   */
  get store(): Db {
    return this.openDb();
  }

  async _open(options: OpenOptions): Promise<void> {
    const exists = (await translateAsync(() => this.fs.stat(joinPath(this.dir, CURRENT_FILE_NAME)))) !== undefined;
    if (!exists && !options.createIfMissing) {
      throw new Error(`database ${this.dir} does not exist (createIfMissing is false)`);
    }
    if (exists && options.errorIfExists) {
      throw new Error(`database ${this.dir} exists (errorIfExists is true)`);
    }
    const dbOptions: DbOptions = { ...this.engineOptions, fs: this.fs, dir: this.dir };
    this.lsm = await translateAsync(() => Db.open(dbOptions));
  }

  async _close(): Promise<void> {
    const db = this.lsm;
    if (db === undefined) return;
    await translateAsync(() => db.close());
    this.lsm = undefined;
  }

  async _get(key: Encoded, options: ReadOptions): Promise<Encoded | undefined> {
    return this._getSync(key, options);
  }

  _getSync(key: Encoded, options: ReadOptions): Encoded | undefined {
    return this.read(options.snapshot, (txn) => {
      const value = txn.tryGet(toStoreKey(toBytes(key)));
      return value === undefined ? undefined : fromBytes(value, options.valueEncoding);
    });
  }

  async _getMany(keys: Encoded[], options: ReadOptions): Promise<Array<Encoded | undefined>> {
    return this.read(options.snapshot, (txn) => keys.map((key) => {
      const value = txn.tryGet(toStoreKey(toBytes(key)));
      return value === undefined ? undefined : fromBytes(value, options.valueEncoding);
    }));
  }

  async _has(key: Encoded, options: KeyReadOptions): Promise<boolean> {
    return this.read(options.snapshot, (txn) => txn.getItem(toStoreKey(toBytes(key))) !== undefined);
  }

  async _hasMany(keys: Encoded[], options: KeyReadOptions): Promise<boolean[]> {
    return this.read(options.snapshot, (txn) => keys.map((key) => txn.getItem(toStoreKey(toBytes(key))) !== undefined));
  }

  async _put(key: Encoded, value: Encoded, _options: object): Promise<void> {
    await this.write([{ type: 'put', key, value }]);
  }

  async _del(key: Encoded, _options: object): Promise<void> {
    await this.write([{ type: 'del', key }]);
  }

  async _batch(operations: BatchOperation[], _options: object): Promise<void> {
    await this.write(operations);
  }

  async _clear(options: ClearOptions): Promise<void> {
    const db = this.openDb();
    const cursor = this.cursor(options, true);
    try {
      let left = options.limit < 0 ? Infinity : options.limit;
      while (left > 0) {
        const batch = db.newWriteBatch();
        let n = 0;
        for (; n < CLEAR_CHUNK && n < left; n++) {
          const item = translate(() => cursor.next());
          if (item === undefined) break;
          batch.delete(item.key);
        }
        await translateAsync(() => batch.flush());
        if (n < CLEAR_CHUNK) break;
        left -= n;
      }
    } finally {
      cursor.close();
    }
  }

  _iterator(options: PrivateIteratorOptions): LsmIterator<this> {
    const cursor = this.cursor(options, options.values === false);
    return new LsmIterator(this, options, cursor, formatOf(options.keyEncoding), formatOf(options.valueEncoding));
  }

  _keys(options: PrivateIteratorOptions): LsmKeyIterator<this> {
    return new LsmKeyIterator(this, options, this.cursor(options, true), formatOf(options.keyEncoding));
  }

  _values(options: PrivateIteratorOptions): LsmValueIterator<this> {
    return new LsmValueIterator(this, options, this.cursor(options, false), formatOf(options.valueEncoding));
  }

  _snapshot(options: object): LsmSnapshot {
    const txn = translate(() => this.openDb().newTransaction({ update: false, timeoutMs: SNAPSHOT_TIMEOUT_MS }));
    return new LsmSnapshot(txn, options);
  }

  private openDb(): Db {
    if (this.lsm === undefined) throw new LevelError('Database is not open', 'LEVEL_DATABASE_NOT_OPEN');
    return this.lsm;
  }

  /** Runs `fn` on the explicit snapshot's transaction, or on a fresh read-only one. */
  private read<T>(snapshot: unknown, fn: (txn: Txn) => T): T {
    return translate(() => {
      if (snapshot instanceof LsmSnapshot) return fn(snapshot.txn);
      const txn = this.openDb().newTransaction({ update: false });
      try {
        return fn(txn);
      } finally {
        txn.discard();
      }
    });
  }

  /** Applies `operations` in order, atomically, in one read-write transaction. */
  private async write(operations: readonly BatchOperation[]): Promise<void> {
    const txn = translate(() => this.openDb().newTransaction({ update: true }));
    try {
      for (const op of operations) {
        const key = toStoreKey(toBytes(op.key));
        if (op.type === 'put') txn.set(key, toBytes(op.value ?? ''));
        else txn.delete(key);
      }
    } catch (error) {
      txn.discard();
      throw toLevelError(error);
    }
    await translateAsync(() => txn.commit());
  }

  private cursor(options: RangeOptions & { reverse?: boolean | undefined; snapshot?: unknown }, keysOnly: boolean): Cursor {
    const range = toStoreRange(options);
    const reverse = options.reverse === true;
    const { snapshot } = options;
    if (snapshot instanceof LsmSnapshot) return new Cursor(snapshot.txn, false, range, reverse, keysOnly);
    const txn = translate(() => this.openDb().newTransaction({ update: false, timeoutMs: SNAPSHOT_TIMEOUT_MS }));
    return new Cursor(txn, true, range, reverse, keysOnly);
  }
}

function formatOf(encoding: unknown): Format {
  if (encoding === 'utf8' || encoding === 'buffer' || encoding === 'view') return encoding;
  throw new TypeError(`unexpected private encoding ${String(encoding)}`);
}

/** What this adapter supports; README "Using @progress/lsm as a level replacement" explains each. */
export function lsmManifest(inMemory: boolean): Manifest {
  const manifest: Manifest & { getSync: boolean } = {
    implicitSnapshots: true,
    explicitSnapshots: true,
    getSync: true,
    has: true,
    seek: true,
    permanence: !inMemory,
    createIfMissing: true,
    errorIfExists: true,
    encodings: { buffer: true, view: true, utf8: true },
    signals: { iterators: false },
  };
  return manifest;
}
