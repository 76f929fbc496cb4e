/**
 * A chainable builder for custom alert embeds. Arguments of the wrong type are programming mistakes
 * and throw at once (naming the method); values that are merely too long are cut in `toJSON()`,
 * because a log alert that is slightly shorter beats one that is never sent.
 */
import { InvalidOptionError } from '../errors.js'
import { isSeverity, SEVERITIES, SEVERITY_STYLES, type Severity } from '../levels.js'
import { LIMITS } from '../limits.js'
import { fitEmbed } from './fit.js'
import { isoTime } from './time.js'
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
    this.#data = { ...data }
    if (data.footer !== undefined) this.#data.footer = { ...data.footer }
    if (data.author !== undefined) this.#data.author = { ...data.author }
    if (data.image !== undefined) this.#data.image = { ...data.image }
    if (data.thumbnail !== undefined) this.#data.thumbnail = { ...data.thumbnail }
    if (Array.isArray(data.fields)) this.#data.fields = data.fields.map((f) => ({ ...f }))
  }

  /** A builder seeded with a copy of `embed` (later changes do not touch the original). */
  static from (embed: Embed): EmbedBuilder {
    if (typeof embed !== 'object' || embed === null) throw new InvalidOptionError('EmbedBuilder.from', 'an embed object', embed)
    return new EmbedBuilder(embed)
  }

  setTitle (title: string): this { return this.#set('title', str(title, 'setTitle')) }
  setDescription (description: string): this { return this.#set('description', str(description, 'setDescription')) }
  /** Must be http(s) to be kept (contract §2). Give each embed of a message its own URL: Discord shows only the first of several that share one. */
  setURL (url: string): this { return this.#set('url', str(url, 'setURL')) }
  /** A 24-bit integer, '#rrggbb', or a severity name whose colour is used. */
  setColor (color: EmbedColor): this { return this.#set('color', parseColor(color)) }

  addFields (...fields: EmbedField[]): this {
    const list = this.#data.fields ?? []
    for (const field of fields) {
      if (typeof field !== 'object' || field === null) throw new InvalidOptionError('EmbedBuilder.addFields', 'fields like { name, value, inline? }', field)
      list.push(makeField(field.name, field.value, field.inline, 'addFields'))
    }
    return this.#set('fields', list)
  }

  addField (name: string, value: string, inline?: boolean): this { return this.#set('fields', [...(this.#data.fields ?? []), makeField(name, value, inline, 'addField')]) }

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

  setThumbnail (url: string): this { return this.#set('thumbnail', { url: str(url, 'setThumbnail') }) }
  setImage (url: string): this { return this.#set('image', { url: str(url, 'setImage') }) }

  /** A Date, epoch milliseconds, or a date string; defaults to now. Unparseable dates are dropped in toJSON(). */
  setTimestamp (timestamp: Date | number | string = Date.now()): this {
    const ms = timestamp instanceof Date ? timestamp.getTime() : typeof timestamp === 'string' ? Date.parse(timestamp) : timestamp
    if (typeof ms !== 'number') throw new InvalidOptionError('EmbedBuilder.setTimestamp', 'a Date, epoch milliseconds or an ISO 8601 string', timestamp)
    return this.#set('timestamp', isoTime(ms))
  }

  /** The embed, cut to every Discord limit and to `budget` (the 6000 total by default). */
  toJSON (budget: number = LIMITS.totalEmbedChars): Embed { return fitEmbed(this.#data, budget) }

  #set<K extends keyof Embed> (key: K, value: Embed[K]): this {
    this.#data[key] = value
    return this
  }
}

function str (v: unknown, method: string, property?: string): string {
  if (typeof v !== 'string') throw new InvalidOptionError(`EmbedBuilder.${method}${property === undefined ? '' : `(${property})`}`, 'a string', v)
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
  // Out-of-range numbers are a limit, not a type error: toJSON() drops them.
  if (typeof color === 'number') return color
  if (typeof color === 'string') {
    const hex = HEX_COLOR.exec(color)
    if (hex?.[1] !== undefined) return Number.parseInt(hex[1], HEX_RADIX)
    if (isSeverity(color)) return SEVERITY_STYLES[color].color
  }
  throw new InvalidOptionError('EmbedBuilder.setColor', `an integer 0-${LIMITS.maxColor}, '#rrggbb' or a severity (${SEVERITIES.join(', ')})`, color)
}
