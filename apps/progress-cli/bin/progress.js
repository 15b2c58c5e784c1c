#!/usr/bin/env node
// The installed `progress` command: runs the bundled CLI (dist/bundle, built by
// `nx run @progress/cli:build`), or the plain tsc output when no bundle was built.
let cli;
try {
  cli = await import('../dist/bundle/main.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bundle/main.js')) throw error;
  cli = await import('../dist/main.js');
}

process.exitCode = await cli.run(process.argv.slice(2));
