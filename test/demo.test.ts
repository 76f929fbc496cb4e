/**
 * The demo as a new user runs it (`node scripts/demo.mjs`, against the built packages and the emulator):
 * each row of its step table counts the deliveries of both apps, the Winston app in this process and the
 * Pino app, whose alerts leave from pino's worker in another process; its alerts show paths relative to
 * the repository, not the folders of the machine; and it saves the README's screenshot. Build first.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const HAS_CHROMIUM = existsSync('/usr/bin/chromium')
/** Discord's windows shrunk 20×: the whole demo takes a few seconds. */
const TIME_SCALE = '0.05'

function demo (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['scripts/demo.mjs', '--time-scale', TIME_SCALE, ...args], { cwd: ROOT, env: { ...process.env, DISCORD_WEBHOOK_URL: '' }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (typeof error.code === 'number' ? error.code : 1), stdout, stderr })
    })
  })
}

interface Row { step: string, logged: number, received: number, embeds: number }

function rows (stdout: string): Row[] {
  return [...stdout.matchAll(/^ {2}(\d\/\d [^\n]*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+[\d.]+s$/gm)]
    .map((m) => ({ step: (m[1] as string).trim(), logged: Number(m[2]), received: Number(m[3]), embeds: Number(m[4]) }))
}

describe('the demo', () => {
  it('counts each app\'s deliveries in the row of the step that logged them', async () => {
    const run = await demo([])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const table = rows(run.stdout)
    expect(table.map((r) => r.step.slice(0, 3))).toEqual(['1/7', '2/7', '3/7', '4/7', '5/7', '6/7', '7/7'])
    // Steps 1-5 log one distinct record per app: both embeds are in Discord when the row is printed.
    for (const row of table.slice(0, 5)) {
      expect(row.embeds, row.step).toBe(row.logged)
      expect(row.received, row.step).toBe(row.logged)
    }
  })

  it('its alerts show paths relative to the repository', async () => {
    const { STEPS } = await import(pathToFileURL(join(ROOT, 'scripts/lib/demo-steps.mjs')).href) as { STEPS: Record<string, { winston: (...a: unknown[]) => number, pino: (...a: unknown[]) => number }> }
    const logged: unknown[] = []
    const logger = Object.fromEntries(['info', 'warn', 'error', 'fatal'].map((level) => [level, (...args: unknown[]) => { logged.push(args) }]))
    const transport = { notifier: { sendStartupNotification: () => true } }
    const sizes = { winstonStorm: 1, pinoStorm: 1, winstonBurst: 1, pinoBurst: 1 }
    for (const step of Object.values(STEPS)) {
      step.winston(logger, transport, sizes)
      step.pino(logger, sizes)
    }
    const stacks: string[] = []
    const collect = (v: unknown): void => {
      if (v instanceof Error) {
        stacks.push(String(v.stack))
        collect(v.cause)
      } else if (typeof v === 'object' && v !== null) {
        for (const x of Object.values(v)) collect(x)
      }
    }
    collect(logged)
    expect(stacks.length).toBeGreaterThanOrEqual(5)
    for (const stack of stacks) {
      expect(stack).toContain('(scripts/lib/demo-steps.mjs:')
      expect(stack).not.toContain(ROOT)
      expect(stack).not.toContain('file://')
    }
  })

  it.skipIf(!HAS_CHROMIUM)('saves the preview page as the README screenshot (--screenshot)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logcord-demo-'))
    try {
      const file = join(dir, 'preview.png')
      const run = await demo(['--screenshot', file])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain(`Saved the preview page to ${file}`)
      expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
