/**
 * Severities, their order, colours and emoji. Every adapter maps its own level names onto these.
 * Colours and emoji follow the seed's diagnostic levels; critical is dark red.
 */
export const SEVERITIES = ['debug', 'info', 'warning', 'error', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

export interface SeverityStyle {
  readonly rank: number
  readonly label: string
  readonly color: number
  readonly emoji: string
}

export const SEVERITY_STYLES: Readonly<Record<Severity, SeverityStyle>> = Object.freeze({
  debug: { rank: 0, label: 'Debug', color: 0x95a5a6, emoji: '⚪' },
  info: { rank: 1, label: 'Info', color: 0x3498db, emoji: '🔵' },
  warning: { rank: 2, label: 'Warning', color: 0xf39c12, emoji: '🟡' },
  error: { rank: 3, label: 'Error', color: 0xe74c3c, emoji: '🔴' },
  critical: { rank: 4, label: 'Critical', color: 0x8b0000, emoji: '🚨' }
})

export function severityRank (severity: Severity): number {
  return SEVERITY_STYLES[severity].rank
}

export function isSeverity (value: unknown): value is Severity {
  return typeof value === 'string' && Object.hasOwn(SEVERITY_STYLES, value)
}

/** True when `severity` is at or above `threshold`. */
export function atLeast (severity: Severity, threshold: Severity): boolean {
  return SEVERITY_STYLES[severity].rank >= SEVERITY_STYLES[threshold].rank
}

/**
 * Maps a logger's level name to a severity. Covers npm, syslog, cli and pino names;
 * unknown names fall back to `fallback`.
 */
// No prototype: a level named `constructor` or `toString` (a logger's custom level) is unknown, not a function.
const LEVEL_ALIASES: Readonly<Record<string, Severity>> = Object.freeze(Object.assign(Object.create(null) as Record<string, Severity>, {
  // critical
  fatal: 'critical',
  critical: 'critical',
  crit: 'critical',
  emerg: 'critical',
  emergency: 'critical',
  alert: 'critical',
  panic: 'critical',
  // error
  error: 'error',
  err: 'error',
  // warning
  warn: 'warning',
  warning: 'warning',
  // info
  info: 'info',
  notice: 'info',
  http: 'info',
  help: 'info',
  data: 'info',
  prompt: 'info',
  verbose: 'info',
  input: 'info',
  // debug
  debug: 'debug',
  trace: 'debug',
  silly: 'debug'
}))

/**
 * The severity of a level the library knows: a severity, a logger level name above (any case), or a
 * pino level number. Undefined for anything else, so a caller can tell a typo from a choice.
 */
export function knownSeverity (level: unknown): Severity | undefined {
  if (typeof level === 'number') return Number.isFinite(level) ? severityFromPinoNumber(level) : undefined
  if (typeof level !== 'string') return undefined
  return isSeverity(level) ? level : LEVEL_ALIASES[level.toLowerCase()]
}

export function severityFromLevel (level: string | number | undefined, fallback: Severity = 'info'): Severity {
  if (typeof level === 'number') return severityFromPinoNumber(level)
  if (typeof level !== 'string') return fallback
  return LEVEL_ALIASES[level.toLowerCase()] ?? fallback
}

/** Pino's numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. Custom numbers fall between. */
export function severityFromPinoNumber (n: number): Severity {
  if (n >= 60) return 'critical'
  if (n >= 50) return 'error'
  if (n >= 40) return 'warning'
  if (n >= 30) return 'info'
  return 'debug'
}
