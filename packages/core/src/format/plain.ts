/**
 * Any value as plain data that survives structured cloning into a worker and JSON.stringify, and
 * anything thrown as a SerializedError: the copies the notifier takes of a record at the call. Never
 * throws; every walk has a depth and an entry bound (safe-value.ts has the guarded reads).
 */
import { types } from 'node:util'
import { LIMITS } from '../limits.js'
import { isError, read } from '../thrown.js'
import type { SerializedError } from '../types.js'
import { ELLIPSIS, withoutAnsi } from './text.js'
import { CIRCULAR, DEFAULT_PLAIN_DEPTH, DEFAULT_TEXT_DEPTH, MAX_AGGREGATE_ERRORS, MAX_CAUSE_DEPTH, MAX_ENTRIES, MAX_PLAIN_STRING, MAX_STACK_CHARS, REDACTED, capString, collapsed, describeLeafObject, errorType, functionLabel, get, isObject, lengthOf, ownKeys, redactSet, renderValue, throwsMarker, type Got, type SafeValueOptions } from './safe-value.js'

/** Keys of an error object that `SerializedError` carries in its own slots rather than in `extra`. */
const ERROR_OWN_SLOTS = new Set(['name', 'message', 'stack', 'code', 'cause', 'errors', 'type'])

/**
 * Reduces anything that was thrown to plain `SerializedError` data. Never throws. Handles Error subclasses,
 * `cause` chains (depth ≤ 8, cycles cut), AggregateError `errors`, pino-serialized errors (`{ type, message,
 * stack }`), strings, null, numbers, hostile objects. `redactKeys`: properties whose values become
 * '[redacted]' at any depth (case-insensitive).
 */
export function serializeError (err: unknown, redactKeys: readonly string[] = []): SerializedError {
  try {
    return serializeAt(err, 0, new WeakSet(), redactSet(redactKeys))
  } catch (error) {
    return { type: 'NonError', message: throwsMarker(error) }
  }
}

function serializeAt (err: unknown, depth: number, seen: WeakSet<object>, redacted: ReadonlySet<string>): SerializedError {
  if (!isObject(err)) return { type: 'NonError', message: renderValue(err, LIMITS.description) }
  seen.add(err)
  const native = isError(err)
  const messageGot = get(err, 'message')
  const stackGot = get(err, 'stack')
  const looksSerialized = !native && ((messageGot.ok && typeof messageGot.value === 'string') || (stackGot.ok && typeof stackGot.value === 'string'))
  if (!native && !looksSerialized) return { type: 'NonError', message: renderValue(err, LIMITS.description) }

  const out: SerializedError = { type: native ? errorType(err) : serializedType(err), message: '' }
  if (!messageGot.ok) out.message = throwsMarker(messageGot.error)
  else if (typeof messageGot.value === 'string') out.message = withoutAnsi(capString(messageGot.value, MAX_PLAIN_STRING))
  else if (messageGot.value !== undefined) out.message = renderValue(messageGot.value, LIMITS.description)
  if (stackGot.ok && typeof stackGot.value === 'string' && stackGot.value !== '') out.stack = withoutAnsi(capString(stackGot.value, MAX_STACK_CHARS))

  const code = read(err, 'code')
  if (typeof code === 'string') out.code = capString(code, LIMITS.fieldValue)
  else if (typeof code === 'number' && Number.isFinite(code)) out.code = code

  if (depth < MAX_CAUSE_DEPTH) {
    const cause = read(err, 'cause')
    if (cause !== undefined && !(isObject(cause) && seen.has(cause))) out.cause = serializeAt(cause, depth + 1, seen, redacted)
    const inner = read(err, 'errors')
    if (Array.isArray(inner)) {
      const errors: SerializedError[] = []
      for (let i = 0; i < inner.length && errors.length < MAX_AGGREGATE_ERRORS; i++) {
        const e = read(inner, i)
        if (!(isObject(e) && seen.has(e))) errors.push(serializeAt(e, depth + 1, seen, redacted))
      }
      if (errors.length > 0) out.errors = errors
    }
  }

  const keys = ownKeys(err).filter((key) => !ERROR_OWN_SLOTS.has(key)).slice(0, MAX_ENTRIES)
  if (keys.length === 0) return out
  const extra: Record<string, unknown> = {}
  const ctx: PlainContext = { redact: redacted, ancestors: [] }
  for (const key of keys) {
    const got = get(err, key)
    defineData(extra, key, redacted.has(key.toLowerCase()) ? REDACTED : got.ok ? plainAt(got.value, DEFAULT_TEXT_DEPTH, ctx) : throwsMarker(got.error))
  }
  out.extra = extra
  return out
}

