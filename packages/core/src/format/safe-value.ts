/**
 * Turning arbitrary application values into bounded text or plain data without ever throwing.
 *
 * Log fields and thrown values are untrusted: circular graphs, 1 MB strings, getters that throw,
 * Proxies whose every trap throws, BigInts that JSON.stringify rejects. The logging path must outlive
 * all of them (style habit 4), so every property access here is guarded, every walk has a depth and
 * entry bound, and long strings are cut before they are copied.
 */
import { Buffer } from 'node:buffer'
import { types } from 'node:util'
import { LIMITS } from '../limits.js'
import { errorName, isError } from '../thrown.js'
import { ELLIPSIS, truncate } from './text.js'

export interface SafeValueOptions {
  /** Keys whose values become '[redacted]' at any depth; matched case-insensitively. */
  redactKeys?: readonly string[]
  /** Nesting shown before an object collapses to `[Object]`. @default 4 for text, 6 for plain data */
  maxDepth?: number
}

export const REDACTED = '[redacted]'
export const CIRCULAR = '[Circular]'

/** Cause chains longer than this are cut: real chains are short, cyclic or hostile ones are not. */
export const MAX_CAUSE_DEPTH = 8
/** Inner errors of an AggregateError kept. */
export const MAX_AGGREGATE_ERRORS = 10
/** Object keys, array items, Map/Set entries shown per container. */
export const MAX_ENTRIES = 50
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
const UNITS_PER_CODE_POINT = 2

// ---------------------------------------------------------------------------------------------
// Guarded access

type Got = { ok: true, value: unknown } | { ok: false, error: unknown }

export function get (o: unknown, key: PropertyKey): Got {
  try {
    return { ok: true, value: (o as Record<PropertyKey, unknown>)[key] }
  } catch (error) {
    return { ok: false, error }
  }
}

export function getValue (o: unknown, key: PropertyKey): unknown {
  const got = get(o, key)
  return got.ok ? got.value : undefined
}

export function ownKeys (o: object): string[] {
  try {
    return Object.keys(o)
  } catch {
    return []
  }
}

export function capString (s: string, maxUnits: number): string {
  return s.length > maxUnits ? s.slice(0, maxUnits) + ELLIPSIS : s
}

/** A short description of something that was thrown while we looked at a value. Never throws. */
export function describeThrown (error: unknown): string {
  try {
    if (typeof error === 'string') return capString(error, MAX_THROWN_DESCRIPTION)
    if (isError(error)) {
      const message = getValue(error, 'message')
      return capString(`${errorType(error)}: ${typeof message === 'string' ? message : ''}`, MAX_THROWN_DESCRIPTION)
    }
    return capString(String(error), MAX_THROWN_DESCRIPTION)
  } catch {
    return 'unknown error'
  }
}

export function throwsMarker (error: unknown): string {
  return `[Throws: ${describeThrown(error)}]`
}

/** The error's name for display (thrown.ts errorName), cut to a field name's length. */
export function errorType (err: object): string {
  return capString(errorName(err), LIMITS.fieldName)
}

export function redactSet (keys: readonly string[] | undefined): ReadonlySet<string> {
  const set = new Set<string>()
  if (keys === undefined) return set
  for (const k of keys) if (typeof k === 'string') set.add(k.toLowerCase())
  return set
}

// ---------------------------------------------------------------------------------------------
// renderValue: any value → bounded one-line-ish text

/**
 * Collects output up to a cap and then ignores the rest, so rendering a 1 MB string or a
 * 100 000-item array builds nothing larger than the cap.
 */
class BoundedWriter {
  readonly #parts: string[] = []
  readonly #cap: number
  #length = 0

  constructor (cap: number) {
    this.#cap = cap
  }

  get full (): boolean {
    return this.#length > this.#cap
  }

  /** Units still accepted before the writer is full (plus one, so overflow is detectable). */
  get room (): number {
    return Math.max(0, this.#cap - this.#length + 1)
  }

  push (s: string): void {
    if (this.full) return
    const part = s.length > this.room ? s.slice(0, this.room) : s
    this.#parts.push(part)
    this.#length += part.length
  }

  toString (): string {
    return this.#parts.join('')
  }
}

interface TextContext {
  out: BoundedWriter
  redact: ReadonlySet<string>
  maxDepth: number
  ancestors: Set<object>
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
    const out = new BoundedWriter(Math.max(0, maxChars) * UNITS_PER_CODE_POINT + UNITS_PER_CODE_POINT)
    writeValue(value, 0, {
      out,
      redact: redactSet(options.redactKeys),
      maxDepth: options.maxDepth ?? DEFAULT_TEXT_DEPTH,
      ancestors: new Set()
    })
    return truncate(out.toString(), maxChars)
  } catch (error) {
    return truncate(throwsMarker(error), maxChars)
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

function writeValue (v: unknown, depth: number, ctx: TextContext): void {
  const { out } = ctx
  if (out.full) return
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v.length > out.room ? v.slice(0, out.room) : v))
      return
    case 'number':
      out.push(Object.is(v, -0) ? '-0' : String(v))
      return
    case 'bigint':
      out.push(`${v}n`)
      return
    case 'boolean':
    case 'undefined':
      out.push(String(v))
      return
    case 'symbol':
      out.push(capString(v.toString(), out.room))
      return
    case 'function':
      out.push(functionLabel(v))
      return
    default:
      if (v === null) {
        out.push('null')
        return
      }
      try {
        writeObject(v as object, depth, ctx)
      } catch (error) {
        out.push(throwsMarker(error))
      }
  }
}

export function functionLabel (fn: unknown): string {
  const name = getValue(fn, 'name')
  return `[Function ${typeof name === 'string' && name !== '' ? capString(name, LIMITS.fieldName) : '(anonymous)'}]`
}

