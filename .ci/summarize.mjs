// Reads jest's JSON result: prints the 10 slowest tests, then the plain line "N passed, N failed".
import { readFileSync, existsSync } from 'node:fs';

const file = process.argv[2];
if (!existsSync(file)) {
  console.log('jest wrote no result file');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const result = JSON.parse(readFileSync(file, 'utf8'));
const tests = [];
for (const suite of result.testResults) {
  for (const t of suite.assertionResults)
    tests.push({ name: `${suite.name.replace(process.cwd() + '/', '')} > ${t.fullName}`, ms: t.duration ?? 0, status: t.status });
  if (suite.status === 'failed' && suite.assertionResults.length === 0) tests.push({ name: suite.name, ms: 0, status: 'failed' });
}
tests.sort((a, b) => b.ms - a.ms);
console.log('\n10 slowest tests:');
for (const t of tests.slice(0, 10)) console.log(`  ${(t.ms / 1000).toFixed(2).padStart(7)} s  ${t.name}`);
const passed = tests.filter((t) => t.status === 'passed').length;
const failed = tests.filter((t) => t.status === 'failed').length;
const skipped = tests.filter((t) => t.status === 'pending' || t.status === 'skipped' || t.status === 'todo').length;
console.log(`\n${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed > 0 || passed === 0 ? 1 : 0);
