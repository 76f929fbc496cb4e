/**
 * One webhook answered by undici's MockAgent, for tests of what the pipeline does with each answer:
 * request bodies are captured (the JSON, or a multipart request's payload_json part) and the notifier's
 * stderr lines kept. Call at the top of a test file: a new agent per test, closed after it.
 */
import { FormData, MockAgent, type Interceptable } from 'undici'
import { afterEach, beforeEach } from 'vitest'
import { DiscordNotifier, type NotifierOptions, type WebhookPayload } from '@logcord/core'
import { ownClock } from './own-clock.js'

export const TOKEN = 'Tk_' + 'x'.repeat(65)
export const URL_ = `https://discord.com/api/webhooks/123456789012345678/${TOKEN}`
export const PATH = `/api/v10/webhooks/123456789012345678/${TOKEN}?wait=true`
export const JSON_HEADERS = { 'content-type': 'application/json' }
export const okBody = { id: '1', channel_id: '555555555555555555' }

export interface MockDiscord {
  /** Every request body Discord was sent in this test, in order (cleared before each test). */
  bodies: WebhookPayload[]
  /** The notifier's stderr lines in this test. */
  lines: string[]
  /** A notifier on the mock, its own rate-limit state, with `defaults` then `extra` applied. */
  make: (extra?: NotifierOptions) => DiscordNotifier
  /** Queues `times` answers (default 1) with this status and body. */
  answer: (status: number, body?: unknown, options?: { headers?: Record<string, string>, times?: number }) => void
  /** The webhook's POST, for answers `answer()` cannot give (errors, delays). */
  post: () => ReturnType<Interceptable['intercept']>
}

export function mockDiscord (defaults: NotifierOptions = {}): MockDiscord {
  let agent = new MockAgent()
  const bodies: WebhookPayload[] = []
  const lines: string[] = []
  beforeEach(() => {
    agent = new MockAgent()
    agent.disableNetConnect()
    bodies.length = 0
    lines.length = 0
  })
  afterEach(async () => {
    await agent.close()
  })
  const post = (): ReturnType<Interceptable['intercept']> => agent.get('https://discord.com').intercept({ path: PATH, method: 'POST' })
  return {
    bodies,
    lines,
    post,
    make: (extra = {}) => new DiscordNotifier({ webhookUrl: URL_, dispatcher: agent, log: (l) => lines.push(l), clock: ownClock(), ...defaults, ...extra }),
    answer: (status, body = okBody, { headers = JSON_HEADERS, times = 1 } = {}) => {
      post().reply(status, (opts) => {
        const sent = opts.body instanceof FormData ? opts.body.get('payload_json') : opts.body
        bodies.push(JSON.parse(String(sent)) as WebhookPayload)
        return body as object
      }, { headers }).times(times)
    }
  }
}
