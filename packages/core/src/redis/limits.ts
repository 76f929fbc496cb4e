import { systemClock } from '../clock.js'
import type { BucketHeaders, BucketState, GlobalInfo, LimitConfig, LimitStore, ReactiveScope, StoreStatus, Wait } from '../rate-limit/limit-store.js'
import { SharedLimits, sharedLimits } from '../rate-limit/shared-limits.js'
import type { SelfLog } from '../self-log.js'
import type { ResolvedOptions } from '../types.js'
import { KEY_SLACK_MS, redisLink, REDIS_PREFIX, whKey, type RedisLink } from './link.js'

/**
 * The LimitStore for many processes and hosts: a webhook's bucket and its channel's hidden limit live in Redis,
 * spent atomically by Lua scripts (limit-scripts.ts), so every sender to the webhook, anywhere, draws on one
 * budget. Limits of an IP (Discord's global limit, the Cloudflare ban, the invalid-request guard; contract §3)
 * stay with the process's own store. Only the delivery loop consults Redis, never a logging call. Every request
 * is also counted in the process's own store, so when Redis is slow (over 500 ms), lost or absent, this process
 * carries on with its own limiter at once, warm, and rejoins the shared state when Redis is back.
 * Shared permits with per-process batching, not a shared queue: a process waiting for the fleet's budget keeps
 * collecting records, so its request leaves full (bench/fleet.mjs, 8 processes × 100 distinct errors: 80 messages
 * for 800 records, 0 429s). A queue in Redis would put records on the logging path and need lease hand-over when
 * its sender dies: more ways to lose alerts, no fewer requests.
 */
export class RedisLimits implements LimitStore {
  #link: RedisLink
  #local: SharedLimits
  /** The Redis name of each webhook's request in flight (one per sender). */
  #members = new Map<string, string>()

