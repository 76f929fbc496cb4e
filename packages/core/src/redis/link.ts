import { threadId } from 'node:worker_threads'
import { MERGE, PAUSE, RESERVE, RESTAMP, UPDATE } from './limit-scripts.js'
import { STORM } from './storm-script.js'

/** How long one Redis command may take before this process stops waiting and uses its own limiter. */
export const REDIS_COMMAND_TIMEOUT_MS = 500
/** How often a lost or absent Redis is tried again. */
export const REDIS_RETRY_MS = 1000
/** Key prefix: versioned, so two layouts never read each other's state. */
export const REDIS_PREFIX = 'logcord:v1:'

type ScriptName = 'reserve' | 'restamp' | 'update' | 'pause' | 'merge'
const SCRIPTS: Record<ScriptName, string> = { reserve: RESERVE, restamp: RESTAMP, update: UPDATE, pause: PAUSE, merge: MERGE }

/** The part of an ioredis client this file uses. */
interface Client {
  status: string
  stream?: { unref?: () => void }
  on: (event: string, fn: (...args: unknown[]) => void) => unknown
  connect: () => Promise<void>
  disconnect: () => void
  defineCommand: (name: string, def: { numberOfKeys?: number, lua: string }) => void
  [command: string]: unknown
}
type ClientCtor = new (url: string, options: Record<string, unknown>) => Client

/** The Redis URL with any password replaced, for messages. */
export function redactRedisUrl (url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '[redacted]'
    return u.toString()
  } catch {
    return '[redis URL]'
  }
}

/**
 * One connection to one Redis, per thread, shared by every notifier that names the same URL. It never
 * holds a process open (its socket and timers are unref'd) and never makes a caller wait long: while it is
 * down, commands fail at once and it tries again every second in the background.
 */
export class RedisLink {
  readonly url: string
  readonly shown: string
  #client: Client | undefined
  #up = false
  #problem: string | undefined = 'connecting to Redis'
  #connecting = false
  #retry: ReturnType<typeof setTimeout> | undefined
  #listeners = new Set<(up: boolean, reason: string | undefined) => void>()
  #counter = 0
  readonly #memberPrefix = `${process.pid}.${threadId}.${Math.random().toString(36).slice(2, 8)}.`

  constructor (url: string) {
    this.url = url
    this.shown = redactRedisUrl(url)
    this.#connect()
  }

  get up (): boolean {
    return this.#up
  }

  /** True until the first connection attempt has succeeded or failed. */
  get starting (): boolean {
    return !this.#settledOnce
  }

  /** Settles (never rejects) once the first connection attempt is over: at most about a second. */
  get ready (): Promise<void> {
    return this.#ready
  }

  /** Why the link is down (undefined while up). */
  get problem (): string | undefined {
    return this.#up ? undefined : this.#problem
  }

  /** Told when the link goes down or comes back. */
  onChange (fn: (up: boolean, reason: string | undefined) => void): void {
    this.#listeners.add(fn)
  }

  /** A name for one request, unique across every process and thread. */
  member (): string {
    return this.#memberPrefix + (++this.#counter).toString(36)
  }

  /** Runs a script against `key`. Rejects at once while down, and after REDIS_COMMAND_TIMEOUT_MS. */
  async run (script: ScriptName, key: string, args: Array<string | number>): Promise<unknown> {
    const client = this.#client
    if (!this.#up || client === undefined) throw new Error(this.#problem ?? 'Redis is not connected')
    try {
      return await (client[script] as (...a: unknown[]) => Promise<unknown>)(key, ...args)
    } catch (err) {
      this.#down(`Redis command failed: ${message(err)}`)
      throw err
    }
  }

  /**
   * Runs a script that takes any number of keys (storm control). Rejects at once while down, and after
   * REDIS_COMMAND_TIMEOUT_MS.
   */
  async runKeys (script: 'storm', keys: readonly string[], args: Array<string | number>): Promise<unknown> {
    const client = this.#client
    if (!this.#up || client === undefined) throw new Error(this.#problem ?? 'Redis is not connected')
    try {
      return await (client[script] as (...a: unknown[]) => Promise<unknown>)(keys.length, ...keys, ...args)
    } catch (err) {
      this.#down(`Redis command failed: ${message(err)}`)
      throw err
    }
  }

  /** Forgets the connection (tests). */
  close (): void {
    if (this.#retry !== undefined) clearTimeout(this.#retry)
    this.#retry = undefined
    const client = this.#client
    this.#client = undefined
    this.#up = false
    try { client?.disconnect() } catch {}
    links.delete(this.url)
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
    for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: 1, lua })
    // Without numberOfKeys, ioredis takes the key count as the first argument.
    client.defineCommand('storm', { lua: STORM })
    client.on('error', (err) => {
      if (this.#client === client) this.#down(`Redis connection error: ${message(err)}`)
    })
    client.on('end', () => {
      if (this.#client === client) this.#down('Redis connection closed')
    })
    client.on('connect', () => client.stream?.unref?.())
    this.#client = client
    try {
      await client.connect()
      client.stream?.unref?.()
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
    this.#retry = setTimeout(() => {
      this.#retry = undefined
      this.#connect()
    }, REDIS_RETRY_MS)
    this.#retry.unref()
  }

  #reported = false
  #settledOnce = false
  #settle: () => void = () => {}
  #ready = new Promise<void>((resolve) => { this.#settle = () => { this.#settledOnce = true; resolve() } })
}

function message (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function redactSecret (text: string, url: string): string {
  try {
    const pw = new URL(url).password
    return pw === '' ? text : text.split(pw).join('[redacted]').split(decodeURIComponent(pw)).join('[redacted]')
  } catch {
    return text
  }
}

const links = new Map<string, RedisLink>()

/** The thread's link to `url`, opened on first use. */
export function redisLink (url: string): RedisLink {
  let link = links.get(url)
  if (link === undefined) {
    link = new RedisLink(url)
    links.set(url, link)
  }
  return link
}
