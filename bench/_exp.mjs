import { createRequire } from 'node:module'
import winston from 'winston'
import Transport from 'winston-transport'
import { createEmulator } from '@logcord/discord-emulator'
import { DiscordTransport } from '@logcord/winston-discord'
const { distinctError } = createRequire(import.meta.url)('../test/fixtures/distinct.cjs')
const kind = process.argv[2]
class NoopTransport extends Transport { log (info, cb) { cb() } }
const emu = await createEmulator()
let t
if (kind === 'noop') t = new NoopTransport()
else if (kind === 'disabled') t = new DiscordTransport({ enabled: false })
else if (kind === 'nodedup') t = new DiscordTransport({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, logLevel: 'silent', dedup: { enabled: false } })
else t = new DiscordTransport({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, logLevel: 'silent' })
const logger = winston.createLogger({ transports: [t] })
const errors = Array.from({ length: 1000 }, (_, i) => distinctError(i))
let k = 0
const res = []
for (let r = 0; r < 9; r++) {
  const c = process.cpuUsage()
  for (let i = 0; i < 20000; i++) logger.error(errors[k++ % 1000])
  await new Promise((resolve) => setImmediate(resolve))
  const u = process.cpuUsage(c)
  res.push((u.user + u.system) * 1000 / 20000)
}
res.sort((a, b) => a - b)
console.log(kind, 'cpu ns/call min', res[0].toFixed(0), 'median', res[4].toFixed(0))
process.exit(0)
