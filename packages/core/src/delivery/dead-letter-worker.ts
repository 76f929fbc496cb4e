/*
 * The dead-letter writer for a pipeline on the application's thread (dead-letters.ts): each message is
 * a batch of dead letters, written at once; the count of batches written is stored and notified for
 * a caller waiting in flushSync() (close(), the process exit).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { FileDeadLetters, type DeadLetter, type DeadLetterOptions } from './dead-letters.js'

const { options, state } = workerData as { options: DeadLetterOptions, state: SharedArrayBuffer }
const written = new Int32Array(state)
const file = new FileDeadLetters(options, (reason) => parentPort!.postMessage(reason))
parentPort!.on('message', (letters: DeadLetter[]) => {
  file.add(letters)
  Atomics.add(written, 1, 1)
  Atomics.notify(written, 1)
})
