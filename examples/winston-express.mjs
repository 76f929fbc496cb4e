// An Express 5 app whose unhandled request errors become Discord alerts, with a /health route that
// serves the notifier's health (token redacted), a startup notification, and a graceful shutdown
// that delivers every queued alert before the process exits.
//
//   pnpm build
//   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> node examples/winston-express.mjs
//   curl localhost:3000/orders/7      # ok
//   curl localhost:3000/orders/0      # 500 → red embed with the stack, method, path and request id
//   curl localhost:3000/health        # the notifier's health()
//   Ctrl-C                            # drains the queue, then exits
//
// Without DISCORD_WEBHOOK_URL it starts the local Discord emulator in-process and prints what it received.
// `node examples/winston-express.mjs --demo` makes those requests itself and shuts down.
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import express from 'express'
import winston from 'winston'
import { DiscordTransport } from '@logcord/winston-discord'

const PORT = Number(process.env.PORT ?? 3000)
const HTTP_INTERNAL_ERROR = 500
const demo = process.argv.includes('--demo')

const webhookUrl = process.env.DISCORD_WEBHOOK_URL
const emulator = webhookUrl ? undefined : await (await import('@logcord/discord-emulator')).createEmulator()

const discord = new DiscordTransport({ webhookUrl: webhookUrl ?? emulator.webhookUrl(), apiOrigin: emulator?.origin, level: 'error' })
discord.on('warn', (problem) => console.error(`discord alerts: ${problem.message}`))

const logger = winston.createLogger({
  format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.timestamp(), winston.format.json()),
  defaultMeta: { service: 'shop-api' },
  transports: [new winston.transports.Console(), discord]
})

const app = express()
app.use((req, _res, next) => {
  req.log = logger.child({ requestId: randomUUID() })
  next()
})
app.get('/orders/:id', (req, res) => {
  if (req.params.id === '0') throw new RangeError(`order ${req.params.id} does not exist`)
  res.json({ id: req.params.id, status: 'paid' })
})
app.get('/health', (_req, res) => {
  const health = discord.notifier.health()
  res.status(health.status === 'unhealthy' ? HTTP_INTERNAL_ERROR : 200).json(health)
})
// Express 5 routes thrown errors and rejected promises here.
app.use((err, req, res, _next) => {
  req.log.error('request failed', { err, method: req.method, path: req.originalUrl, status: HTTP_INTERNAL_ERROR })
  res.status(HTTP_INTERNAL_ERROR).json({ error: 'internal error' })
})

const server = app.listen(PORT)
await once(server, 'listening')
const port = server.address().port
logger.info(`listening on http://localhost:${port}`)
discord.notifier.sendStartupNotification('shop-api', { version: '1.0.0', details: { port } })

async function shutdown (signal) {
  logger.info(`${signal}: shutting down`)
  server.close()
  // 'finish' fires once the Discord transport delivered what was queued (or its deadline passed).
  const finished = once(logger, 'finish')
  logger.end()
  await finished
  if (emulator) {
    for (const embed of emulator.messages.flatMap((m) => m.payload.embeds ?? [])) console.log(`received: ${embed.title}`)
    await emulator.close()
  }
  process.exit(0)
}
process.once('SIGINT', () => { void shutdown('SIGINT') })
process.once('SIGTERM', () => { void shutdown('SIGTERM') })

if (demo) {
  const base = `http://localhost:${port}`
  for (const path of ['/orders/7', '/orders/0', '/health']) {
    const res = await fetch(base + path)
    console.log(`GET ${path} → ${res.status} ${path === '/health' ? JSON.stringify((await res.json()).counters) : ''}`)
  }
  await shutdown('demo')
}
