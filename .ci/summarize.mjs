// Sums the vitest JSON reports written under */.test-results/ and prints `N passed, N failed`.
// Exits 1 when any test failed, when a suite failed to load, or when no test ran at all.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function* reports(dir, depth = 0) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '.git' || name === '.nx') continue;
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    if (name === '.test-results') {
      for (const file of readdirSync(path)) if (file.endsWith('.json')) yield join(path, file);
    } else if (depth < 3) {
      yield* reports(path, depth + 1);
    }
  }
}

let passed = 0;
let failed = 0;
let failedSuites = 0;
for (const file of reports('.')) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  failedSuites += report.numFailedTestSuites ?? 0;
  console.error(`${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
if (failedSuites > 0) console.error(`${failedSuites} test suites failed (a failing test, or a file that did not load)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || failedSuites > 0 || passed === 0 ? 1 : 0);
