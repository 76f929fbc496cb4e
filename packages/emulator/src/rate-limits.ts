/**
 * The three limits a webhook request meets (contract §3), as pure state machines over
 * a caller-supplied time `t` in milliseconds. Durations given here are already scaled.
 *
 *   global   fixed window per emulator (per IP: webhooks carry no Authorization)
 *   webhook  fixed window per webhook, advertised in X-RateLimit-* headers
 *   channel  hidden sliding window per channel, shared by all of its webhooks
 *   invalid  invalid responses per IP; too many and Cloudflare bans the IP (§3)
 */

export interface WindowLimit {
  /** Requests allowed per window. */
  limit: number
  /** Window length in milliseconds (before `timeScale`). */
  windowMs: number
}

export interface InvalidRequestLimit extends WindowLimit {
  /** How long the Cloudflare ban lasts, in milliseconds (before `timeScale`). */
  banMs: number
}

export interface RateLimitConfig {
  /** Per-webhook bucket. `false` disables it. @default { limit: 5, windowMs: 2000 } */
  webhook: WindowLimit | false
  /** Hidden per-channel limit. `false` disables it. @default { limit: 30, windowMs: 60000 } */
  channel: WindowLimit | false
  /** Global (per-IP) limit. `false` disables it. @default { limit: 50, windowMs: 1000 } */
  global: WindowLimit | false
  /**
   * Invalid responses (401, 403, non-shared 429) allowed per window before Cloudflare bans the
   * IP: every request then gets the 1015 ban until it lifts. `false` disables it.
   * @default { limit: 10000, windowMs: 600000, banMs: 3600000 }
   */
  invalid: InvalidRequestLimit | false
}

/** §3: Cloudflare bans' length is undocumented; about 1 h was reported (discord-api-docs #5385). */
export const DEFAULT_INVALID_LIMIT: Readonly<InvalidRequestLimit> = Object.freeze({ limit: 10_000, windowMs: 600_000, banMs: 3_600_000 })

/** §3 observed defaults: 5 per 2 s per webhook, 30 per 60 s per channel, 50 per s globally. */
export const DEFAULT_LIMITS: Readonly<RateLimitConfig> = Object.freeze({
  webhook: { limit: 5, windowMs: 2000 },
  channel: { limit: 30, windowMs: 60_000 },
  global: { limit: 50, windowMs: 1000 },
  invalid: DEFAULT_INVALID_LIMIT
})

export interface WindowState {
  allowed: boolean
  limit: number
  remaining: number
  /** Absolute time the window ends, in ms. */
  resetAt: number
}

/**
 * A fixed window that opens at the first request after the previous one ended, which is
 * how Discord's per-route buckets behave: Remaining counts down, Reset-After counts to
 * the end of the window, and a full window refills at once.
 */
export class FixedWindow {
  readonly #limit: number
  readonly #windowMs: number
  #start = Number.NEGATIVE_INFINITY
  #count = 0

  constructor ({ limit, windowMs }: WindowLimit) {
    this.#limit = limit
    this.#windowMs = windowMs
  }

  /** Takes one slot when one is free. */
  take (t: number): WindowState {
    if (t >= this.#start + this.#windowMs) {
      this.#start = t
      this.#count = 0
    }
    const allowed = this.#count < this.#limit
    if (allowed) this.#count++
    return { allowed, limit: this.#limit, remaining: this.#limit - this.#count, resetAt: this.#start + this.#windowMs }
  }
}

/**
 * A sliding log of the last `limit` accepted requests, in a ring buffer so each check is O(1).
 * A request is refused while the oldest of them is still inside the window.
 */
export class SlidingWindow {
  readonly #windowMs: number
  readonly #times: Float64Array
  #next = 0
  #size = 0

  constructor ({ limit, windowMs }: WindowLimit) {
    this.#windowMs = windowMs
    this.#times = new Float64Array(limit)
  }

