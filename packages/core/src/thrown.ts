/**
 * Reading what was thrown without trusting it (an Error from any realm, getters or Proxy traps that throw, a
 * plain value), for the serializer (format/) and storm control (storm/).
 */
import { types } from 'node:util'

/** True for an Error (any realm, subclasses, objects that only inherit from Error.prototype). Never throws. */
export function isError (value: unknown): value is Error {
  if (typeof value !== 'object' || value === null) return false
  try {
    if (value instanceof Error) return true
  } catch {}
  // Needs no trap, so it is safe on a Proxy.
  return types.isNativeError(value)
}

/** `o[key]`, or undefined when reading it throws (a getter, a Proxy trap). */
export function read (o: object, key: PropertyKey): unknown {
  try {
    return (o as Record<PropertyKey, unknown>)[key]
  } catch {
    return undefined
  }
}

/**
 * The name to show: an explicit `name` wins (`this.name = 'HttpError'`), else the constructor's, so `class
 * DbError extends Error {}` (inherited name 'Error') shows as DbError. Never reads the stack.
 */
export function errorName (err: object): string {
  const name = read(err, 'name')
  if (typeof name === 'string' && name !== '' && name !== 'Error') return name
  const ctor = read(err, 'constructor')
  const ctorName = typeof ctor === 'function' ? read(ctor, 'name') : undefined
  if (typeof ctorName === 'string' && ctorName !== '' && ctorName !== 'Object') return ctorName
  return typeof name === 'string' && name !== '' ? name : 'Error'
}
