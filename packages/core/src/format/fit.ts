/**
 * Making any embed acceptable to Discord: per-part limits, required parts, URL and colour rules,
 * and a total-size budget (contract §2; developers/resources/message.mdx "Embed Limits").
 *
 * The 6000-character total covers every embed of a message (discord-api-docs PR #4379), so the
 * batcher gives each embed a share of it and `fitEmbed` makes one embed fit its share:
 *
 *   sanitize (types, URLs, colour, timestamp, per-part limits, ≤ 25 fields, no empty names/values)
 *     → drop trailing fields that cannot fit even when every long part is cut to a floor
 *     → shrink the largest of description / field names / field values first (one common cap)
 *     → shrink footer and author text
 *     → cut the title, last
 *
 * Any budget ≥ 1 is honoured exactly (smaller budgets count as 1: an embed needs some content).
 * Below roughly 100 code points the result is only a title, so budgets ≥ 100 are the useful minimum.
 */
import { LIMITS } from '../limits.js'
import { renderValue } from './safe-value.js'
import { ELLIPSIS, ZERO_WIDTH_SPACE, codePointLength, truncate } from './text.js'
import type { Embed, EmbedField } from '../types.js'

/** The smallest total `fitEmbed` can honour: a one-character title. */
export const MIN_EMBED_BUDGET = ELLIPSIS.length
/** Fields are dropped (from the end) until every remaining one fits with name and value cut to this. */
const FIELD_FLOOR = 48
/** …and while the description keeps at least this much. */
const DESCRIPTION_FLOOR = 160

const HTTP_URL = /^https?:\/\/\S+$/i
const MEDIA_URL = /^(?:https?:\/\/|attachment:\/\/)\S+$/i

/** Length Discord counts for one text part: code points after trimming. */
function partLength (s: string | undefined): number {
  return typeof s === 'string' ? codePointLength(s.trim()) : 0
}

/**
 * Characters this embed contributes to the message's 6000 total: title, description, field names
 * and values, footer text and author name, each trimmed and counted in code points.
 */
export function embedLength (embed: Embed): number {
  let n = partLength(embed.title) + partLength(embed.description) + partLength(embed.footer?.text) + partLength(embed.author?.name)
  for (const f of embed.fields ?? []) n += partLength(f.name) + partLength(f.value)
  return n
}

/** Sum of `embedLength` over the embeds of one message; Discord rejects a message above 6000. */
export function payloadLength (embeds: readonly Embed[]): number {
  let n = 0
  for (const e of embeds) n += embedLength(e)
  return n
}

/** Message `content` cut to Discord's 2000 code points. */
export function fitContent (s: string): string {
  return truncate(s, LIMITS.content)
}

/**
 * A new embed Discord will accept, whose `embedLength` is at most `budget` (clamped to 1..6000).
 * Never throws and never returns an embed without a title, description or field.
 */
export function fitEmbed (embed: Embed, budget: number = LIMITS.totalEmbedChars): Embed {
  try {
    const limit = clampBudget(budget)
    const e = sanitize(embed)
    if (embedLength(e) <= limit) return e
    shrinkToBudget(e, limit)
    return e
  } catch {
    // Reached only through values hostile enough to throw from sanitize's guarded reads; the
    // logging path must still produce something Discord accepts.
    return { title: ELLIPSIS }
  }
}

function clampBudget (budget: number): number {
  if (!Number.isFinite(budget)) return LIMITS.totalEmbedChars
  return Math.min(LIMITS.totalEmbedChars, Math.max(MIN_EMBED_BUDGET, Math.floor(budget)))
}

// ---------------------------------------------------------------------------------------------
// Sanitize: everything Discord validates per part

