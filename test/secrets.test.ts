/**
 * Secrets stay secret. The webhook token must appear in no output at all: the library's own log lines,
 * errors (bad configuration included), events, health, stats, the dead-letter file, the pino-discord
 * CLI's stdout/stderr and a crashing child process's stderr — across a run with faults and a revoked
 * webhook. And values under secret-looking keys (or user-listed dotted paths) never reach Discord,
 * through either transport.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import winston from 'winston'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DiscordNotifier, ThreadedNotifier } from '@logcord/core'
import { resolveOptions } from '@logcord/core/internal'
import type { Emulator } from '@logcord/discord-emulator'
import pinoDiscord, { discordTransport } from '@logcord/pino-discord'
import { DiscordTransport } from '@logcord/winston-discord'
import { embedsOf, emulatorOptions, runFixture, startEmulator, tokenOf } from './crash-helpers.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CLI = fileURLToPath(new URL('../packages/pino-discord/dist/cli.js', import.meta.url))
/** A token no other string in the run could contain by chance. */
const BAD_TOKEN = 'SeCrEtToKeN_do-not-leak_0123456789abcdefghijABCDEFGHIJ0123456789abcdefghij'
const SECRETS = { password: 'hunter2-pw', token: 'tok-abc-123', authorization: 'Bearer sk-live-42', cookie: 'sid=s3ss10n', secret: 'shh-777' }
const PIN = '4321-pin'

let emu: Emulator
let dir: string
beforeEach(async () => {
  emu = await startEmulator()
  dir = mkdtempSync(join(tmpdir(), 'logcord-secrets-'))
})
afterEach(async () => {
  await emu.close()
  rmSync(dir, { recursive: true, force: true })
})

function run (args: string[], stdin: string): Promise<{ code: number | null, out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += String(d) })
    child.stderr.on('data', (d: Buffer) => { out += String(d) })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
    child.stdin.end(stdin)
  })
}

function thrownMessage (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return `${String(err)} ${JSON.stringify(err)} ${(err as Error).stack ?? ''}`
  }
  return ''
}

