// Fault injection for the real `progress` binary, loaded with NODE_OPTIONS="--import <this file>".
// It wraps the node:fs calls the storage engine's NodeFs uses for mutations, so the real CLI and
// the real engine run unchanged; only the kernel's answers are replaced. Configured by env:
//
//   REL_FAULT_STATS=<file>         on exit, write {"mutations","writes","bytes"} (counting run; never on SIGKILL)
//   REL_FAULT_KILL_AT=<k>          SIGKILL this process right after its k-th mutation completed
//                                  (mutations: write, writeSync, fsync, fdatasync, ftruncate, rename, unlink)
//   REL_FAULT_ENOSPC_AFTER=<bytes> the disk is full after that many bytes: the write crossing it is
//                                  short, every later write fails with ENOSPC
//   REL_FAULT_ENOSPC_FROM_WRITE=<k> the k-th write call (1-based) and every later one fail with ENOSPC
//
// Only descriptors above 2 count (stdout/stderr are pipes in the tests and never go through fs.write).
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const killAt = numberEnv('REL_FAULT_KILL_AT');
const enospcAfter = numberEnv('REL_FAULT_ENOSPC_AFTER');
const enospcFromWrite = numberEnv('REL_FAULT_ENOSPC_FROM_WRITE');
const statsFile = process.env.REL_FAULT_STATS;
let mutations = 0;
let writes = 0;
let bytes = 0;

function numberEnv(name) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name}=${raw} is not a non-negative integer`);
  return value;
}

function mutated() {
  mutations += 1;
  if (killAt !== undefined && mutations >= killAt) process.kill(process.pid, 'SIGKILL');
}

function enospc(syscall) {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { errno: -28, code: 'ENOSPC', syscall });
}

/** How many of `length` bytes still fit; 0 means the disk is full. Counts the write call. */
function room(length) {
  writes += 1;
  if (enospcFromWrite !== undefined && writes >= enospcFromWrite) return 0;
  if (enospcAfter === undefined) return length;
  return Math.max(0, Math.min(length, enospcAfter - bytes));
}

// fs.write(fd, buffer, offset, length, position, callback): the engine's only async write shape.
const write = fs.write;
fs.write = function faultWrite(fd, buffer, ...rest) {
  const callback = rest.pop();
  if (fd <= 2 || typeof callback !== 'function' || !ArrayBuffer.isView(buffer) || rest.length !== 3) return write.call(this, fd, buffer, ...rest, callback);
  const [offset, length, position] = rest;
  const fits = room(length);
  if (fits === 0 && length > 0) {
    process.nextTick(() => callback(enospc('write')));
    return undefined;
  }
  return write.call(this, fd, buffer, offset, fits, position, (error, written, ...more) => {
    if (error === null) bytes += written;
    mutated();
    callback(error, written, ...more);
  });
};

const writeSync = fs.writeSync;
fs.writeSync = function faultWriteSync(fd, buffer, ...rest) {
  if (fd <= 2 || !ArrayBuffer.isView(buffer) || rest.length !== 3) return writeSync.call(this, fd, buffer, ...rest);
  const [offset, length, position] = rest;
  const fits = room(length);
  if (fits === 0 && length > 0) throw enospc('write');
  const written = writeSync.call(this, fd, buffer, offset, fits, position);
  bytes += written;
  mutated();
  return written;
};

for (const name of ['fsync', 'fdatasync', 'ftruncate']) {
  const original = fs[name];
  fs[name] = function faultFdCall(fd, ...rest) {
    const callback = rest.pop();
    if (typeof callback !== 'function') return original.call(this, fd, ...rest, callback);
    return original.call(this, fd, ...rest, (error, ...more) => {
      mutated();
      callback(error, ...more);
    });
  };
}

for (const name of ['rename', 'unlink']) {
  const original = fs.promises[name];
  fs.promises[name] = async function faultPromiseCall(...args) {
    const result = await original.apply(this, args);
    mutated();
    return result;
  };
}

syncBuiltinESMExports();

if (statsFile !== undefined && statsFile !== '') {
  process.on('exit', () => {
    fs.writeFileSync(statsFile, JSON.stringify({ mutations, writes, bytes }));
  });
}