  /** Milliseconds until a slot frees (0 when one is free now). */
  waitMs (t: number): number {
    if (this.#size < this.#times.length) return 0
    const oldest = this.#times[this.#next] ?? Number.NEGATIVE_INFINITY
    return Math.max(0, oldest + this.#windowMs - t)
  }

  record (t: number): void {
    this.#times[this.#next] = t
    this.#next = (this.#next + 1) % this.#times.length
    if (this.#size < this.#times.length) this.#size++
  }
}

/** All rate-limit state of one emulator, keyed by webhook and channel. */
export class RateLimits {
  readonly #config: RateLimitConfig
  #global: FixedWindow | undefined
  readonly #webhooks = new Map<string, FixedWindow>()
  readonly #channels = new Map<string, SlidingWindow>()
  #invalid: FixedWindow | undefined
  #bannedUntil = Number.NEGATIVE_INFINITY

  /** `config` durations must already be multiplied by the time scale. */
  constructor (config: RateLimitConfig) {
    this.#config = config
    this.#global = config.global ? new FixedWindow(config.global) : undefined
    this.#invalid = config.invalid ? new FixedWindow(config.invalid) : undefined
  }

  /** Milliseconds left of a Cloudflare ban (0 when not banned). */
  banMs (t: number): number {
    return Math.max(0, this.#bannedUntil - t)
  }

  /**
   * Counts one invalid response; the one past the limit starts the ban. The ban's own
   * answers do not extend it, but its window outlives the ban, so a client that goes on
   * failing right after it lifts is banned again (the repeating bans of #5385).
   */
  recordInvalid (t: number): void {
    const config = this.#config.invalid
    if (!config || !this.#invalid || t < this.#bannedUntil || this.#invalid.take(t).allowed) return
    this.#bannedUntil = t + config.banMs
  }

  /** @returns undefined when the global limit is disabled. */
  takeGlobal (t: number): WindowState | undefined {
    return this.#global?.take(t)
  }

  /** @returns undefined when the per-webhook limit is disabled. */
  takeWebhook (webhookId: string, t: number): WindowState | undefined {
    const config = this.#config.webhook
    if (!config) return undefined
    let bucket = this.#webhooks.get(webhookId)
    if (!bucket) {
      bucket = new FixedWindow(config)
      this.#webhooks.set(webhookId, bucket)
    }
    return bucket.take(t)
  }

  /** Milliseconds the channel must wait before it can take another message (0 = now). */
  channelWaitMs (channelId: string, t: number): number {
    return this.#channel(channelId)?.waitMs(t) ?? 0
  }

  /** §3: the hidden channel limit counts messages Discord accepted. */
  recordChannel (channelId: string, t: number): void {
    this.#channel(channelId)?.record(t)
  }

  reset (): void {
    this.#global = this.#config.global ? new FixedWindow(this.#config.global) : undefined
    this.#invalid = this.#config.invalid ? new FixedWindow(this.#config.invalid) : undefined
    this.#bannedUntil = Number.NEGATIVE_INFINITY
    this.#webhooks.clear()
    this.#channels.clear()
  }

  #channel (channelId: string): SlidingWindow | undefined {
    const config = this.#config.channel
    if (!config) return undefined
    let window = this.#channels.get(channelId)
    if (!window) {
      window = new SlidingWindow(config)
      this.#channels.set(channelId, window)
    }
    return window
  }
}

/** Multiplies every window by `timeScale` (0.01 turns 60 s into 600 ms). */
export function scaleLimits (config: RateLimitConfig, timeScale: number): RateLimitConfig {
  const scale = (limit: WindowLimit | false): WindowLimit | false =>
    limit ? { limit: limit.limit, windowMs: limit.windowMs * timeScale } : false
  const invalid = config.invalid
    ? { limit: config.invalid.limit, windowMs: config.invalid.windowMs * timeScale, banMs: config.invalid.banMs * timeScale }
    : false
  return { webhook: scale(config.webhook), channel: scale(config.channel), global: scale(config.global), invalid }
}
