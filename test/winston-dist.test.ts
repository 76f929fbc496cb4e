/**
 * The BUILT package, loaded the way users load it: in child processes, through `import` and
 * `require`, and the uncaught-exception path that ends in process.exit(1).
 * Needs `pnpm build` first (the root `pnpm test` does it).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SEVERITY_STYLES, type Embed } from '@logcord/core'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PACKAGE_DIR = fileURLToPath(new URL('../packages/winston-discord/', import.meta.url))
const DIST_ESM = new URL('../packages/winston-discord/dist/index.js', import.meta.url).href
const DIST_CJS = fileURLToPath(new URL('../packages/winston-discord/dist/index.cjs', import.meta.url))
/** Winston gives exception transports at most this long before process.exit(1) (exception-handler.js). */
const WINSTON_EXIT_DEADLINE_MS = 3000
const TIME_SCALE = 0.02

interface ChildResult { code: number | null, stdout: string, stderr: string, crashedToExitMs: number | undefined }

/** Runs node with `args` from `cwd`; notes when the child prints CRASHING so exit latency can be measured. */
function runNode (args: string[], cwd: string = ROOT, env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let crashedAt: number | undefined
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (crashedAt === undefined && stdout.includes('CRASHING')) crashedAt = performance.now()
    })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr, crashedToExitMs: crashedAt === undefined ? undefined : performance.now() - crashedAt }))
  })
}

beforeAll(() => {
  if (!existsSync(DIST_CJS)) throw new Error('packages/winston-discord/dist is missing: run `pnpm build` first.')
})

let emu: Emulator | undefined
afterEach(async () => {
  await emu?.close()
  emu = undefined
})

describe('the built @logcord/winston-discord', () => {
  it('loads through import and require and plugs into a Winston logger', async () => {
    const check = (load: string) => `${load}
      const Transport = require('winston-transport')
      const t = new DiscordTransport({ enabled: false, level: 'warn' })
      if (!(t instanceof Transport)) throw new Error('not a winston-transport')
      const winston = require('winston')
      const logger = winston.createLogger({ transports: [t] })
      logger.error(new Error('x'))
      t.flush().then((r) => console.log('OK', typeof DiscordTransport, t.level, r.pending))`
    const esm = await runNode(['--input-type=module', '-e', check(`import { DiscordTransport } from ${JSON.stringify(DIST_ESM)}\nimport { createRequire } from 'node:module'\nconst require = createRequire(${JSON.stringify(ROOT + 'package.json')})`)])
    expect(esm.stderr).toBe('')
    expect(esm.stdout.trim()).toBe('OK function warn 0')
    const cjs = await runNode(['-e', check(`const { DiscordTransport } = require(${JSON.stringify(DIST_CJS)})`)])
    expect(cjs.stderr).toBe('')
    expect(cjs.stdout.trim()).toBe('OK function warn 0')
  })

  it('resolves by its package name through the exports map, from ESM and CJS', async () => {
    const esm = await runNode(['--input-type=module', '-e', "import { DiscordTransport, toRecord } from '@logcord/winston-discord'; console.log(typeof DiscordTransport, typeof toRecord)"], PACKAGE_DIR)
    expect(esm.stdout.trim()).toBe('function function')
    const cjs = await runNode(['-e', "const m = require('@logcord/winston-discord'); console.log(typeof m.DiscordTransport, typeof m.toRecord)"], PACKAGE_DIR)
    expect(cjs.stdout.trim()).toBe('function function')
  })

  it('delivers the alert for an uncaught exception before Winston exits the process with code 1', async () => {
    emu = await createEmulator({ timeScale: TIME_SCALE })
    const script = `
      import winston from 'winston'
      import { DiscordTransport } from ${JSON.stringify(DIST_ESM)}
      winston.createLogger({
        transports: [new DiscordTransport({ webhookUrl: process.env.HOOK, apiOrigin: process.env.ORIGIN, handleExceptions: true, logLevel: 'silent' })]
      })
      function chargeCard () { throw new TypeError('card processor unreachable') }
      setImmediate(() => { console.log('CRASHING'); chargeCard() })`
    const result = await runNode(['--input-type=module', '-e', script], ROOT, { HOOK: emu.webhookUrl(), ORIGIN: emu.origin })
    expect(result.code).toBe(1)
    // Read right after exit, without waiting: the alert had to arrive before the process died.
    const embeds = emu.messages.flatMap((m) => (m.payload.embeds as Embed[] | undefined) ?? [])
    expect(embeds).toHaveLength(1)
    const embed = embeds[0] as Embed
    expect(embed.title).toContain('uncaughtException: card processor unreachable')
    expect(embed.description).toContain('chargeCard')
    expect(embed.color).toBe(SEVERITY_STYLES.error.color)
    // The transport's 'finish' released Winston early, not Winston's own deadline.
    expect(result.crashedToExitMs).toBeLessThan(WINSTON_EXIT_DEADLINE_MS)
  })
})
