// A plain node:http server wired to Discord alerts: a startup notification, every 500 turned into an
// error alert, a /health route with the notifier's health, and a graceful shutdown that delivers queued
// alerts first. No framework: the pattern to copy into anything else.
//
//   pnpm build
//   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> node examples/integrations/node-http.mjs
//   curl localhost:3000/orders/7    # 200
//   curl localhost:3000/orders/0    # 500 → a red embed in Discord
//   curl localhost:3000/health      # { status, timestamp, services: { discord_notifications } }
//   Ctrl-C / SIGTERM                # stop accepting, finish requests, deliver alerts (8 s deadline), exit
//
// Without DISCORD_WEBHOOK_URL a local Discord emulator runs in-process; its preview page is printed.
import { once } from 'node:events'
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'
import { DiscordNotifier } from '@logcord/core'

const SERVICE = 'inventory'
const SHUTDOWN_DEADLINE_MS = 8000

/** The seed's /health body: the app's status with the notifier's health (token redacted) inside. */
export function healthBody (notifier) {
  const discord = notifier.health()
  return { status: discord.status === 'unhealthy' ? 'degraded' : 'healthy', timestamp: new Date().toISOString(), services: { discord_notifications: discord } }
}

function sendJson (res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function route (req, res, notifier) {
  const { pathname } = new URL(req.url, 'http://localhost')
  const order = /^\/orders\/([^/]+)$/.exec(pathname)
  if (req.method === 'GET' && order) {
    if (order[1] === '0') throw new RangeError(`order ${order[1]} does not exist`, { cause: new Error('no row in orders') })
    return sendJson(res, 200, { id: order[1], status: 'paid' })
  }
  if (req.method === 'GET' && pathname === '/health') return sendJson(res, 200, healthBody(notifier))
  sendJson(res, 404, { error: 'not found' })
}

export function createApp (notifier) {
  return createServer((req, res) => {
    route(req, res, notifier).catch((error) => {
      notifier.sendErrorNotification({ service: SERVICE, error, context: `${req.method} ${req.url}`, details: { Status: 500 } })
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' })
      else res.destroy()
    })
  })
}

/** Starts the server (port 0 picks a free one) and returns it with an awaitable `close()`. */
export async function start ({ port = 3000, env = process.env } = {}) {
  const emulator = env.DISCORD_WEBHOOK_URL ? undefined : await (await import('@logcord/discord-emulator')).createEmulator()
  const notifier = new DiscordNotifier(emulator
    ? { webhookUrl: emulator.webhookUrl(), apiOrigin: emulator.origin, username: SERVICE }
    : { webhookUrl: env.DISCORD_WEBHOOK_URL, username: SERVICE })
  const server = createApp(notifier).listen(port, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${server.address().port}`
  notifier.sendStartupNotification(SERVICE, { version: '1.0.0', details: { Framework: 'node:http', Port: server.address().port } })

  async function close (deadlineMs = SHUTDOWN_DEADLINE_MS) {
    const closed = new Promise((resolve) => server.close(resolve)) // stop accepting, finish requests in flight
    server.closeIdleConnections()
    await closed
    const result = await notifier.close(deadlineMs) // then deliver what is queued, within the deadline
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
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS + 2000).unref()
    const { pending } = await app.close()
    process.exit(pending === 0 ? 0 : 1)
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}
