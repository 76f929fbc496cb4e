/**
 * The integration examples (examples/integrations/*.mjs) run in-process on port 0, each with its own
 * emulator (no DISCORD_WEBHOOK_URL): a route that throws becomes an error alert, /health answers in the
 * seed's shape, and close() delivers what is queued before it resolves.
 */
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { SEVERITY_STYLES } from '@logcord/core'
import type { Emulator } from '@logcord/discord-emulator'

interface RunningExample {
  url: string
  emulator: Emulator
  close(deadlineMs?: number): Promise<{ pending: number, timedOut: boolean }>
}
interface ExampleModule {
  start(options: { port: number, env: Record<string, string | undefined> }): Promise<RunningExample>
}
interface ReceivedEmbed { title?: string, description?: string, color?: number, fields?: Array<{ name: string, value: string }> }

const EXAMPLES = fileURLToPath(new URL('../examples/integrations/', import.meta.url))

/** A non-literal specifier: the examples are plain JavaScript, loaded as a user would run them. */
async function load (name: string): Promise<ExampleModule> {
  return await import(pathToFileURL(join(EXAMPLES, name)).href) as ExampleModule
}

const embedsOf = (emulator: Emulator): ReceivedEmbed[] =>
  emulator.messages.flatMap((m) => (m.payload.embeds as ReceivedEmbed[] | undefined) ?? [])

describe.each(['express.mjs', 'fastify.mjs', 'node-http.mjs'])('examples/integrations/%s', (file) => {
  it('alerts on a 500, serves /health, announces startup and drains on close', async () => {
    const app = await (await load(file)).start({ port: 0, env: {} })
    try {
      const ok = await fetch(`${app.url}/orders/7`)
      expect(ok.status).toBe(200)
      await ok.arrayBuffer()

      const failed = await fetch(`${app.url}/orders/0`)
      expect(failed.status).toBe(500)
      expect(await failed.json()).toEqual({ error: 'internal error' })

      const health = await fetch(`${app.url}/health`)
      expect(health.status).toBe(200)
      const body = await health.json() as { status: string, timestamp: string, services: { discord_notifications: { status: string, enabled: boolean, webhook: string } } }
      expect(body.status).toBe('healthy')
      expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false)
      expect(body.services.discord_notifications).toMatchObject({ status: 'healthy', enabled: true })
      expect(body.services.discord_notifications.webhook).toContain('[redacted]')

      const messages = await app.emulator.waitFor((list) => list.flatMap((m) => (m.payload.embeds as unknown[] | undefined) ?? []).length >= 2, 5000)
      expect(messages.length).toBeGreaterThan(0)
      const embeds = embedsOf(app.emulator)
      const alert = embeds.find((e) => e.title?.includes('order 0 does not exist'))
      expect(alert, JSON.stringify(embeds.map((e) => e.title))).toBeDefined()
      expect(alert!.color).toBe(SEVERITY_STYLES.error.color)
      expect(alert!.description).toContain('RangeError')
      expect(alert!.description).toContain('no row in orders')
      expect(alert!.description).toContain('GET /orders/0')
      expect(embeds.some((e) => e.title?.includes('started'))).toBe(true)
    } finally {
      const emulator = app.emulator
      const result = await app.close(2000)
      expect(result.pending).toBe(0)
      // close() also stopped the emulator the example started for itself.
      await expect(fetch(emulator.origin)).rejects.toThrow()
    }
  })
})
