import { ALLOWED_FLAG_BITS, DISCORD_CODES, LIMITS, SNOWFLAKE, WEBHOOK_FLAGS } from './constants.js'
import { FormErrors, type FormErrorTree, type FormPath } from './form-errors.js'
import { codePointLength } from './text.js'

/**
 * Validates an Execute Webhook JSON body the way Discord does (contract §1, §2, §6).
 * Pure: no I/O, no clock. Every problem is collected, so one answer reports them all,
 * in the v8+ tree shape (`errors.embeds['0'].title._errors[0]`).
 */
export type ValidationResult =
  | { ok: true }
  | { ok: false; code: number; message: string; errors: FormErrorTree }

/** Codes Discord puts in `_errors` leaves. Only their names are relied on by clients, never the texts (§2). */
export const FORM_ERROR_CODES = Object.freeze({
  required: 'BASE_TYPE_REQUIRED',
  maxLength: 'BASE_TYPE_MAX_LENGTH',
  badLength: 'BASE_TYPE_BAD_LENGTH',
  string: 'STRING_TYPE_CONVERT',
  dict: 'DICT_TYPE_CONVERT',
  list: 'LIST_TYPE_CONVERT',
  boolean: 'BOOLEAN_TYPE_CONVERT',
  number: 'NUMBER_TYPE_COERCE',
  numberMin: 'NUMBER_TYPE_MIN',
  numberMax: 'NUMBER_TYPE_MAX',
  invalidUrl: 'URL_TYPE_INVALID_URL',
  invalidScheme: 'URL_TYPE_INVALID_SCHEME',
  dateTime: 'DATE_TIME_TYPE_PARSE',
  enumValue: 'ENUM_TYPE_COERCE',
  usernameContains: 'USERNAME_INVALID_CONTAINS',
  usernameInvalid: 'USERNAME_INVALID',
  mentionsExclusive: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
  flags: 'MESSAGE_FLAGS_INVALID',
  componentsV2: 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
  contentType: 'CONTENT_TYPE_INVALID',
  /** A string holding a lone UTF-16 surrogate: Discord stores UTF-8 and refuses it (users' reports; the code is this emulator's). */
  badUnicode: 'STRING_TYPE_INVALID_UNICODE',
  /** An `attachments` entry whose id names no uploaded `files[n]` (seen in Cogmasters/concord #78). */
  attachmentNotFound: 'ATTACHMENT_NOT_FOUND'
})

const C = FORM_ERROR_CODES

export const MESSAGES = Object.freeze({
  invalidFormBody: 'Invalid Form Body',
  emptyMessage: 'Cannot send an empty message',
  required: 'This field is required',
  totalEmbedChars: `Embed size exceeds maximum size of ${LIMITS.totalEmbedChars}`
})

const WEB_SCHEMES = ['http:', 'https:'] as const
const MEDIA_SCHEMES = ['http:', 'https:', 'attachment:'] as const
const MENTION_TYPES = new Set(['roles', 'users', 'everyone'])
/** Names Discord forbids in webhook names and, observed, in the username override (§1). */
const FORBIDDEN_NAME_PARTS = ['clyde', 'discord'] as const
/** Whole names Discord refuses, after trimming, any case (§1: Discord's general name rules). */
const RESERVED_NAMES = ['everyone', 'here', 'system message'] as const
/** ISO8601 date, optionally with time and offset; Date.parse then rejects impossible values. */
const ISO8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i

type Json = Record<string, unknown>

/** `files`: how many files came with the body (multipart); a file alone is a message (§1). */
export function validateWebhookPayload (body: unknown, files = 0): ValidationResult {
  const errors = new FormErrors()
  if (!isObject(body)) {
    errors.add([], C.dict, 'Only dictionaries may be used in a DictType')
    return invalidForm(errors)
  }

  const content = optionalString(errors, ['content'], body.content, LIMITS.content)
  validateUsername(errors, body.username)
  optionalUrl(errors, ['avatar_url'], body.avatar_url, WEB_SCHEMES)
  optionalBoolean(errors, ['tts'], body.tts)
  validateThreadName(errors, body.thread_name)
  optionalList(errors, ['components'], body.components)
  optionalList(errors, ['applied_tags'], body.applied_tags)
  if (!isAbsent(body.poll) && !isObject(body.poll)) errors.add(['poll'], C.dict, 'Only dictionaries may be used in a DictType')
  const embedCount = validateEmbeds(errors, body.embeds)
  validateAllowedMentions(errors, body.allowed_mentions)
  validateFlags(errors, body.flags, content > 0, embedCount > 0)
  findIllFormed(errors, [], body, 0)

  if (!errors.isEmpty) return invalidForm(errors)

  const hasComponents = Array.isArray(body.components) && body.components.length > 0
  if (content === 0 && embedCount === 0 && !hasComponents && isAbsent(body.poll) && files === 0) {
    return { ok: false, code: DISCORD_CODES.emptyMessage, message: MESSAGES.emptyMessage, errors: {} }
  }
  return { ok: true }
}

