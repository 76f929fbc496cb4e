import { BroadcastChannel, getEnvironmentData, setEnvironmentData } from 'node:worker_threads'
import type { BucketHeaders, BucketState, GlobalInfo, LimitConfig, LimitStore, ReactiveScope, StoreStatus, Wait } from './limit-store.js'
import { F, INVALID_RING, LimitTable } from './limit-table.js'

/** Discord bans an IP after 10,000 invalid requests in 10 minutes (contract §3). */
const INVALID_REQUEST_WINDOW_MS = 10 * 60_000
const GLOBAL_WINDOW_MS = 1000
const MAX_CLOUDFLARE_COOLDOWN_MS = 60 * 60_000
/** Slot of the process-wide state: global window and pause, Cloudflare ban and strikes. */
const PROCESS_KEY = 'p'

/**
 * The in-process LimitStore: every webhook's bucket, every channel's hidden limit, the process-wide cap (Discord's
 * global limit and the Cloudflare ban are per IP, contract §3) and the invalid-request guard, for every thread, in a
 * SharedArrayBuffer (`LimitTable`). `sharedLimits`, the instance every notifier uses, finds the process's table through
 * worker_threads' environment data (inherited by workers started after this module loaded, Pino's included) and a
 * BroadcastChannel (threads started first converge on the oldest table within a message's latency; one channel per
 * process, named without webhook id or token). `new SharedLimits()` makes a private table (tests).
 */
export class SharedLimits implements LimitStore {
  #table: LimitTable
  /** Bucket names Discord reported, per webhook (strings stay per thread; only numbers are shared). */
  #bucketIds = new Map<string, string>()

  constructor (table: LimitTable = new LimitTable()) {
    this.#table = table
  }

  /** @internal The table (to hand to a worker, or to adopt another thread's). */
  get table (): LimitTable { return this.#table }

  /** @internal Switches to another thread's table, carrying over everything spent so far. */
  adopt (table: LimitTable, now: number): void {
    if (table === this.#table || table.buffer === this.#table.buffer) return
    const old = this.#table
    old.locked(() => table.locked(() => old.mergeInto(table, now)))
    this.#table = table
  }

  waitTime (webhookId: string, channelKey: string, cfg: LimitConfig, now: number): Wait {
    return this.#locked(() => this.#wait(webhookId, channelKey, cfg, now))
  }

  reserve (webhookId: string, channelKey: string, cfg: LimitConfig, now: number): Wait {
    return this.#locked(() => {
      const wait = this.#wait(webhookId, channelKey, cfg, now)
      if (wait.ms <= 0) this.#spend(webhookId, channelKey, cfg, now)
      return wait
    })
  }

