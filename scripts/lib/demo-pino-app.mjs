// The demo's Pino app, run by scripts/demo.mjs as a child process. It logs through the pino-discord
// transport in pino's worker thread. It runs in its own process because pino's exit hook blocks the main
// thread while the worker drains: an emulator on that same thread could not answer meanwhile.
//
// Protocol (IPC): { type: 'start', options } once, then { type: 'step', step } per demo step (answered with
// { type: 'done', step, records }), then { type: 'end' }: the process lets its event loop empty, and pino's
// exit hook waits for the worker to deliver what is queued.
import { discordTransport } from '@logcord/pino-discord'
import pino from 'pino'
import { STEPS } from './demo-steps.mjs'

let logger

process.on('message', (msg) => {
  if (msg.type === 'start') {
    logger = pino({ level: 'debug', base: { service: 'billing', pid: process.pid } }, discordTransport(msg.options))
    process.send({ type: 'ready' })
  } else if (msg.type === 'step') {
    const records = STEPS[msg.step].pino(logger, msg.sizes)
    process.send({ type: 'done', step: msg.step, records })
  } else if (msg.type === 'end') {
    // Leaving the IPC channel lets the event loop empty; pino then ends the worker's stream and waits.
    process.disconnect()
  }
})
