/**
 * The one place a storm's "×N more" summary is written: a record sent like any other but not a user record (it
 * counts in none of the record counters; the repeats it stands for are `collapsed`). Pure: the time is passed in.
 */
import type { PlainRecord } from '../types.js'
import type { StormWindow } from './windows.js'

/** Said by a summary of one process's part when Redis was lost before the fleet's summary went out. */
const FLEET_LOST = ' Redis was lost before the fleet\'s summary went out: this counts this process\'s repeats only; those other processes had handed to Redis are not counted.'

/** `45 s`, `3 min`: a duration (ms) as people say it; at least `1 s`, minutes from 2 minutes on. */
export function spoken (ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000))
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`
}

/** `12:04:51 UTC` for epoch ms `t` (the zone left out when `zone` is false, in a run of several). */
export function clock (t: number, zone = true): string {
  return new Date(t).toISOString().slice(11, 19) + (zone ? ' UTC' : '')
}

/** "×N more in the last 45 s: title" for an ended window (at `endsAt`): repeats, first and last seen, pattern, error and a fleet window's instances. */
export function summaryRecord (w: StormWindow): PlainRecord {
  const span = w.endsAt - w.firstSeen
  const fields: Record<string, unknown> = {
    Repeats: w.repeats,
    'First seen': new Date(w.firstSeen).toISOString(),
    'Last seen': new Date(w.lastSeen).toISOString(),
    Pattern: w.template
  }
  if (w.errorType !== undefined) fields.Error = w.topFrame === undefined ? w.errorType : `${w.errorType} at ${w.topFrame}`
  const from = w.instances !== undefined && w.instances > 1 ? ` from ${w.instances} instances` : ''
  if (from !== '') fields.Instances = w.instances
  const record: PlainRecord = {
    severity: w.severity,
    time: w.lastSeen,
    title: `×${w.repeats} more in the last ${spoken(span)}${from}: ${w.title}`,
    message: `Repeats of this alert were collapsed into this summary (first seen ${clock(w.firstSeen)}, last seen ${clock(w.lastSeen)}).${w.fleetLost === true ? FLEET_LOST : ''}`,
    fields
  }
  if (w.service !== undefined) record.service = w.service
  return record
}
