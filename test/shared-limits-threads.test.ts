/**
 * Every sender in one process shares one view of the webhook's limits: Pino's worker-thread transport
 * beside a ThreadedNotifier's worker (an app that logs and ends by itself) and beside a main-thread
 * DiscordNotifier (a server, stopped with SIGTERM once the emulator has everything), all posting to one
 * webhook, against the emulator at Discord's real limits (5 per 2 s per webhook, 30 per 60 s per channel).
 * The apps run the built dist in child processes. Build first: `pnpm build`.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { runNode, type NodeRun } from './crash-helpers.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const COUNT = 100
const APP = fileURLToPath(new URL('./fixtures/threads-app.mjs', import.meta.url))
const SERVER_APP = fileURLToPath(new URL('./fixtures/threads-server-app.mjs', import.meta.url))

function run (file: string, env: Record<string, string>): Promise<NodeRun> {
  return runNode([file], { env })
}

let emu: Emulator
beforeEach(async () => { emu = await createEmulator({ timeScale: 1 }) })
afterEach(async () => { await emu.close() })

it('Pino\'s worker and a ThreadedNotifier\'s worker on one webhook: 100 of 100 delivered, no 429', async () => {
  const options = { webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, dedup: { enabled: false }, flushTimeoutMs: 60_000, logLevel: 'warn' }
  const result = await run(APP, { OPTIONS: JSON.stringify(options), COUNT: String(COUNT) })
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const titles = emu.messages.flatMap((m) => (m.payload.embeds as Array<{ title?: string }> | undefined ?? []).map((e) => e.title ?? ''))
  expect(titles.filter((t) => t.includes('pino ')).length).toBe(COUNT)
  expect(titles.filter((t) => t.includes('notifier ')).length).toBe(COUNT)
  const stats = emu.stats()
  expect(stats.byStatus[429] ?? 0).toBe(0)
  expect(stats.invalidRequests).toBe(0)
}, 120_000)

it('a server with Pino\'s worker and a main-thread DiscordNotifier on one webhook: 200 of 200 delivered, no 429', async () => {
  const options = { webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, dedup: { enabled: false }, logLevel: 'warn' }
  const child = spawn(process.execPath, [SERVER_APP], { cwd: ROOT, env: { ...process.env, OPTIONS: JSON.stringify(options), COUNT: String(COUNT) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += String(d) })
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const titles = (): string[] => emu.messages.flatMap((m) => (m.payload.embeds as Array<{ title?: string }> | undefined ?? []).map((e) => e.title ?? ''))
  try {
    await emu.waitFor(() => titles().length >= 2 * COUNT, 60_000)
  } finally {
    child.kill('SIGTERM')
  }
  await exited
  expect(stderr).toBe('')
  expect(titles().filter((t) => t.includes('pino ')).length).toBe(COUNT)
  expect(titles().filter((t) => t.includes('notifier ')).length).toBe(COUNT)
  const stats = emu.stats()
  expect(stats.byStatus[429] ?? 0).toBe(0)
  expect(stats.invalidRequests).toBe(0)
}, 120_000)
