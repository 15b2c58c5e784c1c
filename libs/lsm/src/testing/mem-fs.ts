/**
 * `MemFs`: an in-memory `Fs` (fs/fs.ts) that can produce the states a power loss would leave
 * (RELIABILITY T4; LevelDB fault_injection_test, Pebble `CrashClone`, SQLite test6.c).
 *
 * What it tracks:
 * - per file: the durable bytes (as of its last `sync()`) and the content operations since then
 *   (appends, and the truncation done by `openWritable(path, { truncate: true })`);
 * - per directory: the durable entries (as of its last `syncDir()`) and the entry operations since
 *   then (create, mkdir, rename, unlink). A same-directory rename is one atomic operation (POSIX);
 *   a cross-directory rename is an unlink in the source plus a link in the target, each durable
 *   only after a syncDir of its own directory. `sync()` of a file never makes its name durable.
 * - Reads (readFile, readSync, readdir, stat) see everything written, like the page cache, until
 *   a crash. `ReadableFile.size` is the size when opened; `readSync` reads the current content.
 * - Operations that NodeFs makes durable on their own are durable here too: `createExclusive`
 *   (the file's bytes are synced; its name is not) and `truncate` (file synced afterwards).
 * - `mkdir` is recursive and succeeds when the directory exists; `removeTree` ignores a missing
 *   path. Paths are `/`-separated; relative paths start at the root.
 *
 * Crash states, `crashClone(mode, seed)` (a NEW MemFs in which everything is durable):
 * - 'synced' (a): synced file bytes and synced directory entries only.
 * - 'random' (b): as 'synced', plus each unsynced file operation and each unsynced directory
 *   operation kept independently with p = 0.5 (seeded), replayed in order. A kept append lands at
 *   its original offset (a dropped earlier append leaves zeros); a directory operation applies
 *   only to the inode it originally affected.
 * - 'torn' (c): every directory entry as it is now (metadata made it); each file's synced bytes
 *   plus all its unsynced operations, except that its LAST unsynced append keeps only a random
 *   prefix (0 to length-1 bytes) and the rest of that append's range is zeros or random bytes
 *   (50/50 per file). Files with no unsynced append are as they are now.
 * - 'lost-dirents' (d): all file bytes as they are now, but only synced directory entries.
 * - 'process': everything as it is now (a process crash, `kill -9`: the page cache survives).
 *   The same (state, mode, seed) always gives the same result.
 *
 * Mutations and the simulated process death:
 * - Mutations are: append, sync, rename, unlink, truncate, createExclusive, mkdir (when it creates
 *   anything), syncDir, openWritable (when it creates the file or truncates), removeTree. Each
 *   successful one increments `mutationCount` and then calls `onMutation(count, description)`.
 *   A failing operation (ENOENT, ...) is not a mutation.
 * - With `crashAfterMutations: k`, the process "dies" right after the k-th mutation returns
 *   (k = 0: before any): the k-th operation itself resolves normally; at that instant the state
 *   is frozen into `crashState()` (a read-only MemFs on which to call `crashClone`), `crashed`
 *   turns true, and EVERY later call on this MemFs or its open handles (reads included) throws or
 *   rejects with an error whose `code` is 'ECRASHED'. `crash()` does the same on demand.
 * - A frozen MemFs (from `crashState()`) serves reads and `crashClone`; mutations reject EROFS.
 */

import type { FileStat, Fs, ReadableFile, WritableFile } from '../fs/fs.js';
import { createPrng } from './seeded-prng.js';
import {
  appendToFile, crashTree, fileContent, newDirNode, newFileNode, syncDirNode, syncFile, truncateFile,
} from './mem-fs-state.js';
import type { CrashMode, MemDirNode, MemFileNode, MemNode } from './mem-fs-state.js';
import { components, describeMutation, memFsError } from './mem-fs-state.js';

export type { CrashMode } from './mem-fs-state.js';
export { memFsError } from './mem-fs-state.js';

