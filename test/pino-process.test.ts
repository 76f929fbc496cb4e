/**
 * Whole processes: an app that logs and exits (naturally or with process.exit), and the CLI fed
 * from a pipe. Each child loads the built dist by package name. Build first: `pnpm build`.
 */
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import pinoDiscord from '@logcord/pino-discord'
import { embedsOf, emulatorOptions, endTransport, startEmulator, waitForEmbeds, WAIT_MS } from './pino-helpers.js'
import { runNode, type NodeRun } from './crash-helpers.js'

const CLI = fileURLToPath(new URL('../packages/pino-discord/dist/cli.js', import.meta.url))

type Run = NodeRun

/** Runs `node` in the repository root, so children resolve `pino` and `@logcord/*` like an app would. */
function run (args: string[], options: { env?: Record<string, string>, stdin?: string } = {}): Promise<Run> {
  return runNode(args, options)
}

/** An ESM app body run with `node --input-type=module -e`; OPTIONS carries the transport options. */
function app (body: string): string[] {
  return ['--input-type=module', '-e', `
import pino from 'pino'
import { discordTransport } from '@logcord/pino-discord'
const transport = discordTransport(JSON.parse(process.env.OPTIONS))
const logger = pino(transport)
${body}`]
}

let emu: Emulator
beforeEach(async () => { emu = await startEmulator() })
afterEach(async () => { await emu.close() })

