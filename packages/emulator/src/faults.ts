/**
 * Fault injection: the failures a real Discord client meets (contract §3, §4), drawn from a
 * seeded PRNG so a run can be replayed. Draws happen only for faults that are switched on,
 * in a fixed order, so enabling one fault never shifts the sequence of another's run.
 */

export type RateLimitScope = 'user' | 'shared' | 'global'

export type OutageMode = 'unavailable' | 'cloudflare' | 'drop' | 'hang'
const OUTAGE_MODES: readonly OutageMode[] = ['unavailable', 'cloudflare', 'drop', 'hang']

export interface Faults {
  /** Share of requests answered 500/502/503. @default 0 */
  errorRate: number
  /** Delay before a request is handled, in real milliseconds (never scaled by `timeScale`). @default 0 */
  latencyMs: number
  /** Share of requests never answered; the socket stays open. @default 0 */
  hangRate: number
  /** Share of requests whose socket is destroyed without a response. @default 0 */
  dropRate: number
  /**
   * Every request fails until this clock time (ms), then all is well again ("fail, then recover"). `mode`
   * says how: `unavailable` answers 503 (the default), `cloudflare` answers Cloudflare's 1015 ban with a
   * Retry-After of the time left, `drop` destroys the socket (a network error), `hang` never answers.
   * @default null
   */
  outage: { untilMs: number, mode: OutageMode } | null
  /** Share of requests answered with a Cloudflare 1015 ban page (§3). @default 0 */
  cloudflareRate: number
  /** Body form of the Cloudflare ban (§3 lists both). @default 'html' */
  cloudflareMode: 'html' | 'json'
  /** Retry-After seconds sent with the html ban; null sends none. @default null */
  cloudflareRetryAfterSec: number | null
  /** Forces 429s of one scope at the given rate. @default null */
  rateLimitStorm: { scope: RateLimitScope; rate: number } | null
}

/** What callers may pass: any subset, and an outage given as a duration from now. */
export type FaultsInput = Partial<Omit<Faults, 'outage'>> & {
  outage?: ({ untilMs: number } | { forMs: number }) & { mode?: OutageMode } | null
}

export const DEFAULT_FAULTS: Readonly<Faults> = Object.freeze({
  errorRate: 0,
  latencyMs: 0,
  hangRate: 0,
  dropRate: 0,
  outage: null,
  cloudflareRate: 0,
  cloudflareMode: 'html',
  cloudflareRetryAfterSec: null,
  rateLimitStorm: null
})

export type FaultKind = 'error' | 'latency' | 'hang' | 'drop' | 'outage' | 'cloudflare' | 'storm'

/** Faults decided when a request arrives, before its body is read; `outage_*` while an outage lasts. */
export type ConnectionFault = 'drop' | 'hang' | 'outage_drop' | 'outage_hang'

/** Faults at Discord's edge, before any rate limit or validation runs. */
export type EdgeFault =
  | { kind: 'outage'; mode: 'unavailable' }
  | { kind: 'outage'; mode: 'cloudflare'; retryAfterSec: number }
  | { kind: 'cloudflare'; mode: 'html' | 'json'; retryAfterSec: number | null }
  | { kind: 'error'; status: ServerErrorStatus; html: boolean }

const SERVER_ERROR_STATUSES = [500, 502, 503] as const
export type ServerErrorStatus = (typeof SERVER_ERROR_STATUSES)[number]

export class FaultInjector {
  #faults: Faults
  readonly #random: () => number

  constructor (input: FaultsInput | undefined, seed: number, now: number) {
    this.#faults = mergeFaults(DEFAULT_FAULTS, input ?? {}, now)
    this.#random = mulberry32(seed)
  }

