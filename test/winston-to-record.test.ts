import Transport from 'winston-transport'
import winston from 'winston'
import { describe, expect, it } from 'vitest'
import { SEVERITY_STYLES, type PlainRecord } from '@logcord/core'
import { toRecord, type WinstonInfo } from '@logcord/winston-discord'
import { atCall } from '../packages/core/src/messages.js'

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5)

/** Records exactly what a transport's log() receives from a real logger. */
class Capture extends Transport {
  readonly infos: WinstonInfo[] = []
  override log (info: WinstonInfo, callback: () => void): void {
    this.infos.push(info)
    callback()
  }
}

/** Logs through a real Winston logger and translates what its transport got. */
async function recordsFrom (options: winston.LoggerOptions, act: (logger: winston.Logger) => void, levelMap?: Record<string, 'debug' | 'info' | 'warning' | 'error' | 'critical'>): Promise<PlainRecord[]> {
  const capture = new Capture()
  const logger = winston.createLogger({ ...options, transports: [capture] })
  act(logger)
  // Winston's object streams hand the info over on a later tick.
  await new Promise((resolve) => setImmediate(resolve))
  // As the notifier takes each record at the call: the Error serialised, the fields copied.
  return capture.infos.map((info) => atCall(toRecord(info, { now: NOW, levelMap })))
}

async function recordFrom (options: winston.LoggerOptions, act: (logger: winston.Logger) => void): Promise<PlainRecord> {
  const records = await recordsFrom(options, act)
  expect(records).toHaveLength(1)
  return records[0] as PlainRecord
}

class PaymentError extends Error {
  override name = 'PaymentError'
  code = 'E_CARD'
  amount = 42
}

const withErrors = { format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.json()) }
const plainJson = { format: winston.format.json() }