export interface MemFsOptions {
  /** Simulate the process dying right after the k-th mutation (see the top of this file). */
  crashAfterMutations?: number;
  /** Called after every successful mutation with the new count and a description. */
  onMutation?: (count: number, description: string) => void;
  /** Clock for mtimes (default Date.now). */
  nowMs?: () => number;
}

export class MemFs implements Fs {
  private root: MemDirNode;
  private readonly options: MemFsOptions;
  private readonly nowMs: () => number;
  private count = 0;
  private crashedState: MemFs | undefined;
  private isCrashed = false;
  private frozen = false;

  constructor(options: MemFsOptions = {}, root?: MemDirNode) {
    this.options = options;
    this.nowMs = options.nowMs ?? Date.now;
    this.root = root ?? newDirNode(this.nowMs());
    if (options.crashAfterMutations === 0) this.crash();
  }

  /** Successful mutations so far. */
  get mutationCount(): number {
    return this.count;
  }

  get crashed(): boolean {
    return this.isCrashed;
  }

  /** The frozen state at the simulated crash, or undefined before it. */
  crashState(): MemFs | undefined {
    return this.crashedState;
  }

  /** Simulates the process dying now (idempotent). */
  crash(): void {
    if (this.isCrashed) return;
    const frozen = new MemFs({}, this.root);
    frozen.frozen = true;
    frozen.count = this.count;
    this.crashedState = frozen;
    this.isCrashed = true;
  }

  /** A new MemFs holding the state a power loss now would leave (modes at the top). */
  crashClone(mode: CrashMode, seed = 0, options: MemFsOptions = {}): MemFs {
    const nowMs = options.nowMs ?? Date.now;
    return new MemFs(options, crashTree(this.root, mode, createPrng(seed), nowMs()));
  }

  /** Every file's current content by path (sorted), for assertions and debugging. */
  dump(): Map<string, Uint8Array> {
    this.checkAlive('dump', '/');
    const out = new Map<string, Uint8Array>();
    const walk = (dir: MemDirNode, prefix: string): void => {
      for (const name of [...dir.entries.keys()].sort()) {
        const node = dir.entries.get(name) as MemNode;
        if (node.kind === 'dir') walk(node, `${prefix}${name}/`);
        else out.set(prefix + name, fileContent(node).slice());
      }
    };
    walk(this.root, '/');
    return out;
  }

  // ---- Fs -----------------------------------------------------------------------------------

  async mkdir(path: string): Promise<void> {
    this.checkAlive('mkdir', path);
    let dir = this.root;
    const missing: string[] = [];
    for (const name of components(path)) {
      const child = missing.length === 0 ? dir.entries.get(name) : undefined;
      if (child === undefined) missing.push(name);
      else if (child.kind === 'dir') dir = child;
      else throw memFsError('EEXIST', 'mkdir', path);
    }
    if (missing.length === 0) return;
    this.mutate('mkdir', path, undefined, () => {
      for (const name of missing) {
        const child = newDirNode(this.nowMs());
        this.link(dir, name, child);
        dir = child;
      }
    });
  }

  async readdir(path: string): Promise<string[]> {
    this.checkAlive('scandir', path);
    return [...this.dirAt(path, 'scandir').entries.keys()].sort();
  }

  async stat(path: string): Promise<FileStat | undefined> {
    this.checkAlive('stat', path);
    const node = this.lookup(path, 'stat');
    if (node === undefined) return undefined;
    return { size: node.kind === 'file' ? node.size : 0, mtimeMs: node.mtimeMs };
  }

  async openWritable(path: string, options?: { truncate?: boolean }): Promise<WritableFile> {
    this.checkAlive('open', path);
    const { dir, name } = this.parentOf(path, 'open');
    const existing = dir.entries.get(name);
    if (existing?.kind === 'dir') throw memFsError('EISDIR', 'open', path);
    let node = existing;
    if (node === undefined) {
      const created = newFileNode(new Uint8Array(0), this.nowMs());
      this.mutate('create', path, undefined, () => this.link(dir, name, created));
      node = created;
    } else if (options?.truncate === true && node.size > 0) {
      const file = node;
      this.mutate('open-truncate', path, undefined, () => truncateFile(file, 0, this.nowMs()));
    }
    return new MemWritableFile(this, path, node);
  }

