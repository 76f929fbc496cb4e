import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { InvalidOptionError, ThreadedNotifier, type WebhookPayload } from '@logcord/core'

const fixture = fileURLToPath(new URL('./fixtures/exit-after-send.mjs', import.meta.url))

let emu: Emulator
beforeEach(async () => {
  emu = await createEmulator({ seed: 3 })
})
afterEach(async () => {
  await emu.close()
})

function runChild (mode: string, webhookUrl: string): Promise<{ code: number | null, stderr: string, ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, [fixture, webhookUrl, emu.origin, mode], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d })
    child.on('exit', (code) => resolve({ code, stderr, ms: Date.now() - started }))
  })
}

describe('ThreadedNotifier', () => {
  it('delivers from a worker thread and reports events, stats and health on the main thread', async () => {
    const n = new ThreadedNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin })
    const sent: number[] = []
    n.on('sent', (e) => sent.push(e.records))
    const circular: Record<string, unknown> = { a: 1 }
    circular.self = circular
    n.sendDiagnostic({ level: 'error', service: 'worker', message: 'from a thread', details: { circular, fn: () => 1, big: 5n } })
    n.sendStartupNotification('svc', { version: '2.0.0' })
    const result = await n.flush()
    expect(result).toEqual({ pending: 0, timedOut: false })
    const embeds = emu.messages.flatMap((m) => (m.payload as unknown as WebhookPayload).embeds ?? [])
    expect(embeds).toHaveLength(2)
    expect(JSON.stringify(embeds)).toContain('from a thread')
    expect(sent.reduce((a, b) => a + b, 0)).toBe(2)
    // Right after flush() settles: the worker's counters came with its answer.
    expect(n.stats()).toMatchObject({ accepted: 2, sent: 2, dropped: 0 })
    expect(n.health()).toMatchObject({ status: 'healthy', queueSize: 0 })
    expect(n.getQueueSize()).toBe(0)
    await n.close()
    expect(n.send({ severity: 'error', message: 'late', time: 0 })).toBe(false)
  })

  it('delivers an alert sent right before process.exit(1)', async () => {
    const { code } = await runChild('exit', emu.webhookUrl())
    expect(code).toBe(1)
    expect(emu.messages).toHaveLength(1)
    expect(JSON.stringify(emu.messages[0]!.payload)).toContain('fatal in exit mode')
  })

  it('delivers an alert sent from an uncaughtException handler that exits', async () => {
    const { code } = await runChild('throw', emu.webhookUrl())
    expect(code).toBe(1)
    expect(JSON.stringify(emu.messages.map((m) => m.payload))).toContain('fatal in throw mode')
  })

  it('does not wait at exit when nothing is pending', async () => {
    const { code } = await runChild('idle', emu.webhookUrl())
    expect(code).toBe(0)
    expect(emu.stats().requests).toBe(0)
  })

  it('at the exit deadline, dead-letters what Discord did not take, then returns', async () => {
    emu.setFaults({ hangRate: 1 })
    const lines: string[] = []
    const n = new ThreadedNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, exitTimeoutMs: 200, log: (l) => lines.push(l) })
    n.sendDiagnostic({ level: 'critical', service: 's', message: 'stuck' })
    const started = Date.now()
    // What the process 'exit' event does: the worker closes within exitTimeoutMs (its last fifth, to
    // dead-letter what is left), and the exit waits for that.
    n.handOffAtExit(true)!(started + 1000)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(n.stats().droppedByReason.shutdown).toBe(1)
    expect(n.getQueueSize()).toBe(0)
    await n.close(100)
  })

  it('folds a storm on the caller\'s side and reports the counts through the worker', async () => {
    const n = new ThreadedNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin })
    for (let i = 0; i < 1000; i++) n.sendDiagnostic({ level: 'error', service: 'pay', message: `card ${i} declined` })
    n.sendDiagnostic({ level: 'warning', service: 'pay', message: 'a different alert' })
    await n.flush()
    const embeds = emu.messages.flatMap((m) => (m.payload as unknown as WebhookPayload).embeds ?? [])
    // One incident, its message edited in place to count all 1000; the other alert apart.
    expect(embeds).toHaveLength(2)
    expect(embeds.map((e) => e.footer?.text ?? '')).toContainEqual(expect.stringMatching(/^×1,000 · first /))
    expect(n.stats()).toMatchObject({ accepted: 1001, collapsed: 999, sent: 2, dropped: 0, edits: 1, incidents: { open: 2, resolved: 0 } })
    expect(n.health().counters.collapsed).toBe(999)
    await n.close()
  })

  it('refuses options that cannot cross into a worker, naming them', () => {
    expect(() => new ThreadedNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, clock: { now: () => 0 } } as never)).toThrow(InvalidOptionError)
    expect(() => new ThreadedNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, exitTimeoutMs: -1 })).toThrow(/exitTimeoutMs/)
  })
})
