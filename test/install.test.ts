/**
 * The way into an app outside this repository, as the README gives it: pack every package
 * (scripts/pack-all.mjs), `npm install` the tarballs into a temporary app outside the workspace, then run an ESM
 * Winston script, a CommonJS Pino script and `tsc --strict` (nodenext) against what was installed, sending to the
 * emulator. npm fetches winston, pino and typescript from the package registry. Build first: `pnpm build`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { embedsOf, ROOT, runNode, type NodeRun } from './crash-helpers.js'

/** `command args` in `cwd`, without blocking this process (the emulator answers from it). */
function run (command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<NodeRun> {
  return runNode(args, { command, cwd, env })
}

let work: string
let app: string
let emu: Emulator

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'logcord-install-'))
  const packed = await run(process.execPath, [join(ROOT, 'scripts/pack-all.mjs'), '--dest', join(work, 'packs'), '--quiet'], ROOT)
  expect(packed.code, packed.stderr).toBe(0)
  const tarballs = JSON.parse(packed.stdout.trim().split('\n').at(-1)!) as Record<string, string>
  app = join(work, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'an-app', version: '1.0.0', private: true }))
  const installed = await run('npm', ['install', tarballs['@logcord/core']!, tarballs['@logcord/winston-discord']!, tarballs['@logcord/pino-discord']!, 'winston', 'pino', 'typescript@5.9', '@types/node@20', '--no-audit', '--no-fund'], app)
  expect(installed.code, installed.stderr).toBe(0)
}, 240_000)
afterAll(() => { rmSync(work, { recursive: true, force: true }) })

beforeEach(async () => {
  emu = await createEmulator({ timeScale: 1 })
  return async () => { await emu.close() }
})

describe('an app outside the repository, installed from the packed tarballs with npm', () => {
  const SCRIPTS: Array<[string, string, string]> = [
    ['an ESM Winston script', 'winston-app.mjs', `import winston from 'winston'
import { DiscordTransport } from '@logcord/winston-discord'
const logger = winston.createLogger({ transports: [new DiscordTransport({ webhookUrl: process.env.DISCORD_WEBHOOK_URL })] })
logger.error(new Error('from an ESM Winston script'))
`],
    ['a CommonJS Pino script', 'pino-app.cjs', `const pino = require('pino')
const { discordTransport } = require('@logcord/pino-discord')
const logger = pino(discordTransport({ webhookUrl: process.env.DISCORD_WEBHOOK_URL }))
logger.error(new Error('from a CommonJS Pino script'))
`]
  ]

  it.each(SCRIPTS)('%s delivers its error and ends by itself', async (name, file, source) => {
    writeFileSync(join(app, file), source)
    const result = await run(process.execPath, [file], app, { DISCORD_WEBHOOK_URL: emu.webhookUrl() })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(embedsOf(emu.messages).map((e) => e.title)).toEqual([expect.stringContaining(`from ${name}`)])
  })

  it('type-checks with tsc --strict, module and resolution nodenext', async () => {
    writeFileSync(join(app, 'check.ts'), `import { DiscordNotifier, type NotifierOptions, type Severity } from '@logcord/core'
import { DiscordTransport } from '@logcord/winston-discord'
import { discordTarget, discordTransport, type PinoDiscordOptions } from '@logcord/pino-discord'

const options: NotifierOptions = { webhookUrl: 'https://discord.com/api/webhooks/1/t', minSeverity: 'warn' }
const severity: Severity = 'error'
const notifier = new DiscordNotifier(options)
notifier.sendDiagnostic({ level: severity, service: 'api', message: 'typed' })
const transport: DiscordTransport = new DiscordTransport({ ...options, level: 'warn' })
const pinoOptions: PinoDiscordOptions = { webhookUrl: options.webhookUrl }
discordTarget(pinoOptions, { level: 'warn' })
export const stream = discordTransport(pinoOptions)
export { transport }
`)
    const result = await run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', 'check.ts'], app)
    expect(result.stdout + result.stderr).toBe('')
    expect(result.code).toBe(0)
  })
})