function writeObject (o: object, depth: number, ctx: TextContext): void {
  const { out } = ctx
  if (ctx.ancestors.has(o)) {
    out.push(CIRCULAR)
    return
  }
  const leaf = describeLeafObject(o, depth)
  if (leaf !== undefined) {
    out.push(leaf)
    return
  }
  const isArray = Array.isArray(o)
  if (depth >= ctx.maxDepth) {
    out.push(isArray ? '[Array]' : types.isMap(o) ? '[Map]' : types.isSet(o) ? '[Set]' : '[Object]')
    return
  }
  ctx.ancestors.add(o)
  try {
    if (types.isMap(o)) writeMap(o as Map<unknown, unknown>, depth, ctx)
    else if (types.isSet(o)) writeSet(o as Set<unknown>, depth, ctx)
    else if (isArray) writeArray(o as unknown[], depth, ctx)
    else writePlainObject(o, depth, ctx)
  } finally {
    ctx.ancestors.delete(o)
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
    const message = getValue(o, 'message')
    const text = `${errorType(o)}: ${typeof message === 'string' ? capString(message, LIMITS.fieldValue) : ''}`
    return depth === 0 ? text : `[${text}]`
  }
  if (Buffer.isBuffer(o)) return describeBytes('Buffer', o)
  if (types.isTypedArray(o)) return describeTypedArray(o)
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

function describeBytes (label: string, bytes: Uint8Array): string {
  const shown: string[] = []
  for (let i = 0; i < bytes.length && i < MAX_BYTES_SHOWN; i++) shown.push((bytes[i] ?? 0).toString(16).padStart(2, '0'))
  const more = bytes.length > MAX_BYTES_SHOWN ? ` ${ELLIPSIS}` : ''
  return `<${label} ${bytes.length} bytes${shown.length > 0 ? ': ' : ''}${shown.join(' ')}${more}>`
}

function describeTypedArray (o: NodeJS.TypedArray): string {
  const name = Object.prototype.toString.call(o).slice('[object '.length, -1)
  const shown: string[] = []
  for (let i = 0; i < o.length && i < MAX_BYTES_SHOWN; i++) {
    const item = o[i]
    shown.push(typeof item === 'bigint' ? `${item}n` : String(item))
  }
  const more = o.length > MAX_BYTES_SHOWN ? `, ${ELLIPSIS}` : ''
  return `${name}(${o.length}) [${shown.join(', ')}${more}]`
}

function writeMap (m: Map<unknown, unknown>, depth: number, ctx: TextContext): void {
  const { out } = ctx
  out.push(`Map(${m.size}) {`)
  let i = 0
  for (const [k, v] of m) {
    if (out.full) return
    if (i >= MAX_ENTRIES) {
      out.push(`, ${ELLIPSIS}`)
      break
    }
    if (i > 0) out.push(', ')
    writeValue(k, depth + 1, ctx)
    out.push(' => ')
    if (typeof k === 'string' && ctx.redact.has(k.toLowerCase())) out.push(REDACTED)
    else writeValue(v, depth + 1, ctx)
    i++
  }
  out.push('}')
}

function writeSet (s: Set<unknown>, depth: number, ctx: TextContext): void {
  const { out } = ctx
  out.push(`Set(${s.size}) {`)
  let i = 0
  for (const v of s) {
    if (out.full) return
    if (i >= MAX_ENTRIES) {
      out.push(`, ${ELLIPSIS}`)
      break
    }
    if (i > 0) out.push(', ')
    writeValue(v, depth + 1, ctx)
    i++
  }
  out.push('}')
}

function writeArray (a: unknown[], depth: number, ctx: TextContext): void {
  const { out } = ctx
  const lengthValue = getValue(a, 'length')
  const length = typeof lengthValue === 'number' ? lengthValue : 0
  out.push('[')
  for (let i = 0; i < length; i++) {
    if (out.full) return
    if (i >= MAX_ENTRIES) {
      out.push(`, ${ELLIPSIS}${length - i} more`)
      break
    }
    if (i > 0) out.push(', ')
    const got = get(a, i)
    if (got.ok) writeValue(got.value, depth + 1, ctx)
    else out.push(throwsMarker(got.error))
  }
  out.push(']')
}

function writePlainObject (o: object, depth: number, ctx: TextContext): void {
  const { out } = ctx
  const label = constructorLabel(o)
  if (label !== '') out.push(`${label} `)
  const keys = ownKeys(o)
  out.push('{')
  for (let i = 0; i < keys.length; i++) {
    if (out.full) return
    if (i >= MAX_ENTRIES) {
      out.push(`, ${ELLIPSIS}${keys.length - i} more`)
      break
    }
    const key = keys[i] as string
    if (i > 0) out.push(', ')
    out.push(IDENTIFIER.test(key) ? key : JSON.stringify(capString(key, LIMITS.fieldName)))
    out.push(': ')
    if (ctx.redact.has(key.toLowerCase())) {
      out.push(REDACTED)
      continue
    }
    const got = get(o, key)
    if (got.ok) writeValue(got.value, depth + 1, ctx)
    else out.push(throwsMarker(got.error))
  }
  out.push('}')
}

/** `Foo` for class instances, '' for plain and null-prototype objects. */
function constructorLabel (o: object): string {
  try {
    const proto: unknown = Object.getPrototypeOf(o)
    if (proto === null || proto === Object.prototype) return ''
    const ctor = getValue(proto, 'constructor')
    const name = typeof ctor === 'function' ? getValue(ctor, 'name') : undefined
    return typeof name === 'string' && name !== 'Object' ? capString(name, LIMITS.fieldName) : ''
  } catch {
    return ''
  }
}
