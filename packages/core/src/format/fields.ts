/**
 * A record's context as embed fields: the include/exclude lists, redaction by key (any depth) and by
 * dotted path, `error.code` and the error's own properties. Pure; the attached file and the dead-letter
 * file use the same redaction, so nothing is shown in one place that another hides.
 */
import { LIMITS } from '../limits.js'
import { read } from '../thrown.js'
import type { EmbedField, LogRecord, RenderOptions } from '../types.js'
import { toPlain } from './plain.js'
import { REDACTED, get, isObject, ownKeys, redactSet, renderValue } from './safe-value.js'
import { codePointLength, escapeBackticks } from './text.js'

/** A field value this short, on one line, is shown inline (three to a row). */
export const INLINE_FIELD_MAX = 40

/** The record's fields as the embed shows them: at most `maxFields` of `maxValue` code points each (the attached file asks for more room). */
export function renderFields (record: LogRecord, options: Required<RenderOptions>, maxFields: number = LIMITS.fields, maxValue: number = LIMITS.fieldValue): EmbedField[] {
  const { keys: redactKeys, paths } = splitRedactKeys(Array.isArray(options.redactKeys) ? options.redactKeys : [])
  const redacted = redactSet(redactKeys)
  const include = Array.isArray(options.includeFields) ? options.includeFields : []
  const exclude = new Set(Array.isArray(options.excludeFields) ? options.excludeFields : [])
  const out: EmbedField[] = []
  const add = (name: string, value: unknown): void => {
    if (out.length >= maxFields || value === undefined) return
    const text = redacted.has(name.toLowerCase()) ? REDACTED : renderValue(value, maxValue, { redactKeys })
    out.push(field(escapeBackticks(name), escapeBackticks(text)))
  }

  const fields = isObject(record.fields) ? withPathsRedacted(record.fields, paths) : undefined
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
      const got = get(fields, key)
      add(key, got.ok ? got.value : `[Throws: ${renderValue(got.error, INLINE_FIELD_MAX)}]`)
    }
  }

  const error = record.error
  if (isObject(error)) {
    const code = error.code
    if (typeof code === 'string' || typeof code === 'number') add('error.code', code)
    if (isObject(error.extra)) {
      for (const key of Object.keys(error.extra)) add(`error.${key}`, redacted.has(key.toLowerCase()) ? REDACTED : error.extra[key])
    }
  }
  return out
}

/** `password` redacts that key at any depth; `user.credentials.pin` exactly that path (segments lower-cased). */
function splitRedactKeys (all: readonly unknown[]): { keys: string[], paths: string[][] } {
  // An option's array is the same on every call: it is split once.
  let split = splits.get(all)
  if (split === undefined) {
    const strings = all.filter((k) => typeof k === 'string')
    splits.set(all, split = { keys: strings.filter((k) => !k.includes('.')), paths: strings.filter((k) => k.includes('.')).map((k) => k.toLowerCase().split('.')) })
  }
  return split
}

const splits = new WeakMap<readonly unknown[], { keys: string[], paths: string[][] }>()

/** `fields` as plain data with every `redactKeys` entry applied (splitRedactKeys), for the dead-letter file. */
export function redactFields (fields: Record<string, unknown>, redactKeys: readonly string[]): Record<string, unknown> {
  const { keys, paths } = splitRedactKeys(redactKeys)
  return toPlain(withPathsRedacted(fields, paths), undefined, { redactKeys: keys }) as Record<string, unknown>
}

/**
 * A copy of `fields` with each dotted path (lower-cased segments, matched case-insensitively) as '[redacted]', copying only
 * the objects along it. Never throws: an object whose keys cannot be read is left to the renderer, which copes.
 */
function withPathsRedacted (fields: Record<string, unknown>, paths: readonly string[][]): Record<string, unknown> {
  const redactAt = (node: unknown, path: readonly string[]): unknown => {
    const [head, ...rest] = path
    if (head === undefined || !isObject(node) || Array.isArray(node)) return node
    const keys = ownKeys(node)
    let copy: Record<string, unknown> | undefined
    for (const key of keys) {
      if (key.toLowerCase() !== head) continue
      if (copy === undefined) {
        copy = {}
        for (const k of keys) {
          // A throwing getter keeps throwing in the copy, so the renderer shows it as it would have.
          const desc = Object.getOwnPropertyDescriptor(node, k)
          if (desc !== undefined) Object.defineProperty(copy, k, { ...desc, configurable: true, enumerable: true })
        }
      }
      copy[key] = rest.length === 0 ? REDACTED : redactAt(read(node, key), rest)
    }
    return copy ?? node
  }
  let out: unknown = fields
  for (const path of paths) out = redactAt(out, path)
  return out as Record<string, unknown>
}

export function field (name: string, value: string): EmbedField {
  return { name, value, inline: codePointLength(value) <= INLINE_FIELD_MAX && !value.includes('\n') }
}
