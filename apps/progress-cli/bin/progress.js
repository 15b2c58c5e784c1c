#!/usr/bin/env node
// The installed `progress` command: runs the compiled CLI (built by the root `prepare` script).
import { run } from '../dist/main.js';

process.exitCode = await run(process.argv.slice(2));