describe('pino-discord across process lifetimes', () => {
  it('delivers all 50 errors of an app that logs and then ends naturally', async () => {
    const COUNT = 50
    // Same message template each time: storm control would fold these; this test is about delivery.
    const result = await run(app(`for (let i = 0; i < ${COUNT}; i++) logger.error(new Error('natural exit ' + i))`), { env: { OPTIONS: JSON.stringify(emulatorOptions(emu, { dedup: { enabled: false } })) } })
    expect(result.code).toBe(0)
    const embeds = await waitForEmbeds(emu, COUNT)
    expect(new Set(embeds.map((e) => e.title)).size).toBe(COUNT)
  })

  it('delivers all 100 errors of a script whose logger is collected while they are still being sent', async () => {
    // Discord's real limits: 100 records are 10 messages, several seconds of sending. Only the script's top level
    // uses the logger, so a collection during those seconds takes pino's (weakly held) stream unless the transport
    // keeps it: pino's exit hook would then have nothing to end, and the worker would die with the records.
    const real = await createEmulator({ timeScale: 1 })
    try {
      const options = { webhookUrl: real.webhookUrl(), apiOrigin: real.origin, dedup: { enabled: false } }
      const body = 'for (let i = 0; i < 100; i++) logger.error(new Error(\'collected \' + i))\n' +
        'let n = 0\nconst t = setInterval(() => { globalThis.gc(); if (++n === 10) clearInterval(t) }, 200)'
      const result = await run(['--expose-gc', ...app(body)], { env: { OPTIONS: JSON.stringify(options) } })
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(new Set(embedsOf(real.messages).map((e) => e.title)).size).toBe(100)
    } finally {
      await real.close()
    }
  }, 60_000)

  it('delivers the fatal record of an app that calls process.exit(1) right after logging it', async () => {
    const result = await run(app('logger.fatal(new Error(\'unrecoverable: config missing\')); process.exit(1)'), { env: { OPTIONS: JSON.stringify(emulatorOptions(emu)) } })
    expect(result.code).toBe(1)
    const [embed] = await waitForEmbeds(emu, 1)
    expect(embed?.title).toContain('unrecoverable: config missing')
  })

  it('counts unparsable lines in the worker and reports them on close, without the token', async () => {
    const options = emulatorOptions(emu)
    const result = await run(app('transport.write(\'not json\\n\'); transport.write(\'{"half":\\n\'); logger.error(\'after the junk\')'), { env: { OPTIONS: JSON.stringify(options) } })
    expect(result.code).toBe(0)
    await waitForEmbeds(emu, 1)
    expect(result.stderr).toMatch(/2 unparsable/)
    expect(result.stderr).not.toContain(new URL(options.webhookUrl!).pathname.split('/').pop())
  })

  it('counts unparsable lines in-process and keeps going', async () => {
    const stream = await pinoDiscord(emulatorOptions(emu))
    const logger = pino(stream)
    stream.write('garbage\n')
    stream.write('17\n')
    logger.error('still delivered')
    await waitForEmbeds(emu, 1)
    await endTransport(stream)
    expect(stream.stats()).toMatchObject({ unparsable: 2, delivery: { sent: 1 } })
  })

  it('runs as a CLI fed from a pipe: filters by level, passes over junk, drains, prints a summary', async () => {
    const options = emulatorOptions(emu)
    const token = new URL(options.webhookUrl!).pathname.split('/').pop()!
    const line = (level: number, msg: string, extra = {}): string => JSON.stringify({ level, time: Date.now(), pid: 1, hostname: 'cli-host', msg, ...extra })
    const input = [
      line(30, 'info is below --level'),
      'plain text from a console.log',
      line(40, 'disk 91%'),
      '{"truncated":',
      line(50, 'payment failed', { err: { type: 'Error', message: 'card declined', stack: 'Error: card declined\n    at pay (app.js:1:1)' } }),
      '42',
      ''
    ].join('\n')
    const result = await run([CLI, '--webhook-url', options.webhookUrl!, '--api-origin', emu.origin, '--level', 'warn', '--username', 'alerts'], { stdin: input })
    expect(result.code).toBe(0)
    const embeds = embedsOf(await emu.waitFor((m) => embedsOf(m).length >= 2, WAIT_MS))
    expect(embeds.map((e) => e.title).sort()).toEqual([expect.stringContaining('disk 91%'), expect.stringContaining('payment failed')].reverse())
    expect(emu.messages.every((m) => m.payload.username === 'alerts')).toBe(true)
    expect(result.stderr).toMatch(/^pino-discord: 6 lines read, 1 below level, .*2 sent, 0 dropped, 3 unparsable/m)
    expect(result.stderr + result.stdout).not.toContain(token)
    expect(result.stdout).toBe('')
  })

  it('CLI: reads DISCORD_WEBHOOK_URL and exits 2 with a clear message when there is none', async () => {
    const missing = await run([CLI], { env: { DISCORD_WEBHOOK_URL: '' } })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/--webhook-url or set DISCORD_WEBHOOK_URL/)
    const options = emulatorOptions(emu)
    const ok = await run([CLI, '--api-origin', emu.origin], { env: { DISCORD_WEBHOOK_URL: options.webhookUrl! }, stdin: JSON.stringify({ level: 50, msg: 'from env' }) + '\n' })
    expect(ok.code).toBe(0)
    const [embed] = await waitForEmbeds(emu, 1)
    expect(embed?.title).toContain('from env')
  })

  it('loads from CommonJS and ESM with the default export pino\'s worker loader unwraps', async () => {
    const probe = `const fn = typeof m === 'object' && typeof m.default === 'object' ? m.default.default : typeof m === 'object' ? m.default : m
console.log(JSON.stringify({ fn: typeof fn, helper: typeof m.discordTransport, target: m.discordTarget({ webhookUrl: process.env.URL }).target.split('/').pop() }))`
    const env = { URL: 'https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz' }
    const cjs = await run(['-e', `const m = require('@logcord/pino-discord')\n${probe}`], { env })
    expect(JSON.parse(cjs.stdout)).toEqual({ fn: 'function', helper: 'function', target: 'index.cjs' })
    const esm = await run(['--input-type=module', '-e', `const m = await import('@logcord/pino-discord')\n${probe}`], { env })
    expect(JSON.parse(esm.stdout)).toEqual({ fn: 'function', helper: 'function', target: 'index.js' })
  })
})
