import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { serializeError, toPlain } from '../src/format/plain.js'
import { renderValue } from '../src/format/safe-value.js'

const hostileProxy = (): object => new Proxy({}, {
  get () { throw new Error('trap: get') },
  has () { throw new Error('trap: has') },
  ownKeys () { throw new Error('trap: ownKeys') },
  getPrototypeOf () { throw new Error('trap: getPrototypeOf') },
  getOwnPropertyDescriptor () { throw new Error('trap: getOwnPropertyDescriptor') }
})

const throwingGetter = (): object => Object.defineProperty({ ok: 1 }, 'bad', { enumerable: true, get () { throw new Error('nope') } })

describe('serializeError', () => {
  it('keeps type, message and stack of an Error', () => {
    const s = serializeError(new TypeError('bad input'))
    expect(s.type).toBe('TypeError')
    expect(s.message).toBe('bad input')
    expect(s.stack).toContain('TypeError: bad input')
  })

  it('names a subclass by its constructor when it does not set name', () => {
    class DbError extends Error {}
    expect(serializeError(new DbError('x')).type).toBe('DbError')
  })

  it('prefers an explicit name over the constructor', () => {
    class Failure extends Error { override name = 'HttpFailure' }
    expect(serializeError(new Failure('x')).type).toBe('HttpFailure')
  })

  it('follows cause chains', () => {
    const s = serializeError(new Error('top', { cause: new RangeError('middle', { cause: 'root string' }) }))
    expect(s.cause?.type).toBe('RangeError')
    expect(s.cause?.cause).toEqual({ type: 'NonError', message: 'root string' })
  })

  it('cuts cause chains at depth 8', () => {
    let err = new Error('e0')
    for (let i = 1; i <= 20; i++) err = new Error(`e${i}`, { cause: err })
    let depth = 0
    for (let c = serializeError(err).cause; c !== undefined; c = c.cause) depth++
    expect(depth).toBe(8)
  })

  it('stops at a cyclic cause', () => {
    const a = new Error('a')
    const b = new Error('b', { cause: a })
    ;(a as { cause?: unknown }).cause = b
    const s = serializeError(a)
    expect(s.cause?.message).toBe('b')
    expect(s.cause?.cause).toBeUndefined()
  })

  it('lists the inner errors of an AggregateError', () => {
    const s = serializeError(new AggregateError([new TypeError('one'), new Error('two')], 'all failed'))
    expect(s.type).toBe('AggregateError')
    expect(s.errors?.map((e) => e.message)).toEqual(['one', 'two'])
  })

  it('keeps code and other own enumerable properties as plain data', () => {
    const err = Object.assign(new Error('refused'), { code: 'ECONNREFUSED', port: 5432, big: 10n, self: undefined as unknown })
    err.self = err
    const s = serializeError(err)
    expect(s.code).toBe('ECONNREFUSED')
    expect(s.extra).toEqual({ port: 5432, big: '10n', self: expect.any(Object) })
    expect(() => structuredClone(s)).not.toThrow()
    expect(() => JSON.stringify(s)).not.toThrow()
  })

  it('turns thrown non-errors into NonError', () => {
    expect(serializeError('boom')).toEqual({ type: 'NonError', message: 'boom' })
    expect(serializeError(null)).toEqual({ type: 'NonError', message: 'null' })
    expect(serializeError(undefined)).toEqual({ type: 'NonError', message: 'undefined' })
    expect(serializeError(42)).toEqual({ type: 'NonError', message: '42' })
    expect(serializeError({ a: 1 }).message).toBe('{a: 1}')
  })

  it('reads pino-serialized errors ({ type, message, stack })', () => {
    const s = serializeError({ type: 'ValidationError', message: 'bad', stack: 'ValidationError: bad\n    at x', statusCode: 400 })
    expect(s).toMatchObject({ type: 'ValidationError', message: 'bad', stack: 'ValidationError: bad\n    at x', extra: { statusCode: 400 } })
  })

  it('survives errors whose getters throw', () => {
    const err = new Error('base')
    Object.defineProperty(err, 'message', { get () { throw new Error('no message for you') } })
    Object.defineProperty(err, 'detail', { enumerable: true, get () { throw new Error('no detail') } })
    const s = serializeError(err)
    expect(s.message).toContain('[Throws:')
    expect(s.extra?.detail).toContain('[Throws:')
  })

  it('survives a Proxy that throws on every trap', () => {
    const s = serializeError(hostileProxy())
    expect(typeof s.type).toBe('string')
    expect(typeof s.message).toBe('string')
  })

  it('bounds a huge message', () => {
    const s = serializeError(new Error('m'.repeat(1_000_000)))
    expect(s.message.length).toBeLessThan(20_000)
  })
})

