// Writes the options tables of the READMEs from the core's options table (after `pnpm build`):
//   node scripts/options-table.mjs          write them
//   node scripts/options-table.mjs --check  exit 1 when one differs
import { readFileSync, writeFileSync } from 'node:fs'
import { OPTIONS } from '@logcord/core/internal'
import { READMES, withOptionsTable } from './lib/options-table.mjs'

let stale = 0
for (const readme of READMES) {
  const file = new URL(`../${readme}`, import.meta.url)
  const text = readFileSync(file, 'utf8')
  const next = withOptionsTable(text, OPTIONS)
  if (next === undefined || next === text) continue
  if (process.argv.includes('--check')) {
    console.error(`${readme}: the options table differs from packages/core/src/options/table.ts; run node scripts/options-table.mjs`)
    stale++
  } else {
    writeFileSync(file, next)
  }
}
process.exitCode = stale > 0 ? 1 : 0
