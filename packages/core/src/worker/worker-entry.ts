/*
 * The delivery worker: a DiscordNotifier running on its own thread. It receives plain records from the
 * main thread, and after every outcome bumps the shared "settled" counter and notifies the main thread,
 * which may be blocked in Atomics.wait inside a process 'exit' handler.
 */
import { writeSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { DiscordNotifier, kCloseAtExit, kPushFirst, kPushSummaries } from '../notifier.js'
import type { NotifierOptions } from '../options.js'
import { STATE_CLOSED, STATE_SETTLED, type EventName, type FromWorker, type ToWorker, type WorkerData } from './protocol.js'

/** Health snapshots are posted at most this often (trailing), so busy periods cost few messages. */
const SNAPSHOT_INTERVAL_MS = 50

const port = parentPort
if (port === null) throw new Error('worker-entry must run in a worker thread')
const data = workerData as WorkerData
const state = new Int32Array(data.state)
const post = (message: FromWorker): void => port.postMessage(message)

const options: NotifierOptions = { ...data.options }
if (data.forwardLog) options.log = (line) => post({ type: 'log', line })
// A worker's process.stderr is relayed through the main thread, which at exit sits blocked in
// Atomics.wait and then dies: lines about the very records being drained would be lost. fd 2 directly.
else options.log = writeStderrSync

function writeStderrSync (line: string): void {
  try {
    writeSync(2, line.endsWith('\n') ? line : line + '\n')
  } catch {
    // stderr closed or full: the library's own diagnostics must never break delivery.
  }
}
// A first record the fleet folds is settled then: it will never be sent or dropped here.
const notifier = new DiscordNotifier(options, data.stormsFromCaller === true ? { stormsFromCaller: true, onFolded: () => settle(1), ...(data.stormInstance === undefined ? {} : { stormInstance: data.stormInstance }) } : undefined)

let snapshotTimer: NodeJS.Timeout | undefined
function snapshot (): void {
  if (snapshotTimer !== undefined) return
  snapshotTimer = setTimeout(() => {
    snapshotTimer = undefined
    post({ type: 'snapshot', health: notifier.health() })
  }, SNAPSHOT_INTERVAL_MS)
}

function settle (count: number): void {
  Atomics.add(state, STATE_SETTLED, count)
  Atomics.notify(state, STATE_SETTLED)
  snapshot()
}

notifier.on('sent', (e) => {
  settle(e.records)
  post({ type: 'event', name: 'sent', payload: e })
})
notifier.on('dropped', (e) => {
  // Repeats of a lost storm summary count as dropped, but the main thread never posted them.
  settle(e.count - (e.repeats ?? 0))
  // Records stay in the worker (dead-letter file); the main thread gets the counts.
  const { records: _records, ...rest } = e
  post({ type: 'event', name: 'dropped', payload: rest })
})
for (const name of ['rateLimited', 'retry', 'error', 'disabled'] as const satisfies readonly EventName[]) {
  notifier.on(name, (payload: unknown) => {
    post({ type: 'event', name, payload })
    snapshot()
  })
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'records': {
      const collapsedBefore = notifier.stats().collapsed
      const storms = message.storms
      for (let i = 0; i < message.records.length; i++) {
        // Records below minSeverity were filtered on the main thread; anything refused here is
        // reported through 'dropped' and so settles like the rest.
        const record = message.records[i]!
        const key = storms?.[i * 4]
        if (key === undefined || Number.isNaN(key)) notifier.send(record)
        else notifier[kPushFirst](record, key, storms![i * 4 + 1]!, storms![i * 4 + 2]!, storms![i * 4 + 3]!)
      }
      // Repeats folded by storm control are settled at once: their count is final, and the summary
      // that reports them is not a record the main thread posted.
      const folded = notifier.stats().collapsed - collapsedBefore
      if (folded > 0) settle(folded)
      break
    }
    case 'flush':
      // A fresh snapshot first: after `await flush()` the caller's stats() count what it settled.
      void notifier.flush(message.timeoutMs).then((result) => {
        post({ type: 'snapshot', health: notifier.health() })
        post({ type: 'reply', id: message.id, result })
      })
      break
    case 'close':
      void (message.exitTimeoutMs === undefined ? notifier.close(message.timeoutMs) : notifier[kCloseAtExit](message.timeoutMs ?? 0, message.exitTimeoutMs)).then((result) => {
        Atomics.store(state, STATE_CLOSED, 1)
        Atomics.notify(state, STATE_CLOSED)
        post({ type: 'snapshot', health: notifier.health() })
        post({ type: 'reply', id: message.id, result })
      })
      break
    case 'resetRateLimits':
      notifier.resetRateLimits()
      break
    case 'summaries':
      notifier[kPushSummaries](message.windows)
      break
  }
})
