/**
 * The demo as a new user runs it (`node scripts/demo.mjs`, against the built packages and the emulator),
 * run once with --keep-open (and --screenshot where Chromium is installed): each row of its step table
 * counts the deliveries of both apps, the Winston app in this process and the Pino app, whose alerts leave
 * from pino's worker in another process; it saves the README's screenshot; the webhook URL it prints
 * works as-is; it ends cleanly on Ctrl-C. Its alerts show paths relative to the repository. Build first.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DiscordNotifier } from '@logcord/core'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const HAS_CHROMIUM = existsSync('/usr/bin/chromium')
/** Discord's windows shrunk 20×: the whole demo takes a few seconds. */
const TIME_SCALE = '0.05'

interface Row { step: string, logged: number, received: number, embeds: number }

function rows (stdout: string): Row[] {
  return [...stdout.matchAll(/^ {2}(\d\/\d [^\n]*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+[\d.]+s$/gm)]
    .map((m) => ({ step: (m[1] as string).trim(), logged: Number(m[2]), received: Number(m[3]), embeds: Number(m[4]) }))
}

describe('the demo, run once with --keep-open', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logcord-demo-'))
  const screenshot = join(dir, 'preview.png')
  let child: ChildProcess
  let stdout = ''
  let stderr = ''
  let webhookUrl: string

  beforeAll(async () => {
    const args = ['scripts/demo.mjs', '--time-scale', TIME_SCALE, '--keep-open', ...(HAS_CHROMIUM ? ['--screenshot', screenshot] : [])]
    child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, DISCORD_WEBHOOK_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stderr!.on('data', (d: Buffer) => { stderr += String(d) })
    webhookUrl = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        stdout += String(d)
        const m = /Webhook URL: (\S+)/.exec(stdout)
        if (m !== null) resolve(m[1]!)
      })
      child.on('close', () => reject(new Error(`the demo ended without printing a webhook URL:\n${stdout}\n${stderr}`)))
    })
  }, 120_000)

  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  it('counts each app\'s deliveries in the row of the step that logged them', () => {
    const table = rows(stdout)
    expect(table.map((r) => r.step.slice(0, 3))).toEqual(['1/7', '2/7', '3/7', '4/7', '5/7', '6/7', '7/7'])
    // Steps 1-5 log one distinct record per app: both embeds are in Discord when the row is printed.
    for (const row of table.slice(0, 5)) {
      expect(row.embeds, row.step).toBe(row.logged)
      expect(row.received, row.step).toBe(row.logged)
    }
  })

  it.skipIf(!HAS_CHROMIUM)('saves the preview page as the README screenshot (--screenshot)', () => {
    expect(stdout).toContain(`Saved the preview page to ${screenshot}`)
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG')
  })

  it('prints a webhook URL that works as-is', async () => {
    const n = new DiscordNotifier({ webhookUrl, logLevel: 'silent' })
    n.sendPlaintext('pasted from the demo')
    await n.close()
    expect(n.stats()).toMatchObject({ sent: 1, dropped: 0 })
  })

  it('ends on Ctrl-C with exit code 0 and nothing on stderr', async () => {
    const closed = once(child, 'close')
    child.kill('SIGINT')
    expect((await closed)[0]).toBe(0)
    expect(stderr).toBe('')
  })
})

describe('the demo\'s steps', () => {
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
})
