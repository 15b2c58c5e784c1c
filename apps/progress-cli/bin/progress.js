#!/usr/bin/env node
// The installed `progress` command. It runs the bundled CLI (dist/bundle/cli.js, built by
// `nx run @progress/cli:build`) through a V8 code cache, or the plain tsc output (dist/main.js)
// when no bundle was built.
//
// Code cache (Node 20 has no module.enableCompileCache): the bundle is one script compiled with
// vm.Script; after a command has run, the compiled code (including the functions that command
// needed) is serialised with createCachedData() and written atomically (temp file + rename) to
// dist/bundle/v8-cache/ or, when that is not writable, $XDG_CACHE_HOME/progress/. The next start
// skips parsing and compiling the bundle. The file name carries the bundle's size, mtime and inode
// and the Node version and architecture; V8 itself rejects data made by another V8 version or
// with other flags, and then the script is compiled normally and the cache rewritten (and the
// files of other bundles or Node versions in that directory removed); a CRC-32 over the data
// catches a damaged file. Any error
// reading or writing the cache only costs the speed-up. PROGRESS_CODE_CACHE=0 turns it off.
// PROGRESS_TIMING=1 prints where the start-up time went (stderr).
//
// This file is CommonJS (bin/package.json): a CommonJS entry spares Node's ESM loader start-up.
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file (bin/package.json) */
'use strict';
const { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');
const { crc32 } = require('node:zlib'); // Node >= 20.15

// A cache file: MAGIC, the CRC-32 of the data (4 bytes, big-endian), then V8's data. V8 checks
// version, flags and source length, not (in release builds) every byte: the CRC makes a damaged
// file count as absent.
const MAGIC = Buffer.from('PGV8C001');

const timing = process.env.PROGRESS_TIMING === '1' ? [] : undefined;
const mark = (label) => {
  if (timing === undefined) return;
  const { user, system } = process.cpuUsage();
  timing.push({ label, wallMs: performance.now(), cpuMs: (user + system) / 1000 });
};
mark('node started');
globalThis.__progressMark = mark;

const bundle = join(__dirname, '..', 'dist', 'bundle', 'cli.js');

function cacheFiles(stat) {
  const name = `cli-${stat.size}-${Math.trunc(stat.mtimeMs)}-${stat.ino}-${process.version}-${process.arch}.bin`;
  const xdg = process.env.XDG_CACHE_HOME;
  const userCache = xdg !== undefined && xdg.startsWith('/') ? join(xdg, 'progress') : join(homedir(), '.cache', 'progress');
  return [join(dirname(bundle), 'v8-cache', name), join(userCache, name)];
}

function readCache(files) {
  for (const file of files) {
    let bytes;
    try {
      bytes = readFileSync(file);
    } catch {
      continue; // absent or unreadable: try the next place
    }
    const head = MAGIC.length + 4;
    if (bytes.length <= head || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const data = bytes.subarray(head);
    return crc32(data) === bytes.readUInt32BE(MAGIC.length) ? data : undefined;
  }
  return undefined;
}

/** Removes cache files of other bundles or Node versions next to `file` (they are never read again). */
function pruneOthers(file) {
  try {
    const dir = dirname(file);
    for (const name of readdirSync(dir)) {
      if (/^cli-.*\.bin$/.test(name) && join(dir, name) !== file) unlinkSync(join(dir, name));
    }
  } catch {
    // another process pruned first, or the directory is not ours to tidy
  }
}

function writeCache(files, script) {
  let data;
  try {
    const cached = script.createCachedData();
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc32(cached));
    data = Buffer.concat([MAGIC, sum, cached]);
  } catch {
    return;
  }
  for (const file of files) {
    const temp = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(temp, data);
      renameSync(temp, file);
      pruneOthers(file);
      return;
    } catch {
      try {
        unlinkSync(temp);
      } catch {
        // never created
      }
    }
  }
}

async function runBundle() {
  let stat;
  let source;
  try {
    stat = statSync(bundle);
    source = readFileSync(bundle, 'latin1'); // ASCII by construction (scripts/bundle.mjs)
  } catch (error) {
    if (error?.code === 'ENOENT') return undefined;
    throw error;
  }
  const useCache = process.env.PROGRESS_CODE_CACHE !== '0' && typeof crc32 === 'function';
  const files = useCache ? cacheFiles(stat) : [];
  const cachedData = useCache ? readCache(files) : undefined;
  mark('bundle read');
  const script = new Script(source, { filename: bundle, ...(cachedData === undefined ? {} : { cachedData }) });
  mark(cachedData === undefined ? 'compiled (no code cache)' : script.cachedDataRejected ? 'compiled (code cache rejected)' : 'compiled (code cache)');
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  mark('bundle evaluated');
  const code = await module.exports.run(process.argv.slice(2));
  mark('command done');
  if (useCache && (cachedData === undefined || script.cachedDataRejected === true)) {
    writeCache(files, script);
    mark('code cache written');
  }
  return code;
}

function printTiming() {
  const first = timing[0];
  const lines = timing.map((t, i) => {
    const previous = timing[i - 1] ?? t;
    return `  ${t.label.padEnd(34)} +${(t.cpuMs - previous.cpuMs).toFixed(1).padStart(6)} ms cpu  +${(t.wallMs - previous.wallMs).toFixed(1).padStart(6)} ms wall  (${t.wallMs.toFixed(0)} ms since start)`;
  });
  const { user, system } = process.cpuUsage();
  process.stderr.write(
    `progress timing (cpu before node started: ${first.cpuMs.toFixed(1)} ms)\n${lines.join('\n')}\n` +
      `  total: ${((user + system) / 1000).toFixed(1)} ms cpu, ${performance.now().toFixed(0)} ms wall\n`,
  );
}

async function main() {
  let code = await runBundle();
  if (code === undefined) {
    const cli = await import('../dist/main.js'); // the tsc output (ESM), when no bundle was built
    code = await cli.run(process.argv.slice(2));
  }
  process.exitCode = code;
  if (timing !== undefined) printTiming();
}

main().catch((error) => {
  // run() maps every error to an exit code; this is only a broken installation
  process.stderr.write(`internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 70;
});