/** Text of a part that should be a string; anything else is rendered (a number in a field value). */
function text (v: unknown): string {
  if (typeof v === 'string') return v
  if (v === undefined || v === null) return ''
  return renderValue(v)
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

function httpUrl (v: unknown): string | undefined {
  return typeof v === 'string' && HTTP_URL.test(v) && URL.canParse(v) ? v : undefined
}

function mediaUrl (v: unknown): string | undefined {
  if (typeof v !== 'string' || !MEDIA_URL.test(v)) return undefined
  return v.toLowerCase().startsWith('attachment://') || URL.canParse(v) ? v : undefined
}

function sanitize (input: Embed): Embed {
  const src: Record<string, unknown> = isObject(input) ? input as unknown as Record<string, unknown> : {}
  const out: Embed = {}

  const title = truncate(text(src.title), LIMITS.title)
  if (title !== '') out.title = title
  const description = truncate(text(src.description), LIMITS.description)
  if (description !== '') out.description = description

  const url = httpUrl(src.url)
  if (url !== undefined) out.url = url

  // Docs say only "integer"; discord.js validates 0..0xFFFFFF, and so do we (contract §2).
  const color = src.color
  if (typeof color === 'number' && Number.isInteger(color) && color >= 0 && color <= LIMITS.maxColor) out.color = color

  const timestamp = normalizeTimestamp(src.timestamp)
  if (timestamp !== undefined) out.timestamp = timestamp

  const footer = src.footer
  if (isObject(footer)) {
    const footerText = truncate(text(footer.text), LIMITS.footerText)
    if (footerText !== '') {
      out.footer = { text: footerText }
      const icon = mediaUrl(footer.icon_url)
      if (icon !== undefined) out.footer.icon_url = icon
    }
  }

  const author = src.author
  if (isObject(author)) {
    const name = truncate(text(author.name), LIMITS.authorName)
    if (name !== '') {
      out.author = { name }
      const authorUrl = httpUrl(author.url)
      if (authorUrl !== undefined) out.author.url = authorUrl
      const icon = mediaUrl(author.icon_url)
      if (icon !== undefined) out.author.icon_url = icon
    }
  }

  for (const key of ['image', 'thumbnail'] as const) {
    const media = src[key]
    const mediaHref = isObject(media) ? mediaUrl(media.url) : undefined
    if (mediaHref !== undefined) out[key] = { url: mediaHref }
  }

  const fields = src.fields
  if (Array.isArray(fields)) {
    const kept: EmbedField[] = []
    for (const f of fields) {
      if (kept.length >= LIMITS.fields) break
      if (!isObject(f)) continue
      const field: EmbedField = {
        name: required(truncate(text(f.name), LIMITS.fieldName)),
        value: required(truncate(text(f.value), LIMITS.fieldValue))
      }
      if (typeof f.inline === 'boolean') field.inline = f.inline
      kept.push(field)
    }
    if (kept.length > 0) out.fields = kept
  }

  if (!hasContent(out)) out.title = ELLIPSIS
  return out
}

/** Field names and values are required and trimmed before the check (BASE_TYPE_REQUIRED otherwise). */
function required (s: string): string {
  return s === '' ? ZERO_WIDTH_SPACE : s
}

function hasContent (e: Embed): boolean {
  return e.title !== undefined || e.description !== undefined || (e.fields !== undefined && e.fields.length > 0)
}

function normalizeTimestamp (v: unknown): string | undefined {
  let ms: number
  if (typeof v === 'string') ms = Date.parse(v)
  else if (typeof v === 'number') ms = v
  else if (v instanceof Date) ms = v.getTime()
  else return undefined
  if (!Number.isFinite(ms)) return undefined
  const date = new Date(ms)
  // Date.parse accepts formats Discord does not; send ISO 8601 always.
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

// ---------------------------------------------------------------------------------------------
// Shrink to a total budget

function shrinkToBudget (e: Embed, limit: number): void {
  const fixed = (): number => partLength(e.title) + partLength(e.footer?.text) + partLength(e.author?.name)
  const fieldsLength = (): number => {
    let n = 0
    for (const f of e.fields ?? []) n += partLength(f.name) + partLength(f.value)
    return n
  }

  // 1. Fields beyond what fits: drop from the end until the rest would fit with every long part at its floor.
  const originalFields = e.fields ?? []
  let keep = originalFields.length
  const floorCost = (f: EmbedField): number => Math.min(partLength(f.name), FIELD_FLOOR) + Math.min(partLength(f.value), FIELD_FLOOR)
  let fieldFloors = originalFields.reduce((n, f) => n + floorCost(f), 0)
  const descriptionFloor = Math.min(partLength(e.description), DESCRIPTION_FLOOR)
  while (keep > 0 && fixed() + descriptionFloor + fieldFloors > limit) {
    keep--
    fieldFloors -= floorCost(originalFields[keep] as EmbedField)
  }
  setFields(e, originalFields.slice(0, keep))

  // 2. Shrink the largest of description, field names and values first: one common cap for all.
  const description = e.description ?? ''
  const fields = e.fields ?? []
  const applyCap = (cap: number): void => {
    setDescription(e, truncate(description, cap))
    setFields(e, fields.map((f) => ({ ...f, name: required(truncate(f.name, cap)), value: required(truncate(f.value, cap)) })))
  }
  const available = limit - fixed()
  const longest = Math.max(partLength(description), ...fields.map((f) => Math.max(partLength(f.name), partLength(f.value))))
  const cap = largestFittingCap(longest, available, (c) => {
    applyCap(c)
    return partLength(e.description) + fieldsLength()
  })
  if (cap === undefined) {
    delete e.description
    delete e.fields
  } else {
    applyCap(cap)
  }
  // An embed needs content (code 50006): when nothing is left, the one-character title is reserved now.
  ensureContent(e)
  if (embedLength(e) <= limit) return

  // 3. Footer and author text, one common cap.
  const footer = e.footer
  const author = e.author
  const applySideCap = (c: number): void => {
    const footerText = truncate(footer?.text ?? '', c)
    if (footer === undefined || footerText === '') delete e.footer
    else e.footer = { ...footer, text: footerText }
    const authorName = truncate(author?.name ?? '', c)
    if (author === undefined || authorName === '') delete e.author
    else e.author = { ...author, name: authorName }
  }
  const sideAvailable = limit - partLength(e.title) - partLength(e.description) - fieldsLength()
  const sideCap = largestFittingCap(Math.max(partLength(footer?.text), partLength(author?.name)), sideAvailable, (c) => {
    applySideCap(c)
    return partLength(e.footer?.text) + partLength(e.author?.name)
  })
  applySideCap(sideCap ?? 0)
  if (embedLength(e) <= limit) return

  // 4. The title, last.
  const rest = embedLength(e) - partLength(e.title)
  setTitle(e, truncate(e.title ?? '', limit - rest))
  ensureContent(e)
}

/**
 * Largest cap in 0..longest whose measured size is ≤ available, by binary search; undefined when
 * even cap 0 does not fit. The search only ever accepts caps it measured, so it stays correct when
 * the measure is not perfectly monotonic (fence closing and grapheme back-off shift cuts slightly).
 */
function largestFittingCap (longest: number, available: number, measure: (cap: number) => number): number | undefined {
  if (measure(longest) <= available) return longest
  if (measure(0) > available) return undefined
  let lo = 0
  let hi = longest
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (measure(mid) <= available) lo = mid
    else hi = mid
  }
  return lo
}

/** Everything was cut: Discord still needs content (code 50006), so keep a one-character title. */
function ensureContent (e: Embed): void {
  if (!hasContent(e)) e.title = ELLIPSIS
}

function setTitle (e: Embed, s: string): void {
  if (s === '') delete e.title
  else e.title = s
}

function setDescription (e: Embed, s: string): void {
  if (s === '') delete e.description
  else e.description = s
}

function setFields (e: Embed, fields: EmbedField[]): void {
  if (fields.length === 0) delete e.fields
  else e.fields = fields
}
