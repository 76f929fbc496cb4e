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
import type { SerializedError } from '../record.js'
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
const DEFAULT_TEXT_DEPTH = 4
const DEFAULT_PLAIN_DEPTH = 6
/** Bytes of a Buffer or items of a typed array shown. */
const MAX_BYTES_SHOWN = 16
/** Strings kept in plain data: twice the largest Discord text part, so rendering still has room to cut. */
const MAX_PLAIN_STRING = LIMITS.description * 2
/** A stack deeper than this is never shown, so it is not carried either. */
const MAX_STACK_CHARS = LIMITS.description * 4
/** A thrown value described inside `[Throws: …]` is short. */
const MAX_THROWN_DESCRIPTION = 200
const UNITS_PER_CODE_POINT = 2

// ---------------------------------------------------------------------------------------------
// Guarded access

type Got = { ok: true, value: unknown } | { ok: false, error: unknown }

function get (o: unknown, key: PropertyKey): Got {
  try {
    return { ok: true, value: (o as Record<PropertyKey, unknown>)[key] }
  } catch (error) {
    return { ok: false, error }
  }
}

function getValue (o: unknown, key: PropertyKey): unknown {
  const got = get(o, key)
  return got.ok ? got.value : undefined
}

function ownKeys (o: object): string[] {
  try {
    return Object.keys(o)
  } catch {
    return []
  }
}

function capString (s: string, maxUnits: number): string {
  return s.length > maxUnits ? s.slice(0, maxUnits) + ELLIPSIS : s
}

/** A short description of something that was thrown while we looked at a value. Never throws. */
export function describeThrown (error: unknown): string {
  try {
    if (typeof error === 'string') return capString(error, MAX_THROWN_DESCRIPTION)
    if (isErrorLike(error)) {
      const message = getValue(error, 'message')
      return capString(`${errorType(error)}: ${typeof message === 'string' ? message : ''}`, MAX_THROWN_DESCRIPTION)
    }
    return capString(String(error), MAX_THROWN_DESCRIPTION)
  } catch {
    return 'unknown error'
  }
}

function throwsMarker (error: unknown): string {
  return `[Throws: ${describeThrown(error)}]`
}

function isErrorLike (v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false
  // isNativeError needs no trap, so it is safe on Proxies; instanceof catches cross-realm subclasses.
  if (types.isNativeError(v)) return true
  try {
    return v instanceof Error
  } catch {
    return false
  }
}

/**
 * The name to show for an error: an explicit `name` wins (`this.name = 'HttpError'`), otherwise the
 * constructor's name, so `class DbError extends Error {}` (whose inherited name is 'Error') shows as DbError.
 */
export function errorType (err: object): string {
  const name = getValue(err, 'name')
  if (typeof name === 'string' && name !== '' && name !== 'Error') return capString(name, LIMITS.fieldName)
  const ctor = getValue(err, 'constructor')
  const ctorName = typeof ctor === 'function' ? getValue(ctor, 'name') : undefined
  if (typeof ctorName === 'string' && ctorName !== '' && ctorName !== 'Object') return capString(ctorName, LIMITS.fieldName)
  return typeof name === 'string' && name !== '' ? name : 'Error'
}

function redactSet (keys: readonly string[] | undefined): ReadonlySet<string> {
  const set = new Set<string>()
  if (keys === undefined) return set
  for (const k of keys) if (typeof k === 'string') set.add(k.toLowerCase())
  return set
}

// ---------------------------------------------------------------------------------------------
// serializeError

/** Keys of an error object that `SerializedError` carries in its own slots rather than in `extra`. */
const ERROR_OWN_SLOTS = new Set(['name', 'message', 'stack', 'code', 'cause', 'errors', 'type'])

/**
 * Reduces anything that was thrown to plain `SerializedError` data. Never throws.
 * Handles Error subclasses, `cause` chains (depth ≤ 8, cycles cut), AggregateError `errors`,
 * pino-serialized errors (`{ type, message, stack }`), strings, null, numbers, hostile objects.
 */
