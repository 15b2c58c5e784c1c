/**
 * Value-log GC (DESIGN.md "Value-log GC"): rewrites the live values of vlog files whose garbage
 * share (from compaction's discard statistics, persisted in the MANIFEST) is at least
 * `discardRatio`, then retires the files once no reader can still need them.
 *
 * - Never stuck behind the active file (Badger #2334): a candidate that is the active file is
 *   sealed first, and the next append starts a new file.
 * - Liveness: an entry is live when its key's newest version is a pointer to exactly this entry.
 *   Older versions still pinned by open snapshots keep the file alive through `retireAfterTs`.
 * - A rewrite keeps the version's own seq (batch entries with an explicit seq) and applies only
 *   while that seq is still the key's newest version, both when committed and when a WAL is
 *   replayed — so a key deleted or overwritten while GC runs is never resurrected (Badger #2286),
 *   and readers see the same versions and timestamps as before.
 * - The file is dropped from the MANIFEST (vlogDeleted) and unlinked only after every snapshot
 *   older than the last rewrite has ended and every WAL that may point into it has been flushed
 *   (replay checks every pointer it reads).
 */

import { assert } from '../assert.js';
import { InvalidArgumentError } from '../errors.js';
import { MAX_SEQ, Kind } from '../keys/internal-key.js';
import { decodeValueHeader, decodeValuePointer } from '../keys/value-format.js';
import type { PendingWrite } from '../txn/txn.js';
import type { Engine } from './engine.js';

export interface ValueLogGcOptions {
  /** rewrite files with at least this share of garbage (0 < r < 1). Default 0.5. */
  discardRatio?: number;
  /** at most this many files per call. Default 1. */
  maxFiles?: number;
}

export interface ValueLogGcResult {
  filesRewritten: number[];
  valuesMoved: number;
  bytesReclaimable: number;
}

const REWRITE_BATCH = 256;

export function gcCandidates(engine: Engine, discardRatio: number): { fileNumber: number; ratio: number }[] {
  const out: { fileNumber: number; ratio: number }[] = [];
  for (const [fileNumber, garbage] of engine.versions.discardBytes) {
    const size = engine.valueLog.sizeOf(fileNumber);
    if (size === 0 || !engine.valueLog.liveFileNumbers().has(fileNumber) || engine.isRetiring(fileNumber)) continue;
    const ratio = garbage / size;
    if (ratio >= discardRatio) out.push({ fileNumber, ratio });
  }
  return out.sort((a, b) => b.ratio - a.ratio);
}

export async function runValueLogGc(engine: Engine, options: ValueLogGcOptions = {}): Promise<ValueLogGcResult> {
  const discardRatio = options.discardRatio ?? 0.5;
  if (!(discardRatio > 0 && discardRatio < 1)) throw new InvalidArgumentError('discardRatio must be between 0 and 1');
  const maxFiles = options.maxFiles ?? 1;
  const result: ValueLogGcResult = { filesRewritten: [], valuesMoved: 0, bytesReclaimable: 0 };
  for (const { fileNumber } of gcCandidates(engine, discardRatio).slice(0, maxFiles)) {
    if (engine.valueLog.activeFileNumber === fileNumber) await engine.valueLog.sealActive();
    result.valuesMoved += await rewriteFile(engine, fileNumber);
    result.bytesReclaimable += engine.valueLog.sizeOf(fileNumber);
    result.filesRewritten.push(fileNumber);
  }
  return result;
}

async function rewriteFile(engine: Engine, fileNumber: number): Promise<number> {
  const reader = engine.valueLog.reader(fileNumber);
  assert(reader !== undefined, `vlog ${fileNumber} is open`);
  const bytes = await engine.valueLog.readWhole(fileNumber);
  let pending: PendingWrite[] = [];
  let moved = 0;
  let lastTs = engine.oracle.readTs();
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const writes = pending;
    pending = [];
    engine.checkOpen(true);
    // GC rewrites change no user-visible value: they conflict with nobody.
    const commitTs = engine.oracle.tryCommit(undefined, undefined, []);
    assert(commitTs !== undefined, 'write-only commits never conflict');
    await engine.commit(writes, commitTs);
    lastTs = commitTs;
  };
  for (const entry of reader.scan(bytes)) {
    const hit = engine.findVersion(entry.key, MAX_SEQ);
    if (hit === undefined || hit.kind !== Kind.VALUE_POINTER) continue;
    const header = decodeValueHeader(hit.value);
    if (header === undefined) continue;
    const pointer = decodeValuePointer(hit.value, header.payloadOffset);
    if (pointer === undefined || pointer.fileNumber !== fileNumber || pointer.offset !== entry.pointer.offset) continue;
    if (header.expiresAt !== 0 && header.expiresAt <= engine.options.nowMs()) continue;
    pending.push({
      seq: hit.seq,
      key: entry.key.slice(),
      kind: Kind.VALUE,
      value: entry.value.slice(),
      expiresAt: header.expiresAt,
      userMeta: header.userMeta,
    });
    moved++;
    if (pending.length >= REWRITE_BATCH) await flush();
  }
  await flush();
  engine.retireVlogAfter(fileNumber, lastTs);
  await engine.cleanup();
  return moved;
}
