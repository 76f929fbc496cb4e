// Sends one message of each kind and reports what Discord answered for each: a check that a webhook works.
//
//   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> npx -y pnpm@12.4.2 send-test
//   node scripts/send-test.mjs [--keep-open]      # without DISCORD_WEBHOOK_URL: a fresh local emulator
//
// Each message is sent and flushed before the next, so the notifier's events (sent, rateLimited, retry,
// error, dropped) of that moment belong to it. The webhook token is never printed.
import { parseArgs } from 'node:util'
import { DiscordNotifier } from '@logcord/core'
import { openTarget } from './lib/discord-target.mjs'

const { values } = parseArgs({ options: { 'keep-open': { type: 'boolean', default: false } } })

const target = await openTarget({ timeScale: 0.1 })
console.log(`Sending one message of each kind to ${target.label}\n`)

const notifier = new DiscordNotifier({ ...target.notifierOptions, username: 'logcord send-test', logLevel: 'silent' })
let events = []
for (const name of ['sent', 'rateLimited', 'retry', 'error', 'dropped', 'disabled']) notifier.on(name, (e) => events.push({ name, ...e }))

function failingSignup () {
  try {
    JSON.parse('{"email": "ada@example.com",')
  } catch (cause) {
    return new Error('could not read the signup form', { cause })
  }
}

const messages = [
  ['plain text', (n) => n.sendPlaintext('Service is starting up…')],
  ['embed', (n) => n.sendEmbed({
    title: 'System Status',
    description: 'All systems **operational**',
    color: 0x00ff00,
    fields: [{ name: 'Service', value: 'Billing', inline: true }, { name: 'Status', value: '✅ Online', inline: true }],
    footer: 'logcord send-test'
  })],
  ['diagnostic: debug', (n) => n.sendDiagnostic({ level: 'debug', service: 'Scheduler', message: 'Tick took 3 ms', details: { Jobs: '12' } })],
  ['diagnostic: info', (n) => n.sendDiagnostic({ level: 'info', service: 'Email Service', message: 'Service running normally', details: { 'Active Users': '150', 'Queue Size': '0' } })],
  ['diagnostic: warning', (n) => n.sendDiagnostic({ level: 'warning', service: 'Database', message: 'High response time detected', details: { 'Response Time': '250ms', Threshold: '100ms' } })],
  ['diagnostic: error', (n) => n.sendDiagnostic({ level: 'error', service: 'File System', message: 'Failed to write to cache', details: { Error: 'Permission denied', Path: '/tmp/cache' } })],
  ['diagnostic: critical', (n) => n.sendDiagnostic({ level: 'critical', service: 'Payments', message: 'Card processor unreachable', details: { Since: '12:00:05 UTC', 'Failed Charges': '37' } })],
  ['startup notification', (n) => n.sendStartupNotification('logcord send-test', { version: '1.2.3' })],
  ['error notification', (n) => n.sendErrorNotification({ service: 'User Registration', error: failingSignup(), context: 'Processing new user signup' })]
]

let failures = 0
for (const [label, send] of messages) {
  events = []
  const queued = send(notifier)
  const { pending, timedOut } = await notifier.flush(30_000)
  console.log(`  ${label.padEnd(22)} ${describe(queued, events, pending, timedOut)}`)
}

function describe (queued, list, pending, timedOut) {
  if (!queued) {
    failures++
    return '✗ not queued (notifier disabled or closed)'
  }
  const notes = []
  for (const e of list) {
    if (e.name === 'rateLimited') notes.push(e.reactive ? `429 (${e.scope}), waited ${Math.round(e.waitMs)} ms` : `waited ${Math.round(e.waitMs)} ms for the ${e.scope} limit`)
    if (e.name === 'retry') notes.push(`retry ${e.attempt} after ${e.reason}`)
    if (e.name === 'error' || e.name === 'disabled') notes.push(`${e.status ?? e.kind}${e.discordCode ? ` (Discord code ${e.discordCode})` : ''}: ${e.message}`)
  }
  const sent = list.find((e) => e.name === 'sent')
  const dropped = list.find((e) => e.name === 'dropped')
  const extra = notes.length ? `  [${notes.join('; ')}]` : ''
  if (sent && !dropped) return `✓ ${sent.status} in ${Math.round(sent.durationMs)} ms${extra}`
  failures++
  if (dropped) return `✗ dropped (${dropped.reason}${dropped.detail ? `: ${dropped.detail}` : ''})${extra}`
  return `✗ ${timedOut ? `no answer within 30 s, ${pending} pending` : 'no answer'}${extra}`
}

const health = notifier.health()
await notifier.close()
console.log(`\n${messages.length - failures} of ${messages.length} delivered; notifier ${health.status}${health.reason ? ` (${health.reason})` : ''}`)
if (target.emulator) {
  console.log(`The emulator received ${target.emulator.messages.length} messages.`)
  if (values['keep-open']) {
    console.log(`Preview: ${target.emulator.origin}/   Ctrl-C to stop.`)
    await new Promise((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve) })
  }
}
await target.close()
process.exitCode = failures === 0 ? 0 : 1
