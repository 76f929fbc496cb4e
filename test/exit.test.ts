/**
 * Processes that end: scripts, CLIs, `await close()` at an ESM top level, `logger.end()`, and
 * `process.exit()` right after logging. Every script is a child process that runs the BUILT packages
 * and ends by itself, exactly as a user's would; the emulator runs here, at Discord's real limits
 * (5 requests per 2 s per webhook), so the sixth request must wait for the bucket while the script ends.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { embedsOf, ROOT, runFixture, runNode, tokenOf } from './crash-helpers.js'

const RECORDS = 100
const ESM = 'exit-script.mjs'
const CJS = 'exit-script.cjs'
/** A deadline kept short so the failing-Discord cases take seconds, as a user of a cron job might set it. */
const SHORT_DEADLINE_MS = 1500
const CLI = fileURLToPath(new URL('../packages/pino-discord/dist/cli.js', import.meta.url))

let emu: Emulator
beforeEach(async () => { emu = await createEmulator() })
afterEach(async () => { await emu.close() })

function env (extra: Record<string, unknown> = {}, more: Record<string, string> = {}): Record<string, string> {
  return { OPTIONS: JSON.stringify({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, ...extra }), ...more }
}

function titles (): string[] {
  return embedsOf(emu.messages).map((e) => e.title ?? '')
}

/** The footers the channel shows now: an incident's status line comes first. */
function footers (): string[] {
  return embedsOf(emu.messages).map((e) => e.footer?.text ?? '')
}

function deadLetterPath (): string {
  return join(mkdtempSync(join(tmpdir(), 'logcord-exit-')), 'dead.jsonl')
}

function lines (path: string): Array<{ reason: string }> {
  if (!existsSync(path)) return []
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { reason: string })
}

describe('a script that ends by itself delivers everything it logged', () => {
  it('ESM: 100 × sendDiagnostic, then the script ends', async () => {
    const run = await runFixture(ESM, ['end', String(RECORDS)], env())
    expect(run.code).toBe(0)
    expect(embedsOf(emu.messages)).toHaveLength(RECORDS)
    expect(run.stderr).toBe('')
  })

  it('ESM: the same, then `await notifier.close()` settles (never exit 13)', async () => {
    const run = await runFixture(ESM, ['close', String(RECORDS)], env())
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('CLOSED {"pending":0,"timedOut":false}')
    expect(embedsOf(emu.messages)).toHaveLength(RECORDS)
    expect(run.stderr).toBe('')
  })

  it('CJS: the same, then `notifier.close().then(…)` runs its callback', async () => {
    const run = await runFixture(CJS, ['notifier-then', String(RECORDS)], env())
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('CLOSED {"pending":0,"timedOut":false}')
    expect(embedsOf(emu.messages)).toHaveLength(RECORDS)
  })

  it('CJS: Winston, 100 × logger.error(err), then logger.end() fires \'finish\'', async () => {
    const run = await runFixture(CJS, ['winston-end', String(RECORDS)], env())
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('FINISH')
    expect(embedsOf(emu.messages)).toHaveLength(RECORDS)
    expect(run.stderr).toBe('')
  })

  it('CJS: Winston, 100 × logger.error(err), then the script ends', async () => {
    const run = await runFixture(CJS, ['winston-natural', String(RECORDS)], env())
    expect(run.code).toBe(0)
    expect(embedsOf(emu.messages)).toHaveLength(RECORDS)
    expect(new Set(titles()).size).toBe(RECORDS)
    expect(run.stderr).toBe('')
  })

  it('keeps the exit code the script set (process.exitCode = 4)', async () => {
    const run = await runFixture(ESM, ['exit-code', '12'], env())
    expect(run.code).toBe(4)
    expect(embedsOf(emu.messages)).toHaveLength(12)
  })
})

