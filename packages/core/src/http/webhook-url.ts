import { API_VERSION } from '../limits.js'
import { InvalidWebhookUrlError } from '../errors.js'
import type { WebhookTarget } from '../types.js'

/** A cheap first look: most text has no webhook path at all. */
const WEBHOOKS_PATH = /\/webhooks\//i
const DISCORD_HOST = /^(?:(?:ptb|canary)\.)?discord(?:app)?\.com$/i
const SNOWFLAKE = /^\d{17,20}$/
const TOKEN = /^[A-Za-z0-9_-]{20,}$/
// /api, optional /v{N}, /webhooks/{snowflake}/{token}, optional trailing slash.
const PATH = /^\/api(?:\/v(\d{1,2}))?\/webhooks\/(\d{17,20})\/([A-Za-z0-9_-]{20,})\/?$/
const COMPAT_SUFFIX = /^\/api(?:\/v\d{1,2})?\/webhooks\/[^/]+\/[^/]+\/(slack|github)\/?$/i
/** Schemes an error may name: fixed words, so naming one can never echo part of a secret. */
const NAMEABLE_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'ws:', 'wss:', 'file:'])
const EXPECTED = 'expected https://discord.com/api/webhooks/<id>/<token>'
const HOW_TO = 'Copy it again from Server Settings → Integrations → Webhooks → Copy Webhook URL.'

interface ParseWebhookUrlOptions {
  /** Send to this origin instead of https://discord.com (the emulator, a proxy): any host in the URL is accepted and replaced. */
  apiOrigin?: string
  /** Overrides `?thread_id=` from the URL. */
  threadId?: string
}

/**
 * Accepts every form users paste (discord.com, discordapp.com, ptb./canary., with or without /api/vN, with ?thread_id=)
 * and always targets /api/v10: a versionless URL means API v6, whose retry_after is in ms and whose error bodies are flat.
 * A URL on a loopback host (`http://127.0.0.1:PORT/api/webhooks/<id>/<token>`, as the emulator prints it) is sent to that
 * origin as-is, over http or https; plain http anywhere else is refused.
 *
 * @throws InvalidWebhookUrlError saying what is wrong ("the path has an empty segment", "the id and the
 *   token are swapped") and never echoing any part of the input: a mistyped URL still holds the token.
 */