  get current (): Faults {
    return structuredClone(this.#faults)
  }

  set (input: FaultsInput, now: number): void {
    this.#faults = mergeFaults(this.#faults, input, now)
  }

  get cloudflareMode (): Faults['cloudflareMode'] {
    return this.#faults.cloudflareMode
  }

  get latencyMs (): number {
    return this.#faults.latencyMs
  }

  connection (now: number): ConnectionFault | undefined {
    const outage = this.#faults.outage
    if (outage && now < outage.untilMs) {
      if (outage.mode === 'drop') return 'outage_drop'
      if (outage.mode === 'hang') return 'outage_hang'
    }
    if (this.#roll(this.#faults.dropRate)) return 'drop'
    if (this.#roll(this.#faults.hangRate)) return 'hang'
    return undefined
  }

  edge (now: number): EdgeFault | undefined {
    const f = this.#faults
    if (f.outage && now < f.outage.untilMs) {
      return f.outage.mode === 'cloudflare'
        ? { kind: 'outage', mode: 'cloudflare', retryAfterSec: Math.ceil((f.outage.untilMs - now) / MS_PER_SECOND) }
        : { kind: 'outage', mode: 'unavailable' }
    }
    if (this.#roll(f.cloudflareRate)) return { kind: 'cloudflare', mode: f.cloudflareMode, retryAfterSec: f.cloudflareRetryAfterSec }
    if (this.#roll(f.errorRate)) {
      const index = Math.floor(this.#random() * SERVER_ERROR_STATUSES.length)
      const status = SERVER_ERROR_STATUSES[index] ?? SERVER_ERROR_STATUSES[0]
      return { kind: 'error', status, html: this.#random() < HTML_ERROR_SHARE }
    }
    return undefined
  }

  /** The scope of a forced 429, when the storm strikes this request. */
  storm (): RateLimitScope | undefined {
    const storm = this.#faults.rateLimitStorm
    return storm && this.#roll(storm.rate) ? storm.scope : undefined
  }

  #roll (rate: number): boolean {
    return rate > 0 && this.#random() < rate
  }
}

const MS_PER_SECOND = 1000

/** Half the injected 5xx come as an edge HTML page, half as a JSON body (§4: both occur). */
const HTML_ERROR_SHARE = 0.5

function mergeFaults (base: Faults, input: FaultsInput, now: number): Faults {
  const { outage, ...rest } = input
  const merged: Faults = { ...base }
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value
  }
  if (outage !== undefined) {
    merged.outage = outage === null ? null : { untilMs: 'forMs' in outage ? now + outage.forMs : outage.untilMs, mode: outage.mode ?? 'unavailable' }
  }
  return merged
}

/** Small, fast, seedable PRNG (public domain); plenty for choosing faults. */
export function mulberry32 (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const RATE_KEYS = ['errorRate', 'hangRate', 'dropRate', 'cloudflareRate'] as const

/** Checks faults that arrive as JSON from another process; names the key that is wrong. */
export function assertFaultsInput (input: unknown): asserts input is FaultsInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError('Faults must be a JSON object.')
  const f = input as Record<string, unknown>
  for (const key of RATE_KEYS) if (f[key] !== undefined && !isRate(f[key])) reject(key, 'a number 0..1', f[key])
  if (f.latencyMs !== undefined && !(typeof f.latencyMs === 'number' && f.latencyMs >= 0)) reject('latencyMs', 'a number >= 0', f.latencyMs)
  if (f.cloudflareMode !== undefined && f.cloudflareMode !== 'html' && f.cloudflareMode !== 'json') reject('cloudflareMode', "'html' or 'json'", f.cloudflareMode)
  const retry = f.cloudflareRetryAfterSec
  if (retry !== undefined && retry !== null && !(typeof retry === 'number' && retry >= 0)) reject('cloudflareRetryAfterSec', 'a number >= 0 or null', retry)
  const outage = f.outage as Record<string, unknown> | null | undefined
  if (outage !== undefined && outage !== null && typeof outage?.untilMs !== 'number' && typeof outage?.forMs !== 'number') {
    reject('outage', '{ untilMs } or { forMs } or null', outage)
  }
  if (outage?.mode !== undefined && !OUTAGE_MODES.includes(outage.mode as OutageMode)) reject('outage.mode', OUTAGE_MODES.map((m) => `'${m}'`).join(', '), outage.mode)
  const storm = f.rateLimitStorm as Record<string, unknown> | null | undefined
  if (storm !== undefined && storm !== null) {
    if (!['user', 'shared', 'global'].includes(storm?.scope as string)) reject('rateLimitStorm.scope', "'user', 'shared' or 'global'", storm?.scope)
    if (!isRate(storm.rate)) reject('rateLimitStorm.rate', 'a number 0..1', storm.rate)
  }
}

function isRate (value: unknown): boolean {
  return typeof value === 'number' && value >= 0 && value <= 1
}

function reject (key: string, expected: string, received: unknown): never {
  throw new TypeError(`Invalid fault \`${key}\`: expected ${expected}, received ${JSON.stringify(received)}.`)
}
