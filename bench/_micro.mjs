import { createRequire } from 'node:module'
import { DiscordNotifier, fingerprintHash, Deduplicator, FINGERPRINT_PARTS } from '@logcord/core/internal'
import { toRecord } from '../packages/winston-discord/dist/index.js'
const { distinctError } = createRequire(import.meta.url)('../test/fixtures/distinct.cjs')
const errors = Array.from({ length: 1000 }, (_, i) => { const e = distinctError(i); e.level = 'error'; e[Symbol.for('level')] = 'error'; return e })
const n = new DiscordNotifier({ webhookUrl: 'https://discord.com/api/webhooks/123456789012345678/' + 'a'.repeat(68), logLevel: 'silent' })
const N = 200000
function time (name, fn) {
  let best = Infinity
  for (let r = 0; r < 7; r++) {
    const t = process.cpuUsage()
    for (let i = 0; i < N; i++) fn(i)
    const u = process.cpuUsage(t)
    best = Math.min(best, (u.user + u.system) * 1000 / N)
  }
  console.log(name.padEnd(14), best.toFixed(0), 'ns (best of 7)')
}
const recs = errors.map((e) => toRecord(e, { now: Date.now() }))
const out = new Int32Array(2)
const parts = [...FINGERPRINT_PARTS]
const d = new Deduplicator({ windowMs: 60000, maxWindows: 1000 })
time('toRecord', (i) => { toRecord(errors[i % 1000], { now: 1 }) })
time('fpHash', (i) => fingerprintHash(recs[i % 1000], parts, out))
time('offer', (i) => { fingerprintHash(recs[i % 1000], parts, out); d.offer(out[0], recs[i % 1000], 1000, out[1]) })
time('send(folded)', (i) => n.send(recs[i % 1000]))
time('Date.now', () => Date.now())
const n2 = new DiscordNotifier({ webhookUrl: 'https://discord.com/api/webhooks/123456789012345678/' + 'a'.repeat(68), logLevel: 'silent' })
time('toRecord+send', (i) => n2.send(toRecord(errors[i % 1000], { now: Date.now() })))
time('toRecord+fp', (i) => fingerprintHash(toRecord(errors[i % 1000], { now: 1 }), parts, out))
process.exit(0)
