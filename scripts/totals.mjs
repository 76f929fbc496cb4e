// Prints vitest's totals as one plain line, `N passed, N failed, N skipped`, from its JSON report.
import { readFileSync } from 'node:fs'

const file = process.argv[2]
let report
try {
  report = JSON.parse(readFileSync(file, 'utf8'))
} catch {
  // The suite never ran (install, build or type-check failed before it).
  console.log('0 passed, 1 failed')
  process.exit(0)
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
// A test file that fails to load has no test results of its own: count it as one failure.
const brokenFiles = (report.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length
const failed = (report.numFailedTests ?? 0) + brokenFiles
console.log(`${report.numPassedTests ?? 0} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
