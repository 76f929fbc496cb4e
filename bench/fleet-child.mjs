// One process of the fleet benchmark (bench/fleet.mjs). OPTIONS: the notifier options (JSON).
// MODE=distinct: COUNT distinct errors through a ThreadedNotifier, which delivers them in its worker and
// holds the exit until they are delivered (however long the limits make that).
// MODE=storm: the same error COUNT times through Pino's worker transport, storm control on; at the end
// of input the worker closes its notifier, which ends the storm windows and delivers their summaries
// (with redisUrl: reports them to the fleet, whose last process sends one summary).
import pino from 'pino'
import { discordTransport } from '@logcord/pino-discord'
import { ThreadedNotifier } from '@logcord/core'

const options = JSON.parse(process.env.OPTIONS)
const count = Number(process.env.COUNT)
const index = process.env.INDEX ?? '0'
if (process.env.MODE === 'storm') {
  const logger = pino(discordTransport(options))
  for (let i = 0; i < count; i++) logger.error({ err: new Error('payment provider timeout') }, 'payment provider timeout')
} else {
  const notifier = new ThreadedNotifier({ ...options, exitTimeoutMs: 600_000 })
  for (let i = 0; i < count; i++) notifier.sendErrorNotification({ service: 'checkout', error: new Error(`instance ${index}: payment provider timeout on order ${i}`) })
}
// When every record was handed over: the fleet's drain time is measured from the earliest of these.
process.stdout.write(`logged ${Date.now()}\n`)
