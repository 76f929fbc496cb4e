import { FormData, MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DiscordNotifier, type NotifierOptions, type WebhookPayload } from '@logcord/core'
import { ownClock } from './own-clock.js'

const TOKEN = 'Tk_' + 'x'.repeat(65)
const URL_ = `https://discord.com/api/webhooks/123456789012345678/${TOKEN}`
const PATH = `/api/v10/webhooks/123456789012345678/${TOKEN}?wait=true`
const okBody = { id: '1', channel_id: '555555555555555555' }

interface Sent { payload: WebhookPayload, files: Array<{ part: string, name: string, type: string, text: string }>, contentType: string | undefined }

let agent: MockAgent
let sent: Sent[]

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  sent = []
})
afterEach(async () => {
  await agent.close()
})

function answer (status: number, body: unknown = okBody): void {
  agent.get('https://discord.com').intercept({ path: PATH, method: 'POST' }).reply(status, async (opts) => {
    const headers = opts.headers as Record<string, string> | undefined
    const contentType = headers?.['content-type']
    if (opts.body instanceof FormData) {
      const files: Sent['files'] = []
      for (const [part, value] of opts.body.entries()) {
        if (typeof value !== 'string') files.push({ part, name: value.name, type: value.type, text: await value.text() })
      }
      sent.push({ payload: JSON.parse(String(opts.body.get('payload_json'))) as WebhookPayload, files, contentType })
    } else {
      sent.push({ payload: JSON.parse(String(opts.body)) as WebhookPayload, files: [], contentType })
    }
    return body as object
  }, { headers: { 'content-type': 'application/json' } })
}

function make (extra: NotifierOptions = {}): DiscordNotifier {
  return new DiscordNotifier({ webhookUrl: URL_, dispatcher: agent, retryDelays: [5], logLevel: 'silent', clock: ownClock(), ...extra })
}

function deepError (frames: number, tag: string): Error {
  const err = new Error(`${tag} failed`)
  err.stack = [`Error: ${tag} failed`, ...Array.from({ length: frames }, (_, i) => `    at ${tag}${i} (/app/${tag}.js:${i + 1}:1)`)].join('\n')
  return err
}

describe('files sent with the message', () => {
  it('sends a cut record as multipart: payload_json, files[0] and an attachments entry naming it', async () => {
    answer(200)
    const n = make()
    n.sendErrorNotification({ service: 'svc', error: deepError(60, 'charge') })
    await n.close()
    expect(sent).toHaveLength(1)
    const [{ payload, files }] = sent as [Sent]
    expect(files).toHaveLength(1)
    expect(files[0]).toMatchObject({ part: 'files[0]', type: 'text/plain; charset=utf-8' })
    expect(payload.attachments).toEqual([{ id: 0, filename: files[0]!.name }])
    expect(payload.embeds?.[0]?.description).toContain(files[0]!.name)
    expect(files[0]!.text).toContain('at charge59 (/app/charge.js:60:1)')
  })

  it('sends plain JSON for records that fit, and when attachments are turned off', async () => {
    answer(200)
    answer(200)
    const small = make()
    small.sendDiagnostic({ level: 'info', service: 'db', message: 'ok' })
    await small.close()
    const off = make({ attachments: false })
    off.sendErrorNotification({ service: 'svc', error: deepError(60, 'charge') })
    await off.close()
    expect(sent.map((s) => s.files.length)).toEqual([0, 0])
    expect(sent.map((s) => s.contentType)).toEqual(['application/json', 'application/json'])
    expect(JSON.stringify(sent[1]!.payload)).not.toContain('📎')
  })

  it('packs ten cut records with ten files into one request; a 413 splits them, each half with its own files', async () => {
    answer(413, { code: 40005, message: 'Request entity too large' })
    answer(200)
    answer(200)
    // Ten alerts alike but for their frames: storm control's default would fold them into one.
    const n = make({ rateLimits: { fallbackLimit: 1, fallbackWindowMs: 50 }, dedup: { enabled: false } })
    for (let i = 0; i < 10; i++) n.sendErrorNotification({ service: 'svc', error: deepError(40, `job${i}x`) })
    await n.close()
    expect(sent.map((s) => s.files.length)).toEqual([10, 5, 5])
    expect(sent[0]!.files.map((f) => f.part)).toEqual(Array.from({ length: 10 }, (_, i) => `files[${i}]`))
    const after = sent.slice(1).flatMap((s) => s.files.map((f) => f.text))
    for (let i = 0; i < 10; i++) expect(after.filter((t) => t.includes(`at job${i}x39 `))).toHaveLength(1)
    expect(n.stats()).toMatchObject({ sent: 10, dropped: 0 })
  })

  it('refuses a non-boolean attachments option, naming it', () => {
    expect(() => make({ attachments: 'no' as unknown as boolean })).toThrow(/attachments/)
  })
})
