import { API_VERSION } from '../limits.js'
import { InvalidWebhookUrlError } from '../errors.js'

/** Where and how to POST. `url` holds the token: never log it; use `redacted`. */
export interface WebhookTarget {
  id: string
  /** The secret part of the URL. */
  token: string
  /** Full Execute Webhook URL: `{origin}/api/v10/webhooks/{id}/{token}?wait=true[&thread_id=…]`. */
  url: string
  /** Same URL with the token replaced by `[redacted]`: safe for logs, events, health. */
  redacted: string
  threadId?: string
}

const DISCORD_HOST = /^(?:(?:ptb|canary)\.)?discord(?:app)?\.com$/i
// /api, optional /v{N}, /webhooks/{snowflake}/{token}, optional trailing slash.
const PATH = /^\/api(?:\/v(\d{1,2}))?\/webhooks\/(\d{17,20})\/([A-Za-z0-9_-]{20,})\/?$/
const COMPAT_SUFFIX = /^\/api(?:\/v\d{1,2})?\/webhooks\/\d+\/[^/]+\/(slack|github)\/?$/i
const HOW_TO = 'Copy it from Server Settings → Integrations → Webhooks → Copy Webhook URL; it looks like https://discord.com/api/webhooks/<id>/<token>.'

export interface ParseWebhookUrlOptions {
  /**
   * Send to this origin instead of https://discord.com (the local emulator, a proxy).
   * When set, any host in the URL is accepted and replaced by this origin.
   */
  apiOrigin?: string
  /** Overrides `?thread_id=` from the URL. */
  threadId?: string
}

/**
 * Accepts every form users paste (discord.com, discordapp.com, ptb./canary., with or without /api/vN,
 * with ?thread_id=) and always targets /api/v10: a versionless URL means API v6, whose retry_after is in
 * milliseconds and whose error bodies have the old flat shape.
 */
export function parseWebhookUrl (input: string, options: ParseWebhookUrlOptions = {}): WebhookTarget {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new InvalidWebhookUrlError(`Invalid option \`webhookUrl\`: expected a Discord webhook URL, received ${input === '' ? 'an empty string' : typeof input}. ${HOW_TO}`)
  }
  let url: URL
  try {
    url = new URL(input.trim())
  } catch {
    // Not echoed: a string that is not even a URL may be a bare token.
    throw new InvalidWebhookUrlError(`Invalid option \`webhookUrl\`: expected a Discord webhook URL, received a string of ${input.trim().length} characters that is not a URL. ${HOW_TO}`)
  }
  const shown = showUrl(url)
  if (COMPAT_SUFFIX.test(url.pathname)) {
    throw new InvalidWebhookUrlError(`Invalid option \`webhookUrl\`: ${shown} is a Slack- or GitHub-compatible endpoint, which takes a different payload. Remove the trailing /slack or /github.`)
  }
  const origin = options.apiOrigin === undefined ? undefined : parseOrigin(options.apiOrigin)
  if (origin === undefined) {
    if (url.protocol !== 'https:') {
      throw new InvalidWebhookUrlError(`Invalid option \`webhookUrl\`: ${shown} must use https. To send to a local emulator over http, set \`apiOrigin\`.`)
    }
    if (!DISCORD_HOST.test(url.hostname)) {
      throw new InvalidWebhookUrlError(`Invalid option \`webhookUrl\`: host "${url.hostname}" is not discord.com. ${HOW_TO} To send elsewhere (an emulator or proxy), set \`apiOrigin\`.`)
    }
  }
  const match = PATH.exec(url.pathname)
  if (match === null) {
    throw new InvalidWebhookUrlError(`Invalid option \`webhookUrl\`: ${shown} is not a webhook URL (expected /api/webhooks/<17-20 digit id>/<token>). ${HOW_TO}`)
  }
  const version = match[1]
  if (version !== undefined && Number(version) < 6) {
    throw new InvalidWebhookUrlError(`Invalid option \`webhookUrl\`: API v${version} is discontinued. Use the URL without a version; v${API_VERSION} is used.`)
  }
  const id = match[2] as string
  const token = match[3] as string
  const threadId = options.threadId ?? url.searchParams.get('thread_id') ?? undefined
  if (threadId !== undefined && !/^\d{17,20}$/.test(threadId)) {
    throw new InvalidWebhookUrlError(`Invalid option \`threadId\`: expected a 17-20 digit snowflake, received ${JSON.stringify(threadId)}.`)
  }
  const base = origin ?? 'https://discord.com'
  const query = new URLSearchParams({ wait: 'true' })
  if (threadId !== undefined) query.set('thread_id', threadId)
  const path = `/api/v${API_VERSION}/webhooks/${id}/`
  const target: WebhookTarget = {
    id,
    token,
    url: `${base}${path}${token}?${query}`,
    redacted: `${base}${path}[redacted]?${query}`
  }
  if (threadId !== undefined) target.threadId = threadId
  return target
}

function parseOrigin (input: string): string {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new InvalidWebhookUrlError(`Invalid option \`apiOrigin\`: expected an origin such as http://127.0.0.1:8080, received ${JSON.stringify(input)}.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidWebhookUrlError(`Invalid option \`apiOrigin\`: expected an http(s) origin, received ${JSON.stringify(input)}.`)
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InvalidWebhookUrlError(`Invalid option \`apiOrigin\`: plain http is allowed only on loopback (127.0.0.1, ::1, localhost), received host "${url.hostname}". Use https.`)
  }
  return url.origin
}

function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/**
 * Replaces anything that looks like a webhook token in `text`. Used on every outgoing string.
 * The id segment is matched loosely too: a malformed id must not leave the token after it readable.
 */
export function redactLoose (text: string): string {
  // Stops at URL and quoting delimiters (including < > `) so redacting a path inside HTML or code keeps the markup.
  return text.replace(/(\/webhooks\/[^/?#\s"'<>`]+\/)[^/?#\s"'<>`]+/gi, '$1[redacted]')
}

/** A parsed URL for an error message: token redacted, and any user:password@ dropped. */
function showUrl (url: URL): string {
  const copy = new URL(url.href)
  copy.username = ''
  copy.password = ''
  return redactLoose(copy.href)
}

/** Replaces every occurrence of `token` in `text`; cheap enough for every log line. */
export function redactToken (text: string, token: string): string {
  return token.length === 0 || !text.includes(token) ? text : text.split(token).join('[redacted]')
}
