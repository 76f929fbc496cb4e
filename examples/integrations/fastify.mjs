// A Fastify 5 app wired to Discord alerts: a startup notification, every 500 turned into an error alert,
// a /health route with the notifier's health, and a graceful shutdown that delivers queued alerts first.
//
//   pnpm build
//   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> node examples/integrations/fastify.mjs
//   curl localhost:3000/orders/7    # 200
//   curl localhost:3000/orders/0    # 500 → a red embed in Discord
//   curl localhost:3000/health      # { status, timestamp, services: { discord_notifications } }
//   Ctrl-C / SIGTERM                # stop accepting, finish requests, deliver alerts (8 s deadline), exit
//
// Without DISCORD_WEBHOOK_URL a local Discord emulator runs in-process; its preview page is printed.
import { pathToFileURL } from 'node:url'
import Fastify from 'fastify'
import { DiscordNotifier } from '@logcord/core'

const SERVICE = 'catalog-api'
const SHUTDOWN_DEADLINE_MS = 8000

/** The seed's /health body: the app's status with the notifier's health (token redacted) inside. */
export function healthBody (notifier) {
  const discord = notifier.health()
  return { status: discord.status === 'unhealthy' ? 'degraded' : 'healthy', timestamp: new Date().toISOString(), services: { discord_notifications: discord } }
}

export function createApp (notifier) {
  const app = Fastify()
  app.get('/orders/:id', async (req) => {
    if (req.params.id === '0') throw new RangeError(`order ${req.params.id} does not exist`, { cause: new Error('no row in orders') })
    return { id: req.params.id, status: 'paid' }
  })
  app.get('/health', async () => healthBody(notifier))
  app.setErrorHandler((err, req, reply) => {
    // 4xx (validation, not found) are the client's business; only server errors alert.
    const status = err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
    if (status >= 500) notifier.sendErrorNotification({ service: SERVICE, error: err, context: `${req.method} ${req.url}`, details: { Status: status } })
    return reply.status(status).send({ error: status >= 500 ? 'internal error' : err.message })
  })
  return app
}

/** Starts the app (port 0 picks a free one) and returns it with an awaitable `close()`. */
export async function start ({ port = 3000, env = process.env } = {}) {
  const emulator = env.DISCORD_WEBHOOK_URL ? undefined : await (await import('@logcord/discord-emulator')).createEmulator()
  const notifier = new DiscordNotifier(emulator
    ? { webhookUrl: emulator.webhookUrl(), apiOrigin: emulator.origin, username: SERVICE }
    : { webhookUrl: env.DISCORD_WEBHOOK_URL, username: SERVICE })
  const app = createApp(notifier)
  const url = await app.listen({ port, host: '127.0.0.1' })
  notifier.sendStartupNotification(SERVICE, { version: '1.0.0', details: { Framework: 'Fastify 5', Port: app.server.address().port } })

  async function close (deadlineMs = SHUTDOWN_DEADLINE_MS) {
    await app.close() // stops accepting and waits for requests in flight
    const result = await notifier.close(deadlineMs) // then delivers what is queued, within the deadline
    await emulator?.close()
    return result
  }
  return { server: app.server, url, notifier, emulator, close }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const app = await start({ port: Number(process.env.PORT ?? 3000) })
  console.log(`${SERVICE} listening on ${app.url}${app.emulator ? ` (alerts go to the emulator: preview at ${app.emulator.origin}/)` : ''}`)
  const shutdown = async (signal) => {
    console.log(`${signal}: shutting down`)
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS + 2000).unref()
    const { pending } = await app.close()
    process.exit(pending === 0 ? 0 : 1)
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}