/** pino's std serializer writes `{ type, message, stack }`; others write `name`. */
function serializedType (err: object): string {
  for (const key of ['type', 'name']) {
    const v = read(err, key)
    if (typeof v === 'string' && v !== '') return capString(v, LIMITS.fieldName)
  }
  return 'Error'
}

interface PlainContext {
  redact: ReadonlySet<string>
  /** The objects being walked, outermost first (a short path: walks are depth-bound). */
  ancestors: object[]
}

/**
 * Any value as plain data (objects, arrays, strings, finite numbers, booleans, null, undefined). Never
 * throws. BigInt becomes '123n', Dates ISO strings, errors SerializedError, Buffers and other leaf objects
 * their renderValue text; circular references '[Circular]', levels below `depth` '[Object]'/'[Array]'.
 * `options.redactKeys`: values under these keys (any depth, case-insensitive) become '[redacted]'.
 */
export function toPlain (value: unknown, depth: number = DEFAULT_PLAIN_DEPTH, options: SafeValueOptions = {}): unknown {
  try {
    return plainAt(value, depth, { redact: redactSet(options.redactKeys), ancestors: [] })
  } catch (error) {
    return throwsMarker(error)
  }
}

function plainAt (v: unknown, depth: number, ctx: PlainContext): unknown {
  if (typeof v === 'string') return withoutAnsi(capString(v, MAX_PLAIN_STRING))
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v)
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'symbol') return capString(v.toString(), MAX_PLAIN_STRING)
  if (typeof v === 'function') return functionLabel(v)
  if (!isObject(v)) return v
  try {
    return plainObject(v, depth, ctx)
  } catch (error) {
    return throwsMarker(error)
  }
}

function plainObject (o: object, depth: number, ctx: PlainContext): unknown {
  if (ctx.ancestors.includes(o)) return CIRCULAR
  if (isError(o)) return serializeError(o)
  const leaf = describeLeafObject(o, 0) ?? (depth <= 0 ? collapsed(o) : undefined)
  if (leaf !== undefined) return leaf
  ctx.ancestors.push(o)
  try {
    if (types.isSet(o)) {
      const result: unknown[] = []
      for (const v of o as Set<unknown>) {
        if (result.length >= MAX_ENTRIES) break
        result.push(plainAt(v, depth - 1, ctx))
      }
      return result
    }
    if (Array.isArray(o)) {
      const length = lengthOf(o)
      const result: unknown[] = []
      for (let i = 0; i < length && i < MAX_ENTRIES; i++) result.push(plainGot(get(o, i), depth - 1, ctx))
      if (length > MAX_ENTRIES) result.push(`${ELLIPSIS}${length - MAX_ENTRIES} more`)
      return result
    }
    const result: Record<string, unknown> = {}
    if (types.isMap(o)) {
      let i = 0
      for (const [k, v] of o as Map<unknown, unknown>) {
        if (i++ >= MAX_ENTRIES) break
        const key = typeof k === 'string' ? k : renderValue(k, LIMITS.fieldName)
        defineData(result, key, ctx.redact.has(key.toLowerCase()) ? REDACTED : plainAt(v, depth - 1, ctx))
      }
    } else {
      const keys = ownKeys(o)
      for (let i = 0; i < keys.length && i < MAX_ENTRIES; i++) {
        const key = keys[i]!
        defineData(result, key, ctx.redact.has(key.toLowerCase()) ? REDACTED : plainGot(get(o, key), depth - 1, ctx))
      }
    }
    return result
  } finally {
    ctx.ancestors.pop()
  }
}

function plainGot (got: Got, depth: number, ctx: PlainContext): unknown {
  return got.ok ? plainAt(got.value, depth, ctx) : throwsMarker(got.error)
}

/** Assignment would treat a `__proto__` key as the prototype; defining keeps it an ordinary key. */
function defineData (target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}
