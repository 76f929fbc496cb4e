import { SNOWFLAKE } from './constants.js'
import type { FaultsInput } from './faults.js'
import { DEFAULT_LIMITS, type RateLimitConfig, type WindowLimit } from './rate-limits.js'

export interface WebhookConfig {
  /** 17-20 digit snowflake. */
  id: string
  /** URL-safe token. */
  token: string
  /** Channel the webhook posts into; several webhooks may share one. @default derived from `id` */
  channelId?: string
}

export interface EmulatorOptions {
  /** @default 0 (a random free port) */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /** Create any well-formed webhook on first use; when false, unknown ids get 404 10015. @default true */
  autoCreate?: boolean
  /** Webhooks known from the start, e.g. several mapped to one channel. @default [] */
  webhooks?: WebhookConfig[]
  /** Rate limits (contract §3); each can be `false` to disable it. @default DEFAULT_LIMITS */
  limits?: Partial<RateLimitConfig>
  /** Multiplies every rate-limit window (0.01 makes 60 s into 600 ms). @default 1 */
  timeScale?: number
  /** Clock for every rate-limit decision and timestamp. @default Date.now */
  now?: () => number
  /** Seed of the PRNGs for faults and generated ids. @default 0x10c0cd */
  seed?: number
  /** Faults injected from the start. @default none */
  faults?: FaultsInput
  /**
   * How edits (`PATCH …/messages/{id}`) are rate-limited, which Discord does not document (contract §7): `bucket`, they
   * take from the webhook's bucket as posts do; `channel`, they count against the channel's ~30 a minute. @default both true (the conservative reading)
   */
  editLimits?: { bucket?: boolean, channel?: boolean }
}

export interface ResolvedOptions {
  port: number
  host: string
  autoCreate: boolean
  webhooks: WebhookConfig[]
  limits: RateLimitConfig
  timeScale: number
  now: () => number
  seed: number
  faults: FaultsInput
  editLimits: { bucket: boolean, channel: boolean }
}

export const DEFAULT_SEED = 0x10c0cd
const MAX_PORT = 65_535
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]+$/

/** Resolves defaults once and rejects bad options with the option's name, expectation and value. */
export function resolveOptions (options: EmulatorOptions = {}): ResolvedOptions {
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) fail('port', `an integer 0..${MAX_PORT}`, port)
  const timeScale = options.timeScale ?? 1
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) fail('timeScale', 'a finite number > 0', timeScale)
  const seed = options.seed ?? DEFAULT_SEED
  if (!Number.isInteger(seed)) fail('seed', 'an integer', seed)

  const limits: RateLimitConfig = { ...DEFAULT_LIMITS, ...options.limits }
  for (const key of ['webhook', 'channel', 'global', 'invalid'] as const) checkLimit(`limits.${key}`, limits[key])
  if (limits.invalid && !(limits.invalid.banMs > 0)) fail('limits.invalid.banMs', 'a number of milliseconds > 0', limits.invalid.banMs)

  const webhooks = options.webhooks ?? []
  webhooks.forEach((hook, index) => {
    if (!SNOWFLAKE.idPattern.test(String(hook.id))) fail(`webhooks[${index}].id`, 'a 17-20 digit snowflake string', hook.id)
    if (!TOKEN_PATTERN.test(String(hook.token))) fail(`webhooks[${index}].token`, 'URL-safe characters [A-Za-z0-9_-]', '(hidden)')
  })

  return {
    port,
    host: options.host ?? '127.0.0.1',
    autoCreate: options.autoCreate ?? true,
    webhooks,
    limits,
    timeScale,
    now: options.now ?? Date.now,
    seed,
    faults: options.faults ?? {},
    editLimits: { bucket: options.editLimits?.bucket ?? true, channel: options.editLimits?.channel ?? true }
  }
}

function checkLimit (name: string, limit: WindowLimit | false): void {
  if (limit === false) return
  if (!Number.isInteger(limit?.limit) || limit.limit < 1) fail(`${name}.limit`, 'an integer >= 1', limit?.limit)
  if (!(limit.windowMs > 0)) fail(`${name}.windowMs`, 'a number of milliseconds > 0', limit.windowMs)
}

function fail (option: string, expected: string, received: unknown): never {
  throw new TypeError(`Invalid emulator option \`${option}\`: expected ${expected}, received ${JSON.stringify(received)}.`)
}
