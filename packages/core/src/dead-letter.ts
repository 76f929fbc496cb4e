import { randomUUID } from 'node:crypto'
import * as sonicBoomModule from 'sonic-boom'
import type { SonicBoom as SonicBoomStream } from 'sonic-boom'
import type { DropReason } from './events.js'
import type { LogRecord } from './record.js'

// sonic-boom is CommonJS (`module.exports = SonicBoom`) while its typings declare ES exports:
// take the class from `default` at runtime, in both the ESM and the CJS build.
const SonicBoom = ((sonicBoomModule as { default?: unknown }).default ?? sonicBoomModule) as typeof SonicBoomStream

export interface DeadLetterLine {
  /** Unique per record, given when written: `logcord replay` remembers by it what it has resent. */
  id?: string
  time: string
  reason: DropReason
  /** The webhook id, never its token. */
  webhookId: string | undefined
  detail?: string
  record: LogRecord
}

/**
 * Appends every record that could not be delivered to a file, one JSON line each.
 * Writes are synchronous: dead letters are rare, and they must survive a crash that follows them.
 */
export class DeadLetterFile {
  readonly path: string
  #stream: SonicBoomStream
  #redact: (s: string) => string

  constructor (path: string, redact: (s: string) => string) {
    this.path = path
    this.#redact = redact
    this.#stream = new SonicBoom({ dest: path, append: true, mkdir: true, sync: true })
  }

  write (lines: DeadLetterLine[]): void {
    if (lines.length === 0) return
    let out = ''
    for (const line of lines) out += this.#redact(safeJson(line.id === undefined ? { id: randomUUID(), ...line } : line)) + '\n'
    this.#stream.write(out)
  }

  close (): void {
    try {
      this.#stream.flushSync()
    } catch {}
    this.#stream.end()
  }
}

function safeJson (value: unknown): string {
  const seen = new WeakSet()
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[Circular]'
      seen.add(v)
    }
    return v
  })
}
