#!/usr/bin/env node
// Adds lockfile entries for optional platform packages that our registry mirror does not serve.
//
// Why: the registry these machines reach answers 404 for some platform builds (for example
// @nx/nx-darwin-arm64, @rollup/rollup-win32-x64-msvc). `npm install` then leaves them out of
// package-lock.json, and npm 11's `npm ci` refuses the lock ("Missing: … from lock file") because
// a declared optional dependency has no entry. The entries added here carry the version the parent
// pins plus the os/cpu/libc the package's name encodes, so npm skips them on every other platform
// and fetches them by name@version on their own (this lock records no resolved URLs anyway).
//
// Run after any change to the lock: `node scripts/complete-lock.mjs` (idempotent; --check exits 1
// when entries are missing, without writing).
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const check = process.argv.includes('--check');
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;

const OS = { darwin: 'darwin', linux: 'linux', win32: 'win32', freebsd: 'freebsd', openbsd: 'openbsd', android: 'android', openharmony: 'openharmony', sunos: 'sunos', aix: 'aix', netbsd: 'netbsd' };
const CPU = { arm64: 'arm64', x64: 'x64', ia32: 'ia32', arm: 'arm', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x' };

/** os/cpu/libc from names such as nx-linux-x64-musl, rollup-win32-arm64-msvc, rollup-linux-arm-gnueabihf. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => p in OS);
  const cpu = parts.find((p) => p in CPU);
  if (os === undefined || cpu === undefined) return undefined;
  const out = { os: [os], cpu: [cpu] };
  if (os === 'linux') {
    if (parts.some((p) => p.startsWith('musl'))) out.libc = ['musl'];
    else if (parts.some((p) => p.startsWith('gnu'))) out.libc = ['glibc'];
  }
  return out;
}

const added = [];
for (const [path, entry] of Object.entries(packages)) {
  const optional = entry.optionalDependencies ?? {};
  const base = path === '' ? '' : `${path}/`;
  for (const [name, range] of Object.entries(optional)) {
    const nested = `${base}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (nested in packages || hoisted in packages) continue;
    const platform = platformOf(name);
    if (platform === undefined) continue; // not a platform build: leave it to npm
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) continue; // only exact pins are safe to write down
    const record = { version: range };
    if (entry.dev === true) record.dev = true;
    record.optional = true;
    Object.assign(record, platform);
    packages[hoisted] = record;
    added.push(`${name}@${range}`);
  }
}

if (check) {
  if (added.length > 0) {
    console.error(`package-lock.json lacks ${added.length} optional platform entries; run node scripts/complete-lock.mjs`);
    process.exit(1);
  }
  process.exit(0);
}
if (added.length > 0) {
  lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))));
  writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(`added ${added.length} optional platform entries${added.length ? `: ${added.join(' ')}` : ''}`);