describe('renderValue', () => {
  it('renders primitives', () => {
    expect(renderValue('plain text')).toBe('plain text')
    expect(renderValue(42)).toBe('42')
    expect(renderValue(-0)).toBe('-0')
    expect(renderValue(123n)).toBe('123n')
    expect(renderValue(true)).toBe('true')
    expect(renderValue(null)).toBe('null')
    expect(renderValue(undefined)).toBe('undefined')
    expect(renderValue(Symbol('s'))).toBe('Symbol(s)')
  })

  it('renders functions by name', () => {
    expect(renderValue(function handler () {})).toBe('[Function handler]')
    expect(renderValue(() => {})).toBe('[Function (anonymous)]')
  })

  it('renders dates as ISO and invalid dates safely', () => {
    expect(renderValue(new Date(0))).toBe('1970-01-01T00:00:00.000Z')
    expect(renderValue(new Date(Number.NaN))).toBe('Invalid Date')
  })

  it('renders regular expressions and errors', () => {
    expect(renderValue(/a+b/gi)).toBe('/a+b/gi')
    expect(renderValue(new RangeError('too big'))).toBe('RangeError: too big')
    expect(renderValue({ err: new TypeError('x') })).toBe('{err: [TypeError: x]}')
  })

  it('renders Buffers as a short hex preview', () => {
    expect(renderValue(Buffer.from([1, 2, 255]))).toBe('<Buffer 3 bytes: 01 02 ff>')
    const big = renderValue(Buffer.alloc(1_000_000))
    expect(big.startsWith('<Buffer 1000000 bytes: 00 00')).toBe(true)
    expect(big.length).toBeLessThan(100)
  })

  it('renders typed arrays and ArrayBuffers', () => {
    expect(renderValue(new Uint16Array([1, 2]))).toBe('Uint16Array(2) [1, 2]')
    expect(renderValue(new BigInt64Array([5n]))).toBe('BigInt64Array(1) [5n]')
    expect(renderValue(new ArrayBuffer(8))).toBe('ArrayBuffer { byteLength: 8 }')
  })

  it('renders Maps and Sets as their entries', () => {
    expect(renderValue(new Map<unknown, unknown>([['a', 1], [2, { b: true }]]))).toBe('Map(2) {"a" => 1, 2 => {b: true}}')
    expect(renderValue(new Set(['x', 1n]))).toBe('Set(2) {"x", 1n}')
  })

  it('renders objects and arrays as compact JSON-like text', () => {
    expect(renderValue({ a: 1, 'b-c': 'two', d: [1, null, undefined] })).toBe('{a: 1, "b-c": "two", d: [1, null, undefined]}')
  })

  it('names class instances', () => {
    class Point { x = 1 }
    expect(renderValue(new Point())).toBe('Point {x: 1}')
  })

  it('shows circular references as [Circular] but repeats shared ones', () => {
    const o: Record<string, unknown> = { name: 'root' }
    o.self = o
    const shared = { v: 1 }
    expect(renderValue(o)).toBe('{name: "root", self: [Circular]}')
    expect(renderValue({ a: shared, b: shared })).toBe('{a: {v: 1}, b: {v: 1}}')
  })

  it('collapses levels below the depth limit', () => {
    expect(renderValue({ a: { b: { c: { d: { e: 1 } } } } })).toBe('{a: {b: {c: {d: [Object]}}}}')
  })

  it('shows a throwing getter as [Throws: …] and keeps the other keys', () => {
    expect(renderValue(throwingGetter())).toBe('{ok: 1, bad: [Throws: Error: nope]}')
  })

  it('survives a Proxy that throws on every trap', () => {
    expect(renderValue(hostileProxy())).toContain('[Throws:')
    expect(renderValue({ p: hostileProxy() })).toContain('[Throws:')
  })

  it('renders a harmless Proxy like its target', () => {
    expect(renderValue(new Proxy({ a: 1 }, {}))).toBe('{a: 1}')
  })

  it('stays within maxChars, in code points, with an ellipsis', () => {
    const out = renderValue({ list: Array.from({ length: 1000 }, (_, i) => `item-${i}-😀`) }, 100)
    expect([...out].length).toBeLessThanOrEqual(100)
    expect(out.endsWith('…')).toBe(true)
  })

  it('cuts 1 MB inputs early instead of building huge strings', () => {
    const huge = 'x'.repeat(1_000_000)
    const started = performance.now()
    for (let i = 0; i < 50; i++) {
      renderValue(huge)
      renderValue({ huge })
      renderValue([huge, huge])
      renderValue(Array.from({ length: 10 }, () => huge))
    }
    expect(performance.now() - started).toBeLessThan(1000)
    expect([...renderValue({ huge })].length).toBe(1024)
  })

  it('bounds arrays with many items', () => {
    const out = renderValue(Array.from({ length: 100_000 }, (_, i) => i), 10_000)
    expect(out).toContain('…99950 more')
  })

  it('redacts matching keys at any depth, case-insensitively', () => {
    const out = renderValue({ user: { name: 'ann', Password: 'hunter2', nested: [{ TOKEN: 'abc' }] } }, 1024, { redactKeys: ['password', 'token'] })
    expect(out).toBe('{user: {name: "ann", Password: [redacted], nested: [{TOKEN: [redacted]}]}}')
  })

  it('redacts matching Map keys', () => {
    expect(renderValue(new Map([['secret', 's']]), 1024, { redactKeys: ['SECRET'] })).toBe('Map(1) {"secret" => [redacted]}')
  })
})

