/*
 * The delivery worker: a Pipeline on its own thread, fed plain records by worker.ts. It writes the shared counters,
 * says when nothing is pending, and after a close sets and notifies SLOT.closed (a caller in Atomics.wait at 'exit').
 */
import { writeSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { systemClock } from '../clock.js'
import { scrub } from '../http/webhook-url.js'
import { SelfLog } from '../self-log.js'
import type { Emit, ResolvedOptions } from '../types.js'
import { SLOT } from './ledger.js'
import { Pipeline } from './pipeline.js'
import type { FromWorker, ToWorker, WorkerData } from './worker.js'

/** State (problem, rate limits) is posted at most this often, trailing, so busy periods cost few messages. */
const STATE_INTERVAL_MS = 50

const port = parentPort
if (port === null) throw new Error('worker-entry must run in a worker thread')
const data = workerData as WorkerData
const counters = new Int32Array(data.counters)
const post = (message: FromWorker): void => port.postMessage(message)

// fd 2 directly: process.stderr is relayed by the caller's thread, which at exit blocks in Atomics.wait, then dies.
function writeStderr (line: string): void {
  try { writeSync(2, line.endsWith('\n') ? line : line + '\n') } catch {}
}
const options: ResolvedOptions = { ...data.options, log: data.forwardLog ? (line) => post({ type: 'log', line }) : writeStderr, dispatcher: undefined, clock: systemClock }
const target = options.target!
const log = new SelfLog(options.logLevel, options.log, (s) => scrub(s, target.token), data.from?.said)

let seq = data.from === undefined ? 0 : 1
let stateTimer: NodeJS.Timeout | undefined
const postState = (): void => post({ type: 'state', problem: pipeline.problem(), rateLimits: pipeline.rateLimitInfo() })
const emit: Emit = (name, ...args) => {
  const [payload] = args as unknown as [Record<string, unknown>]
  // Dropped records stay in the worker (and in the dead-letter file); the caller gets the counts.
  if (name === 'dropped') delete payload.records
  post({ type: 'event', name, payload })
  stateTimer ??= setTimeout(() => {
    stateTimer = undefined
    postState()
  }, STATE_INTERVAL_MS)
}
const pipeline: Pipeline = new Pipeline({ options, target, counters, log, emit, wants: () => true, idle: () => post({ type: 'idle', seq }), from: data.from })

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'deliver':
      seq = message.seq
      for (const item of message.items) {
        if ('resolve' in item) pipeline.resolveIncident(item.resolve, item.note)
        else if ('ended' in item) pipeline.windowEnded(item.window)
        else pipeline.deliver(item.record, item.window)
      }
      if (pipeline.idle) post({ type: 'idle', seq })
      break
    case 'flush':
      void pipeline.flush(message.timeoutMs).then((result) => post({ type: 'reply', id: message.id, result }))
      break
    case 'settle': {
      const timeoutMs = message.until === undefined ? message.timeoutMs : Math.max(0, message.until - Date.now())
      const done = message.close ? pipeline.close(timeoutMs, message.named) : pipeline.settle(timeoutMs, message.named)
      void done.then((result) => {
        if (message.close) {
          Atomics.store(counters, SLOT.closed, 1)
          Atomics.notify(counters, SLOT.closed)
        }
        postState()
        post({ type: 'reply', id: message.id, result })
      })
      break
    }
    case 'resetRateLimits':
      pipeline.resetRateLimits()
      break
  }
})