/** Every string of the body that holds a lone surrogate (JSON's `\ud83d` escapes decode to one), by its path. */
function findIllFormed (errors: FormErrors, path: Array<string | number>, value: unknown, depth: number): void {
  if (typeof value === 'string') {
    if (!value.isWellFormed()) errors.add(path, C.badUnicode, 'Invalid unicode: the string holds a lone surrogate')
  } else if (depth < 8 && Array.isArray(value)) {
    value.forEach((v, i) => findIllFormed(errors, [...path, i], v, depth + 1))
  } else if (depth < 8 && isObject(value)) {
    for (const [k, v] of Object.entries(value)) findIllFormed(errors, [...path, k], v, depth + 1)
  }
}

function invalidForm (errors: FormErrors): ValidationResult {
  return { ok: false, code: DISCORD_CODES.invalidFormBody, message: MESSAGES.invalidFormBody, errors: errors.tree }
}

/** @returns the number of embeds given (0 when absent or malformed). */
function validateEmbeds (errors: FormErrors, embeds: unknown): number {
  if (isAbsent(embeds)) return 0
  if (!Array.isArray(embeds)) {
    errors.add(['embeds'], C.list, 'Only iterables may be used in a ListType')
    return 0
  }
  if (embeds.length > LIMITS.embedsPerMessage) {
    errors.add(['embeds'], C.maxLength, `Must be ${LIMITS.embedsPerMessage} or fewer in length.`)
  }
  // §2: the 6000 budget covers every embed of the message, not each one.
  let total = 0
  embeds.forEach((embed, index) => {
    total += validateEmbed(errors, ['embeds', index], embed)
  })
  if (total > LIMITS.totalEmbedChars) errors.add(['embeds'], C.maxLength, MESSAGES.totalEmbedChars)
  return embeds.length
}

/** @returns the characters this embed adds to the message's 6000 budget. */
function validateEmbed (errors: FormErrors, path: FormPath, embed: unknown): number {
  if (!isObject(embed)) {
    errors.add(path, C.dict, 'Only dictionaries may be used in a DictType')
    return 0
  }
  let size = 0
  size += optionalString(errors, [...path, 'title'], embed.title, LIMITS.title)
  size += optionalString(errors, [...path, 'description'], embed.description, LIMITS.description)
  optionalString(errors, [...path, 'type'], embed.type, Number.POSITIVE_INFINITY)
  optionalUrl(errors, [...path, 'url'], embed.url, WEB_SCHEMES)
  validateTimestamp(errors, [...path, 'timestamp'], embed.timestamp)
  validateColor(errors, [...path, 'color'], embed.color)

  const footer = optionalObject(errors, [...path, 'footer'], embed.footer)
  if (footer) {
    size += requiredString(errors, [...path, 'footer', 'text'], footer.text, LIMITS.footerText)
    optionalUrl(errors, [...path, 'footer', 'icon_url'], footer.icon_url, MEDIA_SCHEMES)
  }
  for (const key of ['image', 'thumbnail'] as const) {
    const media = optionalObject(errors, [...path, key], embed[key])
    if (media) requiredUrl(errors, [...path, key, 'url'], media.url, MEDIA_SCHEMES)
  }
  const author = optionalObject(errors, [...path, 'author'], embed.author)
  if (author) {
    size += requiredString(errors, [...path, 'author', 'name'], author.name, LIMITS.authorName)
    optionalUrl(errors, [...path, 'author', 'url'], author.url, WEB_SCHEMES)
    optionalUrl(errors, [...path, 'author', 'icon_url'], author.icon_url, MEDIA_SCHEMES)
  }

  const fields = embed.fields
  if (isAbsent(fields)) return size
  if (!Array.isArray(fields)) {
    errors.add([...path, 'fields'], C.list, 'Only iterables may be used in a ListType')
    return size
  }
  if (fields.length > LIMITS.fields) {
    errors.add([...path, 'fields'], C.maxLength, `Must be ${LIMITS.fields} or fewer in length.`)
  }
  fields.forEach((field, index) => {
    const fieldPath = [...path, 'fields', index]
    if (!isObject(field)) {
      errors.add(fieldPath, C.dict, 'Only dictionaries may be used in a DictType')
      return
    }
    // §2: name and value are both required, and whitespace-only counts as missing.
    size += requiredString(errors, [...fieldPath, 'name'], field.name, LIMITS.fieldName)
    size += requiredString(errors, [...fieldPath, 'value'], field.value, LIMITS.fieldValue)
    optionalBoolean(errors, [...fieldPath, 'inline'], field.inline)
  })
  return size
}