describe('toPlain', () => {
  it('produces data that survives structuredClone and JSON', () => {
    const o: Record<string, unknown> = {
      big: 1n,
      nan: Number.NaN,
      date: new Date(0),
      fn () {},
      sym: Symbol('x'),
      buf: Buffer.from('hi'),
      map: new Map([['k', 1]]),
      set: new Set([1, 2]),
      err: new Error('inner'),
      getter: undefined
    }
    Object.defineProperty(o, 'getter', { enumerable: true, get () { throw new Error('x') } })
    o.self = o
    const plain = toPlain(o) as Record<string, unknown>
    expect(() => structuredClone(plain)).not.toThrow()
    expect(() => JSON.stringify(plain)).not.toThrow()
    expect(plain).toMatchObject({
      big: '1n',
      nan: 'NaN',
      date: '1970-01-01T00:00:00.000Z',
      fn: '[Function fn]',
      sym: 'Symbol(x)',
      buf: '<Buffer 2 bytes: 68 69>',
      map: { k: 1 },
      set: [1, 2],
      err: { type: 'Error', message: 'inner' },
      self: '[Circular]'
    })
    expect(plain.getter).toContain('[Throws:')
  })

  it('keeps a __proto__ key as an ordinary key', () => {
    const plain = toPlain(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype)
    expect(Object.hasOwn(plain, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('survives a Proxy that throws on every trap', () => {
    expect(() => toPlain({ p: hostileProxy() })).not.toThrow()
  })

  it('collapses levels below the given depth', () => {
    expect(toPlain({ a: { b: { c: 1 } } }, 2)).toEqual({ a: { b: '[Object]' } })
  })
})

describe('toPlain redactKeys', () => {
  it('replaces matching keys at any depth in a plain copy', () => {
    const input = { Authorization: 'Bearer x', deep: { list: [{ apiKey: 'k', keep: 1 }] } }
    expect(toPlain(input, undefined, { redactKeys: ['authorization', 'APIKEY'] })).toEqual({ Authorization: '[redacted]', deep: { list: [{ apiKey: '[redacted]', keep: 1 }] } })
    expect(input.Authorization).toBe('Bearer x')
  })
})
