/*
 * The notifier: what applications call, on the caller's thread. Never throws on the logging path, never
 * waits; trouble is reported as events and one stderr line per distinct problem.
 *
 *   send(record) ─► level filter ─► storm control ─┬─ repeat of an open window: counted, let go
 *   (and the send   (minSeverity)   (fingerprint,  └─ first of its kind: copied as plain data now (its
 *    methods)                        a Map lookup)     error serialised), handed to the delivery
 *                                                   window ends ─► its repeats to the incident, edited in place
 *                                                   (incidents off: "×N more"; through Redis: the fleet's decision)
 *   delivery: in-process (delivery/pipeline.ts) or a worker thread of its own (delivery/worker.ts, `thread`);
 *   at process.exit() with records pending, an in-process delivery hands them to a worker started then.
 */
import { EventEmitter } from 'node:events'
import { isMainThread } from 'node:worker_threads'
import { runClock } from './clock.js'
import { describe, InvalidOptionError } from './errors.js'
import { trackPending, untrackPending, type ExitParticipant } from './exit.js'
import { redactLoose, scrub } from './http/webhook-url.js'
import { atLeast, knownSeverity, SEVERITIES, type Severity } from './levels.js'
import { atCall, diagnosticRecord, embedRecord, errorRecord, plaintextRecord, startupRecord, type DiagnosticInput, type EmbedInput, type ErrorNotificationInput } from './messages.js'
import { unwritable } from './delivery/dead-letters.js'
import { newCounters, readCounters, SLOT } from './delivery/ledger.js'
import { Pipeline } from './delivery/pipeline.js'
import { EMPTY_RATE_LIMITS, WorkerDelivery } from './delivery/worker.js'
import { environmentForFactory, resolveWithEnvironment } from './options/env.js'
import { withoutAnsi } from './format/text.js'
import { SelfLog } from './self-log.js'
import { fingerprintKey, fingerprintOf, partsOf, recordText } from './storm/fingerprint.js'
import { StormWindows, type StormWindow } from './storm/windows.js'
import { DROP_REASONS, type Counters, type Emit, type FlushResult, type Health, type LogRecord, type NotifierEvents, type NotifierOptions, type RateLimitInfo, type ResolvedOptions, type SerializedError } from './types.js'

/**
 * Sends notifications to one Discord webhook without ever blocking or throwing into the caller. Send
 * methods return at once (true when the record was taken); delivery happens in the background, steered
 * by Discord's rate limits. Events: `sent`, `dropped`, `rateLimited`, `retry`, `error`, `disabled`.
 */
export class DiscordNotifier extends EventEmitter<NotifierEvents> implements ExitParticipant {
  readonly options: ResolvedOptions
  readonly #counters = newCounters()
  readonly #log: SelfLog
  readonly #windows: StormWindows | undefined
  /** Storm control is shared through Redis: every window's end is reported, repeats or not. */
  readonly #fleet: boolean
  /** Alerts are incidents (storm control on, not through Redis): records carry their key to the delivery. */
  readonly #incidents: boolean
  #delivery: Pipeline | WorkerDelivery | undefined
  #timer: unknown
  #closed = false
  #tracked = false
  readonly #runTime: () => number // storm control's clock (clock.ts runClock)

