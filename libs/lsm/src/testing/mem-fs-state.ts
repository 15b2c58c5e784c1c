/**
 * The state behind MemFs (testing/mem-fs.ts): inodes that remember what is durable, and the
 * computation of the state a crash leaves (`crashTree`). Semantics are documented in mem-fs.ts.
 *
 * Invariants:
 * - A file's current content (the page cache) is `data[0, size)`.
 * - Its durable content is `durable ?? data[0, durableSize)`; `durable` is materialized only when
 *   a pending truncate is about to overwrite the durable prefix inside `data`.
 * - `pending` lists the file's content operations since its last sync, in order; an append's
 *   bytes live in an old or the current `data` buffer (`source`), and are detached (copied)
 *   before anything could overwrite them.
 * - A directory's `entries` are its current names; `synced` the names as of its last syncDir;
 *   `pending` the operations since then, each naming the inode it affected.
 */

import type { Prng } from './seeded-prng.js';

const ERRNO: Record<string, number> = {
  ENOENT: -2, EBADF: -9, EEXIST: -17, ENOTDIR: -20, EISDIR: -21, EINVAL: -22, EROFS: -30,
  ENOTEMPTY: -39, ECRASHED: -10_000,
};

const MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory', EBADF: 'bad file descriptor', EEXIST: 'file already exists',
  ENOTDIR: 'not a directory', EISDIR: 'illegal operation on a directory', EINVAL: 'invalid argument',
  EROFS: 'read-only file system (frozen MemFs)', ENOTEMPTY: 'directory not empty',
  ECRASHED: 'the simulated process has crashed',
};

