// The logcord demo: two small apps log through Winston and Pino, and their alerts arrive in Discord.
//
//   npx -y pnpm@12.4.2 demo                      # install, build, run against the built-in Discord emulator
//   node scripts/demo.mjs [--port 8080] [--time-scale 0.1] [--keep-open] [--screenshot docs/preview.png]
//   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> node scripts/demo.mjs
//
// Without DISCORD_WEBHOOK_URL a local Discord (the emulator, with Discord's real limits and its clock sped
// up by --time-scale) runs in this process, and its preview page shows every message as Discord would.
// "checkout" logs through Winston's DiscordTransport in this process; "billing" logs through the
// pino-discord transport in pino's worker thread, in a child process (pino's exit hook blocks its main
// thread while the worker drains, and an emulator there could not answer meanwhile).
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import winston from 'winston'
import { DiscordTransport } from '@logcord/winston-discord'
import { numberFlag, openTarget } from './lib/discord-target.mjs'
import { SIZES, STEPS } from './lib/demo-steps.mjs'
import { startRedis } from './lib/redis-server.mjs'

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'time-scale': { type: 'string' }, 'keep-open': { type: 'boolean', default: false }, screenshot: { type: 'string' }, help: { type: 'boolean', default: false } }
})
if (values.help) {
  console.log('usage: node scripts/demo.mjs [--port N] [--time-scale 0.1] [--keep-open] [--screenshot FILE.png]\nDISCORD_WEBHOOK_URL set: send to that webhook instead of the local emulator.\n--screenshot saves the preview page once the demo has run (the README\'s docs/preview.png).')
  process.exit(0)
}
const port = numberFlag(values, 'port', 0)
const timeScale = numberFlag(values, 'time-scale', 0.1, { min: 0.001 })

