/**
 * In pino's worker, the transport's counts reach the main thread as a thread-stream event: the stream
 * that `pino.transport()` or `discordTransport()` returned emits `'discordStats'` with
 * `{ lines, unparsable, skipped, failed, delivery }` (`delivery`: the core's counters, where
 * `accepted = sent + dropped + collapsed + pending`) after lines are read and after every delivery outcome.
 * At most one message per event-loop turn, and it never keeps the worker alive.
 */
import { parentPort } from 'node:worker_threads'

/** The event name on the main thread's stream. */
export const STATS_EVENT = 'discordStats'

/** Returns a function that schedules one report of `snapshot()`; a no-op outside a worker. */
export function statsReporter (snapshot: () => unknown): () => void {
  const port = parentPort
  if (port === null) return () => {}
  let scheduled = false
  const post = (): void => {
    scheduled = false
    try {
      // thread-stream re-emits { code: 'EVENT', name, args } on the main thread's stream.
      port.postMessage({ code: 'EVENT', name: STATS_EVENT, args: [snapshot()] })
    } catch {}
  }
  return () => {
    if (scheduled) return
    scheduled = true
    setImmediate(post).unref()
  }
}
