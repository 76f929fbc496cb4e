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
const failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0)
console.log(`${report.numPassedTests ?? 0} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
