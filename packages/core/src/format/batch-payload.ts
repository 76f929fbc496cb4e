/*
 * What one batch sends: its records rendered as embeds (and plain-text content), with the files that
 * carry the records an embed had to cut, the mentions the user opted into, and the username, avatar
 * and thread options. The pipeline decides which records go together; this decides how they look.
 */
import { atLeast } from '../levels.js'
import { LIMITS } from '../limits.js'
import { renderWithFile } from './record-file.js'
import { renderRecord } from './render.js'
import { REDACTED, isObject } from './safe-value.js'
import { ELLIPSIS, neutralizeMentions, truncate } from './text.js'
import type { Embed, LogRecord, MessageFile, ResolvedOptions, WebhookPayload } from '../types.js'

/** A stricter rendering is tried once after Discord rejects a payload (400 50035 or 413). */
const STRICT_STACK_LINES = 5
const STRICT_SHARE = 2
const MIN_STRICT_BUDGET = 200
/** Sent in place of a plaintext record that is empty or only whitespace. */
const BLANK_CONTENT = '(empty message)'

/** A batch's request body (JSON part) and the files sent with it (multipart; empty for none). */
interface BuiltPayload {
  payload: WebhookPayload
  files: MessageFile[]
}

/** The options a payload is built from. */
type PayloadOptions = Pick<ResolvedOptions, 'render' | 'attachments' | 'mentions' | 'username' | 'avatarUrl' | 'threadName'>

/** Whether a record is sent as an embed: all but plain text, and a formatter's `{ content, embed }` as both. */
export function hasEmbed (record: LogRecord): boolean {
  return record.content === undefined || record.embed !== undefined
}

/** Each embed's share (characters) of a message's 6000 when `embeds` share it (contract §2): ten always fit one request, one alone gets all. */
export function embedBudget (embeds: number): number {
  return Math.floor(LIMITS.totalEmbedChars / embeds)
}

/** Builds batches' payloads; constructed once per pipeline from the resolved options and the webhook's token. */
export class BatchPayload {
  #opts: PayloadOptions
  /** The webhook's token: never sent in a payload or a file, even when log text quotes the URL. */
  #token: string

  /** The mentions the user opted into, as they open a message's content ('' for none). */
  readonly #pings: string

  constructor (options: PayloadOptions, token: string) {
    this.#opts = options
    this.#token = token
    const { roles, users } = options.mentions
    this.#pings = [...roles.map((id) => `<@&${id}>`), ...users.map((id) => `<@${id}>`)].join(' ')
  }

  /** Characters a batch's joined plain text may hold: Discord's 2000, less the pings put before it (and their line break). */
  get contentRoom (): number {
    return LIMITS.content - (this.#pings === '' ? 0 : this.#pings.length + 1)
  }

  /**
   * `records` after the queue-full `notice` if any, each embed ≤ `budget` characters, the plain-text ones joined into
   * one content, a line each, in order (the pipeline keeps it within contentRoom); `strict`: smaller, to resend a refused payload.
   */
  build (records: readonly LogRecord[], notice: LogRecord | undefined, budget: number, strict: boolean): BuiltPayload {
    const embeds: Embed[] = []
    const files: MessageFile[] = []
    const lines: string[] = []
    if (notice !== undefined) embeds.push(this.#render(notice, budget, strict))
    for (const r of records) {
      if (r.content !== undefined) lines.push(r.content)
      if (hasEmbed(r)) embeds.push(this.#render(r, budget, strict, files))
    }
    distinctUrls(embeds)
    return { payload: this.#payload(records, embeds, lines.length === 0 ? undefined : lines.join('\n')), files }
  }

  /** The same batch rendered stricter, each embed's budget shared by the embeds it now holds. */
  stricter (records: readonly LogRecord[], notice: LogRecord | undefined): BuiltPayload {
    const n = Math.max(1, records.length + (notice === undefined ? 0 : 1))
    return this.build(records, notice, embedBudget(n), true)
  }

  /** With `files`, a record the embed had to cut also travels whole as a file (unless `attachments: false`). */
  #render (record: LogRecord, budget: number, strict: boolean, files?: MessageFile[]): Embed {
    const render = this.#opts.render
    const options = strict
      ? { ...render, maxStackLines: Math.min(render.maxStackLines, STRICT_STACK_LINES), budget: Math.max(MIN_STRICT_BUDGET, Math.floor(budget / STRICT_SHARE)) }
      : { ...render, budget }
    return files === undefined || !this.#opts.attachments ? renderRecord(record, options) : renderWithFile(record, options, files, this.#token)
  }

  #payload (records: readonly LogRecord[], embeds: Embed[], content: string | undefined): WebhookPayload {
    const o = this.#opts
    // Nothing pings unless the user opted in for this severity: log text is untrusted (contract §6).
    const payload: WebhookPayload = { allowed_mentions: { parse: [] } }
    let text = content === undefined ? '' : neutralizeMentions(content)
    const { roles, users, minSeverity } = o.mentions
    if (this.#pings !== '' && records.some((r) => atLeast(r.severity, minSeverity))) {
      const pings = this.#pings
      text = text === '' ? pings : `${pings}\n${text}`
      if (roles.length > 0) payload.allowed_mentions.roles = roles
      if (users.length > 0) payload.allowed_mentions.users = users
    }
    // Discord trims before checking; whitespace-only content counts as none.
    if (text.trim() !== '') payload.content = truncate(text, LIMITS.content)
    if (embeds.length > 0) payload.embeds = embeds
    // A blank plaintext record alone would be an empty message, which Discord refuses (400 50006).
    else if (payload.content === undefined) payload.content = BLANK_CONTENT
    if (o.username !== undefined) payload.username = o.username
    if (o.avatarUrl !== undefined) payload.avatar_url = o.avatarUrl
    if (o.threadName !== undefined) payload.thread_name = o.threadName
    return withoutToken(payload, this.#token)
  }
}

/**
 * Discord shows only the first of a message's embeds that share a `url` (contract §2): a later one gets a fragment of
 * its own (`#2`, `#3`, …), which leaves where the link goes unchanged, so every packed embed is seen.
 */
function distinctUrls (embeds: Embed[]): void {
  const used = new Set<string>()
  for (const embed of embeds) {
    if (typeof embed.url !== 'string') continue
    let url = embed.url
    for (let n = 2; used.has(url); n++) url = `${embed.url}${embed.url.includes('#') ? '-' : '#'}${n}`
    used.add(url)
    embed.url = url
  }
}

/**
 * `payload` with the webhook token masked in every string (log text may quote the webhook URL, and the
 * channel would see the credential); the same payload when the token is absent. The mask is never longer
 * than the token (tokens have no fixed length, contract §1), so a fitted payload still fits.
 */
function withoutToken (payload: WebhookPayload, token: string): WebhookPayload {
  if (token.length === 0 || !JSON.stringify(payload).includes(token)) return payload
  const mask = token.length >= REDACTED.length ? REDACTED : ELLIPSIS
  const strip = (v: unknown): unknown => {
    if (typeof v === 'string') return v.split(token).join(mask)
    if (Array.isArray(v)) return v.map(strip)
    return isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x)])) : v
  }
  return strip(payload) as WebhookPayload
}