function validateUsername (errors: FormErrors, username: unknown): void {
  if (isAbsent(username)) return
  if (typeof username !== 'string') {
    errors.add(['username'], C.string, 'Could not interpret value as string.')
    return
  }
  // §1: Discord trims a name and collapses runs of whitespace before it checks it.
  const name = username.trim().replace(/\s+/g, ' ')
  const length = codePointLength(name)
  if (length < LIMITS.usernameMin || length > LIMITS.username) {
    errors.add(['username'], C.badLength, `Must be between ${LIMITS.usernameMin} and ${LIMITS.username} in length.`)
  }
  const lower = name.toLowerCase()
  for (const part of FORBIDDEN_NAME_PARTS) {
    if (lower.includes(part)) errors.add(['username'], C.usernameContains, `Username cannot contain "${part}"`)
  }
  const reserved = RESERVED_NAMES.find((r) => r === lower)
  if (reserved !== undefined) errors.add(['username'], C.usernameInvalid, `Username cannot be "${reserved}"`)
}

/** A thread name is a channel name: 1-100 characters after trimming. */
function validateThreadName (errors: FormErrors, name: unknown): void {
  if (isAbsent(name)) return
  if (typeof name !== 'string') {
    errors.add(['thread_name'], C.string, 'Could not interpret value as string.')
    return
  }
  const length = codePointLength(name.trim())
  if (length < 1 || length > LIMITS.threadName) errors.add(['thread_name'], C.badLength, `Must be between 1 and ${LIMITS.threadName} in length.`)
}

function validateAllowedMentions (errors: FormErrors, value: unknown): void {
  const mentions = optionalObject(errors, ['allowed_mentions'], value)
  if (!mentions) return
  const parse = optionalList(errors, ['allowed_mentions', 'parse'], mentions.parse)
  parse?.forEach((entry, index) => {
    if (typeof entry !== 'string' || !MENTION_TYPES.has(entry)) {
      errors.add(['allowed_mentions', 'parse', index], C.enumValue, 'Value must be one of {\'roles\', \'users\', \'everyone\'}.')
    }
  })
  for (const kind of ['roles', 'users'] as const) {
    const ids = optionalList(errors, ['allowed_mentions', kind], mentions[kind])
    if (!ids) continue
    if (ids.length > LIMITS.allowedMentionIds) {
      errors.add(['allowed_mentions', kind], C.maxLength, `Must be ${LIMITS.allowedMentionIds} or fewer in length.`)
    }
    ids.forEach((id, index) => {
      if (!isSnowflake(id)) errors.add(['allowed_mentions', kind, index], C.number, `Value "${String(id)}" is not snowflake.`)
    })
    // §6: parsing a type and listing ids of that same type is contradictory, and Discord says so.
    if (ids.length > 0 && parse?.includes(kind)) {
      errors.add(['allowed_mentions'], C.mentionsExclusive, `parse:["${kind}"] and ${kind}: [ids...] are mutually exclusive.`)
    }
  }
  optionalBoolean(errors, ['allowed_mentions', 'replied_user'], mentions.replied_user)
}

function validateFlags (errors: FormErrors, flags: unknown, hasContent: boolean, hasEmbeds: boolean): void {
  if (isAbsent(flags)) return
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0) {
    errors.add(['flags'], C.number, `Value "${String(flags)}" is not int.`)
    return
  }
  if ((flags & ~ALLOWED_FLAG_BITS) !== 0) {
    errors.add(['flags'], C.flags, 'Only SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS and IS_COMPONENTS_V2 can be set by a webhook.')
  }
  // §1: an IS_COMPONENTS_V2 message may carry only components.
  if ((flags & WEBHOOK_FLAGS.isComponentsV2) !== 0) {
    const message = 'The content and embeds fields cannot be used when using MessageFlags.IS_COMPONENTS_V2'
    if (hasContent) errors.add(['content'], C.componentsV2, message)
    if (hasEmbeds) errors.add(['embeds'], C.componentsV2, message)
  }
}