describe('the webhook token appears in no output', () => {
  it('notifier: log lines, events, health, stats and the dead-letter file through faults and revocation', async () => {
    const url = String(emulatorOptions(emu).webhookUrl)
    const token = tokenOf(url)
    const deadLetterFile = join(dir, 'dead.jsonl')
    const captured: string[] = []
    const n = new DiscordNotifier({ ...emulatorOptions(emu), webhookUrl: url, deadLetterFile, logLevel: 'debug', log: (l) => captured.push(l), retryDelays: [10, 10], timeoutMs: 300, dedup: { enabled: false } })
    // A 'dropped' event hands the app its own record objects back (by reference, for its own handling);
    // everything the library itself says in events is checked.
    for (const e of ['sent', 'dropped', 'rateLimited', 'retry', 'error', 'disabled'] as const) {
      n.on(e, (p: unknown) => captured.push(JSON.stringify({ ...(p as object), records: undefined })))
    }
    emu.setFaults({ errorRate: 0.3, dropRate: 0.1, hangRate: 0.1, rateLimitStorm: { scope: 'user', rate: 0.2 } })
    for (let i = 0; i < 30; i++) n.sendDiagnostic({ level: 'error', service: 'svc', message: `faulty ${i} ${url}`, details: { url } })
    await n.flush()
    // Faults off, so the next request certainly meets the revocation rather than a 5xx.
    emu.setFaults({ errorRate: 0, dropRate: 0, hangRate: 0, rateLimitStorm: null })
    emu.revoke(new URL(url).pathname.split('/')[3]!, 401)
    for (let i = 0; i < 10; i++) n.sendErrorNotification({ service: 'svc', error: new Error(`revoked ${i}: ${url}`) })
    await n.close()
    captured.push(JSON.stringify(n.health()), JSON.stringify(n.stats()), readFileSync(deadLetterFile, 'utf8'))
    const all = captured.join('\n')
    expect(n.health().status).toBe('disabled')
    expect(all.length).toBeGreaterThan(0)
    expect(all).not.toContain(token)
    // Even the record text the app logged (which contained the URL) is stored redacted.
    expect(JSON.stringify(emu.messages)).not.toContain(token)
  })

  it('configuration errors never echo the token, whichever option is wrong', () => {
    const base = `https://discord.com/api/webhooks/123456789012345678/${BAD_TOKEN}`
    const attempts = [
      () => resolveOptions({ webhookUrl: `${base}/slack` }),
      () => resolveOptions({ webhookUrl: `${base}/github` }),
      () => resolveOptions({ webhookUrl: base.replace('https:', 'ftp:') }),
      () => resolveOptions({ webhookUrl: base.replace('discord.com', 'evil.example') }),
      () => resolveOptions({ webhookUrl: base.replace('123456789012345678', '12') }),
      () => resolveOptions({ webhookUrl: `${base} trailing` }),
      // The shapes of issue 13: a double slash, id and token swapped, the token as a query parameter.
      () => resolveOptions({ webhookUrl: base.replace('webhooks/', 'webhooks//') }),
      () => resolveOptions({ webhookUrl: `https://discord.com/api/webhooks/${BAD_TOKEN}/123456789012345678` }),
      () => resolveOptions({ webhookUrl: `https://discord.com/api/webhooks/123456789012345678?token=${BAD_TOKEN}` }),
      () => new DiscordNotifier({ webhookUrl: base, apiOrigin: base.replace('https://', '') }),
      () => resolveOptions({ webhookUrl: base, apiOrigin: 'http://10.0.0.1' }),
      () => resolveOptions({ webhookUrl: base, queueCapacity: -1 }),
      () => new DiscordNotifier({ webhookUrl: base, username: 'discord bot' }),
      () => new ThreadedNotifier({ webhookUrl: base, timeoutMs: 0 }),
      () => new DiscordTransport({ webhookUrl: base, notifier: new DiscordNotifier({ enabled: false }) }),
      () => discordTransport({ webhookUrl: base, formatter: (() => 1) as never })
    ]
    for (const attempt of attempts) {
      const message = thrownMessage(attempt)
      expect(message).not.toBe('')
      expect(message).not.toContain(BAD_TOKEN)
    }
  })

  it('pino-discord CLI: stdout and stderr, with a revoked webhook and a bad URL', async () => {
    const url = String(emulatorOptions(emu).webhookUrl)
    const token = tokenOf(url)
    emu.revoke(new URL(url).pathname.split('/')[3]!, 401)
    const lines = [JSON.stringify({ level: 50, msg: `failed calling ${url}` }), JSON.stringify({ level: 60, msg: 'second' })].join('\n') + '\n'
    const revoked = await run([CLI, '--webhook-url', url, '--api-origin', emu.origin, '--log-level', 'debug', '--dead-letter-file', join(dir, 'cli.jsonl')], lines)
    expect(revoked.code).toBe(0)
    expect(revoked.out).toMatch(/disabled|401/)
    expect(revoked.out + readFileSync(join(dir, 'cli.jsonl'), 'utf8')).not.toContain(token)
    const bad = await run([CLI, '--webhook-url', `https://discord.com/api/webhooks/123456789012345678/${BAD_TOKEN}/slack`], '')
    expect(bad.code).toBe(2)
    expect(bad.out).not.toContain(BAD_TOKEN)
  })

  it('a crashing child process: stderr of a Winston app in thread mode whose webhook was revoked', async () => {
    const options = emulatorOptions(emu, { logLevel: 'debug' })
    emu.revoke(new URL(String(options.webhookUrl)).pathname.split('/')[3]!, 401)
    const result = await runFixture('crash-winston.mjs', ['exit'], { OPTIONS: JSON.stringify(options) })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/401|disabled/)
    expect(result.stderr + result.stdout).not.toContain(tokenOf(String(options.webhookUrl)))
  })
})

describe('secret values in fields never reach Discord', () => {
  const redactKeys = ['password', 'token', 'authorization', 'cookie', 'secret', 'user.credentials.pin']
  const context = { ...SECRETS, user: { name: 'ada', credentials: { pin: PIN, note: 'kept' } }, nested: { deeper: { Password: SECRETS.password } } }

  const expectRedacted = (): void => {
    const sent = JSON.stringify(emu.messages.map((m) => m.payload))
    for (const secret of [...Object.values(SECRETS), PIN]) expect(sent).not.toContain(secret)
    expect(sent).toContain('[redacted]')
    // Only the listed path is redacted: a sibling under the same parent still shows.
    expect(sent).toContain('kept')
  }

  it('Winston transport: default keys at any depth, and a dotted path', async () => {
    const t = new DiscordTransport({ ...emulatorOptions(emu), logLevel: 'silent', render: { redactKeys } })
    const logger = winston.createLogger({ transports: [t] })
    logger.error('login failed', context)
    await emu.waitFor(1)
    await t.close()
    expectRedacted()
  })

  it('Pino transport: default keys at any depth, and a dotted path', async () => {
    const stream = await pinoDiscord({ ...emulatorOptions(emu), logLevel: 'silent', render: { redactKeys } })
    pino(stream).error(context, 'login failed')
    await emu.waitFor(1)
    await new Promise<void>((resolve) => { stream.once('close', resolve); stream.end() })
    expectRedacted()
    expect(embedsOf(emu.messages)).toHaveLength(1)
  })
})