  async openReadable(path: string): Promise<ReadableFile> {
    return this.openReadableSync(path);
  }

  openReadableSync(path: string): ReadableFile {
    this.checkAlive('open', path);
    return new MemReadableFile(this, path, this.fileAt(path, 'open'));
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.checkAlive('open', path);
    return fileContent(this.fileAt(path, 'open')).slice();
  }

  async createExclusive(path: string, data: Uint8Array): Promise<boolean> {
    this.checkAlive('open', path);
    const { dir, name } = this.parentOf(path, 'open');
    if (dir.entries.has(name)) return false;
    this.mutate('create-exclusive', path, data.length, () => {
      this.link(dir, name, newFileNode(data, this.nowMs()));
    });
    return true;
  }

  async truncate(path: string, size: number): Promise<void> {
    this.checkAlive('truncate', path);
    const file = this.fileAt(path, 'truncate');
    if (!Number.isSafeInteger(size) || size < 0) throw memFsError('EINVAL', 'truncate', path);
    this.mutate('truncate', path, String(size), () => {
      truncateFile(file, size, this.nowMs());
      syncFile(file);
    });
  }

  async rename(from: string, to: string): Promise<void> {
    this.checkAlive('rename', from);
    const source = this.parentOf(from, 'rename');
    const target = this.parentOf(to, 'rename');
    const node = source.dir.entries.get(source.name);
    if (node === undefined) throw memFsError('ENOENT', 'rename', from);
    const replaced = target.dir.entries.get(target.name);
    if (replaced === node) return;
    if (replaced?.kind === 'dir') throw memFsError(node.kind === 'dir' ? 'ENOTEMPTY' : 'EISDIR', 'rename', to);
    if (replaced !== undefined && node.kind === 'dir') throw memFsError('ENOTDIR', 'rename', to);
    this.mutate('rename', from, `-> ${to}`, () => {
      if (source.dir === target.dir) {
        source.dir.entries.delete(source.name);
        source.dir.entries.set(target.name, node);
        source.dir.pending.push({ kind: 'rename', from: source.name, to: target.name, node });
      } else {
        this.unlinkEntry(source.dir, source.name, node);
        this.link(target.dir, target.name, node);
      }
    });
  }

  async unlink(path: string): Promise<void> {
    this.checkAlive('unlink', path);
    const { dir, name } = this.parentOf(path, 'unlink');
    const node = dir.entries.get(name);
    if (node === undefined) throw memFsError('ENOENT', 'unlink', path);
    if (node.kind === 'dir') throw memFsError('EISDIR', 'unlink', path);
    this.mutate('unlink', path, undefined, () => this.unlinkEntry(dir, name, node));
  }

  async syncDir(path: string): Promise<void> {
    this.checkAlive('fsync', path);
    const dir = this.dirAt(path, 'open');
    this.mutate('sync-dir', path, undefined, () => syncDirNode(dir));
  }

  async removeTree(path: string): Promise<void> {
    this.checkAlive('rm', path);
    const parts = components(path);
    if (parts.length === 0) throw memFsError('EINVAL', 'rm', path);
    const { dir, name } = this.parentOf(path, 'rm');
    const node = dir.entries.get(name);
    if (node === undefined) return;
    this.mutate('remove-tree', path, undefined, () => this.unlinkEntry(dir, name, node));
  }

  // ---- internals shared with the handles ----------------------------------------------------

  /** Throws ECRASHED after the simulated crash. */
  checkAlive(syscall: string, path: string): void {
    if (this.isCrashed) throw memFsError('ECRASHED', syscall, path);
  }

  /** Runs one mutation: refuses when crashed or frozen, counts it, calls the hook, crashes at the limit. */
  private mutate(op: string, path: string, detail: string | number | undefined, apply: () => void): void {
    this.beginMutation(op, path);
    apply();
    this.endMutation(op, path, detail);
  }