export function serializeError (err: unknown): SerializedError {
  try {
    return serializeAt(err, 0, new WeakSet())
  } catch (error) {
    return { type: 'NonError', message: throwsMarker(error) }
  }
}

function serializeAt (err: unknown, depth: number, seen: WeakSet<object>): SerializedError {
  if (typeof err !== 'object' || err === null) {
    if (typeof err === 'function') return { type: 'NonError', message: renderValue(err) }
    return { type: 'NonError', message: renderValue(err, LIMITS.description) }
  }
  seen.add(err)
  const native = isErrorLike(err)
  const messageGot = get(err, 'message')
  const stackGot = get(err, 'stack')
  const looksSerialized = !native && ((messageGot.ok && typeof messageGot.value === 'string') || (stackGot.ok && typeof stackGot.value === 'string'))
  if (!native && !looksSerialized) {
    return { type: 'NonError', message: renderValue(err, LIMITS.description) }
  }

  const out: SerializedError = { type: native ? errorType(err) : serializedType(err), message: '' }
  if (!messageGot.ok) out.message = throwsMarker(messageGot.error)
  else if (typeof messageGot.value === 'string') out.message = capString(messageGot.value, MAX_PLAIN_STRING)
  else if (messageGot.value !== undefined) out.message = renderValue(messageGot.value, LIMITS.description)
  if (stackGot.ok && typeof stackGot.value === 'string' && stackGot.value !== '') out.stack = capString(stackGot.value, MAX_STACK_CHARS)

  const code = getValue(err, 'code')
  if (typeof code === 'string') out.code = capString(code, LIMITS.fieldValue)
  else if (typeof code === 'number' && Number.isFinite(code)) out.code = code

  if (depth < MAX_CAUSE_DEPTH) {
    const cause = getValue(err, 'cause')
    if (cause !== undefined && !(typeof cause === 'object' && cause !== null && seen.has(cause))) {
      out.cause = serializeAt(cause, depth + 1, seen)
    }
    const inner = getValue(err, 'errors')
    if (Array.isArray(inner) && inner.length > 0) {
      const errors: SerializedError[] = []
      for (let i = 0; i < inner.length && errors.length < MAX_AGGREGATE_ERRORS; i++) {
        const e = getValue(inner, i)
        if (typeof e === 'object' && e !== null && seen.has(e)) continue
        errors.push(serializeAt(e, depth + 1, seen))
      }
      if (errors.length > 0) out.errors = errors
    }
  }

  const extra: Record<string, unknown> = {}
  let extraCount = 0
  for (const key of ownKeys(err)) {
    if (ERROR_OWN_SLOTS.has(key)) continue
    if (extraCount >= MAX_ENTRIES) break
    const got = get(err, key)
    defineData(extra, key, got.ok ? toPlain(got.value, DEFAULT_TEXT_DEPTH) : throwsMarker(got.error))
    extraCount++
  }
  if (extraCount > 0) out.extra = extra
  return out
}

