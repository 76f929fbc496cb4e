/**
 * Turning arbitrary application values into bounded text or plain data without ever throwing. Log
 * fields and thrown values are untrusted: circular graphs, 1 MB strings, getters that throw, Proxies
 * whose every trap throws, BigInts that JSON.stringify rejects. So every property access here is
 * guarded, every walk has a depth and entry bound, and long strings are cut before they are copied.
 */
import { Buffer } from 'node:buffer'
import { types } from 'node:util'
import { LIMITS } from '../limits.js'
import { errorName, isError, read } from '../thrown.js'
import { ELLIPSIS, MAX_UNITS_PER_CODE_POINT, truncate } from './text.js'

export interface SafeValueOptions {
  /** Keys whose values become '[redacted]' at any depth; matched case-insensitively. */
  redactKeys?: readonly string[]
}

export const REDACTED = '[redacted]'
export const CIRCULAR = '[Circular]'

/** Cause chains longer than this are cut: real chains are short, cyclic or hostile ones are not. */
export const MAX_CAUSE_DEPTH = 8
/** Inner errors of an AggregateError kept. */
export const MAX_AGGREGATE_ERRORS = 10
/** Object keys, array items, Map/Set entries shown per container. */
export const MAX_ENTRIES = 50
/** Nesting shown before an object collapses to `[Object]`: in text, and in plain data. */
export const DEFAULT_TEXT_DEPTH = 4
export const DEFAULT_PLAIN_DEPTH = 6
/** Bytes of a Buffer or items of a typed array shown. */
const MAX_BYTES_SHOWN = 16
/** Strings kept in plain data: twice the largest Discord text part, so rendering still has room to cut. */
export const MAX_PLAIN_STRING = LIMITS.description * 2
/** A stack deeper than this is never shown, so it is not carried either. */
export const MAX_STACK_CHARS = LIMITS.description * 4
/** A thrown value described inside `[Throws: …]` is short. */
const MAX_THROWN_DESCRIPTION = 200

export type Got = { ok: true, value: unknown } | { ok: false, error: unknown }

/** `o[key]`, or what reading it threw (a getter, a Proxy trap). */
export function get (o: unknown, key: PropertyKey): Got {
  try {
    return { ok: true, value: (o as Record<PropertyKey, unknown>)[key] }
  } catch (error) {
    return { ok: false, error }
  }
}

export function ownKeys (o: object): string[] {
  try {
    return Object.keys(o)
  } catch {
    return []
  }
}

/** An array's `length` as read (guarded), 0 when it is not a number. */
export function lengthOf (a: object): number {
  const length = read(a, 'length')
  return typeof length === 'number' ? length : 0
}

export function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

export function capString (s: string, maxUnits: number): string {
  return s.length > maxUnits ? s.slice(0, maxUnits) + ELLIPSIS : s
}

/** `[Throws: …]`: a short description of something thrown while we looked at a value. Never throws. */
export function throwsMarker (error: unknown): string {
  try {
    const message = isError(error) ? read(error, 'message') : undefined
    const text = typeof error === 'string' ? error : isError(error) ? `${errorType(error)}: ${typeof message === 'string' ? message : ''}` : String(error)
    return `[Throws: ${capString(text, MAX_THROWN_DESCRIPTION)}]`
  } catch {
    return '[Throws: unknown error]'
  }
}

/** The error's name for display (thrown.ts errorName), cut to a field name's length. */
export function errorType (err: object): string {
  return capString(errorName(err), LIMITS.fieldName)
}

/** The string keys, lower-cased (redaction matches case-insensitively). */
export function redactSet (keys: readonly unknown[] = NO_KEYS): ReadonlySet<string> {
  if (keys.length === 0) return NO_REDACTION
  // An option's array is the same on every call: the set is built once for it.
  let set = redactSets.get(keys)
  if (set === undefined) redactSets.set(keys, set = new Set(keys.filter((k) => typeof k === 'string').map((k) => k.toLowerCase())))
  return set
}

const NO_KEYS: readonly unknown[] = []
const NO_REDACTION: ReadonlySet<string> = new Set()
const redactSets = new WeakMap<readonly unknown[], ReadonlySet<string>>()

/** Collects output up to a cap and ignores the rest: a 1 MB string or a 100 000-item array builds nothing larger. */
class BoundedWriter {
  readonly #cap: number
  #text = ''

