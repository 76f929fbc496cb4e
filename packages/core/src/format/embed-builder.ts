/**
 * A chainable builder for custom alert embeds. Arguments of the wrong type are programming mistakes
 * and throw at once (naming the method); values that are merely too long are cut in `toJSON()`,
 * because a log alert that is slightly shorter beats one that is never sent.
 */
import { InvalidOptionError } from '../errors.js'
import { isSeverity, SEVERITIES, SEVERITY_STYLES, type Severity } from '../levels.js'
import { LIMITS } from '../limits.js'
import { fitEmbed } from './fit.js'
import type { Embed, EmbedField } from '../types.js'

const HEX_COLOR = /^#([0-9a-f]{6})$/i
const HEX_RADIX = 16

export type EmbedColor = number | `#${string}` | Severity

export interface EmbedFooterInput {
  text: string
  iconURL?: string
}

export interface EmbedAuthorInput {
  name: string
  url?: string
  iconURL?: string
}

export class EmbedBuilder {
  #data: Embed

  constructor (data: Embed = {}) {
    this.#data = cloneEmbed(data)
  }

  /** A builder seeded with a copy of `embed` (later changes do not touch the original). */
  static from (embed: Embed): EmbedBuilder {
    if (typeof embed !== 'object' || embed === null) throw new InvalidOptionError('EmbedBuilder.from', 'an embed object', embed)
    return new EmbedBuilder(embed)
  }

  setTitle (title: string): this {
    this.#data.title = str(title, 'setTitle')
    return this
  }

  setDescription (description: string): this {
    this.#data.description = str(description, 'setDescription')
    return this
  }

  /** Must be http(s) to be kept (contract §2). Give each embed of a message its own URL: Discord shows only the first of several that share one. */
  setURL (url: string): this {
    this.#data.url = str(url, 'setURL')
    return this
  }

  /** A 24-bit integer, '#rrggbb', or a severity name whose colour is used. */
  setColor (color: EmbedColor): this {
    this.#data.color = parseColor(color)
    return this
  }

  addFields (...fields: EmbedField[]): this {
    const list = this.#data.fields ?? []
    for (const field of fields) {
      if (typeof field !== 'object' || field === null) throw new InvalidOptionError('EmbedBuilder.addFields', 'fields like { name, value, inline? }', field)
      list.push(makeField(field.name, field.value, field.inline, 'addFields'))
    }
    this.#data.fields = list
    return this
  }

  addField (name: string, value: string, inline?: boolean): this {
    const list = this.#data.fields ?? []
    list.push(makeField(name, value, inline, 'addField'))
    this.#data.fields = list
    return this
  }

  setFooter (footer: EmbedFooterInput): this {
    if (typeof footer !== 'object' || footer === null) throw new InvalidOptionError('EmbedBuilder.setFooter', 'an object { text, iconURL? }', footer)
    this.#data.footer = { text: str(footer.text, 'setFooter', 'text') }
    if (footer.iconURL !== undefined) this.#data.footer.icon_url = str(footer.iconURL, 'setFooter', 'iconURL')
    return this
  }

  setAuthor (author: EmbedAuthorInput): this {
    if (typeof author !== 'object' || author === null) throw new InvalidOptionError('EmbedBuilder.setAuthor', 'an object { name, url?, iconURL? }', author)
    this.#data.author = { name: str(author.name, 'setAuthor', 'name') }
    if (author.url !== undefined) this.#data.author.url = str(author.url, 'setAuthor', 'url')
    if (author.iconURL !== undefined) this.#data.author.icon_url = str(author.iconURL, 'setAuthor', 'iconURL')
    return this
  }

  setThumbnail (url: string): this {
    this.#data.thumbnail = { url: str(url, 'setThumbnail') }
    return this
  }

  setImage (url: string): this {
    this.#data.image = { url: str(url, 'setImage') }
    return this
  }

  /** A Date, epoch milliseconds, or a date string; defaults to now. Unparseable dates are dropped in toJSON(). */
  setTimestamp (timestamp: Date | number | string = Date.now()): this {
    let ms: number
    if (timestamp instanceof Date) ms = timestamp.getTime()
    else if (typeof timestamp === 'number') ms = timestamp
    else if (typeof timestamp === 'string') ms = Date.parse(timestamp)
    else throw new InvalidOptionError('EmbedBuilder.setTimestamp', 'a Date, epoch milliseconds or an ISO 8601 string', timestamp)
    const date = new Date(ms)
    if (Number.isNaN(date.getTime())) delete this.#data.timestamp
    else this.#data.timestamp = date.toISOString()
    return this
  }

  /** The embed, cut to every Discord limit and to `budget` (the 6000 total by default). */
  toJSON (budget: number = LIMITS.totalEmbedChars): Embed {
    return fitEmbed(this.#data, budget)
  }
}

function str (v: unknown, method: string, property?: string): string {
  if (typeof v !== 'string') {
    throw new InvalidOptionError(`EmbedBuilder.${method}${property === undefined ? '' : `(${property})`}`, 'a string', v)
  }
  return v
}

function makeField (name: unknown, value: unknown, inline: unknown, method: string): EmbedField {
  const field: EmbedField = { name: str(name, method, 'name'), value: str(value, method, 'value') }
  if (inline !== undefined) {
    if (typeof inline !== 'boolean') throw new InvalidOptionError(`EmbedBuilder.${method}(inline)`, 'true or false', inline)
    field.inline = inline
  }
  return field
}

function parseColor (color: unknown): number {
  if (typeof color === 'number') {
    // Out-of-range numbers are a limit, not a type error: toJSON() drops them.
    return color
  }
  if (typeof color === 'string') {
    const hex = HEX_COLOR.exec(color)
    if (hex?.[1] !== undefined) return Number.parseInt(hex[1], HEX_RADIX)
    if (isSeverity(color)) return SEVERITY_STYLES[color].color
  }
  throw new InvalidOptionError('EmbedBuilder.setColor', `an integer 0-${LIMITS.maxColor}, '#rrggbb' or a severity (${SEVERITIES.join(', ')})`, color)
}

function cloneEmbed (embed: Embed): Embed {
  const copy: Embed = { ...embed }
  if (embed.footer !== undefined) copy.footer = { ...embed.footer }
  if (embed.author !== undefined) copy.author = { ...embed.author }
  if (embed.image !== undefined) copy.image = { ...embed.image }
  if (embed.thumbnail !== undefined) copy.thumbnail = { ...embed.thumbnail }
  if (Array.isArray(embed.fields)) copy.fields = embed.fields.map((f) => ({ ...f }))
  return copy
}