  /**
   * `url`: redis:// or rediss://, with credentials. `local`: the process's own store, used alongside, and instead while
   * Redis is unreachable. `onChange`: told once when Redis is lost (or absent), once when it is back.
   */
  constructor (url: string, local: SharedLimits, onChange: (up: boolean, reason: string | undefined) => void) {
    this.#link = redisLink(url)
    this.#local = local
    this.#link.onChange(onChange)
    // A link that already failed before this store existed still owes this store its line.
    const problem = this.#link.problem
    if (!this.#link.up && problem !== undefined && problem !== 'connecting to Redis') onChange(false, problem)
  }

  waitTime (webhookId: string, channelKey: string, cfg: LimitConfig, now: number): Wait { return this.#local.waitTime(webhookId, channelKey, cfg, now) }

  reserve (webhookId: string, channelKey: string, cfg: LimitConfig, now: number): Wait | Promise<Wait> {
    // The first requests wait for the first connection attempt (a second at most): a fleet starting together must not open on its own limiters.
    if (this.#link.starting) {
      const asked = Date.now()
      return this.#link.ready.then(() => this.reserve(webhookId, channelKey, cfg, now + Date.now() - asked))
    }
    // The process's own view holds every IP-wide limit and is never more generous than the fleet's.
    const local = this.#local.waitTime(webhookId, channelKey, cfg, now)
    if (local.ms > 0 || !this.#link.up) return this.#local.reserve(webhookId, channelKey, cfg, now)
    const member = this.#link.member()
    const args = [REDIS_PREFIX, cfg.fallbackLimit, cfg.fallbackWindowMs, cfg.channelLimit, cfg.channelWindowMs, cfg.offsetMs, ttl(cfg), member]
    return this.#link.run('reserve', [whKey(webhookId)], args).then(
      (reply) => {
        const [ms, scope] = reply as [number, Wait['scope']]
        if (ms > 0) return { ms: Math.ceil(ms), scope }
        this.#members.set(webhookId, member)
        this.#local.acquire(webhookId, channelKey, cfg, now)
        return { ms: 0, scope: 'bucket' }
      },
      // Redis failed or was too slow: this request is decided by the process's own limiter.
      () => this.#local.reserve(webhookId, channelKey, cfg, now)
    )
  }

  acquire (webhookId: string, channelKey: string, cfg: LimitConfig, now: number, reservedAt?: number): void {
    this.#local.acquire(webhookId, channelKey, cfg, now, reservedAt)
    const member = this.#members.get(webhookId)
    if (reservedAt !== undefined && member !== undefined && now !== reservedAt) this.#fire('restamp', webhookId, [REDIS_PREFIX, member])
  }

  // Redis's UPDATE counts the request from its answer in the fleet's channel window.
  answered (channelKey: string, leftAt: number, now: number): void { this.#local.answered(channelKey, leftAt, now) }

  update (webhookId: string, sentAt: number, h: BucketHeaders, cfg: LimitConfig, now: number): void {
    this.#local.update(webhookId, sentAt, h, cfg, now)
    if (h.limit === undefined || h.remaining === undefined || h.resetAtMs === undefined) return
    const member = this.#members.get(webhookId)
    if (member === undefined) return
    this.#fire('update', webhookId, [h.limit, h.remaining, Math.max(0, h.resetAtMs - now), cfg.offsetMs, ttl(cfg), member, cfg.fallbackWindowMs, REDIS_PREFIX])
  }

  mergeChannel (fromKey: string, toKey: string, cfg: LimitConfig, now: number): void {
    this.#local.mergeChannel(fromKey, toKey, cfg, now)
    const webhook = /^webhook:(\d+)$/.exec(fromKey)
    const channel = /^channel:(\d+)$/.exec(toKey)
    if (webhook !== null && channel !== null) this.#fire('merge', webhook[1]!, [REDIS_PREFIX, channel[1]!, ttl(cfg)])
  }

  rateLimited (webhookId: string, channelKey: string, scope: ReactiveScope, retryAfterMs: number | undefined, cfg: LimitConfig, now: number): number {
    const wait = this.#local.rateLimited(webhookId, channelKey, scope, retryAfterMs, cfg, now)
    if (scope === 'bucket' || scope === 'channel') this.#fire('pause', webhookId, [REDIS_PREFIX, scope, Math.ceil(wait)])
    return wait
  }

  succeeded (): void { this.#local.succeeded() }
  recordInvalid (now: number): void { this.#local.recordInvalid(now) }
  invalidCount (now: number): number { return this.#local.invalidCount(now) }
  bucket (webhookId: string, now: number): BucketState | undefined { return this.#local.bucket(webhookId, now) }
  globalInfo (now: number): GlobalInfo { return this.#local.globalInfo(now) }

  resetWebhook (webhookId: string): void {
    this.#members.delete(webhookId)
    this.#local.resetWebhook(webhookId)
  }

  status (): StoreStatus { return this.#link.degraded('limits are') }

  /** Sends a state change to Redis without waiting: the delivery loop never waits on these. */
  #fire (script: 'restamp' | 'update' | 'pause' | 'merge', webhookId: string, args: Array<string | number>): void {
    this.#link.run(script, [whKey(webhookId)], args).catch(() => {})
  }
}

function ttl (cfg: LimitConfig): number {
  return Math.max(cfg.channelWindowMs, cfg.fallbackWindowMs) + KEY_SLACK_MS
}

/**
 * Where a notifier's rate-limit state lives: the process-wide store every sender shares, or, with `redisUrl`, Redis in
 * front of it (one stderr line when lost, one when back). A notifier on a clock of its own (tests) keeps a private store.
 */
export function limitStoreFor (o: Pick<ResolvedOptions, 'clock' | 'redisUrl' | 'dedup'>, log: SelfLog): LimitStore {
  const local = o.clock === systemClock ? sharedLimits : new SharedLimits()
  if (o.redisUrl === undefined) return local
  const storms = o.dedup.enabled
  let down = false
  return new RedisLimits(o.redisUrl, local, (up, reason) => {
    if (up === !down) return
    down = !up
    if (down) {
      // Storm control shares the connection (RedisStorms): it falls back with it.
      log.warnOnce('redis', `${reason ?? 'Redis unreachable'}: this process falls back to its own ${storms ? 'rate limiter and storm control (neither shared)' : 'rate limiter (limits not shared)'} until Redis is back`)
      log.clear('redis')
    } else log.info(`Redis reachable again: ${storms ? 'rate limits and storm control are' : 'rate limits are'} shared with the other processes once more`)
  })
}
