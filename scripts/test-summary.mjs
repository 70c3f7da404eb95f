// Prints one plain closing line for a vitest JSON report: "<label>: N passed, N failed, N skipped".
// Usage: node scripts/test-summary.mjs LABEL [REPORT]  (exit 1 when the report is missing or empty)
import fs from 'node:fs';

const [label = 'tests', file = '.tmp/vitest-results.json'] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`test-summary: cannot read ${file}: ${e.message}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${label}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(passed + failed === 0 ? 1 : 0);
