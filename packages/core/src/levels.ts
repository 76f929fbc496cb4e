/** Severities, onto which every adapter maps its level names; order, colours and emoji are the seed's (critical: dark red). */
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

export function isSeverity (value: unknown): value is Severity {
  return typeof value === 'string' && Object.hasOwn(SEVERITY_STYLES, value)
}

/** True when `severity` is at or above `threshold`. */
export function atLeast (severity: Severity, threshold: Severity): boolean {
  return SEVERITY_STYLES[severity].rank >= SEVERITY_STYLES[threshold].rank
}

/** Level names of npm, syslog, cli and pino, any case. No prototype: a custom level `constructor` is unknown. */
const LEVEL_ALIASES: Readonly<Record<string, Severity>> = Object.create(null)
for (const [severity, names] of Object.entries({
  critical: 'fatal critical crit emerg emergency alert panic',
  error: 'error err',
  warning: 'warn warning',
  info: 'info notice http help data prompt verbose input',
  debug: 'debug trace silly'
})) for (const name of names.split(' ')) (LEVEL_ALIASES as Record<string, string>)[name] = severity
Object.freeze(LEVEL_ALIASES)

/** The severity of a known level (a severity, a level name above in any case, a pino number); undefined for anything else (a typo). */
export function knownSeverity (level: unknown): Severity | undefined {
  if (typeof level === 'number') return Number.isFinite(level) ? severityFromPinoNumber(level) : undefined
  if (typeof level !== 'string') return undefined
  return isSeverity(level) ? level : LEVEL_ALIASES[level.toLowerCase()]
}

/** A logger's level (name or pino number) as a severity; unknown names give `fallback`. */
export function severityFromLevel (level: string | number | undefined, fallback: Severity = 'info'): Severity {
  return typeof level === 'number' ? severityFromPinoNumber(level) : knownSeverity(level) ?? fallback
}

/** Pino's numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. Custom numbers fall between. */
export function severityFromPinoNumber (n: number): Severity {
  if (n >= 60) return 'critical'
  if (n >= 50) return 'error'
  if (n >= 40) return 'warning'
  if (n >= 30) return 'info'
  return 'debug'
}
