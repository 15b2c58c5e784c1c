#!/usr/bin/env node
// The installed `lsm` command: runs the compiled CLI (dist/, built by `npx tsc -b libs/lsm/tsconfig.lib.json`).
import { run } from '../dist/bin/lsm.js';

process.exitCode = await run(process.argv.slice(2));
