import { SlidingWindow } from './sliding-window.js'

/** Discord bans an IP after 10,000 invalid requests in 10 minutes (developers/topics/rate-limits.mdx). */
export const INVALID_REQUEST_WINDOW_MS = 10 * 60_000
const GLOBAL_WINDOW_MS = 1000
const MAX_CLOUDFLARE_COOLDOWN_MS = 60 * 60_000

export interface SharedLimitConfig {
  /** Added to every window wait: our clock stamps departures, Discord counts arrivals. */
  offsetMs: number
  globalPerSecond: number
  channelLimit: number
  channelWindowMs: number
  invalidRequestLimit: number
  cloudflareCooldownMs: number
}

export type SharedWaitScope = 'global' | 'cloudflare' | 'invalid_requests' | 'channel'

/**
 * State that belongs to the process, not to one webhook: Discord's global limit and the Cloudflare ban
 * are per IP, and the hidden ~30/60 s channel limit is shared by every webhook posting into a channel.
 * One instance (`sharedLimits`) is used by every notifier unless a test injects its own.
 */
export class SharedLimits {
  #global: SlidingWindow | undefined
  #invalid: SlidingWindow | undefined
  #channels = new Map<string, { window: SlidingWindow, pausedUntil: number }>()
  #globalPausedUntil = 0
  #cloudflareUntil = 0
  #cloudflareStrikes = 0

  /** Longest wait imposed by process-wide state for a request to `channelKey`, with its reason. */
  waitTime (channelKey: string, cfg: SharedLimitConfig, now: number): { ms: number, scope: SharedWaitScope } {
    let ms = 0
    let scope: SharedWaitScope = 'global'
    const consider = (wait: number, s: SharedWaitScope): void => {
      if (wait > ms) { ms = wait; scope = s }
    }
    consider(this.#cloudflareUntil - now, 'cloudflare')
    consider(this.#globalPausedUntil - now, 'global')
    consider(withOffset(this.#globalWindow(cfg).waitTime(now), cfg), 'global')
    consider(this.#invalidWindow(cfg).waitTime(now), 'invalid_requests')
    const ch = this.#channel(channelKey, cfg)
    consider(ch.pausedUntil - now, 'channel')
    consider(withOffset(ch.window.waitTime(now), cfg), 'channel')
    return { ms: Math.max(0, ms), scope }
  }

  /** A request to `channelKey` leaves now. */
  acquire (channelKey: string, cfg: SharedLimitConfig, now: number): void {
    this.#globalWindow(cfg).hit(now)
    this.#channel(channelKey, cfg).window.hit(now)
  }

  /** Departures to `channelKey` still inside its window (epoch ms, oldest first). */
  recentRequests (channelKey: string, cfg: SharedLimitConfig, now: number): number[] {
    return this.#channels.get(channelKey)?.window.stamps(now) ?? []
  }

  /** The webhook's channel became known: its past requests now count against the real channel. */
  mergeChannel (fromKey: string, toKey: string, cfg: SharedLimitConfig, now: number): void {
    if (fromKey === toKey) return
    const from = this.#channels.get(fromKey)
    const to = this.#channel(toKey, cfg)
    if (from !== undefined) {
      to.window.absorb(from.window, now)
      to.pausedUntil = Math.max(to.pausedUntil, from.pausedUntil)
      this.#channels.delete(fromKey)
    }
  }

  pauseChannel (channelKey: string, untilMs: number, cfg: SharedLimitConfig): void {
    const ch = this.#channel(channelKey, cfg)
    ch.pausedUntil = Math.max(ch.pausedUntil, untilMs)
  }

  pauseGlobal (untilMs: number): void {
    this.#globalPausedUntil = Math.max(this.#globalPausedUntil, untilMs)
  }

  /**
   * A Cloudflare 429 (no rate-limit headers): the whole IP is blocked. Wait Retry-After when given,
   * otherwise a cool-down that doubles on each repeat, up to an hour. Returns the wait in ms.
   */
  cloudflareBan (retryAfterMs: number | undefined, cfg: SharedLimitConfig, now: number): number {
    const backoff = Math.min(MAX_CLOUDFLARE_COOLDOWN_MS, cfg.cloudflareCooldownMs * 2 ** this.#cloudflareStrikes)
    this.#cloudflareStrikes++
    const wait = Math.max(retryAfterMs ?? 0, backoff)
    this.#cloudflareUntil = Math.max(this.#cloudflareUntil, now + wait)
    return wait
  }

  /** A request went through: the ban, if any, is over. */
  clearCloudflareStrikes (): void {
    this.#cloudflareStrikes = 0
  }

  recordInvalid (cfg: SharedLimitConfig, now: number): void {
    this.#invalidWindow(cfg).hit(now)
  }

  invalidCount (cfg: SharedLimitConfig, now: number): number {
    return this.#invalidWindow(cfg).used(now)
  }

  info (now: number): { active: boolean, resetTime: number, waitTime: number } {
    const until = Math.max(this.#globalPausedUntil, this.#cloudflareUntil)
    const wait = Math.max(0, until - now)
    return { active: wait > 0, resetTime: wait > 0 ? until / 1000 : 0, waitTime: wait / 1000 }
  }

  reset (): void {
    this.#global = undefined
    this.#invalid = undefined
    this.#channels.clear()
    this.#globalPausedUntil = 0
    this.#cloudflareUntil = 0
    this.#cloudflareStrikes = 0
  }

  #globalWindow (cfg: SharedLimitConfig): SlidingWindow {
    if (this.#global?.limit !== cfg.globalPerSecond) this.#global = new SlidingWindow(cfg.globalPerSecond, GLOBAL_WINDOW_MS)
    return this.#global
  }

  #invalidWindow (cfg: SharedLimitConfig): SlidingWindow {
    if (this.#invalid?.limit !== cfg.invalidRequestLimit) this.#invalid = new SlidingWindow(cfg.invalidRequestLimit, INVALID_REQUEST_WINDOW_MS)
    return this.#invalid
  }

  #channel (key: string, cfg: SharedLimitConfig): { window: SlidingWindow, pausedUntil: number } {
    let ch = this.#channels.get(key)
    if (ch === undefined || ch.window.limit !== cfg.channelLimit || ch.window.windowMs !== cfg.channelWindowMs) {
      ch = { window: new SlidingWindow(cfg.channelLimit, cfg.channelWindowMs), pausedUntil: ch?.pausedUntil ?? 0 }
      this.#channels.set(key, ch)
    }
    return ch
  }
}

function withOffset (wait: number, cfg: SharedLimitConfig): number {
  return wait > 0 ? wait + cfg.offsetMs : 0
}

/** The process-wide instance: the ban and the global limit are per IP. */
export const sharedLimits = new SharedLimits()
