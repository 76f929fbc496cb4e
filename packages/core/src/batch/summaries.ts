/*
 * The records the pipeline writes itself: a storm window's "×N more" summary and the queue-full
 * notice. Pure: the time and the queue's capacity are passed in. Neither is a user record: the
 * pipeline delivers them like records but counts them in none of its record counters.
 */
import { SEVERITY_STYLES, type Severity } from '../levels.js'
import type { DropSummary } from '../queue/bounded-queue.js'
import type { LogRecord } from '../record.js'
import type { DedupWindow } from './dedup.js'

/** Said by a summary of one process's part when Redis was lost before the fleet's summary went out. */
const FLEET_LOST = ' Redis was lost before the fleet\'s summary went out: this counts this process\'s repeats only; those other processes had handed to Redis are not counted.'
const MS_PER_S = 1000
const S_PER_MIN = 60

/** `45 s`, `3 min`: a duration (ms) as people say it; at least `1 s`, minutes from 2 minutes on. */
export function spoken (ms: number): string {
  const s = Math.max(1, Math.round(ms / MS_PER_S))
  return s < 2 * S_PER_MIN ? `${s} s` : `${Math.round(s / S_PER_MIN)} min`
}

/**
 * The summary record for a storm window that ended at `now` (epoch ms): "×N more in the last 45 s: title",
 * with the repeats, first and last seen, the pattern, the error and (for a fleet's window, storm control
 * shared through Redis) how many instances it covers. A window ended early (flush, eviction) covers less
 * than windowMs: the span is measured up to `now`.
 */
export function summaryRecord (w: DedupWindow, now: number): LogRecord {
  const clock = (t: number): string => new Date(t).toISOString().slice(11, 19) + ' UTC'
  // A window ended by flush() or by eviction covers less than windowMs.
  const span = Math.min(now, w.endsAt) - w.firstSeen
  const fields: Record<string, unknown> = {
    Repeats: w.repeats,
    'First seen': new Date(w.firstSeen).toISOString(),
    'Last seen': new Date(w.lastSeen).toISOString(),
    Pattern: w.template
  }
  if (w.errorType !== undefined) fields.Error = w.topFrame === undefined ? w.errorType : `${w.errorType} at ${w.topFrame}`
  // A fleet's summary (storm control shared through Redis) says how many processes it covers.
  const from = w.instances !== undefined && w.instances > 1 ? ` from ${w.instances} instances` : ''
  if (from !== '') fields.Instances = w.instances
  const record: LogRecord = {
    severity: w.severity,
    time: w.lastSeen,
    title: `×${w.repeats} more in the last ${spoken(span)}${from}: ${w.title}`,
    message: `Repeats of this alert were collapsed into this summary (first seen ${clock(w.firstSeen)}, last seen ${clock(w.lastSeen)}).${w.fleetLost === true ? FLEET_LOST : ''}`,
    fields
  }
  if (w.service !== undefined) record.service = w.service
  return record
}

/**
 * The "N records dropped (queue full)" notice for the records the queue shed since the last notice
 * (`undefined` when it shed none), with a count per severity. `capacity`: the queue's capacity (records);
 * `now`: the notice's time (epoch ms).
 */
export function dropNotice (drops: DropSummary | undefined, capacity: number, now: number): LogRecord | undefined {
  if (drops === undefined) return undefined
  const since = new Date(drops.since).toISOString().slice(11, 19)
  const fields: Record<string, unknown> = {}
  for (const s of Object.keys(drops.bySeverity) as Severity[]) fields[SEVERITY_STYLES[s].label] = drops.bySeverity[s]
  return {
    severity: 'warning',
    time: now,
    title: `${drops.count} record${drops.count === 1 ? '' : 's'} dropped (queue full) since ${since} UTC`,
    message: `The queue (capacity ${capacity}) was full while Discord's rate limits held sending back; the least severe, oldest records were shed.`,
    fields
  }
}