describe('process.exit() right after logging delivers, with the default configuration', () => {
  it('CJS: Winston\'s default transport, logger.error(err); process.exit(1)', async () => {
    const run = await runFixture(CJS, ['winston-exit', '1'], env())
    expect(run.code).toBe(1)
    expect(titles()).toEqual([expect.stringContaining('ledger locked ledger')])
    expect(run.stderr).toBe('')
  })

  it('CJS: Winston, 100 errors then process.exit(1): all of them, across the rate limit', async () => {
    const run = await runFixture(CJS, ['winston-exit', String(RECORDS)], env())
    expect(run.code).toBe(1)
    expect(embedsOf(emu.messages)).toHaveLength(RECORDS)
    expect(emu.stats().rateLimited).toEqual({ bucket: 0, shared: 0, global: 0, cloudflare: 0 })
  })

  // logger.error(err) calls are staged until the end of the synchronous run: process.exit() in the
  // same run must still have them handed over, in both modes.
  it('CJS: Winston thread mode, logger.error(err); process.exit(1)', async () => {
    const run = await runFixture(CJS, ['winston-exit', '1'], env({ thread: true }))
    expect(run.code).toBe(1)
    expect(titles()).toEqual([expect.stringContaining('ledger locked ledger')])
    expect(run.stderr).toBe('')
  })

  for (const thread of [false, true]) {
    it(`CJS: Winston${thread ? ' thread mode' : ''}, a storm of 200 identical errors then process.exit(1): one message, edited to read ×200`, async () => {
      const run = await runFixture(CJS, ['winston-storm-exit', '200'], env({ thread }))
      expect(run.code).toBe(1)
      expect(emu.messages).toHaveLength(1)
      expect(footers()).toEqual([expect.stringMatching(/^×200 · first /)])
      expect(run.stderr).toBe('')
    })
  }

  it('ESM: DiscordNotifier, 100 records then process.exit(3)', async () => {
    const run = await runFixture(ESM, ['exit', String(RECORDS)], env({}, { EXIT_CODE: '3' }))
    expect(run.code).toBe(3)
    expect(embedsOf(emu.messages)).toHaveLength(RECORDS)
    expect(run.stderr).toBe('')
  })

  it('CJS: DiscordNotifier, one error then process.exit(0)', async () => {
    const run = await runFixture(CJS, ['notifier-exit', '1'], env())
    expect(run.code).toBe(0)
    expect(titles()).toEqual([expect.stringContaining('ledger locked ledger')])
  })

  it('what misses exitTimeoutMs is dead-lettered, with one stderr line', async () => {
    emu.setFaults({ errorRate: 1 })
    const file = deadLetterPath()
    const run = await runFixture(ESM, ['exit', '3'], env({ exitTimeoutMs: SHORT_DEADLINE_MS, deadLetterFile: file }))
    expect(run.code).toBe(0)
    expect(lines(file)).toHaveLength(3)
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^logcord error: 3 records not delivered within exitTimeoutMs at process exit \(1500 ms\): written to the dead-letter file/)])
    expect(run.ms).toBeLessThan(SHORT_DEADLINE_MS + 2000)
  })
})

describe('Discord failing while a script ends', () => {
  it('ESM: `await close()` with every request answered 500 settles by its deadline and dead-letters', async () => {
    emu.setFaults({ errorRate: 1 })
    const file = deadLetterPath()
    const run = await runFixture(ESM, ['close', '1'], env({ flushTimeoutMs: SHORT_DEADLINE_MS, deadLetterFile: file }))
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('CLOSED {"pending":1,"timedOut":true}')
    expect(lines(file)).toEqual([expect.objectContaining({ reason: 'shutdown' })])
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^logcord error: 1 record not delivered within the close\(\) deadline \(1500 ms\): written to the dead-letter file/)])
  })

  it('a script that just ends drains within flushTimeoutMs, dead-letters the rest, counters reconcile', async () => {
    emu.setFaults({ errorRate: 1 })
    const file = deadLetterPath()
    const run = await runFixture(ESM, ['end', '20'], env({ flushTimeoutMs: SHORT_DEADLINE_MS, deadLetterFile: file, dedup: { enabled: false } }, { PRINT_STATS: '1' }))
    expect(run.code).toBe(0)
    const stats = JSON.parse(run.stdout.split('STATS ')[1]!) as { accepted: number, sent: number, dropped: number, collapsed: number, deadLettered: number }
    expect(stats.accepted).toBe(20)
    expect(stats.sent + stats.dropped + stats.collapsed).toBe(20)
    expect(stats.deadLettered).toBe(stats.dropped)
    expect(lines(file)).toHaveLength(stats.dropped)
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^logcord error: 20 records not delivered within flushTimeoutMs after the event loop emptied \(1500 ms\)/)])
  })

  it('the token appears in no stderr line and no dead letter', async () => {
    emu.setFaults({ errorRate: 1 })
    const file = deadLetterPath()
    const run = await runFixture(ESM, ['exit', '2'], env({ exitTimeoutMs: 800, deadLetterFile: file, logLevel: 'debug' }))
    const token = tokenOf(emu.webhookUrl())
    expect(run.stderr).not.toContain(token)
    expect(readFileSync(file, 'utf8')).not.toContain(token)
  })
})

