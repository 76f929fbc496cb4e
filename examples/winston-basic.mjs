// The smallest useful setup: Winston logs to the console as usual, and warnings and errors also
// reach a Discord channel as colour-coded embeds (stack traces and metadata included).
//
//   pnpm build
//   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> node examples/winston-basic.mjs
//
// Without DISCORD_WEBHOOK_URL it starts the local Discord emulator in-process and prints what it received.
import winston from 'winston'
import { DiscordTransport } from '@logcord/winston-discord'

const webhookUrl = process.env.DISCORD_WEBHOOK_URL
const emulator = webhookUrl ? undefined : await (await import('@logcord/discord-emulator')).createEmulator()

const discord = new DiscordTransport({
  webhookUrl: webhookUrl ?? emulator.webhookUrl(),
  apiOrigin: emulator?.origin, // undefined: the real https://discord.com
  level: 'warn'
})

const logger = winston.createLogger({
  format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.timestamp(), winston.format.json()),
  defaultMeta: { service: 'checkout' },
  transports: [new winston.transports.Console({ format: winston.format.simple() }), discord]
})

logger.info('checkout service ready')                       // console only: below 'warn'
logger.warn('payment provider is slow', { latencyMs: 1800 })  // yellow embed, latencyMs as a field
logger.error(new Error('payment failed'))                     // red embed with the stack
logger.error('refund failed', { err: new TypeError('amount must be positive'), orderId: 'ord_1042' })
logger.error('retrying the ledger call', { discord: false })  // console only: opted out

// Delivery happens in the background; flush before exiting so nothing queued is lost.
await discord.flush()

if (emulator) {
  for (const message of emulator.messages) {
    for (const embed of message.payload.embeds ?? []) {
      console.log(`\n── ${embed.title}  (#${embed.color.toString(16)})`)
      if (embed.description) console.log(embed.description)
      for (const field of embed.fields ?? []) console.log(`   ${field.name}: ${field.value}`)
    }
  }
  await discord.close()
  await emulator.close()
}