export function memFsError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${MESSAGES[code] ?? code}, ${syscall} '${path}'`), {
    code, errno: ERRNO[code] ?? -1, syscall, path,
  });
}

/** "<op> <path>[ <detail>]"; a number detail is a byte count ("append /db/000001.wal 120 bytes"). */
export function describeMutation(op: string, path: string, detail: string | number | undefined): string {
  if (detail === undefined) return `${op} ${path}`;
  return typeof detail === 'number' ? `${op} ${path} ${detail} bytes` : `${op} ${path} ${detail}`;
}

export function components(path: string): string[] {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts;
}

export type CrashMode = 'synced' | 'random' | 'torn' | 'lost-dirents' | 'process';

/** An append's bytes are `source[sourceOffset, sourceOffset + length)`. */
export type FileOp =
  | { readonly kind: 'append'; readonly offset: number; readonly length: number; source: Uint8Array; sourceOffset: number }
  | { readonly kind: 'truncate'; readonly size: number };

function appendedBytes(op: Extract<FileOp, { kind: 'append' }>): Uint8Array {
  return op.source.subarray(op.sourceOffset, op.sourceOffset + op.length);
}

export type DirOp =
  | { readonly kind: 'link'; readonly name: string; readonly node: MemNode }
  | { readonly kind: 'unlink'; readonly name: string; readonly node: MemNode }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string; readonly node: MemNode };

export interface MemFileNode {
  readonly kind: 'file';
  data: Uint8Array;
  size: number;
  durable: Uint8Array | undefined;
  durableSize: number;
  pending: FileOp[];
  mtimeMs: number;
}

export interface MemDirNode {
  readonly kind: 'dir';
  entries: Map<string, MemNode>;
  synced: Map<string, MemNode>;
  pending: DirOp[];
  mtimeMs: number;
}

export type MemNode = MemFileNode | MemDirNode;

export function newFileNode(content: Uint8Array, nowMs: number): MemFileNode {
  const data = content.slice();
  return { kind: 'file', data, size: data.length, durable: undefined, durableSize: data.length, pending: [], mtimeMs: nowMs };
}

export function newDirNode(nowMs: number): MemDirNode {
  return { kind: 'dir', entries: new Map(), synced: new Map(), pending: [], mtimeMs: nowMs };
}

export function fileContent(node: MemFileNode): Uint8Array {
  return node.data.subarray(0, node.size);
}

export function durableContent(node: MemFileNode): Uint8Array {
  return node.durable ?? node.data.subarray(0, node.durableSize);
}

function ensureCapacity(node: MemFileNode, sizeBytes: number): void {
  if (sizeBytes <= node.data.length) return;
  const grown = new Uint8Array(Math.max(sizeBytes, node.data.length * 2, 64));
  grown.set(node.data.subarray(0, node.size));
  node.data = grown; // views into the old buffer (pending appends, durable prefix) stay valid
}

export function appendToFile(node: MemFileNode, bytes: Uint8Array, nowMs: number): void {
  const offset = node.size;
  ensureCapacity(node, offset + bytes.length);
  node.data.set(bytes, offset);
  node.size = offset + bytes.length;
  node.pending.push({ kind: 'append', offset, length: bytes.length, source: node.data, sourceOffset: offset });
  node.mtimeMs = nowMs;
}

/** Changes the current size; durable only after `syncFile`. */
export function truncateFile(node: MemFileNode, sizeBytes: number, nowMs: number): void {
  if (sizeBytes < node.size) {
    // Later appends will overwrite data[sizeBytes, ...): detach whatever still lives there.
    if (node.durable === undefined && sizeBytes < node.durableSize) {
      node.durable = node.data.slice(0, node.durableSize);
    }
    for (const op of node.pending) {
      if (op.kind !== 'append' || op.offset + op.length <= sizeBytes || op.source !== node.data) continue;
      op.source = appendedBytes(op).slice();
      op.sourceOffset = 0;
    }
  } else {
    ensureCapacity(node, sizeBytes);
    node.data.fill(0, node.size, sizeBytes);
  }
  node.size = sizeBytes;
  node.pending.push({ kind: 'truncate', size: sizeBytes });
  node.mtimeMs = nowMs;
}

export function syncFile(node: MemFileNode): void {
  node.durable = undefined;
  node.durableSize = node.size;
  node.pending = [];
}

export function syncDirNode(dir: MemDirNode): void {
  dir.synced = new Map(dir.entries);
  dir.pending = [];
}

/** Applies one directory operation to `entries` when it still makes sense there. */
function applyDirOp(entries: Map<string, MemNode>, op: DirOp): void {
  switch (op.kind) {
    case 'link':
      entries.set(op.name, op.node);
      return;
    case 'unlink':
      if (entries.get(op.name) === op.node) entries.delete(op.name);
      return;
    case 'rename':
      if (entries.get(op.from) !== op.node) return;
      entries.delete(op.from);
      entries.set(op.to, op.node);
      return;
  }
}

/** A growable byte buffer used to rebuild a file's content after a crash. */
class ContentBuilder {
  bytes: Uint8Array;
  length: number;
  constructor(base: Uint8Array) {
    this.bytes = new Uint8Array(Math.max(base.length, 64));
    this.bytes.set(base);
    this.length = base.length;
  }
  setLength(length: number): void {
    if (length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(length, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    } else if (length > this.length) {
      this.bytes.fill(0, this.length, length);
    }
    this.length = length;
  }
  write(offset: number, data: Uint8Array): void {
    if (offset + data.length > this.length) this.setLength(offset + data.length);
    this.bytes.set(data, offset);
  }
  apply(op: FileOp): void {
    if (op.kind === 'append') this.write(op.offset, appendedBytes(op));
    else this.setLength(op.size);
  }
  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function tornContent(node: MemFileNode, rng: Prng): Uint8Array {
  let last = -1;
  for (let i = 0; i < node.pending.length; i++) if (node.pending[i]?.kind === 'append') last = i;
  const builder = new ContentBuilder(durableContent(node));
  node.pending.forEach((op, index) => {
    if (index !== last || op.kind !== 'append') return builder.apply(op);
    const length = op.length;
    const keptBytes = length === 0 ? 0 : rng.nextInt(length);
    const garbage = new Uint8Array(length - keptBytes);
    if (rng.next() >= 0.5) rng.fill(garbage);
    builder.write(op.offset, appendedBytes(op).subarray(0, keptBytes));
    builder.write(op.offset + keptBytes, garbage);
  });
  return builder.result();
}

function crashedFileContent(node: MemFileNode, mode: CrashMode, rng: Prng): Uint8Array {
  switch (mode) {
    case 'synced':
      return durableContent(node).slice();
    case 'lost-dirents':
    case 'process':
      return fileContent(node).slice();
    case 'random': {
      const builder = new ContentBuilder(durableContent(node));
      for (const op of node.pending) if (rng.next() < 0.5) builder.apply(op);
      return builder.result();
    }
    case 'torn':
      return tornContent(node, rng);
  }
}

function survivingEntries(dir: MemDirNode, mode: CrashMode, rng: Prng): Map<string, MemNode> {
  switch (mode) {
    case 'synced':
    case 'lost-dirents':
      return new Map(dir.synced);
    case 'torn':
    case 'process':
      return new Map(dir.entries);
    case 'random': {
      const entries = new Map(dir.synced);
      for (const op of dir.pending) if (rng.next() < 0.5) applyDirOp(entries, op);
      return entries;
    }
  }
}

/**
 * The tree a crash in `mode` leaves: a fresh tree in which everything is durable. Directories are
 * visited depth-first in name order and each inode once, so a seed always gives the same tree.
 */
export function crashTree(root: MemDirNode, mode: CrashMode, rng: Prng, nowMs: number): MemDirNode {
  const cloned = new Map<MemNode, MemNode>();
  const cloneNode = (node: MemNode): MemNode => {
    const done = cloned.get(node);
    if (done !== undefined) return done;
    let copy: MemNode;
    if (node.kind === 'file') {
      copy = newFileNode(crashedFileContent(node, mode, rng), node.mtimeMs);
    } else {
      const dir = newDirNode(nowMs);
      copy = dir;
      cloned.set(node, dir);
      const entries = survivingEntries(node, mode, rng);
      for (const name of [...entries.keys()].sort()) {
        dir.entries.set(name, cloneNode(entries.get(name) as MemNode));
      }
      syncDirNode(dir);
    }
    cloned.set(node, copy);
    return copy;
  };
  return cloneNode(root) as MemDirNode;
}
