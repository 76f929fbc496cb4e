// One process of the fleet benchmark (bench/fleet.mjs): logs COUNT errors at once through a
// ThreadedNotifier, which delivers them in its worker and holds the exit until they are delivered.
// MODE=distinct: every error is its own alert (storm control off). MODE=storm: the same error COUNT
// times (storm control on). OPTIONS: the notifier options (JSON).
import { ThreadedNotifier } from '@logcord/core'

const options = JSON.parse(process.env.OPTIONS)
const count = Number(process.env.COUNT)
const storm = process.env.MODE === 'storm'
const index = process.env.INDEX ?? '0'
const notifier = new ThreadedNotifier({ ...options, exitTimeoutMs: 600_000 })
for (let i = 0; i < count; i++) {
  const error = storm ? new Error('payment provider timeout') : new Error(`instance ${index}: payment provider timeout on order ${i}`)
  notifier.sendErrorNotification({ service: 'checkout', error })
}
