/**
 * The `logcord` bin of @logcord/core, run from the BUILT package in a child process as a user runs it:
 * `logcord test` against the emulator, and `logcord replay` of a dead-letter file written while Discord
 * was down: every record arrives once, and a second replay sends nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { runNode, type NodeRun } from './crash-helpers.js'
import { DiscordNotifier } from '@logcord/core'

const require = createRequire(import.meta.url)
const corePackage = require.resolve('@logcord/core/package.json')
const BIN = join(dirname(corePackage), (require(corePackage) as { bin: { logcord: string } }).bin.logcord)
const TIME_SCALE = 0.02

type Run = NodeRun

function logcord (args: string[], webhookUrl: string): Promise<Run> {
  return runNode([BIN, ...args], { env: { DISCORD_WEBHOOK_URL: webhookUrl } })
}

const emulators: Emulator[] = []
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()))
})

async function emulator (options: Parameters<typeof createEmulator>[0] = {}): Promise<Emulator> {
  const emu = await createEmulator({ timeScale: TIME_SCALE, ...options })
  emulators.push(emu)
  return emu
}

const tokenOf = (url: string): string => url.split('/').pop()!

describe('logcord test', () => {
  it('sends one message of each kind and prints Discord\'s answer for each', async () => {
    const emu = await emulator()
    const url = emu.webhookUrl()
    const run = await logcord(['test', '--api-origin', emu.origin], url)
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n').filter((l) => /^ {2}\S/.test(l))
    expect(lines).toHaveLength(9)
    expect(lines.every((l) => l.includes('✓ 200'))).toBe(true)
    expect(run.stdout).toContain('9 of 9 delivered')
    expect(emu.messages).toHaveLength(9)
    expect(run.stdout + run.stderr).not.toContain(tokenOf(url))
  })

  it('reports Discord\'s refusal for a deleted webhook and exits 1', async () => {
    const emu = await emulator()
    const url = emu.webhookUrl()
    emu.revoke(url.split('/').at(-2)!, 404)
    const run = await logcord(['test', '--api-origin', emu.origin], url)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✗ dropped \(disabled: Discord answered 404/)
    expect(run.stdout).toContain('0 of 9 delivered; notifier disabled')
    expect(run.stdout + run.stderr).not.toContain(tokenOf(url))
  })

  it('names the missing webhook and exits 2', async () => {
    const run = await logcord(['test'], '')
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--webhook-url or set DISCORD_WEBHOOK_URL/)
  })

  it('usage mistakes: the closest flag is named, and no argument is echoed (it may hold the token)', async () => {
    const url = 'https://discord.com/api/webhooks/123456789012345678/ArgvTokenArgvTokenArgvTokenArgvTokenArgvTokenArgvTokenArgvTokenAr'
    const typo = await logcord(['test', `--webhookurl=${url}`], '')
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/unknown option --webhookurl: did you mean --webhook-url\?/)
    const pasted = await logcord(['test', url], url)
    expect(pasted.code).toBe(2)
    const malformed = await logcord(['test', '--webhook-url', url.replace('https://', '')], '')
    expect(malformed.code).toBe(2)
    expect(malformed.stdout).not.toContain('Sending')
    for (const run of [typo, pasted, malformed]) expect(run.stdout + run.stderr).not.toContain(tokenOf(url).slice(0, 8))
  })
})

describe('logcord replay', () => {
  it('resends a run\'s dead letters once Discord is back: every record once, and nothing twice', async () => {
    // A webhook on an emulator that then goes away: the run below finds nothing listening.
    const first = await emulator()
    const url = first.webhookUrl()
    const [id, token] = url.split('/').slice(-2) as [string, string]
    const port = Number(new URL(first.origin).port)
    await first.close()
    emulators.length = 0

    const file = join(mkdtempSync(join(tmpdir(), 'logcord-replay-')), 'dead.jsonl')
    const notifier = new DiscordNotifier({
      webhookUrl: url,
      apiOrigin: `http://127.0.0.1:${port}`,
      deadLetterFile: file,
      dedup: { enabled: false },
      retryDelays: [20, 30, 50],
      outage: { afterMs: 0, probeMinMs: 100, probeMaxMs: 600 },
      logLevel: 'silent'
    })
    const levels = ['info', 'warning', 'error', 'critical'] as const
    for (let i = 0; i < 25; i++) notifier.sendDiagnostic({ level: levels[i % 4]!, service: 'replay', message: `record ${i}` })
    await notifier.close(800)
    expect(notifier.stats()).toMatchObject({ sent: 0, dropped: 25, deadLettered: 25 })
    const dead = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string, reason: string })
    expect(new Set(dead.map((d) => d.id)).size).toBe(25)

    // Still down: the replay gives up at its --wait and marks nothing as replayed.
    const early = await logcord(['replay', file, '--api-origin', `http://127.0.0.1:${port}`, '--wait', '0.5'], url)
    expect(early.code).toBe(1)
    expect(early.stdout).toMatch(/0 sent.*25 left/)

    const emu = await emulator({ port, webhooks: [{ id, token }] })
    const run = await logcord(['replay', file, '--api-origin', emu.origin], url)
    expect(run.stdout).toMatch(/25 lines; 25 sent\./)
    expect(run.code).toBe(0)
    const descriptions = emu.messages.flatMap((m) => (m.payload.embeds as Array<{ description?: string }> | undefined) ?? []).map((e) => e.description)
    expect(descriptions).toHaveLength(25)
    expect(new Set(descriptions)).toEqual(new Set(Array.from({ length: 25 }, (_, i) => `record ${i}`)))
    // Packed as usual: ten records a request.
    expect(emu.messages.length).toBeLessThanOrEqual(3)
    expect(readFileSync(`${file}.replayed`, 'utf8').trim().split('\n').sort()).toEqual(dead.map((d) => d.id).sort())

    const requests = emu.stats().requests
    const again = await logcord(['replay', file, '--api-origin', emu.origin], url)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/0 sent, 25 already replayed/)
    expect(emu.stats().requests).toBe(requests)
    expect(emu.messages.flatMap((m) => (m.payload.embeds as unknown[] | undefined) ?? [])).toHaveLength(25)
    expect(run.stdout + run.stderr + again.stdout).not.toContain(token)
  })
})
