// An Express 5 app wired to Discord alerts the way the original Flask integration was: a startup
// notification, every 500 turned into an error alert (stack, cause, method and path), a /health route
// that includes the notifier's health, and a graceful shutdown that delivers queued alerts first.
//
//   pnpm build
//   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> node examples/integrations/express.mjs
//   curl localhost:3000/orders/7    # 200
//   curl localhost:3000/orders/0    # 500 → a red embed in Discord
//   curl localhost:3000/health      # { status, timestamp, services: { discord_notifications } }
//   Ctrl-C / SIGTERM                # stop accepting, finish requests, deliver alerts (8 s deadline), exit
//
// Without DISCORD_WEBHOOK_URL a local Discord emulator runs in-process; its preview page is printed.
import { once } from 'node:events'
import { pathToFileURL } from 'node:url'
import express from 'express'
import { DiscordNotifier } from '@logcord/core'

const SERVICE = 'shop-api'
const SHUTDOWN_DEADLINE_MS = 8000

/** The seed's /health body: the app's status with the notifier's health (token redacted) inside. */
export function healthBody (notifier) {
  const discord = notifier.health()
  return { status: discord.status === 'unhealthy' ? 'degraded' : 'healthy', timestamp: new Date().toISOString(), services: { discord_notifications: discord } }
}

export function createApp (notifier) {
  const app = express()
  app.get('/orders/:id', async (req, res) => {
    if (req.params.id === '0') throw new RangeError(`order ${req.params.id} does not exist`, { cause: new Error('no row in orders') })
    res.json({ id: req.params.id, status: 'paid' })
  })
  app.get('/health', (_req, res) => res.json(healthBody(notifier)))
  // Express 5 sends thrown errors and rejected promises here.
  app.use((err, req, res, _next) => {
    notifier.sendErrorNotification({ service: SERVICE, error: err, context: `${req.method} ${req.originalUrl}`, details: { Status: 500 } })
    res.status(500).json({ error: 'internal error' })
  })
  return app
}

/** Starts the app (port 0 picks a free one) and returns it with an awaitable `close()`. */
export async function start ({ port = 3000, env = process.env } = {}) {
  const emulator = env.DISCORD_WEBHOOK_URL ? undefined : await (await import('@logcord/discord-emulator')).createEmulator()
  const notifier = new DiscordNotifier(emulator
    ? { webhookUrl: emulator.webhookUrl(), apiOrigin: emulator.origin, username: SERVICE }
    : { webhookUrl: env.DISCORD_WEBHOOK_URL, username: SERVICE })
  const server = createApp(notifier).listen(port, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${server.address().port}`
  notifier.sendStartupNotification(SERVICE, { version: '1.0.0', details: { Framework: 'Express 5', Port: server.address().port } })

  async function close (deadlineMs = SHUTDOWN_DEADLINE_MS) {
    // Stop accepting; let requests in flight finish (idle keep-alive sockets would hold close() open).
    const closed = new Promise((resolve) => server.close(resolve))
    server.closeIdleConnections()
    await closed
    // Then deliver what is queued, within the deadline; the rest is counted as dropped (or dead-lettered).
    const result = await notifier.close(deadlineMs)
    await emulator?.close()
    return result
  }
  return { server, url, notifier, emulator, close }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const app = await start({ port: Number(process.env.PORT ?? 3000) })
  console.log(`${SERVICE} listening on ${app.url}${app.emulator ? ` (alerts go to the emulator: preview at ${app.emulator.origin}/)` : ''}`)
  const shutdown = async (signal) => {
    console.log(`${signal}: shutting down`)
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS + 2000).unref() // a hung close must not keep the process
    const { pending } = await app.close()
    process.exit(pending === 0 ? 0 : 1)
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}