describe('toRecord on the infos a real Winston logger builds', () => {
  for (const [name, options] of [['without format.errors', plainJson], ['with format.errors({ stack: true })', withErrors]] as const) {
    describe(name, () => {
      it('logger.error(err) keeps the message, the type and the stack', async () => {
        const err = new PaymentError('payment failed')
        const r = await recordFrom(options, (l) => l.error(err))
        expect(r.severity).toBe('error')
        expect(r.level).toBe('error')
        expect(r.message).toBe('payment failed')
        expect(r.error?.type).toBe('PaymentError')
        expect(r.error?.message).toBe('payment failed')
        expect(r.error?.stack).toBe(err.stack)
        expect(r.fields?.amount).toBe(42)
      })

      it("logger.error('msg', err) keeps both messages without repeating the error's", async () => {
        const err = new TypeError('card declined')
        const r = await recordFrom(options, (l) => l.error('checkout failed', err))
        expect(r.message).toBe('checkout failed')
        expect(r.error).toMatchObject({ type: 'TypeError', message: 'card declined', stack: err.stack })
      })

      it("logger.error('msg', { err }) and { error } take the error out of the fields", async () => {
        for (const key of ['err', 'error']) {
          const err = new RangeError('out of stock')
          const r = await recordFrom(options, (l) => l.error('order failed', { [key]: err, orderId: 7 }))
          expect(r.message).toBe('order failed')
          expect(r.error).toMatchObject({ type: 'RangeError', message: 'out of stock', stack: err.stack })
          expect(r.fields).toEqual({ orderId: 7 })
        }
      })

      it('logger.log({ level, message: err }) uses the error as the message', async () => {
        const err = new Error('disk full')
        const r = await recordFrom(options, (l) => l.log({ level: 'error', message: err as unknown as string }))
        expect(r.message).toBe('disk full')
        expect(r.error).toMatchObject({ message: 'disk full', stack: err.stack })
      })

      it('defaultMeta and child metadata become fields; service becomes the record service', async () => {
        const err = new Error('timeout')
        const r = await recordFrom({ ...options, defaultMeta: { service: 'billing', region: 'eu' } }, (l) => l.child({ requestId: 'r-1' }).error(err))
        expect(r.service).toBe('billing')
        expect(r.fields).toMatchObject({ region: 'eu', requestId: 'r-1' })
        expect(r.error).toMatchObject({ message: 'timeout', stack: err.stack })
        expect(r.message).toBe('timeout')
      })

      it("a child logger's error('msg', err) keeps the Error from the splat", async () => {
        const err = new PaymentError('card expired')
        const r = await recordFrom(options, (l) => l.child({ tenant: 'acme' }).error('renewal failed', err))
        expect(r.message).toBe('renewal failed')
        expect(r.error).toMatchObject({ type: 'PaymentError', code: 'E_CARD', stack: err.stack })
        // err's own props are shown once, with the error, not again as fields.
        expect(r.fields).toEqual({ tenant: 'acme' })
      })
    })
  }

  it('a child logger reduces logger.error(err) to strings; the type is read back from the stack', async () => {
    const err = new TypeError('bad input')
    const r = await recordFrom(plainJson, (l) => l.child({ job: 'sync' }).error(err))
    expect(r.error).toMatchObject({ type: 'TypeError', message: 'bad input', stack: err.stack })
    expect(r.fields).toEqual({ job: 'sync' })
  })

  it('keeps the cause chain', async () => {
    const err = new Error('query failed', { cause: new Error('connection reset') })
    const r = await recordFrom(plainJson, (l) => l.error('report failed', err))
    expect(r.error?.cause).toMatchObject({ message: 'connection reset' })
    expect(r.fields).toBeUndefined()
  })

  it('interpolates splat arguments with format.splat() and keeps trailing metadata as fields', async () => {
    const err = new Error('nope')
    const r = await recordFrom({ format: winston.format.combine(winston.format.splat(), winston.format.json()) }, (l) => l.error('user %s failed %d times', 'ana', 3, { attempt: 3 }))
    expect(r.message).toBe('user ana failed 3 times')
    expect(r.fields).toEqual({ attempt: 3 })
    // format.splat() splices trailing metadata out of info[SPLAT] and merges only its enumerable props,
    // so after a %s token an Error must travel as { err } to keep its stack.
    const withErr = await recordFrom({ format: winston.format.combine(winston.format.splat(), winston.format.json()) }, (l) => l.error('user %s failed', 'ana', { err }))
    expect(withErr.message).toBe('user ana failed')
    expect(withErr.error).toMatchObject({ message: 'nope', stack: err.stack })
    const noTokens = await recordFrom({ format: winston.format.combine(winston.format.splat(), winston.format.json()) }, (l) => l.error('sync failed', err))
    expect(noTokens.message).toBe('sync failed')
    expect(noTokens.error).toMatchObject({ message: 'nope', stack: err.stack })
  })

  it('reads format.timestamp() into the record time and leaves it out of the fields', async () => {
    const r = await recordFrom({ format: winston.format.combine(winston.format.timestamp(), winston.format.json()) }, (l) => l.warn('slow'))
    expect(r.time).toBeGreaterThan(NOW)
    expect(r.fields).toBeUndefined()
    const custom = await recordFrom({ format: winston.format.combine(winston.format.timestamp({ format: () => 'not a date' }), winston.format.json()) }, (l) => l.warn('slow'))
    expect(custom.time).toBe(NOW)
  })

  it('uses the real level name when format.colorize() has painted info.level', async () => {
    const r = await recordFrom({ format: winston.format.combine(winston.format.colorize(), winston.format.simple()) }, (l) => l.warn('careful'))
    expect(r.level).toBe('warn')
    expect(r.severity).toBe('warning')
  })

  it('maps syslog, cli and custom levels', async () => {
    const syslog = await recordsFrom({ levels: winston.config.syslog.levels, level: 'debug' }, (l) => {
      for (const level of ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug']) l.log(level, level)
    })
    expect(syslog.map((r) => r.severity)).toEqual(['critical', 'critical', 'critical', 'error', 'warning', 'info', 'info', 'debug'])
    const custom = await recordsFrom({ levels: { page: 0, oops: 1, note: 2 }, level: 'note' }, (l) => {
      for (const level of ['page', 'oops', 'note']) l.log(level, level)
    }, { page: 'critical', oops: 'error' })
    expect(custom.map((r) => r.severity)).toEqual(['critical', 'error', 'info'])
  })

  it('leaves the discord flag, symbols and reserved keys out of the fields', async () => {
    const r = await recordFrom(plainJson, (l) => l.info('hello', { discord: true, user: { id: 1 } }))
    expect(r.fields).toEqual({ user: { id: 1 } })
  })

  it('turns the uncaught-exception info into a short message, the error and process fields', () => {
    const err = new Error('boom')
    const logger = winston.createLogger({ transports: [new Capture()] })
    const info = logger.exceptions.getAllInfo(err) as unknown as WinstonInfo
    const r = atCall(toRecord(info, { now: NOW }))
    expect(r.message).toBe('uncaughtException: boom')
    expect(r.error).toMatchObject({ message: 'boom', stack: err.stack })
    expect(Object.keys(r.fields ?? {}).sort()).toEqual(['os', 'process'])
  })
})

describe('toRecord values', () => {
  it('is copied as plain data at the call, so later mutation does not change the alert', () => {
    const user = { id: 1, tags: ['a'] }
    const r = atCall(toRecord({ level: 'info', message: 'x', user }, { now: NOW }))
    user.tags.push('b')
    expect(r.fields).toEqual({ user: { id: 1, tags: ['a'] } })
    expect(() => structuredClone(r)).not.toThrow()
  })

  it('survives circular, BigInt, function and non-finite values', () => {
    const loop: Record<string, unknown> = { name: 'loop' }
    loop.self = loop
    const r = atCall(toRecord({ level: 'info', message: 'x', loop, big: 10n, fn: () => 1, nan: Number.NaN }, { now: NOW }))
    expect(() => structuredClone(r)).not.toThrow()
    expect(r.fields?.nan).toBe('NaN')
  })

  it('renders a non-string message instead of dropping it', () => {
    expect(toRecord({ level: 'info', message: 42 }, { now: NOW }).message).toBe('42')
    expect(toRecord({ level: 'info', message: { a: 1 } }, { now: NOW }).message).toContain('a')
  })

  it('prefers levelMap, then the built-in names, then info', () => {
    expect(toRecord({ level: 'warn', message: '' }, { now: NOW, levelMap: { warn: 'critical' } }).severity).toBe('critical')
    expect(toRecord({ level: 'mystery', message: '' }, { now: NOW }).severity).toBe('info')
    expect(SEVERITY_STYLES[toRecord({ level: 'crit', message: '' }, { now: NOW }).severity].color).toBe(SEVERITY_STYLES.critical.color)
  })
})

describe('toRecord error serialization', () => {
  it('carries the Error itself, its stack unread: the notifier serialises it at the call, if it passes storm control', () => {
    let reads = 0
    const err = new Error('late')
    Object.defineProperty(err, 'stack', { get () { reads++; return 'Error: late\n    at here' } })
    const r = toRecord({ level: 'error', message: 'x', err }, { now: NOW })
    expect(r.error).toBe(err)
    expect(reads).toBe(0)
    const sent = atCall(r)
    expect(sent.error).toMatchObject({ message: 'late', stack: 'Error: late\n    at here' })
    expect(reads).toBe(1)
    expect(JSON.parse(JSON.stringify(sent))).toMatchObject({ severity: 'error', message: 'x', error: { message: 'late' } })
  })

  it('never throws on a hostile error', () => {
    const hostile = new Proxy(new Error('trap'), { get () { throw new Error('no reading') } })
    const r = toRecord({ level: 'error', message: 'x', err: hostile }, { now: NOW })
    expect(() => atCall(r)).not.toThrow()
    expect(r.message).toBe('x')
  })
})