function validateColor (errors: FormErrors, path: FormPath, color: unknown): void {
  if (isAbsent(color)) return
  if (typeof color !== 'number' || !Number.isInteger(color)) {
    errors.add(path, C.number, `Value "${String(color)}" is not int.`)
  } else if (color < LIMITS.minColor) {
    errors.add(path, C.numberMin, `int value should be greater than or equal to ${LIMITS.minColor}.`)
  } else if (color > LIMITS.maxColor) {
    errors.add(path, C.numberMax, `int value should be less than or equal to ${LIMITS.maxColor}.`)
  }
}

function validateTimestamp (errors: FormErrors, path: FormPath, value: unknown): void {
  if (isAbsent(value)) return
  if (typeof value !== 'string' || !ISO8601.test(value.trim()) || Number.isNaN(Date.parse(value.trim()))) {
    errors.add(path, C.dateTime, `Could not parse ${JSON.stringify(value)}. Should be ISO8601.`)
  }
}

/** @returns the trimmed code-point length (0 when absent or invalid), for the 6000 budget. */
function optionalString (errors: FormErrors, path: FormPath, value: unknown, max: number): number {
  if (isAbsent(value)) return 0
  return checkString(errors, path, value, max)
}

function requiredString (errors: FormErrors, path: FormPath, value: unknown, max: number): number {
  if (isAbsent(value) || (typeof value === 'string' && value.trim() === '')) {
    errors.add(path, C.required, MESSAGES.required)
    return 0
  }
  return checkString(errors, path, value, max)
}

function checkString (errors: FormErrors, path: FormPath, value: unknown, max: number): number {
  if (typeof value !== 'string') {
    errors.add(path, C.string, 'Could not interpret value as string.')
    return 0
  }
  const length = codePointLength(value)
  if (length > max) errors.add(path, C.maxLength, `Must be ${max} or fewer in length.`)
  return length
}

function optionalUrl (errors: FormErrors, path: FormPath, value: unknown, schemes: readonly string[]): void {
  if (isAbsent(value)) return
  checkUrl(errors, path, value, schemes)
}

function requiredUrl (errors: FormErrors, path: FormPath, value: unknown, schemes: readonly string[]): void {
  if (isAbsent(value) || (typeof value === 'string' && value.trim() === '')) {
    errors.add(path, C.required, MESSAGES.required)
    return
  }
  checkUrl(errors, path, value, schemes)
}

function checkUrl (errors: FormErrors, path: FormPath, value: unknown, schemes: readonly string[]): void {
  if (typeof value !== 'string') {
    errors.add(path, C.string, 'Could not interpret value as string.')
    return
  }
  let protocol: string
  try {
    protocol = new URL(value.trim()).protocol
  } catch {
    errors.add(path, C.invalidUrl, 'Not a well formed URL.')
    return
  }
  if (!schemes.includes(protocol)) {
    const allowed = schemes.map((s) => `'${s.slice(0, -1)}'`).join(', ')
    errors.add(path, C.invalidScheme, `Scheme "${protocol.slice(0, -1)}" is not supported. Scheme must be one of (${allowed}).`)
  }
}

function optionalBoolean (errors: FormErrors, path: FormPath, value: unknown): void {
  if (!isAbsent(value) && typeof value !== 'boolean') errors.add(path, C.boolean, 'Must be either true or false.')
}

function optionalObject (errors: FormErrors, path: FormPath, value: unknown): Json | undefined {
  if (isAbsent(value)) return undefined
  if (!isObject(value)) {
    errors.add(path, C.dict, 'Only dictionaries may be used in a DictType')
    return undefined
  }
  return value
}

function optionalList (errors: FormErrors, path: FormPath, value: unknown): unknown[] | undefined {
  if (isAbsent(value)) return undefined
  if (!Array.isArray(value)) {
    errors.add(path, C.list, 'Only iterables may be used in a ListType')
    return undefined
  }
  return value
}

function isSnowflake (value: unknown): boolean {
  if (typeof value === 'string') return SNOWFLAKE.idPattern.test(value)
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

/** Discord treats an explicit `null` like an absent optional field. */
function isAbsent (value: unknown): value is null | undefined {
  return value === undefined || value === null
}

function isObject (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
