// The demo's Pino app, run by scripts/demo.mjs as a child process. It logs through the pino-discord
// transport in pino's worker thread. It runs in its own process because pino's exit hook blocks the main
// thread while the worker drains: an emulator on that same thread could not answer meanwhile.
//
// Protocol (IPC): { type: 'start', options } once, then { type: 'step', step } per demo step (answered with
// { type: 'done', step, records, delivery } (the worker's counters) once the worker has settled every record logged so far: delivered,
// folded into a storm summary or dropped), then { type: 'end' }: the process lets its event loop empty,
// and pino's exit hook waits for the worker to deliver what is queued.
import { discordTransport } from '@logcord/pino-discord'
import pino from 'pino'
import { STEPS } from './demo-steps.mjs'

/** A step's answer never waits longer than this for the worker's report. */
const SETTLE_TIMEOUT_MS = 60_000

let logger
let logged = 0
/** The worker's latest counts, from the stream's 'discordStats' event. */
let stats
const waiters = new Set()

/** Resolves when the worker has read every line logged so far and none of them is still pending. */
function settled () {
  const done = () => stats !== undefined && stats.lines >= logged &&
    stats.delivery.accepted === stats.delivery.sent + stats.delivery.dropped + stats.delivery.collapsed
  if (done()) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(finish, SETTLE_TIMEOUT_MS)
    function finish () {
      clearTimeout(timer)
      waiters.delete(check)
      resolve()
    }
    function check () { if (done()) finish() }
    waiters.add(check)
  })
}

process.on('message', async (msg) => {
  if (msg.type === 'start') {
    const stream = discordTransport(msg.options)
    stream.on('discordStats', (s) => {
      stats = s
      for (const check of [...waiters]) check()
    })
    logger = pino({ level: 'debug', base: { service: 'billing', pid: process.pid } }, stream)
    process.send({ type: 'ready' })
  } else if (msg.type === 'step') {
    const records = STEPS[msg.step].pino(logger, msg.sizes)
    logged += records
    // The step's row counts what Discord received: answer once this app's records got there.
    await settled()
    process.send({ type: 'done', step: msg.step, records, delivery: stats?.delivery })
  } else if (msg.type === 'end') {
    // Leaving the IPC channel lets the event loop empty; pino then ends the worker's stream and waits.
    process.disconnect()
  }
})
