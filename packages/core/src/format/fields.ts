/**
 * A record's context as embed fields: the include/exclude lists, redaction by key (any depth) and by
 * dotted path, `error.code` and the error's own properties. Pure; the attached file and the dead-letter
 * file use the same redaction, so nothing is shown in one place that another hides.
 */
import { LIMITS } from '../limits.js'
import type { EmbedField, LogRecord, RenderOptions, SerializedError } from '../types.js'
import { redact } from './plain.js'
import { REDACTED, renderValue } from './safe-value.js'
import { codePointLength, escapeBackticks } from './text.js'

/** A field value this short, on one line, is shown inline (three to a row). */
export const INLINE_FIELD_MAX = 40

function isObject (v: unknown): v is Record<string, unknown> & object {
  return typeof v === 'object' && v !== null
}

/**
 * The record's fields as the embed shows them (include/exclude lists, redaction, `error.code`,
 * `error.extra`), but with room for `maxFields` fields of `maxValue` code points each: the attached
 * file's view of the same data, redacted exactly as the embed is.
 */
export function recordFields (record: LogRecord, options: Required<RenderOptions>, maxFields: number, maxValue: number): EmbedField[] {
  try {
    return renderFields(record, isObject(record.error) ? record.error as SerializedError : undefined, options, maxFields, maxValue)
  } catch {
    return []
  }
}

export function renderFields (record: LogRecord, error: SerializedError | undefined, options: Required<RenderOptions>, maxFields: number = LIMITS.fields, maxValue: number = LIMITS.fieldValue): EmbedField[] {
  const allKeys = Array.isArray(options.redactKeys) ? options.redactKeys : []
  // `password` redacts that key at any depth; `user.credentials.pin` redacts exactly that path.
  const redactKeys = allKeys.filter((k) => typeof k === 'string' && !k.includes('.'))
  const redactPaths = allKeys.filter((k) => typeof k === 'string' && k.includes('.')).map((k) => k.toLowerCase().split('.'))
  const redacted = new Set(redactKeys.map((k) => String(k).toLowerCase()))
  const include = Array.isArray(options.includeFields) ? options.includeFields : []
  const exclude = new Set(Array.isArray(options.excludeFields) ? options.excludeFields : [])
  const out: EmbedField[] = []
  const add = (name: string, value: unknown): void => {
    if (out.length >= maxFields || value === undefined) return
    const text = redacted.has(name.toLowerCase()) ? REDACTED : renderValue(value, maxValue, { redactKeys })
    out.push(field(escapeBackticks(name), escapeBackticks(text)))
  }

  const fields = isObject(record.fields) ? withPathsRedacted(record.fields, redactPaths) : undefined
  if (fields !== undefined) {
    let keys: string[]
    try {
      keys = include.length > 0 ? include.filter((k) => Object.hasOwn(fields, k)) : Object.keys(fields)
    } catch {
      keys = []
    }
    for (const key of keys) {
      if (out.length >= maxFields) break
      if (exclude.has(key)) continue
      let value: unknown
      try {
        value = fields[key]
      } catch (thrown) {
        value = `[Throws: ${renderValue(thrown, INLINE_FIELD_MAX)}]`
      }
      add(key, value)
    }
  }

  if (error !== undefined) {
    const code = error.code
    if (typeof code === 'string' || typeof code === 'number') add('error.code', code)
    if (isObject(error.extra)) {
      for (const key of Object.keys(error.extra)) add(`error.${key}`, redacted.has(key.toLowerCase()) ? REDACTED : error.extra[key])
    }
  }
  return out
}

/**
 * A copy of `fields` with each dotted path (lower-cased segments, matched case-insensitively) replaced
 * by '[redacted]'. Only the objects along a matching path are copied; the record itself is never
 * changed. Never throws: an object whose keys cannot be read is left to the renderer, which copes.
 */
/**
 * `fields` as plain data with every `redactKeys` entry applied: a plain key at any depth, a dotted
 * entry (`user.credentials.pin`) at exactly that path. For what leaves the process other than the
 * embed itself: the dead-letter file.
 */
export function redactFields (fields: Record<string, unknown>, redactKeys: readonly string[]): Record<string, unknown> {
  const keys = redactKeys.filter((k) => !k.includes('.'))
  const paths = redactKeys.filter((k) => k.includes('.')).map((k) => k.toLowerCase().split('.'))
  return redact(withPathsRedacted(fields, paths), keys) as Record<string, unknown>
}

function withPathsRedacted (fields: Record<string, unknown>, paths: readonly string[][]): Record<string, unknown> {
  if (paths.length === 0) return fields
  const redactAt = (node: unknown, path: readonly string[]): unknown => {
    const [head, ...rest] = path
    if (head === undefined || typeof node !== 'object' || node === null || Array.isArray(node)) return node
    let keys: string[]
    try {
      keys = Object.keys(node)
    } catch {
      return node
    }
    let copy: Record<string, unknown> | undefined
    for (const key of keys) {
      if (key.toLowerCase() !== head) continue
      copy ??= copyOwn(node as Record<string, unknown>, keys)
      let value: unknown
      try {
        value = (node as Record<string, unknown>)[key]
      } catch {
        value = undefined
      }
      copy[key] = rest.length === 0 ? REDACTED : redactAt(value, rest)
    }
    return copy ?? node
  }
  let out: unknown = fields
  for (const path of paths) out = redactAt(out, path)
  return out as Record<string, unknown>
}

function copyOwn (node: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key of keys) {
    // A throwing getter keeps throwing in the copy, so the renderer shows it as it would have.
    const desc = Object.getOwnPropertyDescriptor(node, key)
    if (desc !== undefined) Object.defineProperty(copy, key, { ...desc, configurable: true, enumerable: true })
  }
  return copy
}

export function field (name: string, value: string): EmbedField {
  return { name, value, inline: codePointLength(value) <= INLINE_FIELD_MAX && !value.includes('\n') }
}