  appendTo(file: MemFileNode, path: string, data: Uint8Array): void {
    this.beginMutation('append', path);
    appendToFile(file, data, this.nowMs());
    this.endMutation('append', path, data.length);
  }

  syncTo(file: MemFileNode, path: string): void {
    this.beginMutation('sync', path);
    syncFile(file);
    this.endMutation('sync', path, undefined);
  }

  private beginMutation(op: string, path: string): void {
    if (this.isCrashed) throw memFsError('ECRASHED', op, path);
    if (this.frozen) throw memFsError('EROFS', op, path);
  }

  /** Descriptions: see describeMutation. */
  private endMutation(op: string, path: string, detail: string | number | undefined): void {
    this.count += 1;
    const hook = this.options.onMutation;
    if (hook !== undefined) hook(this.count, describeMutation(op, path, detail));
    if (this.count === this.options.crashAfterMutations) this.crash();
  }

  private link(dir: MemDirNode, name: string, node: MemNode): void {
    dir.entries.set(name, node);
    dir.pending.push({ kind: 'link', name, node });
    dir.mtimeMs = this.nowMs();
  }

  private unlinkEntry(dir: MemDirNode, name: string, node: MemNode): void {
    dir.entries.delete(name);
    dir.pending.push({ kind: 'unlink', name, node });
    dir.mtimeMs = this.nowMs();
  }

  private lookup(path: string, syscall: string): MemNode | undefined {
    let node: MemNode = this.root;
    for (const name of components(path)) {
      if (node.kind !== 'dir') throw memFsError('ENOTDIR', syscall, path);
      const child: MemNode | undefined = node.entries.get(name);
      if (child === undefined) return undefined;
      node = child;
    }
    return node;
  }

  private dirAt(path: string, syscall: string): MemDirNode {
    const node = this.lookup(path, syscall);
    if (node === undefined) throw memFsError('ENOENT', syscall, path);
    if (node.kind !== 'dir') throw memFsError('ENOTDIR', syscall, path);
    return node;
  }

  private fileAt(path: string, syscall: string): MemFileNode {
    const node = this.lookup(path, syscall);
    if (node === undefined) throw memFsError('ENOENT', syscall, path);
    if (node.kind !== 'file') throw memFsError('EISDIR', syscall, path);
    return node;
  }

  private parentOf(path: string, syscall: string): { dir: MemDirNode; name: string } {
    const parts = components(path);
    const name = parts.pop();
    if (name === undefined) throw memFsError('EISDIR', syscall, path);
    return { dir: this.dirAt(parts.join('/'), syscall), name };
  }
}

class MemWritableFile implements WritableFile {
  private closed = false;
  constructor(
    private readonly fs: MemFs,
    readonly path: string,
    private readonly file: MemFileNode,
  ) {}

  get size(): number {
    return this.file.size;
  }

  async append(data: Uint8Array): Promise<void> {
    this.check('write');
    this.fs.appendTo(this.file, this.path, data);
  }

  async sync(): Promise<void> {
    this.check('fdatasync');
    this.fs.syncTo(this.file, this.path);
  }

  async close(): Promise<void> {
    this.fs.checkAlive('close', this.path);
    this.closed = true;
  }

  private check(syscall: string): void {
    this.fs.checkAlive(syscall, this.path);
    if (this.closed) throw memFsError('EBADF', syscall, this.path);
  }
}

class MemReadableFile implements ReadableFile {
  readonly size: number;
  private closed = false;
  constructor(
    private readonly fs: MemFs,
    readonly path: string,
    private readonly file: MemFileNode,
  ) {
    this.size = file.size;
  }

  readSync(target: Uint8Array, targetOffset: number, length: number, position: number): number {
    this.fs.checkAlive('read', this.path);
    if (this.closed) throw memFsError('EBADF', 'read', this.path);
    const start = Math.min(position, this.file.size);
    const end = Math.min(position + length, this.file.size);
    target.set(this.file.data.subarray(start, end), targetOffset);
    return end - start;
  }

  async close(): Promise<void> {
    this.fs.checkAlive('close', this.path);
    this.closed = true;
  }
}