  /**
   * Options left unset are read from DISCORD_WEBHOOK_URL, DISCORD_NOTIFICATIONS_ENABLED,
   * DISCORD_NOTIFICATIONS_LOG_LEVEL and DISCORD_NOTIFICATIONS_REDIS_URL (explicit options win).
   * @throws InvalidOptionError (UnknownOptionError, InvalidEnvironmentError) or InvalidWebhookUrlError
   */
  constructor (options: NotifierOptions = {}) {
    super()
    const { options: given, resolved } = resolveWithEnvironment(options)
    const o = this.options = resolved
    const token = o.target?.token ?? ''
    this.#log = new SelfLog(o.logLevel, o.log, (s) => scrub(s, token))
    this.#fleet = o.redisUrl !== undefined && o.dedup.enabled
    this.#incidents = o.dedup.enabled && o.incidents.enabled && !this.#fleet
    this.#runTime = runClock(o.clock)
    if (!o.enabled || o.target === undefined) return
    const noFile = o.deadLetterFile === undefined ? undefined : unwritable(o.deadLetterFile)
    if (noFile !== undefined) {
      // In a worker (pino's) nobody could catch a throw, and the default place is not the user's mistake: said once, and delivery to Discord goes on without the file.
      if (isMainThread && given.deadLetterFile !== undefined) throw new InvalidOptionError('deadLetterFile', 'a path where a file can be written, or false', o.deadLetterFile, `It cannot be: ${noFile}. Point it at a writable directory, or set it to false.`)
      this.#log.errorOnce('dead_letter_write', `deadLetterFile ${o.deadLetterFile} cannot be written (${noFile}): records that cannot be delivered are counted in stats().deadLetterFailed, not written; delivery to Discord goes on`)
    }
    // With incidents, a window is one edit interval: its repeats reach the incident's message at its end.
    const windowMs = this.#incidents ? Math.max(1, o.incidents.editIntervalMs) : o.dedup.windowMs
    if (o.dedup.enabled) this.#windows = new StormWindows(windowMs, partsOf(o.dedup.fingerprint), { describeAll: this.#fleet })
    const emit = this.#emit
    const idle = (): void => this.#untrackIfIdle()
    this.#delivery = o.thread
      ? new WorkerDelivery({ options: o, counters: this.#counters, userLog: given.log, emit, idle })
      : new Pipeline({ options: o, target: o.target, counters: this.#counters, log: this.#log, emit, wants: (event) => this.listenerCount(event) > 0, idle })
  }

  get enabled (): boolean {
    return this.#delivery !== undefined
  }

  /** How long `process.exit()` may be held up for this notifier (ms). */
  get exitTimeoutMs (): number {
    return this.options.exitTimeoutMs
  }

  /** Hands over a record. False when filtered out or refused. Never throws, never waits. */
  send (record: LogRecord): boolean {
    const delivery = this.#delivery
    if (delivery === undefined) return false
    try {
      const severity = knownSeverity(record.severity) ?? 'error'
      const named = this.#incidents ? this.#incidentKey(record.incident) : undefined
      // A log line that ends its incident (`{ incident, resolved: true }`), whatever its level.
      const resolves = named !== undefined && record.resolved === true
      if (!resolves && !atLeast(severity, this.options.minSeverity)) return false
      const c = this.#counters
      if (this.#closed) {
        c[SLOT.accepted]!++
        c[SLOT.dropped + DROP_REASONS.indexOf('closed')]!++
        this.#emit('dropped', { reason: 'closed', count: 1, records: [record], detail: 'logged after close()' })
        return false
      }
      if (resolves) {
        // Counted in its incident; its message is the note.
        c[SLOT.accepted]!++
        c[SLOT.collapsed]!++
        this.#track()
        delivery.resolveIncident(named, withoutAnsi(String(record.message ?? '')).slice(0, 200) || undefined)
        return true
      }
      const windows = this.#windows
      if (windows === undefined || named !== undefined) {
        // A record naming its incident is counted in it on the delivery side, not by storm control here.
        const copy = atCall(record, severity, this.options.render.redactKeys)
        if (named !== undefined) copy.incident = named
        c[SLOT.accepted]!++
        this.#track()
        delivery.deliver(copy)
        return true
      }
      const now = this.#runTime()
      const text = recordText(record)
      if (this.#repeat(windows, severity, record.service, text, record.error, now)) {
        c[SLOT.accepted]!++
        return true
      }
      const copy = atCall(record, severity, this.options.render.redactKeys)
      const fingerprint = fingerprintOf(windows.parts, severity, record.service, text, record.error)
      if (this.#incidents) copy.incident = fingerprintKey(fingerprint)
      const { window, evicted } = windows.open(fingerprint, copy, now)
      c[SLOT.accepted]!++
      if (evicted !== undefined) this.#ended([evicted])
      this.#arm(now)
      this.#track()
      delivery.deliver(copy, window)
      return true
    } catch (err) {
      this.#log.errorOnce('send', `could not queue a record: ${String(err)}`)
      return false
    }
  }

  /**
   * Storm control for a record not built yet (for adapters: the Winston transport's `logger.error(err)`). A repeat of an
   * open window's severity, service, text (its message to be) and error is counted as send() would count it: true.
   * Otherwise nothing is counted: false, build the record and send() it. Never throws.
   */
  fold (severity: Severity, service: string | undefined, text: string, error?: Error | SerializedError): boolean {
    const windows = this.#windows
    if (windows === undefined || this.#delivery === undefined || this.#closed) return false
    try {
      if (!atLeast(severity, this.options.minSeverity) || !this.#repeat(windows, severity, service, text, error, this.#runTime())) return false
      this.#counters[SLOT.accepted]!++
      return true
    } catch {
      return false
    }
  }

  /**
   * Ends the incident `key` (a record's own `incident`, or sendDiagnostic's): its message is edited a last time to say
   * Resolved, with `note` (≤ 200 characters) if given. Nothing happens when none is open under `key`. Never throws.
   */
  resolveIncident (key: string, note?: string): void {
    const named = this.#incidentKey(key)
    if (named === undefined || !this.#incidents || this.#delivery === undefined) return
    // Its last edit is owed: a script that ends now still writes it (the exit drain).
    this.#track()
    this.#delivery.resolveIncident(named, typeof note === 'string' ? note.slice(0, 200) : undefined)
  }

  /** A record's own incident key, checked: a string of 1 to 200 characters; anything else is said once and ignored (its fingerprint is used). */
  #incidentKey (key: unknown): string | undefined {
    if (key === undefined) return undefined
    if (typeof key === 'string' && key !== '' && key.length <= 200) return `incident:${key}`
    this.#log.warnOnce('incident', `a record's \`incident\` must be a string of 1 to 200 characters, received ${describe(key)}: its fingerprint is used instead`)
    return undefined
  }

  /** Storm control's one step: a repeat of an open window is counted (collapsed) and true returned. */
  #repeat (windows: StormWindows, severity: Severity, service: string | undefined, text: string, error: LogRecord['error'], now: number): boolean {
    if (now >= windows.nextEnd) this.#ended(windows.expire(now))
    const open = windows.find(severity, service, text, error)
    if (open === undefined) return false
    windows.fold(open, now)
    this.#counters[SLOT.collapsed]!++
    this.#track()
    return true
  }

  /** Plain text. An unknown `severity` is sent as 'error', as in sendDiagnostic. */
  sendPlaintext (text: string, severity: Severity = 'info'): boolean {
    return this.send(plaintextRecord(text, this.#severity(severity, 'sendPlaintext', 'severity'), this.options.clock.now()))
  }

  /** A ready embed (any Discord embed part), fitted to Discord's limits. */
  sendEmbed (input: EmbedInput): boolean {
    return this.send(embedRecord(input, input.severity === undefined ? 'info' : this.#severity(input.severity, 'sendEmbed', 'severity'), this.options.clock.now()))
  }

  /**
   * A diagnostic: `level` (a severity or a logger's name for one: `warn`, `fatal`, `crit`, … any case) decides
   * colour and emoji, `details` become fields. Any other level is sent as 'error' (visible, passes every filter
   * up to error), the first reported in one stderr line, each counted in `stats().unknownLevels`.
   */
  sendDiagnostic (input: DiagnosticInput): boolean {
    return this.send(diagnosticRecord(input, this.#severity(input.level, 'sendDiagnostic', 'level'), this.options.clock.now()))
  }

  sendStartupNotification (service: string, info: { version?: string, details?: Record<string, unknown> } = {}): boolean {
    return this.send(startupRecord(service, info, this.options.clock.now()))
  }

  /** The error's message, stack in a code block, and its cause chain, read at the call. */
  sendErrorNotification (input: ErrorNotificationInput): boolean {
    return this.send(errorRecord(input, this.options.clock.now()))
  }

  /** True while alerts reach Discord: healthy, or degraded only because Redis is unreachable. */
  isHealthy (): boolean {
    const problem = this.#delivery?.problem()
    return this.#delivery !== undefined && (problem === undefined || problem.kind === 'redis')
  }

  /** Records pending: queued, in flight, or waiting for the fleet's decision. */
  getQueueSize (): number {
    return readCounters(this.#counters).pending
  }

  getRateLimitInfo (): RateLimitInfo {
    return this.#delivery?.rateLimitInfo() ?? EMPTY_RATE_LIMITS
  }

  /** Forgets learned bucket state. */
  resetRateLimits (): void {
    this.#delivery?.resetRateLimits()
  }

  /** Counters since start; `accepted = sent + dropped + collapsed + getQueueSize()` at every moment. */
  stats (): Counters {
    const { pending: _pending, ...counters } = readCounters(this.#counters)
    return counters
  }

  /** The notifier's state, safe to serve: the token is redacted. */
  health (): Health {
    const d = this.#delivery
    const { pending, ...counters } = readCounters(this.#counters)
    if (d === undefined) return { status: 'disabled', enabled: false, reason: 'notifications are disabled', queueSize: pending, rateLimits: EMPTY_RATE_LIMITS, counters }
    const problem = d.problem()
    const status = problem === undefined ? 'healthy' : problem.kind === 'disabled' ? 'disabled' : problem.kind === 'failing' || problem.kind === 'worker' ? 'unhealthy' : 'degraded'
    const health: Health = { status, enabled: true, queueSize: pending, webhook: this.options.target!.redacted, rateLimits: d.rateLimitInfo(), counters }
    if (problem !== undefined) {
      health.problem = problem.kind
      health.reason = problem.reason
      if (problem.since !== undefined) health.since = new Date(problem.since).toISOString()
    }
    return health
  }

  /** Settles when everything so far is delivered or dropped (storm summaries included), or after `timeoutMs`. */
  flush (timeoutMs: number = this.options.flushTimeoutMs): Promise<FlushResult> {
    this.#endWindows()
    return this.#delivery?.flush(timeoutMs) ?? Promise.resolve({ pending: 0, timedOut: false })
  }

  /** Stops intake, delivers within the deadline, dead-letters what is left, and frees resources. */
  async close (timeoutMs: number = this.options.flushTimeoutMs): Promise<FlushResult> {
    if (this.#closed) return { pending: 0, timedOut: false }
    this.#endWindows()
    this.#closed = true
    const result = await (this.#delivery?.close(timeoutMs) ?? Promise.resolve({ pending: 0, timedOut: false }))
    this.#untrackIfIdle()
    return result
  }

  /** @internal The event loop emptied with records pending (a script ended): deliver, then dead-letter. */
  drainBeforeExit (): Promise<unknown> {
    this.#endWindows()
    const ms = this.options.flushTimeoutMs
    return this.#delivery?.settle(ms, { name: 'flushTimeoutMs after the event loop emptied', ms }) ?? Promise.resolve()
  }

  /** @internal `process.exit()` or a crash: nothing asynchronous runs here again; records pending in-process go to a worker started now. */
  handOffAtExit (deliver: boolean): ((deadline: number) => void) | undefined {
    this.#endWindows()
    const d = this.#delivery
    if (d instanceof Pipeline) {
      const handed = d.handOff()
      if (handed === undefined) return undefined
      if (!deliver || this.options.dispatcher !== undefined) {
        d.dropAtExit(handed, deliver ? 'a custom dispatcher cannot be used from the exit worker' : 'the shutdown deadline had passed')
        return undefined
      }
      try {
        this.#delivery = new WorkerDelivery({ options: this.options, counters: this.#counters, userLog: undefined, emit: this.#emit, idle: () => {}, from: handed })
      } catch (err) {
        d.dropAtExit(handed, `the exit worker could not start: ${redactLoose(String(err))}`)
        return undefined
      }
    }
    return (this.#delivery as WorkerDelivery | undefined)?.exitWait(deliver)
  }

  readonly #emit: Emit = (event, ...args) => {
    // An unhandled 'error' event would crash the host process: emitted only when someone listens.
    if (this.listenerCount(event) === 0) return
    try {
      this.emit(event, ...(args as never))
    } catch (err) {
      this.#log.errorOnce(`listener:${event}`, `a '${event}' listener threw: ${redactLoose(String(err))}`)
    }
  }

  /** A known severity for `value`, or 'error' for an unknown one: counted, and reported once. */
  #severity (value: unknown, method: string, field: string): Severity {
    const severity = knownSeverity(value)
    if (severity !== undefined) return severity
    this.#counters[SLOT.unknownLevels]!++
    this.#log.warnOnce('unknown-level', `${method}() received an unknown ${field} ${describe(value)} and sent it as 'error'. Use one of ${SEVERITIES.join(', ')}. Further ones are counted in stats().unknownLevels.`)
    return 'error'
  }

  /** Windows that ended: the delivery sends their summaries (or tells the fleet). */
  #ended (windows: readonly StormWindow[]): void {
    for (const w of windows) this.#delivery?.windowEnded(w)
  }

  #endWindows (): void {
    if (this.#windows === undefined) return
    this.options.clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#ended(this.#windows.endAll(this.options.clock.now()))
  }

  /** One unref'd timer, for the oldest open window; it re-arms itself for the next. */
  #arm (now: number): void {
    const windows = this.#windows!
    if (this.#timer !== undefined || windows.nextEnd === Infinity) return
    this.#timer = this.options.clock.setTimeout(() => {
      this.#timer = undefined
      const at = this.options.clock.now()
      this.#ended(windows.expire(at))
      this.#arm(at)
      this.#untrackIfIdle()
    }, windows.nextEnd - now)
  }

  /** Seen through the end of the process while something is pending or owed (exit.ts). */
  #track (): void {
    if (this.#tracked) return
    this.#tracked = true
    trackPending(this)
  }

  #untrackIfIdle (): void {
    const owed = this.#windows !== undefined && this.#windows.size > 0 && (this.#fleet || this.#windows.owed)
    if (!this.#tracked || owed || this.#delivery?.idle === false || this.getQueueSize() > 0) return
    this.#tracked = false
    untrackPending(this)
  }
}

export type ThreadedNotifierOptions = Omit<NotifierOptions, 'thread' | 'dispatcher' | 'clock'>

/** The same API with delivery in a worker thread of its own: `new DiscordNotifier({ ...options, thread: true })`. */
export class ThreadedNotifier extends DiscordNotifier {
  constructor (options: ThreadedNotifierOptions = {}) {
    super({ ...options, thread: true })
  }
}

/**
 * A notifier from the environment, read as every constructor reads it (DISCORD_WEBHOOK_URL,
 * DISCORD_NOTIFICATIONS_ENABLED, DISCORD_NOTIFICATIONS_LOG_LEVEL, DISCORD_NOTIFICATIONS_REDIS_URL; not the
 * app's LOG_LEVEL), except that a missing URL disables notifications with one warning instead of failing.
 * `thread: true` gives a ThreadedNotifier.
 */
export function createNotifierFromEnv (overrides?: NotifierOptions, env?: NodeJS.ProcessEnv): DiscordNotifier
export function createNotifierFromEnv (overrides: ThreadedNotifierOptions & { thread: true }, env?: NodeJS.ProcessEnv): ThreadedNotifier
export function createNotifierFromEnv (overrides: NotifierOptions = {}, env: NodeJS.ProcessEnv = process.env): DiscordNotifier {
  const options = environmentForFactory(overrides, env)
  return options.thread === true ? new ThreadedNotifier(options) : new DiscordNotifier(options)
}
