import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { isSeverity } from './levels.js'
import { DiscordNotifier } from './notifier.js'
import type { LogRecord, NotifierOptions } from './types.js'

/**
 * Resends a dead-letter file through a notifier, so every Discord limit and the usual packing apply:
 *
 *   FILE ──► parse lines ──► skip ids in FILE.replayed ──► 10 at a time: send, flush ──► append the ids
 *                            (and other webhooks' lines)                                  Discord confirmed
 *
 * Safe to run twice: an id goes to the sidecar once Discord confirmed it, right after its request, so a second run
 * (or one after a crash) sends only what is left; a record in flight when a run stops may be sent again (a webhook
 * has no idempotency key, contract §1). While Discord is unreachable, outage mode probes until it answers, up to `waitMs`.
 */
export interface ReplayOptions extends NotifierOptions {
  /** The dead-letter file (JSON lines, as written by `deadLetterFile`). */
  file: string
  /** Also resend lines written for other webhooks (by default only lines of this webhook's id). @default false */
  allWebhooks?: boolean
  /** How long to keep trying in all, in ms (outages included). @default 600000 (10 min) */
  waitMs?: number
}

export interface ReplayResult {
  /** Lines in the file. */
  lines: number
  /** Lines that were not a dead-letter record (counted, skipped). */
  invalid: number
  /** Lines resent by an earlier run (listed in the sidecar). */
  alreadyReplayed: number
  /** Lines of other webhooks, left alone without `allWebhooks`. */
  otherWebhooks: number
  /** Records Discord confirmed in this run. */
  sent: number
  /** Records Discord refused for good in this run (e.g. 400 after the strict resend); they stay unreplayed. */
  rejected: number
  /** Records left to send when the run stopped (deadline, or the webhook is gone). */
  left: number
  /** The sidecar file listing replayed ids. */
  sidecar: string
  /** Why the run stopped early, if it did. Never contains the webhook token. */
  stopped?: string
}

const CHUNK = 10
const DEFAULT_WAIT_MS = 10 * 60 * 1000

/** A line to resend; `key` is the record as the notifier's copy of it reads (canonical JSON). */
interface Entry { id: string, record: LogRecord, key: string, webhookId: string | undefined }

/** A dead-letter line as the ledger writes it (delivery/ledger.ts). */
interface DeadLetterLine { id?: string, time: string, reason: string, webhookId: string | undefined, detail?: string, record: LogRecord }

export async function replayDeadLetters (options: ReplayOptions): Promise<ReplayResult> {
  const { file, allWebhooks = false, waitMs = DEFAULT_WAIT_MS, ...notifierOptions } = options
  // The sidecar lists, one id a line, the records already resent from `file`.
  const sidecar = `${file}.replayed`
  const done = new Set(existsSync(sidecar) ? readFileSync(sidecar, 'utf8').split('\n').filter((l) => l !== '') : [])
  const notifier = new DiscordNotifier({ ...notifierOptions, dedup: { enabled: false }, deadLetterFile: false } as NotifierOptions)
  const targetId = notifier.options.target?.id
  const result: ReplayResult = { lines: 0, invalid: 0, alreadyReplayed: 0, otherWebhooks: 0, sent: 0, rejected: 0, left: 0, sidecar }

  const todo: Entry[] = []
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (text.trim() === '') continue
    result.lines++
    const entry = parseLine(text)
    if (entry === undefined) {
      result.invalid++
      continue
    }
    if (done.has(entry.id)) result.alreadyReplayed++
    else if (!allWebhooks && entry.webhookId !== undefined && entry.webhookId !== targetId) result.otherWebhooks++
    else todo.push(entry)
  }
  if (!notifier.enabled) {
    result.left = todo.length
    result.stopped = 'notifications are disabled (no webhook URL)'
    return result
  }

  // The notifier copies each record at the call: the records a drop names are matched by content.
  const dropped = new Map<string, string>()
  notifier.on('dropped', (e) => {
    for (const r of e.records ?? []) dropped.set(canonical(r), e.reason)
  })
  notifier.on('error', () => {}) // reported through the result and health(), not as an 'error' crash

  const deadline = Date.now() + waitMs
  try {
    for (let next = 0; next < todo.length; next += CHUNK) {
      const chunk = todo.slice(next, next + CHUNK)
      for (const entry of chunk) notifier.send(entry.record)
      const { timedOut } = await notifier.flush(Math.max(0, deadline - Date.now()))
      if (timedOut) {
        // Whatever is still held is dropped (reason: shutdown), so what is left counts exactly.
        await notifier.close(0)
        result.stopped = `Discord did not take every record within ${Math.round(waitMs / 1000)} s: ${notifier.health().reason ?? 'still waiting'}`
      }
      const confirmed = chunk.filter((e) => !dropped.has(e.key))
      if (confirmed.length > 0) appendFileSync(sidecar, confirmed.map((e) => e.id + '\n').join(''))
      result.sent += confirmed.length
      for (const e of chunk) if (dropped.get(e.key) === 'rejected') result.rejected++
      if (timedOut) break
      const health = notifier.health()
      if (health.status === 'disabled') {
        result.stopped = health.reason ?? 'the webhook is disabled'
        break
      }
    }
  } finally {
    await notifier.close()
  }
  result.left = todo.length - result.sent - result.rejected
  return result
}

/** A dead-letter line as id + record; undefined when it is not one. Lines without an id get a stable one. */
function parseLine (text: string): Entry | undefined {
  let line: Partial<DeadLetterLine>
  try {
    line = JSON.parse(text) as Partial<DeadLetterLine>
  } catch {
    return undefined
  }
  const record = line?.record
  if (record === null || typeof record !== 'object' || !isSeverity(record.severity) || typeof record.message !== 'string') return undefined
  if (typeof record.time !== 'number') record.time = Date.parse(String(line.time)) || Date.now()
  const id = typeof line.id === 'string' && line.id !== '' ? line.id : 'sha256:' + createHash('sha256').update(text.trim()).digest('hex').slice(0, 32)
  return { id, record, key: canonical(record), webhookId: typeof line.webhookId === 'string' ? line.webhookId : undefined }
}

/** JSON with every object's keys sorted: equal for equal content, whatever order the keys came in. */
function canonical (value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : 1)) : v)
}
