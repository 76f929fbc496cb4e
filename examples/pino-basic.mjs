// A pino logger whose errors become Discord embeds, sent from pino's worker thread.
//
//   pnpm build
//   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> node examples/pino-basic.mjs
//
// Without DISCORD_WEBHOOK_URL a local Discord emulator stands in, and what it received is printed.
import pino from 'pino'

const emulator = process.env.DISCORD_WEBHOOK_URL ? undefined : await (await import('@logcord/discord-emulator')).createEmulator()
const options = emulator === undefined
  ? { webhookUrl: process.env.DISCORD_WEBHOOK_URL }
  : { webhookUrl: emulator.webhookUrl(), apiOrigin: emulator.origin }

// The logger's level decides what reaches the transport. (pino ignores `level` beside a single
// `target`; inside `targets` it filters per target, see pino-targets.mjs.)
const logger = pino({ level: 'warn', transport: { target: '@logcord/pino-discord', options } })

logger.info('not sent: below warn')
logger.warn({ diskUsedPercent: 91 }, 'disk almost full')
logger.error(new Error('payment failed', { cause: new TypeError('card declined') }))

if (emulator !== undefined) {
  // The emulator runs on this thread; pino's exit hook blocks it while the worker drains,
  // so wait for delivery here. With a real webhook the process may simply end.
  const messages = await emulator.waitFor((list) => list.flatMap((m) => m.payload.embeds ?? []).length >= 2, 10_000)
  for (const embed of messages.flatMap((m) => m.payload.embeds)) console.log(JSON.stringify(embed, null, 2))
  await emulator.close()
}
