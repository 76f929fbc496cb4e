import { createRequire } from 'node:module'
import winston from 'winston'
import Transport from 'winston-transport'
import { createEmulator } from '@logcord/discord-emulator'
import { DiscordTransport } from '@logcord/winston-discord'
const { distinctError } = createRequire(import.meta.url)('../test/fixtures/distinct.cjs')
class NoopTransport extends Transport { log (info, cb) { cb() } }
class RecordOnly extends DiscordTransport {}
const emu = await createEmulator()
const opts = { webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, logLevel: 'silent' }
const loggers = {
  noop: winston.createLogger({ transports: [new NoopTransport()] }),
  disabled: winston.createLogger({ transports: [new DiscordTransport({ enabled: false })] }),
  nodedup: winston.createLogger({ transports: [new DiscordTransport({ ...opts, dedup: { enabled: false }, queueCapacity: 100 })] }),
  discord: winston.createLogger({ transports: [new DiscordTransport(opts)] })
}
const errors = Array.from({ length: 1000 }, (_, i) => distinctError(i))
let k = 0
const N = 20000
async function round (l) { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) l.error(errors[k++ % 1000]); await new Promise((r) => setImmediate(r)); return Number(process.hrtime.bigint() - t) / N }
const s = Object.fromEntries(Object.keys(loggers).map((n) => [n, []]))
for (let r = 0; r < 12; r++) for (const n of (r % 2 ? Object.keys(loggers) : Object.keys(loggers).reverse())) s[n].push(await round(loggers[n]))
const med = (x) => { const a = x.slice(2).sort((a, b) => a - b); return a[a.length >> 1] }
for (const n of Object.keys(s)) console.log(n.padEnd(9), med(s[n]).toFixed(0), 'ns', (med(s[n]) / med(s.noop)).toFixed(2) + '×')
process.exit(0)