  acquire (webhookId: string, channelKey: string, cfg: LimitConfig, now: number, reservedAt?: number): void {
    this.#locked((t) => {
      if (reservedAt === undefined) return this.#spend(webhookId, channelKey, cfg, now)
      // Rendering took a while: the channel and process windows count the request from when it leaves; the webhook's
      // log keeps the reservation time, so `update` counts requests reserved after it as unseen by Discord (cautious).
      if (now !== reservedAt) for (const key of [PROCESS_KEY, `c:${channelKey}`]) t.restamp(t.slot(key, now), reservedAt, now)
    })
  }

  answered (channelKey: string, leftAt: number, now: number): void {
    // Discord saw the request somewhere between leaving and answering: counting it from the answer never undercounts.
    if (now !== leftAt) this.#locked((t) => t.restamp(t.slot(`c:${channelKey}`, now), leftAt, now))
  }

  update (webhookId: string, sentAt: number, h: BucketHeaders, cfg: LimitConfig, now: number): void {
    if (h.limit === undefined || h.remaining === undefined || h.resetAtMs === undefined) return
    const { limit, remaining, resetAtMs } = h
    if (h.bucket !== undefined) this.#bucketIds.set(webhookId, h.bucket)
    this.#locked((t, f) => {
      const b = t.slot(`b:${webhookId}`, now)
      // Requests sent after this one (by any sender) reach Discord after it: they are not in its count.
      const later = t.countAfter(b, sentAt)
      const resetAt = resetAtMs + cfg.offsetMs
      const fresh = Math.max(0, remaining - later)
      const sameWindow = f[b + F.hasBucket] === 1 && Math.abs(f[b + F.resetAt]! - resetAt) < cfg.fallbackWindowMs / 2 && now < f[b + F.resetAt]!
      f[b + F.remaining] = sameWindow ? Math.min(f[b + F.remaining]!, fresh) : fresh
      f[b + F.windowMs] = Math.max(resetAtMs - now, f[b + F.hasBucket] === 1 ? f[b + F.windowMs]! : 0)
      f[b + F.hasBucket] = 1
      f[b + F.limit] = limit
      f[b + F.resetAt] = sameWindow ? Math.max(f[b + F.resetAt]!, resetAt) : resetAt
      f[b + F.updated] = now
    })
  }

  mergeChannel (fromKey: string, toKey: string, cfg: LimitConfig, now: number): void {
    if (fromKey === toKey) return
    this.#locked((t, f) => {
      const { from, to } = t.alias(`c:${fromKey}`, `c:${toKey}`, now)
      if (from !== to && f[from + F.ringCount] !== 0) {
        t.absorb(to, from, cfg.channelWindowMs, now)
        t.clearRing(from)
      }
    })
  }

  rateLimited (webhookId: string, channelKey: string, scope: ReactiveScope, retryAfterMs: number | undefined, cfg: LimitConfig, now: number): number {
    return this.#locked((t, f) => {
      if (scope === 'cloudflare') {
        // The whole IP is blocked (contract §3): Retry-After when given (a short one too), else a doubling cool-down.
        const p = t.slot(PROCESS_KEY, now)
        const backoff = Math.min(MAX_CLOUDFLARE_COOLDOWN_MS, cfg.cloudflareCooldownMs * 2 ** f[p + F.cfStrikes]!)
        f[p + F.cfStrikes]!++
        const wait = retryAfterMs ?? backoff
        f[p + F.cfUntil] = Math.max(f[p + F.cfUntil]!, now + wait)
        return wait
      }
      // Without Retry-After: a second for the global limit, else the window (channel: its 429s ask ~40 s, unseen in headers).
      const [key, fallback] = scope === 'global' ? [PROCESS_KEY, 1000] : scope === 'channel' ? [`c:${channelKey}`, cfg.channelWindowMs] : [`b:${webhookId}`, cfg.fallbackWindowMs]
      const wait = (retryAfterMs ?? fallback) + cfg.offsetMs
      const s = t.slot(key, now)
      f[s + F.paused] = Math.max(f[s + F.paused]!, now + wait)
      if (scope === 'bucket' && f[s + F.hasBucket] === 1) f[s + F.remaining] = 0
      return wait
    })
  }

  succeeded (): void {
    this.#locked((t, f) => { f[t.slot(PROCESS_KEY, Date.now()) + F.cfStrikes] = 0 })
  }

  recordInvalid (now: number): void { this.#locked((t) => t.hit(INVALID_RING, now)) }
  invalidCount (now: number): number { return this.#locked((t) => t.countAfter(INVALID_RING, now - INVALID_REQUEST_WINDOW_MS)) }

  bucket (webhookId: string, now: number): BucketState | undefined {
    return this.#locked((t, f) => {
      const b = t.slot(`b:${webhookId}`, now)
      if (f[b + F.hasBucket] !== 1) return undefined
      const expired = now >= f[b + F.resetAt]!
      return {
        id: this.#bucketIds.get(webhookId) ?? webhookId,
        limit: f[b + F.limit]!,
        remaining: expired ? f[b + F.limit]! : f[b + F.remaining]!,
        resetAt: f[b + F.resetAt]!,
        lastUpdated: f[b + F.updated]!
      }
    })
  }

  globalInfo (now: number): GlobalInfo {
    const until = this.#locked((t, f) => {
      const p = t.slot(PROCESS_KEY, now)
      return Math.max(f[p + F.paused]!, f[p + F.cfUntil]!)
    })
    const wait = Math.max(0, until - now)
    return { active: wait > 0, resetTime: wait > 0 ? until / 1000 : 0, waitTime: wait / 1000 }
  }

  resetWebhook (webhookId: string): void {
    this.#bucketIds.delete(webhookId)
    this.#locked((t, f) => {
      const b = t.slot(`b:${webhookId}`, Date.now())
      f[b + F.hasBucket] = 0
      f[b + F.paused] = 0
      t.clearRing(b)
    })
  }

  status (): StoreStatus { return {} }

  /** Runs `fn` holding the table's lock. */
  #locked<T> (fn: (t: LimitTable, f: Float64Array) => T): T {
    const t = this.#table
    return t.locked(() => fn(t, t.f))
  }

  // ── lock held below ──

  #wait (webhookId: string, channelKey: string, cfg: LimitConfig, now: number): Wait {
    const t = this.#table
    const f = t.f
    let ms = 0
    let scope: Wait['scope'] = 'bucket'
    const consider = (wait: number, s: Wait['scope']): void => { if (wait > ms) { ms = wait; scope = s } }
    const b = t.slot(`b:${webhookId}`, now)
    consider(f[b + F.paused]! - now, 'bucket')
    if (f[b + F.hasBucket] === 1) {
      if (now < f[b + F.resetAt]! && f[b + F.remaining]! <= 0) consider(f[b + F.resetAt]! - now, 'bucket')
    } else {
      // Offset too: several senders' requests can reach Discord in another order than they left.
      consider(withOffset(t.windowWait(b, cfg.fallbackLimit, cfg.fallbackWindowMs, now), cfg), 'bucket')
    }
    const p = t.slot(PROCESS_KEY, now)
    consider(f[p + F.cfUntil]! - now, 'cloudflare')
    consider(f[p + F.paused]! - now, 'global')
    consider(withOffset(t.windowWait(p, cfg.globalPerSecond, GLOBAL_WINDOW_MS, now), cfg), 'global')
    consider(t.windowWait(INVALID_RING, cfg.invalidRequestLimit, INVALID_REQUEST_WINDOW_MS, now), 'invalid_requests')
    const c = t.slot(`c:${channelKey}`, now)
    consider(f[c + F.paused]! - now, 'channel')
    consider(withOffset(t.windowWait(c, cfg.channelLimit, cfg.channelWindowMs, now), cfg), 'channel')
    return { ms: Math.ceil(Math.max(0, ms)), scope }
  }

  #spend (webhookId: string, channelKey: string, cfg: LimitConfig, now: number): void {
    const t = this.#table
    const f = t.f
    const b = t.slot(`b:${webhookId}`, now)
    t.hit(b, now)
    if (f[b + F.hasBucket] === 1) {
      if (now >= f[b + F.resetAt]!) {
        // A new window opens with this request; until its answer, assume the longest window Discord reported for the bucket.
        f[b + F.remaining] = f[b + F.limit]!
        f[b + F.resetAt] = now + f[b + F.windowMs]! + cfg.offsetMs
      }
      f[b + F.remaining] = Math.max(0, f[b + F.remaining]! - 1)
    }
    t.hit(t.slot(PROCESS_KEY, now), now)
    t.hit(t.slot(`c:${channelKey}`, now), now)
  }
}

