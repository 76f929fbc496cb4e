/**
 * Discord's limits, codes and header names, as the emulator enforces them.
 *
 * Copied from packages/core/src/limits.ts on purpose: the emulator is the independent
 * referee the core is tested against, so it must not share (and silently inherit bugs
 * from) the core's constants. Sources: discord-webhook-contract.md §1-§3, §6.
 */
export const LIMITS = Object.freeze({
  content: 2000,
  embedsPerMessage: 10,
  /** Sum of title, description, field names/values, footer text, author name over ALL embeds (§2). */
  totalEmbedChars: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  usernameMin: 1,
  username: 80,
  allowedMentionIds: 100,
  threadName: 100,
  minColor: 0,
  /** Highest embed colour accepted (24-bit RGB; discord.js range, §2). */
  maxColor: 0xffffff,
  /** Files a message may carry (§1). */
  files: 10,
  /** Default per-file upload limit (§1: 10 MiB; a larger file gets 413 40005). */
  fileBytes: 10 * 1024 * 1024,
  /** An attachment's alt text. */
  attachmentDescription: 1024,
  /** Whole request body cap (§1, 25 MiB). */
  requestBytes: 25 * 1024 * 1024
})

export const HEADERS = Object.freeze({
  limit: 'x-ratelimit-limit',
  remaining: 'x-ratelimit-remaining',
  reset: 'x-ratelimit-reset',
  resetAfter: 'x-ratelimit-reset-after',
  bucket: 'x-ratelimit-bucket',
  global: 'x-ratelimit-global',
  scope: 'x-ratelimit-scope',
  retryAfter: 'retry-after'
})

/** JSON error codes (developers/topics/opcodes-and-status-codes.mdx; contract §4). */
export const DISCORD_CODES = Object.freeze({
  general: 0,
  unknownMessage: 10008,
  unknownWebhook: 10015,
  invalidWebhookToken: 50027,
  invalidFormBody: 50035,
  emptyMessage: 50006,
  invalidApiVersion: 50041,
  invalidJson: 50109,
  requestTooLarge: 40005
})

/** Message flag bits a webhook may set (§1): SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2. */
export const WEBHOOK_FLAGS = Object.freeze({
  suppressEmbeds: 1 << 2,
  suppressNotifications: 1 << 12,
  isComponentsV2: 1 << 15
})

export const ALLOWED_FLAG_BITS = WEBHOOK_FLAGS.suppressEmbeds | WEBHOOK_FLAGS.suppressNotifications | WEBHOOK_FLAGS.isComponentsV2

/** API versions Discord still serves (§1); v5 and older are discontinued and answer 400. */
export const API_VERSIONS = Object.freeze({
  oldest: 6,
  newest: 10,
  /** Versionless URLs use Discord's default version, v6 (§1). */
  versionless: 6,
  /** v8 switched retry_after to seconds and introduced the structured error tree (§1). */
  firstStructured: 8
})

export const MS_PER_SECOND = 1000

/** Discord's snowflake epoch (2015-01-01T00:00:00Z) and the bit layout of a snowflake. */
export const SNOWFLAKE = Object.freeze({
  epoch: 1_420_070_400_000n,
  timestampShift: 22n,
  workerShift: 17n,
  incrementMask: 0xfffn,
  /** The contract (§1) allows 17-20 digit ids. */
  idPattern: /^\d{17,20}$/
})

/** Current Discord webhook tokens are 68 URL-safe characters (§1). */
export const TOKEN_LENGTH = 68
export const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'
