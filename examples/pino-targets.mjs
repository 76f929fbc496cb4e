// Everything to stdout, warnings and worse also to Discord: two targets in one pino worker.
//
//   pnpm build
//   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> node examples/pino-targets.mjs
//
// Without DISCORD_WEBHOOK_URL a local Discord emulator stands in, and what it received is printed.
// discordTarget() checks the options on this thread first (a function among them would fail with
// a clear message instead of a DataCloneError from the worker).
import pino from 'pino'
import { discordTarget } from '@logcord/pino-discord'

const emulator = process.env.DISCORD_WEBHOOK_URL ? undefined : await (await import('@logcord/discord-emulator')).createEmulator()
const options = emulator === undefined
  ? { webhookUrl: process.env.DISCORD_WEBHOOK_URL, username: 'checkout alerts' }
  : { webhookUrl: emulator.webhookUrl(), apiOrigin: emulator.origin, username: 'checkout alerts' }

const transport = pino.transport({
  targets: [
    { target: 'pino/file', level: 'info', options: { destination: 1 } },
    discordTarget(options, { level: 'warn' })
  ]
})
const logger = pino({ level: 'info' }, transport).child({ service: 'checkout' })

logger.info({ orderId: 'o-1' }, 'order placed')
logger.warn({ orderId: 'o-2', attempt: 2 }, 'payment provider slow')
logger.error({ err: new Error('card declined'), orderId: 'o-3' }, 'payment failed')

if (emulator !== undefined) {
  const messages = await emulator.waitFor((list) => list.flatMap((m) => m.payload.embeds ?? []).length >= 2, 10_000)
  console.log(`Discord received ${messages.length} message(s):`)
  for (const embed of messages.flatMap((m) => m.payload.embeds)) console.log(`  ${embed.title}`)
  await emulator.close()
}