  constructor (cap: number) { this.#cap = cap }
  get full (): boolean { return this.#text.length > this.#cap }
  /** Units still accepted before the writer is full (plus one, so overflow is detectable). */
  get room (): number { return Math.max(0, this.#cap - this.#text.length + 1) }

  push (s: string): void {
    if (!this.full) this.#text += s.length > this.room ? s.slice(0, this.room) : s
  }

  toString (): string { return this.#text }
}

interface TextContext {
  out: BoundedWriter
  redact: ReadonlySet<string>
  /** The objects being walked, outermost first (a short path: walks are depth-bound). */
  ancestors: object[]
}

/**
 * Renders any value as compact text of at most `maxChars` code points (trimmed, as Discord counts).
 * Never throws. Strings come back as they are (trimmed, cut if long); objects and arrays as JSON-like text with
 * `[Circular]`, `[Throws: …]` for throwing getters, and `[Object]` below the depth limit.
 */
export function renderValue (value: unknown, maxChars: number = LIMITS.fieldValue, options: SafeValueOptions = {}): string {
  try {
    if (typeof value === 'string') return truncate(value, maxChars)
    // Code points are never fewer than half the UTF-16 units, so this many units always suffice.
    const out = new BoundedWriter(Math.max(0, maxChars) * MAX_UNITS_PER_CODE_POINT + MAX_UNITS_PER_CODE_POINT)
    writeValue(value, 0, { out, redact: redactSet(options.redactKeys), ancestors: [] })
    return truncate(out.toString(), maxChars)
  } catch (error) {
    return truncate(throwsMarker(error), maxChars)
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

function writeValue (v: unknown, depth: number, ctx: TextContext): void {
  const { out } = ctx
  if (out.full) return
  if (typeof v === 'string') out.push(JSON.stringify(v.length > out.room ? v.slice(0, out.room) : v))
  else if (typeof v === 'number') out.push(Object.is(v, -0) ? '-0' : String(v))
  else if (typeof v === 'bigint') out.push(`${v}n`)
  else if (typeof v === 'symbol') out.push(capString(v.toString(), out.room))
  else if (typeof v === 'function') out.push(functionLabel(v))
  else if (!isObject(v)) out.push(String(v))
  else {
    try {
      writeObject(v, depth, ctx)
    } catch (error) {
      out.push(throwsMarker(error))
    }
  }
}

export function functionLabel (fn: object): string {
  const name = read(fn, 'name')
  return `[Function ${typeof name === 'string' && name !== '' ? capString(name, LIMITS.fieldName) : '(anonymous)'}]`
}

/** `[Array]`, `[Map]`, `[Set]` or `[Object]`: a container below the depth limit. */
export function collapsed (o: object): string {
  return Array.isArray(o) ? '[Array]' : types.isMap(o) ? '[Map]' : types.isSet(o) ? '[Set]' : '[Object]'
}

function writeObject (o: object, depth: number, ctx: TextContext): void {
  const { out } = ctx
  const leaf = ctx.ancestors.includes(o) ? CIRCULAR : describeLeafObject(o, depth) ?? (depth >= DEFAULT_TEXT_DEPTH ? collapsed(o) : undefined)
  if (leaf !== undefined) {
    out.push(leaf)
    return
  }
  ctx.ancestors.push(o)
  try {
    if (types.isMap(o) || types.isSet(o)) writeCollection(o as Map<unknown, unknown> | Set<unknown>, types.isMap(o), depth, ctx)
    else writeKeyed(o, depth, ctx)
  } finally {
    ctx.ancestors.pop()
  }
}

/** Objects shown as one token rather than walked. `undefined` when the object should be walked. */
export function describeLeafObject (o: object, depth: number): string | undefined {
  if (types.isDate(o)) {
    const t = Date.prototype.getTime.call(o)
    return Number.isNaN(t) ? 'Invalid Date' : Date.prototype.toISOString.call(o)
  }
  if (types.isRegExp(o)) return capString(RegExp.prototype.toString.call(o), LIMITS.fieldValue)
  if (isError(o)) {
    const message = read(o, 'message')
    const text = `${errorType(o)}: ${typeof message === 'string' ? capString(message, LIMITS.fieldValue) : ''}`
    return depth === 0 ? text : `[${text}]`
  }
  if (Buffer.isBuffer(o) || types.isTypedArray(o)) return describeTypedArray(o)
  if (types.isAnyArrayBuffer(o)) return `${types.isSharedArrayBuffer(o) ? 'SharedArrayBuffer' : 'ArrayBuffer'} { byteLength: ${(o as ArrayBufferLike).byteLength} }`
  if (types.isDataView(o)) return `DataView { byteLength: ${(o as DataView).byteLength} }`
  if (types.isBoxedPrimitive(o)) return renderValue((o as { valueOf: () => unknown }).valueOf())
  if (types.isPromise(o)) return '[Promise]'
  if (types.isWeakMap(o)) return '[WeakMap]'
  if (types.isWeakSet(o)) return '[WeakSet]'
  const maybeUrl: unknown = o
  if (maybeUrl instanceof URL) return capString(maybeUrl.href, LIMITS.fieldValue)
  return undefined
}

/** `<Buffer 3 bytes: 01 02 ff>` or `Uint16Array(2) [1, 2]`: the first MAX_BYTES_SHOWN items, then `…`. */
function describeTypedArray (o: NodeJS.TypedArray): string {
  const buffer = Buffer.isBuffer(o)
  const shown = Array.from({ length: Math.min(o.length, MAX_BYTES_SHOWN) }, (_, i) => {
    const item = o[i] ?? 0
    if (buffer) return item.toString(16).padStart(2, '0')
    return typeof item === 'bigint' ? `${item}n` : String(item)
  })
  if (o.length > MAX_BYTES_SHOWN) shown.push(ELLIPSIS)
  if (buffer) return `<Buffer ${o.length} bytes${shown.length > 0 ? ': ' : ''}${shown.join(' ')}>`
  return `${Object.prototype.toString.call(o).slice('[object '.length, -1)}(${o.length}) [${shown.join(', ')}]`
}

/** Writes the separator before item `i`; past MAX_ENTRIES writes `, …more` and returns false instead. */
function nextItem (out: BoundedWriter, i: number, more: string): boolean {
  if (out.full) return false
  if (i >= MAX_ENTRIES) out.push(`, ${ELLIPSIS}${more}`)
  else if (i > 0) out.push(', ')
  return i < MAX_ENTRIES
}

/** `Map(n) {k => v, …}` or `Set(n) {v, …}`; a Map value under a redacted string key is not shown. */
function writeCollection (c: Map<unknown, unknown> | Set<unknown>, isMap: boolean, depth: number, ctx: TextContext): void {
  const { out } = ctx
  out.push(`${isMap ? 'Map' : 'Set'}(${c.size}) {`)
  let i = 0
  for (const [k, v] of c.entries()) {
    if (!nextItem(out, i++, '')) break
    if (isMap) {
      writeValue(k, depth + 1, ctx)
      out.push(' => ')
    }
    if (isMap && typeof k === 'string' && ctx.redact.has(k.toLowerCase())) out.push(REDACTED)
    else writeValue(v, depth + 1, ctx)
  }
  out.push('}')
}

/** `[a, b, …N more]` for an array, `Label {key: value, …N more}` for any other object. */
function writeKeyed (o: object, depth: number, ctx: TextContext): void {
  const { out } = ctx
  const isArray = Array.isArray(o)
  const label = isArray ? '' : constructorLabel(o)
  const keys = isArray ? undefined : ownKeys(o)
  const length = keys?.length ?? lengthOf(o)
  out.push(isArray ? '[' : label === '' ? '{' : `${label} {`)
  for (let i = 0; i < length; i++) {
    if (!nextItem(out, i, `${length - i} more`)) break
    const key = keys?.[i] ?? i
    if (typeof key === 'string') {
      out.push(`${IDENTIFIER.test(key) ? key : JSON.stringify(capString(key, LIMITS.fieldName))}: `)
      if (ctx.redact.has(key.toLowerCase())) {
        out.push(REDACTED)
        continue
      }
    }
    const got = get(o, key)
    if (got.ok) writeValue(got.value, depth + 1, ctx)
    else out.push(throwsMarker(got.error))
  }
  out.push(isArray ? ']' : '}')
}

/** `Foo` for class instances, '' for plain and null-prototype objects. */
function constructorLabel (o: object): string {
  try {
    const proto = Object.getPrototypeOf(o) as object | null
    if (proto === null || proto === Object.prototype) return ''
    const ctor = read(proto, 'constructor')
    const name = typeof ctor === 'function' ? read(ctor, 'name') : undefined
    return typeof name === 'string' && name !== 'Object' ? capString(name, LIMITS.fieldName) : ''
  } catch {
    return ''
  }
}