const started = performance.now()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`.padStart(6)

const target = await openTarget({ port, timeScale })
const { emulator } = target
// The two apps are two processes posting to one webhook: they share its limits through a throw-away
// Redis when Debian's redis-server is installed (as .ci/run installs it), else each has its own.
const redis = await startRedis()
if (redis !== undefined) target.notifierOptions.redisUrl = redis.url
const sizes = emulator ? SIZES.emulator : SIZES.real

console.log('logcord demo: a Winston app and a Pino app send their alerts to Discord\n')
console.log(`Sending to ${target.label}`)
console.log(redis === undefined ? 'Limits:   each app its own (install redis-server to let the two apps share the webhook\'s limits)' : 'Limits:   shared by both apps through Redis (redisUrl, a throw-away redis-server)')
if (emulator) console.log(`Preview:  ${emulator.origin}/   (open it in a browser to watch the messages arrive)`)
console.log('')

// What this process can see: the emulator's counters, or (real webhook) the Winston side's own events.
const seen = { messages: 0, embeds: 0, tooMany: 0 }
function counts () {
  if (!emulator) return { received: seen.messages, embeds: seen.embeds, requests: transport.notifier.stats().requests, tooMany: seen.tooMany }
  const s = emulator.stats()
  return { received: s.accepted, embeds: embedsReceived(), requests: s.requests, tooMany: s.byStatus[429] ?? 0 }
}
const embedsReceived = () => emulator.messages.reduce((n, m) => n + (Array.isArray(m.payload.embeds) ? m.payload.embeds.length : 0), 0)

// ── the Winston app (this process) ──────────────────────────────────────────────────────────────
const transport = new DiscordTransport({ ...target.notifierOptions, username: 'checkout · winston', level: 'debug', logLevel: 'silent' })
transport.on('sent', (e) => { seen.messages++; seen.embeds += e.embeds })
transport.on('rateLimited', (e) => { if (e.reactive) seen.tooMany++ })
transport.on('warn', (problem) => console.error(`  checkout: ${problem.message}`))
const logger = winston.createLogger({
  levels: { fatal: 0, error: 1, warn: 2, info: 3, debug: 4 },
  level: 'debug',
  format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.timestamp(), winston.format.json()),
  defaultMeta: { service: 'checkout' },
  transports: [transport]
})

// ── the Pino app (a child process) ─────────────────────────────────────────────────────────────
const pinoApp = fork(fileURLToPath(new URL('./lib/demo-pino-app.mjs', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
const pinoExit = once(pinoApp, 'exit')
function ask (message, answer) {
  const reply = new Promise((resolve, reject) => {
    const onMessage = (m) => { if (m.type === answer) { pinoApp.off('message', onMessage); resolve(m) } }
    pinoApp.on('message', onMessage)
    pinoExit.then(([code]) => reject(new Error(`the Pino app exited early (code ${code})`)), () => {})
  })
  pinoApp.send(message)
  return reply
}
// Only plain data crosses into pino's worker; the webhook URL travels over IPC and is never printed.
await ask({ type: 'start', options: { ...target.notifierOptions, username: 'billing · pino', logLevel: 'error' } }, 'ready')

// ── the steps ───────────────────────────────────────────────────────────────────────────────────
const header = `  ${'step'.padEnd(40)} ${'logged'.padStart(6)} ${'messages'.padStart(8)} ${'embeds'.padStart(6)} ${'requests'.padStart(8)} ${'429s'.padStart(5)} ${'elapsed'.padStart(7)}`
console.log(header)
const names = Object.keys(STEPS)
let logged = 0
/** The Pino app's counters, as its worker last reported them. */
let pinoStats
for (const [i, name] of names.entries()) {
  const step = STEPS[name]
  const [{ records: pinoRecords, delivery }] = await Promise.all([
    ask({ type: 'step', step: name, sizes }, 'done'),
    Promise.resolve(step.winston(logger, transport, sizes))
      .then(async (n) => { logged += n; await transport.flush(60_000) })
  ])
  logged += pinoRecords
  pinoStats = delivery ?? pinoStats
  const c = counts()
  console.log(`  ${`${i + 1}/${names.length} ${step.title}`.padEnd(40)} ${String(logged).padStart(6)} ${String(c.received).padStart(8)} ${String(c.embeds).padStart(6)} ${String(c.requests).padStart(8)} ${String(c.tooMany).padStart(5)} ${elapsed().padStart(7)}`)
}

// Pino's worker delivers what is still queued when its process ends.
pinoApp.send({ type: 'end' })
await pinoExit
await transport.close()
const c = counts()
console.log(`  ${'both apps finished'.padEnd(40)} ${String(logged).padStart(6)} ${String(c.received).padStart(8)} ${String(c.embeds).padStart(6)} ${String(c.requests).padStart(8)} ${String(c.tooMany).padStart(5)} ${elapsed().padStart(7)}`)

// ── the summary ─────────────────────────────────────────────────────────────────────────────────
console.log('\nSummary')
const winstonStats = transport.notifier.stats()
if (emulator) {
  const s = emulator.stats()
  const scopes = Object.entries(s.rateLimited).filter(([, n]) => n > 0).map(([scope, n]) => `${n} ${scope}`).join(', ')
  console.log(`  messages received  ${s.accepted} (from ${s.requests} requests)`)
  // Summaries are embeds too: each stands for the repeats storm control folded.
  const summaries = emulator.messages.flatMap((m) => Array.isArray(m.payload.embeds) ? m.payload.embeds : []).map((e) => /×(\d+) more in the last /.exec(e.title ?? '')).filter((m) => m !== null)
  const repeats = summaries.reduce((n, m) => n + Number(m[1]), 0)
  console.log(`  embeds             ${embedsReceived()} for ${logged} records logged: ${embedsReceived() - summaries.length} records and ${summaries.length} "×N more" summar${summaries.length === 1 ? 'y' : 'ies'} standing for ${repeats} repeats; up to 10 embeds a message`)
  console.log(`  429s               ${s.byStatus[429] ?? 0}${scopes ? ` (${scopes}: the two apps share one webhook${redis === undefined ? ' and, without Redis, not its limits' : ''})` : ''}`)
  console.log(`  other statuses     ${Object.entries(s.byStatus).filter(([st]) => st !== '429').map(([st, n]) => `${n}× ${st}`).join(', ') || 'none'}`)
} else {
  console.log(`  Winston side       ${winstonStats.sent} records sent in ${seen.messages} messages, ${winstonStats.requests} requests, ${seen.tooMany} 429s`)
  console.log('  Pino side          delivered by its worker before its process ended')
}
const appLine = (name, s) => `  ${name.padEnd(18)} ${s.accepted} accepted, ${s.sent} sent, ${s.collapsed ?? 0} folded into summaries, ${s.waits} limiter waits, ${s.dropped} dropped`
console.log(appLine('checkout (Winston)', winstonStats))
if (pinoStats !== undefined) console.log(appLine('billing (Pino)', pinoStats))
console.log(`  took               ${elapsed().trim()}${emulator ? ` (Discord's limits with the clock × ${timeScale}: about ${(((performance.now() - started) / 1000) / timeScale).toFixed(0)} s in real Discord time)` : ''}`)

if (emulator && values.screenshot !== undefined) {
  const { saveScreenshot } = await import('./lib/demo-screenshot.mjs')
  await saveScreenshot(emulator, values.screenshot)
  console.log(`\nSaved the preview page to ${values.screenshot}`)
}
if (emulator && values['keep-open']) {
  // A loopback URL is sent to as-is (no apiOrigin needed): this one can be pasted into any logcord option.
  console.log(`\nThe emulator keeps running: preview at ${emulator.origin}/  Ctrl-C to stop.\nWebhook URL: ${target.webhookUrl}`)
  await new Promise((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve) })
} else if (emulator) {
  console.log('\nRun with --keep-open to keep the emulator and its preview page up after the demo.')
}
await target.close()
await redis?.stop()
