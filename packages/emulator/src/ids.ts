import { createHash } from 'node:crypto'
import { SNOWFLAKE, TOKEN_ALPHABET, TOKEN_LENGTH } from './constants.js'

/**
 * Snowflakes for messages and webhooks: Discord's layout (ms since 2015 << 22 | worker |
 * increment), taken from the emulator's clock so an injected clock gives repeatable ids.
 */
export class SnowflakeGenerator {
  readonly #now: () => number
  #lastTimestamp = -1n
  #increment = 0n

  constructor (now: () => number) {
    this.#now = now
  }

  next (): string {
    const elapsed = BigInt(Math.floor(this.#now())) - SNOWFLAKE.epoch
    // Clamped so ids keep 18+ digits even under a test clock that starts at 0, and kept
    // unique when the clock stands still (as real generators do when the increment wraps).
    let timestamp = elapsed > MIN_TIMESTAMP ? elapsed : MIN_TIMESTAMP
    if (timestamp <= this.#lastTimestamp) {
      timestamp = this.#lastTimestamp
      this.#increment++
      if (this.#increment > SNOWFLAKE.incrementMask) {
        timestamp++
        this.#increment = 0n
      }
    } else {
      this.#increment = 0n
    }
    this.#lastTimestamp = timestamp
    return ((timestamp << SNOWFLAKE.timestampShift) | (EMULATOR_WORKER << SNOWFLAKE.workerShift) | this.#increment).toString()
  }
}

/** Smallest timestamp part that still gives an 18-digit snowflake (10^17 >> 22, rounded up). */
const MIN_TIMESTAMP = 10n ** 17n / (1n << SNOWFLAKE.timestampShift) + 1n

/** An 18-digit webhook id from the emulator's id PRNG (§1: ids are 17-20 digit snowflakes). */
export function generateWebhookId (random: () => number): string {
  let id = String(1 + Math.floor(random() * 9))
  for (let i = 1; i < WEBHOOK_ID_DIGITS; i++) id += String(Math.floor(random() * 10))
  return id
}

const WEBHOOK_ID_DIGITS = 18

/** Worker id stamped into generated snowflakes; any 5-bit value would do. */
const EMULATOR_WORKER = 1n

/** A 68-character URL-safe token, like the ones Discord hands out today (§1). */
export function generateToken (random: () => number): string {
  let token = ''
  for (let i = 0; i < TOKEN_LENGTH; i++) token += TOKEN_ALPHABET[Math.floor(random() * TOKEN_ALPHABET.length)]
  return token
}

/**
 * The default channel of a webhook that was not mapped to one: a stable function of the id.
 * Flipping low bits keeps the digit count (17-20) of a real snowflake.
 */
export function channelIdFor (webhookId: string): string {
  return (BigInt(webhookId) ^ CHANNEL_ID_MASK).toString()
}

/** Only the worker/increment bits (the low 22) change, so the id stays a plausible snowflake. */
const CHANNEL_ID_MASK = 0x2a5a5an

/** A stable, opaque X-RateLimit-Bucket value per webhook (§3: clients treat it as an identity). */
export function bucketHashFor (webhookId: string): string {
  return createHash('sha1').update(`webhook:${webhookId}`).digest('hex').slice(0, BUCKET_HASH_LENGTH)
}

const BUCKET_HASH_LENGTH = 32
