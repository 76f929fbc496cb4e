/*
 * The dead-letter writer for a pipeline on the main thread (dead-letters.ts): writes each batch at once, then stores
 * and notifies the count written for a caller waiting in flushSync() (close(), the process exit).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { DeadLetters, type DeadLetter, type DeadLetterOptions } from './dead-letters.js'

const { options, state } = workerData as { options: DeadLetterOptions, state: SharedArrayBuffer }
const written = new Int32Array(state)
const file = new DeadLetters(options, (reason) => parentPort!.postMessage(reason))
parentPort!.on('message', (letters: DeadLetter[]) => {
  file.add(letters)
  Atomics.add(written, 1, 1)
  Atomics.notify(written, 1)
})
