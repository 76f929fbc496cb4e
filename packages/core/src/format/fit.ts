/**
 * Making any embed acceptable to Discord: per-part limits, required parts, URL and colour rules, and a
 * total-size budget (contract §2; developers/resources/message.mdx "Embed Limits"). The 6000-character
 * total covers every embed of a message (discord-api-docs PR #4379), so the batcher gives each embed a
 * share and `fitEmbed` makes one fit it: sanitize (types, URLs, colour, timestamp, per-part limits, ≤ 25
 * fields, no empty names/values), drop trailing fields that cannot fit even with every long part cut to
 * a floor, shrink the longest of description, field names and values (one common cap), then footer and
 * author text, and cut the title last. Any budget ≥ 1 is honoured exactly (smaller ones count as 1);
 * below roughly 100 code points the result is only a title.
 */
import { LIMITS } from '../limits.js'
import { isObject, renderValue } from './safe-value.js'
import { ELLIPSIS, ZERO_WIDTH_SPACE, codePointLength, truncate } from './text.js'
import { isoTime } from './time.js'
import type { Embed, EmbedField } from '../types.js'

/** The smallest total `fitEmbed` can honour: a one-character title. */
const MIN_EMBED_BUDGET = ELLIPSIS.length
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

/** Characters this embed adds to the message's 6000 total: title, description, field names and values, footer text, author name (partLength each). */
export function embedLength (embed: Embed): number {
  let n = partLength(embed.title) + partLength(embed.description) + partLength(embed.footer?.text) + partLength(embed.author?.name)
  for (const f of embed.fields ?? []) n += partLength(f.name) + partLength(f.value)
  return n
}

/** A new embed Discord accepts, `embedLength` ≤ `budget` (clamped to 1..6000); never throws, never lacks a title, description or field. */
export function fitEmbed (embed: Embed, budget: number = LIMITS.totalEmbedChars): Embed {
  try {
    const limit = Number.isFinite(budget) ? Math.min(LIMITS.totalEmbedChars, Math.max(MIN_EMBED_BUDGET, Math.floor(budget))) : LIMITS.totalEmbedChars
    const e = sanitize(embed)
    if (embedLength(e) > limit) shrinkToBudget(e, limit)
    return e
  } catch {
    // Only values hostile enough to throw through sanitize's guarded reads get here; still send something.
    return { title: ELLIPSIS }
  }
}

/** Text of a part that should be a string; anything else is rendered (a number in a field value). */
function text (v: unknown): string {
  if (typeof v === 'string') return v
  if (v === undefined || v === null) return ''
  return renderValue(v)
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

  setPart(out, 'title', truncate(text(src.title), LIMITS.title))
  setPart(out, 'description', truncate(text(src.description), LIMITS.description))
  setPart(out, 'url', httpUrl(src.url))

  // Docs say only "integer"; discord.js validates 0..0xFFFFFF, and so do we (contract §2).
  const color = src.color
  if (typeof color === 'number' && Number.isInteger(color) && color >= 0 && color <= LIMITS.maxColor) out.color = color

  // Date.parse accepts formats Discord does not; send ISO 8601 always.
  const t = src.timestamp
  setPart(out, 'timestamp', isoTime(typeof t === 'string' ? Date.parse(t) : t instanceof Date ? t.getTime() : t))

  const footer = src.footer
  if (isObject(footer)) {
    const footerText = truncate(text(footer.text), LIMITS.footerText)
    if (footerText !== '') {
      out.footer = { text: footerText }
      setPart(out.footer, 'icon_url', mediaUrl(footer.icon_url))
    }
  }

  const author = src.author
  if (isObject(author)) {
    const name = truncate(text(author.name), LIMITS.authorName)
    if (name !== '') {
      out.author = { name }
      setPart(out.author, 'url', httpUrl(author.url))
      setPart(out.author, 'icon_url', mediaUrl(author.icon_url))
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
    setPart(out, 'fields', kept)
  }
  ensureContent(out)
  return out
}

/** Field names and values are required and trimmed before the check (BASE_TYPE_REQUIRED otherwise). */
function required (s: string): string {
  return s === '' ? ZERO_WIDTH_SPACE : s
}

function shrinkToBudget (e: Embed, limit: number): void {
  const fixed = (): number => partLength(e.title) + partLength(e.footer?.text) + partLength(e.author?.name)
  const fieldsLength = (): number => embedLength({ fields: e.fields })

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
  setPart(e, 'fields', originalFields.slice(0, keep))

  // 2. Shrink the largest of description, field names and values first: one common cap for all.
  const description = e.description ?? ''
  const fields = e.fields ?? []
  const applyCap = (cap: number): void => {
    setPart(e, 'description', truncate(description, cap))
    setPart(e, 'fields', fields.map((f) => ({ ...f, name: required(truncate(f.name, cap)), value: required(truncate(f.value, cap)) })))
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
  setPart(e, 'title', truncate(e.title ?? '', limit - rest))
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
  if (e.title === undefined && e.description === undefined && (e.fields === undefined || e.fields.length === 0)) e.title = ELLIPSIS
}

/** Sets `o[key]` to `v`, or deletes it when `v` is undefined or empty ('' or no fields). */
function setPart<T extends object, K extends keyof T> (o: T, key: K, v: T[K] | undefined): void {
  if (v === undefined || (v as { length?: unknown }).length === 0) delete o[key]
  else o[key] = v
}
