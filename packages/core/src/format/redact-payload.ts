import { REDACTED } from './safe-value.js'
import type { WebhookPayload } from '../types.js'

/** Stands in for the token; never longer than a real token, so no Discord limit can be crossed by it. */
const MASK = REDACTED
/** Shorter stand-in for a token shorter than MASK (tokens have no fixed length, contract §1). */
const SHORT_MASK = '…'

/**
 * The payload with every occurrence of the webhook token removed from its strings. The app may log the
 * webhook URL itself (an error from its own HTTP client, a config dump); Discord would then show the
 * credential to everyone in the channel. The stand-in is never longer than the token, so a payload
 * already fitted to Discord's limits still fits. Returns the same payload when the token is absent.
 */
export function redactPayloadToken (payload: WebhookPayload, token: string): WebhookPayload {
  if (token.length === 0) return payload
  const json = JSON.stringify(payload)
  if (!json.includes(token)) return payload
  const mask = token.length >= MASK.length ? MASK : SHORT_MASK
  return strip(payload, token, mask) as WebhookPayload
}

function strip (value: unknown, token: string, mask: string): unknown {
  if (typeof value === 'string') return value.includes(token) ? value.split(token).join(mask) : value
  if (Array.isArray(value)) return value.map((v) => strip(v, token, mask))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = strip(v, token, mask)
    return out
  }
  return value
}