export function parseWebhookUrl (input: string, options: ParseWebhookUrlOptions = {}): WebhookTarget {
  const problem = (what: string): InvalidWebhookUrlError =>
    new InvalidWebhookUrlError(`Invalid option \`webhookUrl\`: ${what}; ${EXPECTED}. ${HOW_TO}`)
  if (typeof input !== 'string') throw problem(`received ${kindOf(input)}, not a string`)
  const text = input.trim()
  if (text === '') throw problem(input === '' ? 'received an empty string' : 'received only whitespace')
  if (/^["'<`]|["'>`]$/.test(text)) throw problem('the URL is wrapped in quotes or angle brackets; remove them')
  if (/\s/.test(text)) throw problem('the URL contains whitespace (a space or line break inside it); paste it as one piece')
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw problem(/^(?:(?:ptb|canary)\.)?discord(?:app)?\.com\//i.test(text) ? 'the URL lacks its https:// prefix' : `received a string of ${text.length} characters that is not a URL`)
  }
  if (url.username !== '' || url.password !== '') throw problem('the URL has a user name or password before the host; remove it')
  const origin = options.apiOrigin === undefined ? undefined : parseOrigin(options.apiOrigin)
  const loopback = isLoopback(url.hostname) && (url.protocol === 'http:' || url.protocol === 'https:')
  if (origin === undefined && !loopback) {
    if (url.protocol !== 'https:') {
      const scheme = NAMEABLE_SCHEMES.has(url.protocol) ? `the scheme is ${url.protocol.slice(0, -1)}` : 'the scheme is not https'
      throw problem(`${scheme}; Discord webhooks use https (plain http is accepted only on a loopback host such as 127.0.0.1, or with \`apiOrigin\`)`)
    }
    if (!DISCORD_HOST.test(url.hostname)) {
      // The host is not named: a mangled URL can hold part of the token anywhere.
      throw problem('the host is not discord.com (nor discordapp.com, ptb.discord.com, canary.discord.com); to send to an emulator or proxy, set `apiOrigin`')
    }
  }
  if (COMPAT_SUFFIX.test(url.pathname)) {
    throw new InvalidWebhookUrlError('Invalid option `webhookUrl`: this is a Slack- or GitHub-compatible endpoint, which takes a different payload. Remove the trailing /slack or /github.')
  }
  const match = PATH.exec(url.pathname)
  if (match === null) throw problem(pathProblem(url))
  const version = match[1]
  if (version !== undefined && Number(version) < 6) {
    throw new InvalidWebhookUrlError(`Invalid option \`webhookUrl\`: API v${version} is discontinued. Use the URL without a version; v${API_VERSION} is used.`)
  }
  const id = match[2] as string
  const token = match[3] as string
  const threadId = options.threadId ?? url.searchParams.get('thread_id') ?? undefined
  if (threadId !== undefined && !SNOWFLAKE.test(threadId)) {
    const from = options.threadId === undefined ? 'the URL\'s ?thread_id=' : 'the option'
    throw new InvalidWebhookUrlError(`Invalid option \`threadId\`: expected a 17-20 digit snowflake, received ${from} with ${threadId.length} characters${/^\d*$/.test(threadId) ? '' : ', not all digits'}.`)
  }
  const base = origin ?? (loopback ? url.origin : 'https://discord.com')
  const query = new URLSearchParams({ wait: 'true' })
  if (threadId !== undefined) query.set('thread_id', threadId)
  const path = `/api/v${API_VERSION}/webhooks/${id}/`
  const target: WebhookTarget = { id, token, url: `${base}${path}${token}?${query}`, redacted: `${base}${path}[redacted]?${query}` }
  if (threadId !== undefined) target.threadId = threadId
  return target
}

/** What is wrong with a path that is not /api[/vN]/webhooks/<id>/<token>, told by counts and shapes only: no segment is quoted. */
function pathProblem (url: URL): string {
  const path = url.pathname
  if (path.includes('//')) return 'the path has an empty segment (a double slash)'
  const segments = path.split('/').slice(1)
  if (segments.at(-1) === '') segments.pop()
  const at = segments.findIndex((s) => s.toLowerCase() === 'webhooks')
  if (at < 0) return 'the path has no /webhooks/ segment'
  const prefix = segments.slice(0, at)
  if (prefix[0]?.toLowerCase() !== 'api' || prefix.length > 2 || (prefix.length === 2 && !/^v\d{1,2}$/i.test(prefix[1]!))) {
    return 'the path must start with /api/webhooks/ (or /api/v10/webhooks/)'
  }
  if (segments[at] !== 'webhooks' || prefix[0] !== 'api') return 'the path must be lower case up to /webhooks/'
  const rest = segments.slice(at + 1)
  const inQuery = [...url.searchParams.keys()].some((k) => /^(?:token|id|webhook_?token|webhook_?id)$/i.test(k))
  if (rest.length === 0) return inQuery ? 'the id and the token are in the query (?id=, ?token=); they belong in the path' : 'the id and the token are missing after /webhooks/'
  if (rest.length === 1) return inQuery ? 'the token is in the query (?token=); it belongs in the path after the id' : 'the path has one segment after /webhooks/ where two (<id>/<token>) are expected'
  if (rest.length > 2) return `the path has ${rest.length} segments after /webhooks/ where two (<id>/<token>) are expected`
  const [id, token] = rest as [string, string]
  if (!SNOWFLAKE.test(id)) {
    if (SNOWFLAKE.test(token) && TOKEN.test(id)) return 'the id and the token are swapped'
    return `the id is not a 17-20 digit snowflake (it has ${id.length} characters${/^\d*$/.test(id) ? '' : ', not all digits'})`
  }
  if (token.length < 20) return `the token is too short (${token.length} characters; Discord's are about 68)`
  return 'the token has characters a Discord token never has (only letters, digits, _ and - occur)'
}

/** The kind of a non-string value, for an error message: never the value itself. */
function kindOf (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof URL) return 'a URL object (pass `url.href`)'
  return typeof value === 'object' ? 'an object' : typeof value
}

function parseOrigin (input: string): string {
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    // Not echoed: the string may well be the webhook URL pasted in the wrong option.
    throw new InvalidWebhookUrlError(`Invalid option \`apiOrigin\`: expected an origin such as http://127.0.0.1:8080, received a string of ${String(input).length} characters that is not a URL.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidWebhookUrlError(`Invalid option \`apiOrigin\`: expected an http(s) origin such as http://127.0.0.1:8080, received ${NAMEABLE_SCHEMES.has(url.protocol) ? `a ${url.protocol.slice(0, -1)} URL` : 'another scheme'}.`)
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InvalidWebhookUrlError('Invalid option `apiOrigin`: plain http is allowed only on loopback (127.0.0.1, ::1, localhost), received another host. Use https.')
  }
  return url.origin
}

function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/** Replaces anything shaped like a webhook token in `text` (every outgoing string); the id is matched loosely: a malformed one must not expose the token. */
export function redactLoose (text: string): string {
  if (!WEBHOOKS_PATH.test(text)) return text
  // Stops at URL and quoting delimiters (including < > `) so redacting a path inside HTML or code keeps the markup.
  return text.replace(/(\/webhooks\/[^/?#\s"'<>`]+\/)[^/?#\s"'<>`]+/gi, '$1[redacted]')
}

/** Replaces every occurrence of `token` in `text`; cheap enough for every log line. */
export function redactToken (text: string, token: string): string {
  return token.length === 0 || !text.includes(token) ? text : text.split(token).join('[redacted]')
}

/** `text` as it may be shown: the token removed, and anything shaped like a webhook URL's token too. */
export function scrub (text: string, token: string): string {
  return redactLoose(redactToken(text, token))
}
