import { DiscordNotifier } from './notifier.js'
import type { NotifierEvents, NotifierOptions } from './types.js'

/**
 * A webhook check, like the seed's example script: one message of each kind, each flushed before the next so the
 * events of that moment belong to it, and one line each with Discord's answer. The webhook token is never printed.
 */
export interface CheckLine {
  kind: string
  ok: boolean
  /** `✓ 200 in 84 ms`, `✗ dropped (disabled: Discord answered 404 Unknown Webhook …)`. */
  text: string
}

export interface CheckResult {
  lines: CheckLine[]
  delivered: number
  total: number
  /** `healthy`, or the status and reason after the last message. */
  health: string
}

type Event = { name: keyof NotifierEvents } & Record<string, unknown>

/** Per message: how long to wait for Discord's answer, rate-limit waits and retries included. */
const PER_MESSAGE_MS = 30_000
const EVENTS: ReadonlyArray<keyof NotifierEvents> = ['sent', 'rateLimited', 'retry', 'error', 'dropped', 'disabled']

function failingSignup (): Error {
  try {
    JSON.parse('{"email": "ada@example.com",')
  } catch (cause) {
    return new Error('could not read the signup form', { cause })
  }
  return new Error('could not read the signup form')
}

const CHECK_MESSAGES: ReadonlyArray<readonly [string, (n: DiscordNotifier) => boolean]> = [
  ['plain text', (n) => n.sendPlaintext('Service is starting up…')],
  ['embed', (n) => n.sendEmbed({
    title: 'System Status',
    description: 'All systems **operational**',
    color: 0x00ff00,
    fields: [{ name: 'Service', value: 'Billing', inline: true }, { name: 'Status', value: '✅ Online', inline: true }],
    footer: 'logcord test'
  })],
  ['diagnostic: debug', (n) => n.sendDiagnostic({ level: 'debug', service: 'Scheduler', message: 'Tick took 3 ms', details: { Jobs: '12' } })],
  ['diagnostic: info', (n) => n.sendDiagnostic({ level: 'info', service: 'Email Service', message: 'Service running normally', details: { 'Active Users': '150', 'Queue Size': '0' } })],
  ['diagnostic: warning', (n) => n.sendDiagnostic({ level: 'warning', service: 'Database', message: 'High response time detected', details: { 'Response Time': '250ms', Threshold: '100ms' } })],
  ['diagnostic: error', (n) => n.sendDiagnostic({ level: 'error', service: 'File System', message: 'Failed to write to cache', details: { Error: 'Permission denied', Path: '/tmp/cache' } })],
  ['diagnostic: critical', (n) => n.sendDiagnostic({ level: 'critical', service: 'Payments', message: 'Card processor unreachable', details: { Since: '12:00:05 UTC', 'Failed Charges': '37' } })],
  ['startup notification', (n) => n.sendStartupNotification('logcord test', { version: '1.2.3' })],
  ['error notification', (n) => n.sendErrorNotification({ service: 'User Registration', error: failingSignup(), context: 'Processing new user signup' })]
]

/** Sends the check messages; `onLine` sees each result as it comes. Never throws for a Discord problem. */
export async function runCheck (options: NotifierOptions, onLine: (line: CheckLine) => void = () => {}): Promise<CheckResult> {
  const notifier = new DiscordNotifier({ username: 'logcord test', logLevel: 'silent', ...options, dedup: { enabled: false } })
  let events: Event[] = []
  for (const name of EVENTS) notifier.on(name, (e: object) => events.push({ name, ...e }))
  const lines: CheckLine[] = []
  for (const [kind, send] of CHECK_MESSAGES) {
    events = []
    const queued = send(notifier)
    const { pending, timedOut } = await notifier.flush(PER_MESSAGE_MS)
    const line = { kind, ...describe(queued, events, pending, timedOut) }
    lines.push(line)
    onLine(line)
    if (timedOut) break // Discord is unreachable: the next messages would wait as long for nothing
  }
  for (const [kind] of CHECK_MESSAGES.slice(lines.length)) {
    const line = { kind, ok: false, text: '✗ not sent (an earlier message got no answer)' }
    lines.push(line)
    onLine(line)
  }
  const h = notifier.health()
  await notifier.close()
  return {
    lines,
    delivered: lines.filter((l) => l.ok).length,
    total: lines.length,
    health: h.reason === undefined ? h.status : `${h.status} (${h.reason})`
  }
}

function describe (queued: boolean, list: Event[], pending: number, timedOut: boolean): { ok: boolean, text: string } {
  if (!queued) return { ok: false, text: '✗ not queued (notifier disabled or closed)' }
  const notes: string[] = []
  for (const e of list) {
    if (e.name === 'rateLimited') notes.push(e.reactive === true ? `429 (${String(e.scope)}), waited ${Math.round(Number(e.waitMs))} ms` : `waited ${Math.round(Number(e.waitMs))} ms for the ${String(e.scope)} limit`)
    if (e.name === 'retry') notes.push(`retry ${String(e.attempt)} after ${String(e.reason)}`)
    if (e.name === 'error' || e.name === 'disabled') notes.push(`${String(e.status ?? e.kind)}${e.discordCode === undefined ? '' : ` (Discord code ${String(e.discordCode)})`}: ${String(e.message)}`)
  }
  const sent = list.find((e) => e.name === 'sent')
  const dropped = list.find((e) => e.name === 'dropped')
  const extra = notes.length > 0 ? `  [${notes.join('; ')}]` : ''
  if (sent !== undefined && dropped === undefined) return { ok: true, text: `✓ ${String(sent.status)} in ${Math.round(Number(sent.durationMs))} ms${extra}` }
  if (dropped !== undefined) return { ok: false, text: `✗ dropped (${String(dropped.reason)}${dropped.detail === undefined ? '' : `: ${String(dropped.detail)}`})${extra}` }
  return { ok: false, text: `✗ ${timedOut ? `no answer within ${PER_MESSAGE_MS / 1000} s, ${pending} pending` : 'no answer'}${extra}` }
}
