// The READMEs' options tables are the core's options table (packages/core/src/options/table.ts), row
// for row: `node scripts/options-table.mjs` writes them, this holds them equal.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OPTIONS } from '@logcord/core/internal'
import { READMES, withOptionsTable } from '../scripts/lib/options-table.mjs'

const root = new URL('../', import.meta.url)

describe('options tables', () => {
  it.each(READMES)('%s shows every option with the default it has', (readme) => {
    const text = readFileSync(new URL(readme, root), 'utf8')
    const generated = withOptionsTable(text, OPTIONS)
    expect(generated, `${readme} has no <!-- options-table --> block`).toBeDefined()
    expect(text, `${readme} differs from the options table: run node scripts/options-table.mjs`).toBe(generated)
  })

  it('shows each default as the resolved options hold it', () => {
    const text = readFileSync(new URL('README.md', root), 'utf8')
    expect(text).toContain('| `queueCapacity` | `2000` |')
    expect(text).toContain("| `dedup.fingerprint` | `['severity', 'message', 'errorType']` |")
    expect(text).toContain('| `rateLimits.channelLimit` | `30` |')
  })
})
