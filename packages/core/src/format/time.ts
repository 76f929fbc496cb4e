/**
 * The moment a record was logged, from the time value a logger wrote on it. Only forms that name one
 * moment without doubt are read; anything else gives `fallback` (the transport's own capture time):
 *
 *   number   epoch milliseconds (Pino's default `epochTime`, `Date.now()`), or epoch seconds when its
 *            magnitude is below 1e11 (Pino's `unixTime`): 1e11 ms is March 1973, 1e11 s the year 5138
 *   Date     its time (a Winston `timestamp({ format: () => new Date() })`)
 *   string   ISO 8601 / RFC 3339 with a date, a time and a `Z` or ±hh:mm offset, any number of fraction
 *            digits (Winston's default `timestamp()`, Pino's `isoTime` and `isoTimeNano`)
 *
 * Never re-parsed: a formatted local time such as Winston's `timestamp({ format: 'DD/MM/YYYY HH:mm:ss' })`
 * (`Date.parse('05/03/2026 10:00:00')` reads it US-style, 3 May), a time without an offset, or a value
 * from a custom function, a string of digits (`YYYYMMDDHHmmss` or epoch?). Those give `fallback`.
 */
export function loggedTime (value: unknown, fallback: number): number {
  let t: number | undefined
  if (typeof value === 'number') t = Math.abs(value) < SECONDS_BELOW ? Math.round(value * 1000) : value
  else if (value instanceof Date) t = value.getTime()
  else if (typeof value === 'string') t = fromIso(value)
  return t !== undefined && Number.isFinite(t) && Math.abs(t) <= MAX_TIME ? t : fallback
}

/** Magnitudes below this are epoch seconds, not milliseconds. */
const SECONDS_BELOW = 1e11
/** The largest time a Date can hold (ECMA-262 §21.4.1.1). */
const MAX_TIME = 8.64e15
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s?(?:([Zz])|([+-])(\d{2}):?(\d{2})?)$/

function fromIso (s: string): number | undefined {
  const m = ISO.exec(s.trim())
  if (m === null) return undefined
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number]
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'))
  if (month < 1 || month > 12 || day < 1 || hour > 24 || minute > 59 || second > 60) return undefined
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms)
  // Date.UTC rolls 31 April over to 1 May: a day the month does not have is not a date.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined
  if (m[8] !== undefined) return utc
  const offsetMinutes = Number(m[10]) * 60 + Number(m[11] ?? '0')
  if (offsetMinutes > 18 * 60) return undefined
  return utc - (m[9] === '-' ? -1 : 1) * offsetMinutes * 60_000
}

/** Epoch milliseconds as an ISO 8601 string (Discord's `timestamp`), or undefined when `ms` names no valid time. */
export function isoTime (ms: unknown): string | undefined {
  const date = new Date(typeof ms === 'number' ? ms : Number.NaN)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}
