/**
 * Any value as plain data that survives structured cloning into a worker and JSON.stringify, and
 * anything thrown as a SerializedError: the copies the notifier takes of a record at the call. Never
 * throws; every walk has a depth and an entry bound (safe-value.ts has the guarded reads).
 */
import { types } from 'node:util'
import { LIMITS } from '../limits.js'
import { isError } from '../thrown.js'
import type { SerializedError } from '../types.js'
import { ELLIPSIS } from './text.js'
import { CIRCULAR, DEFAULT_PLAIN_DEPTH, DEFAULT_TEXT_DEPTH, MAX_AGGREGATE_ERRORS, MAX_CAUSE_DEPTH, MAX_ENTRIES, MAX_PLAIN_STRING, MAX_STACK_CHARS, REDACTED, capString, describeLeafObject, errorType, functionLabel, get, getValue, ownKeys, redactSet, renderValue, throwsMarker, type SafeValueOptions } from './safe-value.js'

// ---------------------------------------------------------------------------------------------
// serializeError

/** Keys of an error object that `SerializedError` carries in its own slots rather than in `extra`. */
const ERROR_OWN_SLOTS = new Set(['name', 'message', 'stack', 'code', 'cause', 'errors', 'type'])

/**
 * Reduces anything that was thrown to plain `SerializedError` data. Never throws.
 * Handles Error subclasses, `cause` chains (depth ≤ 8, cycles cut), AggregateError `errors`,
 * pino-serialized errors (`{ type, message, stack }`), strings, null, numbers, hostile objects.
 * `redactKeys`: properties whose values become '[redacted]' at any depth (case-insensitive).
 */
export function serializeError (err: unknown, redactKeys: readonly string[] = []): SerializedError {
  try {
    return serializeAt(err, 0, new WeakSet(), redactSet(redactKeys))
  } catch (error) {
    return { type: 'NonError', message: throwsMarker(error) }
  }
}

function serializeAt (err: unknown, depth: number, seen: WeakSet<object>, redacted: ReadonlySet<string>): SerializedError {
  if (typeof err !== 'object' || err === null) {
    if (typeof err === 'function') return { type: 'NonError', message: renderValue(err) }
    return { type: 'NonError', message: renderValue(err, LIMITS.description) }
  }
  seen.add(err)
  const native = isError(err)
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
      out.cause = serializeAt(cause, depth + 1, seen, redacted)
    }
    const inner = getValue(err, 'errors')
    if (Array.isArray(inner) && inner.length > 0) {
      const errors: SerializedError[] = []
      for (let i = 0; i < inner.length && errors.length < MAX_AGGREGATE_ERRORS; i++) {
        const e = getValue(inner, i)
        if (typeof e === 'object' && e !== null && seen.has(e)) continue
        errors.push(serializeAt(e, depth + 1, seen, redacted))
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
    defineData(extra, key, redacted.has(key.toLowerCase()) ? REDACTED : got.ok ? plainAt(got.value, DEFAULT_TEXT_DEPTH, { redact: redacted, ancestors: new Set() }) : throwsMarker(got.error))
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
  if (isError(o)) return serializeError(o)
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
