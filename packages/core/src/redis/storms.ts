import { localDecisions, localStorms, type StormDecision, type StormDescription, type StormRequest, type StormStore } from '../storm/fleet.js'
import type { ResolvedOptions } from '../types.js'
import { KEY_SLACK_MS, redisLink, whKey, type RedisLink } from './link.js'

/** How long after its window's end a process that never reported it counts as gone (crashed, or fell back to a local summary while Redis was away). */
const STORM_GRACE_MS = 5000
/** The fleet's summary waits until no process has claimed or contributed for this long: a fleet of short jobs shares one summary. */
const STORM_QUIET_MS = 2000
/** Requests per script call: a round with more is split, so one call stays short for Redis. */
const MAX_KEYS_PER_CALL = 200

/**
 * Storm control shared through Redis by every process on every host posting to one webhook (what is decided:
 * storm/fleet.ts; how: storm-script.ts). It shares the thread's connection with RedisLimits, so Redis lost or slow
 * is noticed, said once on stderr and shown in `health()` by the same machinery; meanwhile every decision is local.
 */
export class RedisStorms implements StormStore {
  readonly shared = true
  #link: RedisLink
  #graceMs: number
  #quietMs: number

  /** `url`: redis:// or rediss://, with credentials; `graceMs` and `quietMs`: STORM_GRACE_MS and STORM_QUIET_MS (ms), shorter in tests. */
  constructor (url: string, graceMs = STORM_GRACE_MS, quietMs = STORM_QUIET_MS) {
    this.#link = redisLink(url)
    this.#graceMs = graceMs
    this.#quietMs = quietMs
  }

  async decide (webhookId: string, instance: string, requests: readonly StormRequest[]): Promise<StormDecision[]> {
    // The first decisions wait for the first connection attempt (a second at most): a fleet starting together must not all alert.
    if (this.#link.starting) await this.#link.ready
    const out: StormDecision[] = []
    for (let i = 0; i < requests.length; i += MAX_KEYS_PER_CALL) out.push(...await this.#call(webhookId, instance, requests.slice(i, i + MAX_KEYS_PER_CALL)))
    return out
  }

  status (): { degraded?: string } { return this.#link.degraded('storm control is') }

  async #call (webhookId: string, instance: string, requests: readonly StormRequest[]): Promise<StormDecision[]> {
    const keys: string[] = []
    const args: Array<string | number> = [instance, this.#graceMs, KEY_SLACK_MS, this.#quietMs]
    for (const r of requests) {
      keys.push(`${whKey(webhookId)}:storm:${r.fingerprint}`)
      if (r.op === 'claim') args.push('c', r.windowMs, Math.max(0, Math.round(r.leftMs)), Math.max(0, Math.round(r.sinceMs)), JSON.stringify(r.description))
      else if (r.op === 'contribute') args.push('x', r.windowMs, r.repeats, Math.max(0, Math.round(r.sinceMs)), '')
      else args.push('f', r.windowMs, r.force === true ? 1 : 0, 0, '')
    }
    let reply: unknown
    try {
      reply = await this.#link.run('storm', keys, args)
    } catch {
      // Redis failed or was too slow: decided as one process alone would (nothing lost); a script that ran late may count a record twice.
      return localDecisions(requests)
    }
    const replies = Array.isArray(reply) ? reply : []
    return requests.map((r, i) => decision(r, replies[i]))
  }
}

function decision (request: StormRequest, reply: unknown): StormDecision {
  if (request.op === 'claim') return reply === 0 ? { kind: 'fold' } : { kind: 'send' }
  if (reply === 0) return { kind: 'fold' }
  if (Array.isArray(reply) && reply[0] === 4) return { kind: 'wait', ms: Math.max(1, Number(reply[1])) }
  if (Array.isArray(reply) && reply[0] === 5) return { kind: 'watch', ms: Math.max(1, Number(reply[1])) }
  if (!Array.isArray(reply) || reply[0] !== 3) return request.op === 'finish' ? { kind: 'fold' } : { kind: 'local' }
  const [, repeats, instances, text, firstSinceMs, lastSinceMs] = reply as [number, number, number, string, number, number]
  let description: StormDescription
  try {
    description = JSON.parse(text) as StormDescription
  } catch {
    description = { severity: 'error', title: '', template: '' }
  }
  return { kind: 'summary', repeats: Number(repeats), instances: Number(instances), description, firstSinceMs: Number(firstSinceMs), lastSinceMs: Number(lastSinceMs) }
}

/** Where storm control's windows are shared: through Redis with `redisUrl` (and storm control on), else nowhere. */
export function stormStoreFor (o: Pick<ResolvedOptions, 'redisUrl' | 'dedup'>): StormStore {
  return o.redisUrl !== undefined && o.dedup.enabled ? new RedisStorms(o.redisUrl) : localStorms
}