/** pino's std serializer writes `{ type, message, stack }`; others write `name`. */
function serializedType (err: object): string {
  for (const key of ['type', 'name']) {
    const v = getValue(err, key)
    if (typeof v === 'string' && v !== '') return capString(v, LIMITS.fieldName)
  }
  return 'Error'
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

function functionLabel (fn: unknown): string {
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
function describeLeafObject (o: object, depth: number): string | undefined {
  if (types.isDate(o)) {
    const t = Date.prototype.getTime.call(o)
    return Number.isNaN(t) ? 'Invalid Date' : Date.prototype.toISOString.call(o)
  }
  if (types.isRegExp(o)) return capString(RegExp.prototype.toString.call(o), LIMITS.fieldValue)
  if (isErrorLike(o)) {
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

// ---------------------------------------------------------------------------------------------
// toPlain: any value → structured-clone-safe, JSON-like data

interface PlainContext {
  redact: ReadonlySet<string>
  ancestors: Set<object>
}

/**
 * Turns any value into plain data (objects, arrays, strings, finite numbers, booleans, null,
 * undefined) that survives structured cloning into a worker and JSON.stringify. Never throws.
 * BigInt becomes '123n', Dates ISO strings, errors SerializedError, Buffers and other leaf objects
 * their renderValue text; circular references '[Circular]', deeper levels '[Object]'/'[Array]'.
 */
export function toPlain (value: unknown, depth: number = DEFAULT_PLAIN_DEPTH, options: SafeValueOptions = {}): unknown {
  try {
    return plainAt(value, depth, { redact: redactSet(options.redactKeys), ancestors: new Set() })
  } catch (error) {
    return throwsMarker(error)
  }
}

/**
 * Plain copy of `value` with the values of keys matching `keys` (case-insensitive, any depth)
 * replaced by '[redacted]'. Never throws.
 */
export function redact (value: unknown, keys: readonly string[], depth: number = DEFAULT_PLAIN_DEPTH): unknown {
  return toPlain(value, depth, { redactKeys: keys })
}

function plainAt (v: unknown, depth: number, ctx: PlainContext): unknown {
  switch (typeof v) {
    case 'string':
      return capString(v, MAX_PLAIN_STRING)
    case 'number':
      return Number.isFinite(v) ? v : String(v)
    case 'bigint':
      return `${v}n`
    case 'boolean':
    case 'undefined':
      return v
    case 'symbol':
      return capString(v.toString(), MAX_PLAIN_STRING)
    case 'function':
      return functionLabel(v)
    default:
      if (v === null) return null
      try {
        return plainObject(v as object, depth, ctx)
      } catch (error) {
        return throwsMarker(error)
      }
  }
}

function plainObject (o: object, depth: number, ctx: PlainContext): unknown {
  if (ctx.ancestors.has(o)) return CIRCULAR
  if (types.isDate(o)) {
    const t = Date.prototype.getTime.call(o)
    return Number.isNaN(t) ? 'Invalid Date' : Date.prototype.toISOString.call(o)
  }
  if (isErrorLike(o)) return serializeError(o)
  const leaf = describeLeafObject(o, 0)
  if (leaf !== undefined) return leaf
  const isArray = Array.isArray(o)
  if (depth <= 0) return isArray ? '[Array]' : types.isMap(o) ? '[Map]' : types.isSet(o) ? '[Set]' : '[Object]'
  ctx.ancestors.add(o)
  try {
    if (types.isMap(o)) {
      const result: Record<string, unknown> = {}
      let i = 0
      for (const [k, v] of o as Map<unknown, unknown>) {
        if (i++ >= MAX_ENTRIES) break
        const key = typeof k === 'string' ? k : renderValue(k, LIMITS.fieldName)
        defineData(result, key, ctx.redact.has(key.toLowerCase()) ? REDACTED : plainAt(v, depth - 1, ctx))
      }
      return result
    }
    if (types.isSet(o)) {
      const result: unknown[] = []
      for (const v of o as Set<unknown>) {
        if (result.length >= MAX_ENTRIES) break
        result.push(plainAt(v, depth - 1, ctx))
      }
      return result
    }
    if (isArray) {
      const lengthValue = getValue(o, 'length')
      const length = typeof lengthValue === 'number' ? lengthValue : 0
      const result: unknown[] = []
      for (let i = 0; i < length && i < MAX_ENTRIES; i++) {
        const got = get(o, i)
        result.push(got.ok ? plainAt(got.value, depth - 1, ctx) : throwsMarker(got.error))
      }
      if (length > MAX_ENTRIES) result.push(`${ELLIPSIS}${length - MAX_ENTRIES} more`)
      return result
    }
    const result: Record<string, unknown> = {}
    const keys = ownKeys(o)
    for (let i = 0; i < keys.length && i < MAX_ENTRIES; i++) {
      const key = keys[i] as string
      if (ctx.redact.has(key.toLowerCase())) {
        defineData(result, key, REDACTED)
        continue
      }
      const got = get(o, key)
      defineData(result, key, got.ok ? plainAt(got.value, depth - 1, ctx) : throwsMarker(got.error))
    }
    return result
  } finally {
    ctx.ancestors.delete(o)
  }
}

/** Assignment would treat a `__proto__` key as the prototype; defining keeps it an ordinary key. */
function defineData (target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}