describe('nothing pending, nothing held', () => {
  it('a Pino transport built but never handed to pino() lets the process end', async () => {
    const run = await runFixture('exit-pino-unused.mjs', [], env())
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('BUILT')
  })

  it('ThreadedNotifier: after `await flush()` delivered everything, the script ends at once', async () => {
    const run = await runFixture(ESM, ['threaded-flush', '3'], env())
    expect(run.code).toBe(0)
    expect(embedsOf(emu.messages)).toHaveLength(3)
    // Its worker must not hold the process: before the fix this script never ended.
    expect(run.ms).toBeLessThan(5000)
  })

  it('ThreadedNotifier in a script run with `node --input-type=module -e` (the worker must not inherit the flag)', async () => {
    const source = "import { ThreadedNotifier } from '@logcord/core'\nconst n = new ThreadedNotifier(JSON.parse(process.env.OPTIONS))\nn.sendDiagnostic({ level: 'error', service: 'cli', message: 'inline script failed' })\nprocess.exit(2)"
    const run = await runNode(['--input-type=module', '-e', source], { env: env() })
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('')
    expect(embedsOf(emu.messages).map((e) => e.description)).toEqual([expect.stringContaining('inline script failed')])
  })

  it('ThreadedNotifier: a storm logged just before the script ends: its message is edited to ×100 before the exit', async () => {
    const run = await runFixture(ESM, ['threaded-storm', String(RECORDS)], env())
    expect(run.code).toBe(0)
    expect(titles()).toEqual([expect.stringContaining('Error · nightly-import')])
    expect(footers()).toEqual([expect.stringMatching(/^×100 · first /)])
  })

  it('Winston thread mode: 100 errors, then the script ends: all delivered', async () => {
    const run = await runFixture(CJS, ['winston-natural', String(RECORDS)], env({ thread: true }))
    expect(run.code).toBe(0)
    expect(embedsOf(emu.messages)).toHaveLength(RECORDS)
  })

  it('an idle notifier with an open storm window (no repeats) does not hold the process for the window', async () => {
    const run = await runFixture(ESM, ['end', '1'], env({ dedup: { windowMs: 600_000 } }))
    expect(run.code).toBe(0)
    expect(run.ms).toBeLessThan(5000)
  })

  it('repeats in an open storm window reach the incident\'s message before the script ends', async () => {
    // 100 records of one message template: the first goes at once, its message is edited to count all 100.
    const run = await runFixture(ESM, ['storm', String(RECORDS)], env())
    expect(run.code).toBe(0)
    expect(titles()).toEqual([expect.stringContaining('Error · nightly-import')])
    expect(footers()).toEqual([expect.stringMatching(/^×100 · first /)])
  })

  it('with incidents off, repeats in an open storm window are summarised before the script ends', async () => {
    const run = await runFixture(ESM, ['storm', String(RECORDS)], env({ incidents: { enabled: false } }))
    expect(run.code).toBe(0)
    expect(titles()).toEqual([expect.stringContaining('Error · nightly-import'), expect.stringContaining('×99 more in the last')])
  })
})

describe('SIGTERM recipe and the CLI', () => {
  it('Winston: the README\'s SIGTERM recipe (logger.once(\'finish\'), logger.end()) delivers everything', async () => {
    const run = await runFixture(CJS, ['winston-sigterm', '30'], env(), 'SIGTERM')
    expect(run.code).toBe(0)
    expect(embedsOf(emu.messages)).toHaveLength(30)
  })

  it('pino-discord CLI: lines piped 150 ms apart, then end of input: all delivered, summary printed', async () => {
    const run = await pipeToCli(8, 150, env())
    expect(run.code).toBe(0)
    expect(embedsOf(emu.messages)).toHaveLength(8)
    expect(run.stderr).toMatch(/pino-discord: 8 lines read, .*8 sent, 0 dropped/)
  })

  it('pino-discord CLI: Discord failing: the summary still comes, with the dead-lettered count', async () => {
    emu.setFaults({ errorRate: 1 })
    const file = deadLetterPath()
    const run = await pipeToCli(3, 20, env({}), ['--close-timeout-ms', String(SHORT_DEADLINE_MS), '--dead-letter-file', file])
    expect(run.code).toBe(0)
    expect(run.stderr).toMatch(/pino-discord: 3 lines read, .*0 sent, 3 dropped/)
    expect(run.stderr).toMatch(/3 dead-lettered/)
    expect(lines(file)).toHaveLength(3)
  })
})

/** Runs the built CLI with `count` pino lines written to its stdin `gapMs` apart, then closes stdin. */
function pipeToCli (count: number, gapMs: number, e: Record<string, string>, extraArgs: string[] = []): Promise<{ code: number | null, stderr: string }> {
  const opts = JSON.parse(e.OPTIONS!) as { webhookUrl: string, apiOrigin: string }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--webhook-url', opts.webhookUrl, '--api-origin', opts.apiOrigin, ...extraArgs], { cwd: ROOT, stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += String(d) })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
    let i = 0
    const next = (): void => {
      if (i === count) { child.stdin.end(); return }
      child.stdin.write(JSON.stringify({ level: 50, time: Date.now(), pid: 1, hostname: 'cron', msg: `job step ${'abcdefghij'[i]} failed` }) + '\n')
      i++
      setTimeout(next, gapMs)
    }
    next()
  })
}
