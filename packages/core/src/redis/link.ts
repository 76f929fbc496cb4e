import { threadId } from 'node:worker_threads'
import { redactToken } from '../http/webhook-url.js'
import { MERGE, PAUSE, RESERVE, RESTAMP, UPDATE } from './limit-scripts.js'
import { STORM } from './storm-script.js'

/** How long one Redis command may take before this process stops waiting and uses its own limiter. */
const REDIS_COMMAND_TIMEOUT_MS = 500
/** How often a lost or absent Redis is tried again. */
const REDIS_RETRY_MS = 1000
/** Key prefix: versioned, so two layouts never read each other's state. */
export const REDIS_PREFIX = 'logcord:v1:'

/** Redis keys outlive the longest window they describe by this much, then expire. */
export const KEY_SLACK_MS = 60_000

const SCRIPTS = { reserve: RESERVE, restamp: RESTAMP, update: UPDATE, pause: PAUSE, merge: MERGE, storm: STORM }
type ScriptName = keyof typeof SCRIPTS

/** The part of an ioredis client this file uses. */
interface Client {
  stream?: { unref?: () => void }
  on: (event: string, fn: (...args: unknown[]) => void) => unknown
  connect: () => Promise<void>
  disconnect: () => void
  defineCommand: (name: string, def: { lua: string }) => void
  [command: string]: unknown
}
type ClientCtor = new (url: string, options: Record<string, unknown>) => Client

/** The key of a webhook's limit state; every other key of the webhook starts with it. */
export function whKey (webhookId: string): string {
  return `${REDIS_PREFIX}wh:${webhookId}`
}

/**
 * One connection to one Redis per thread, shared by every notifier naming the URL. It never holds a process open
 * (socket and timers unref'd) nor makes a caller wait long: while down, commands fail at once; it retries every second.
 */
export class RedisLink {
  readonly url: string
  #client: Client | undefined
  #up = false
  #problem: string | undefined = 'connecting to Redis'
  #reported = false
  #connecting = false
  #retry: ReturnType<typeof setTimeout> | undefined
  #listeners = new Set<(up: boolean, reason: string | undefined) => void>()
  #counter = 0
  readonly #memberPrefix = `${process.pid}.${threadId}.${Math.random().toString(36).slice(2, 8)}.`
  #starting = true
  #settle: () => void = () => {}
  /** Settles (never rejects) once the first connection attempt is over: at most about a second. */
  readonly ready = new Promise<void>((resolve) => { this.#settle = () => { this.#starting = false; resolve() } })

  constructor (url: string) {
    this.url = url
    this.#connect()
  }

  get up (): boolean { return this.#up }
  /** True until the first connection attempt has succeeded or failed. */
  get starting (): boolean { return this.#starting }
  /** Why the link is down (undefined while up). */
  get problem (): string | undefined { return this.#up ? undefined : this.#problem }
  /** Told when the link goes down or comes back. */
  onChange (fn: (up: boolean, reason: string | undefined) => void): void { this.#listeners.add(fn) }
  /** A name for one request, unique across every process and thread. */
  member (): string { return this.#memberPrefix + (++this.#counter).toString(36) }

  /** A `status()` answer: why `what` is not shared now (nothing during the first connection attempt). */
  degraded (what: string): { degraded?: string } {
    const problem = this.#starting ? undefined : this.problem
    return problem === undefined ? {} : { degraded: `${problem}; ${what} not shared with other processes until Redis is back` }
  }

  /** Runs a script on `keys`. Rejects at once while down, and after REDIS_COMMAND_TIMEOUT_MS. */
  async run (script: ScriptName, keys: readonly string[], args: Array<string | number>): Promise<unknown> {
    const client = this.#client
    if (!this.#up || client === undefined) throw new Error(this.#problem ?? 'Redis is not connected')
    try {
      return await (client[script] as (...a: unknown[]) => Promise<unknown>)(keys.length, ...keys, ...args)
    } catch (err) {
      this.#down(`Redis command failed: ${message(err)}`)
      throw err
    }
  }

  #connect (): void {
    if (this.#connecting) return
    this.#connecting = true
    void this.#open().finally(() => { this.#connecting = false })
  }

  async #open (): Promise<void> {
    let Redis: ClientCtor
    try {
      const mod = await import('ioredis') as unknown as { default?: ClientCtor, Redis?: ClientCtor }
      Redis = (mod.Redis ?? mod.default) as ClientCtor
    } catch {
      // Without the client library there is nothing to retry.
      this.#down('redisUrl is set but the optional package ioredis is not installed (npm install ioredis)', false)
      return
    }
    const client = new Redis(this.url, {
      lazyConnect: true,
      // Fail fast instead of queueing: the caller falls back to its own limiter meanwhile.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Reconnecting is done here, on unref'd timers, so a lost Redis never keeps a process alive.
      retryStrategy: () => null,
      connectTimeout: REDIS_RETRY_MS,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS
    })
    // Without numberOfKeys, ioredis takes the key count as the first argument.
    for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { lua })
    client.on('error', (err) => { if (this.#client === client) this.#down(`Redis connection error: ${message(err)}`) })
    client.on('end', () => { if (this.#client === client) this.#down('Redis connection closed') })
    client.on('connect', () => client.stream?.unref?.())
    this.#client = client
    try {
      await client.connect()
      if (this.#client !== client) return
      this.#up = true
      this.#problem = undefined
      this.#settle()
      for (const fn of this.#listeners) fn(true, undefined)
    } catch (err) {
      if (this.#client === client) this.#down(`cannot connect to Redis: ${message(err)}`)
    }
  }

  #down (reason: string, retry = true): void {
    const client = this.#client
    this.#client = undefined
    try { client?.disconnect() } catch {}
    const wasUp = this.#up
    this.#up = false
    this.#settle()
    this.#problem = redactSecret(reason, this.url)
    if (wasUp || !this.#reported) for (const fn of this.#listeners) fn(false, this.#problem)
    this.#reported = true
    if (!retry || this.#retry !== undefined) return
    this.#retry = setTimeout(() => { this.#retry = undefined; this.#connect() }, REDIS_RETRY_MS)
    this.#retry.unref()
  }
}

function message (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** `text` without the URL's password, as written in the URL or decoded. */
function redactSecret (text: string, url: string): string {
  try {
    const pw = new URL(url).password
    return redactToken(redactToken(text, pw), decodeURIComponent(pw))
  } catch {
    return text
  }
}

const links = new Map<string, RedisLink>()

/** The thread's link to `url`, opened on first use. */
export function redisLink (url: string): RedisLink {
  if (!links.has(url)) links.set(url, new RedisLink(url))
  return links.get(url)!
}