function withOffset (wait: number, cfg: LimitConfig): number {
  return wait > 0 ? wait + cfg.offsetMs : 0
}

/** Environment-data key and channel name: versioned, so two builds never read each other's layout. */
const SHARED_NAME = 'logcord:limits:v1'

interface Announcement {
  buffer: SharedArrayBuffer
  /** Older tables win: [creation time, random tie-break]. */
  rank: [number, number]
}

function processTable (): { table: LimitTable, rank: [number, number] } {
  try {
    const inherited = getEnvironmentData(SHARED_NAME) as Announcement | undefined
    if (inherited !== undefined && inherited.buffer instanceof SharedArrayBuffer) return { table: new LimitTable(inherited.buffer), rank: inherited.rank }
  } catch {}
  return { table: new LimitTable(), rank: [Date.now(), Math.random()] }
}

function older (a: [number, number], b: [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])
}

/** The process-wide instance: every notifier in every thread of the process shares its table. */
const initial = processTable()
export const sharedLimits = new SharedLimits(initial.table)
{
  let rank = initial.rank
  const publish = (): void => { try { setEnvironmentData(SHARED_NAME, { buffer: sharedLimits.table.buffer, rank } satisfies Announcement) } catch {} }
  publish()
  try {
    // Threads that loaded this module before any shared table reached them meet here and keep the oldest.
    const channel = new BroadcastChannel(SHARED_NAME)
    const announce = (): void => channel.postMessage({ buffer: sharedLimits.table.buffer, rank } satisfies Announcement)
    channel.onmessage = (event: unknown) => {
      const msg = (event as { data?: Announcement }).data
      if (msg === undefined || !(msg.buffer instanceof SharedArrayBuffer) || msg.buffer === sharedLimits.table.buffer) return
      if (older(msg.rank, rank)) {
        sharedLimits.adopt(new LimitTable(msg.buffer), Date.now())
        rank = msg.rank
        publish()
      } else if (older(rank, msg.rank)) announce()
    }
    ;(channel as unknown as { unref?: () => void }).unref?.()
    announce()
  } catch {}
}
