import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { levelOf, pinoErrorToSerialized, toRecord } from '@logcord/pino-discord'

/** Runs real pino and returns the objects it wrote, so the inputs are what a transport really sees. */
function capture (options: pino.LoggerOptions, log: (logger: pino.Logger<string>) => void): Array<Record<string, unknown>> {
  const lines: string[] = []
  const sink = new Writable({ write (chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
  const logger = pino({ base: { pid: 4242, hostname: 'web-1' }, ...options }, sink) as unknown as pino.Logger<string>
  log(logger)
  return lines.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
}

const one = (options: pino.LoggerOptions, log: (logger: pino.Logger<string>) => void): Record<string, unknown> => {
  const [obj] = capture(options, log)
  if (obj === undefined) throw new Error('pino wrote nothing')
  return obj
}

describe('toRecord: pino log objects become records', () => {
  it('turns logger.error(err) into an error record with the message as title text and the stack kept', () => {
    const obj = one({}, (l) => l.error(new Error('payment failed')))
    const r = toRecord(obj)
    expect(r.severity).toBe('error')
    expect(r.level).toBe('error')
    expect(r.message).toBe('payment failed')
    expect(r.error?.type).toBe('Error')
    expect(r.error?.message).toBe('payment failed')
    expect(r.error?.stack).toMatch(/^Error: payment failed\n\s+at /)
    expect(r.time).toBe(obj.time)
    expect(r.footer).toBe('web-1 · pid 4242')
    expect(r.fields).toBeUndefined()
  })

  it('keeps the message and turns extra keys into fields for logger.error({ err, orderId }, msg)', () => {
    const r = toRecord(one({}, (l) => l.error({ err: new TypeError('card declined'), orderId: 7 }, 'checkout failed')))
    expect(r.message).toBe('checkout failed')
    expect(r.error?.type).toBe('TypeError')
    expect(r.fields).toEqual({ orderId: 7 })
  })

  it('maps fatal to critical and keeps child bindings as fields', () => {
    const r = toRecord(one({}, (l) => l.child({ service: 'billing', region: 'eu' }).fatal(new Error('out of memory'))))
    expect(r.severity).toBe('critical')
    expect(r.level).toBe('fatal')
    expect(r.fields).toEqual({ service: 'billing', region: 'eu' })
  })

  it('maps every default pino level to a severity', () => {
    const objs = capture({ level: 'trace' }, (l) => { l.trace('t'); l.debug('d'); l.info('i'); l.warn('w'); l.error('e'); l.fatal('f') })
    expect(objs.map((o) => toRecord(o).severity)).toEqual(['debug', 'debug', 'info', 'warning', 'error', 'critical'])
  })

  it('rebuilds the cause chain pino folds into "caused by:" stack text, and strips it from the message', () => {
    const err = new Error('db down', { cause: new TypeError('ECONNREFUSED', { cause: new RangeError('port 0') }) })
    const r = toRecord(one({}, (l) => l.error(err)))
    expect(r.error?.message).toBe('db down')
    expect(r.error?.stack).not.toContain('caused by:')
    expect(r.error?.cause?.type).toBe('TypeError')
    expect(r.error?.cause?.message).toBe('ECONNREFUSED')
    expect(r.error?.cause?.stack).toMatch(/^TypeError: ECONNREFUSED\n/)
    expect(r.error?.cause?.cause).toMatchObject({ type: 'RangeError', message: 'port 0' })
  })

  it('accepts a nested cause object from serializers that keep one', () => {
    const e = pinoErrorToSerialized({ type: 'Error', message: 'outer', stack: 'Error: outer\n    at x', cause: { type: 'SyntaxError', message: 'inner', stack: 'SyntaxError: inner\n    at y' } })
    expect(e?.cause).toMatchObject({ type: 'SyntaxError', message: 'inner' })
  })

  it('keeps AggregateError members as errors and other error properties as code and extra', () => {
    const agg = Object.assign(new AggregateError([new Error('a'), new Error('b')], 'two failed'), { code: 'E_BOTH', statusCode: 502 })
    const r = toRecord(one({}, (l) => l.error(agg)))
    expect(r.error?.type).toBe('AggregateError')
    expect(r.error?.errors?.map((e) => e.message)).toEqual(['a', 'b'])
    expect(r.error?.code).toBe('E_BOTH')
    expect(r.error?.extra).toEqual({ statusCode: 502 })
  })

  it('honours a custom messageKey, errorKey and custom levels', () => {
    const levels = { labels: { 10: 'trace', 20: 'debug', 30: 'info', 35: 'notice', 40: 'warn', 50: 'error', 55: 'page', 60: 'fatal' }, values: { notice: 35, page: 55 } }
    const obj = one({ customLevels: { notice: 35, page: 55 }, messageKey: 'message', errorKey: 'error' },
      (l) => (l as unknown as Record<string, pino.LogFn>).page!({ error: new Error('disk') }, 'disk full'))
    const r = toRecord(obj, { messageKey: 'message', errorKey: 'error', levels })
    expect(r.message).toBe('disk full')
    expect(r.error?.message).toBe('disk')
    expect(r.level).toBe('page')
    // An unknown name counts by its number: 55 sits between error and fatal.
    expect(r.severity).toBe('error')
    expect(r.fields).toBeUndefined()
    expect(levelOf(35, levels)).toEqual({ severity: 'info', level: 'notice' })
  })

  it('reads a level written as a label by formatters.level, and an ISO time', () => {
    const obj = one({ formatters: { level: (label) => ({ level: label }) }, timestamp: pino.stdTimeFunctions.isoTime }, (l) => l.warn('disk 91%'))
    const r = toRecord(obj)
    expect(r.severity).toBe('warning')
    expect(r.level).toBe('warn')
    expect(r.time).toBe(Date.parse(obj.time as string))
  })

  it('keeps a non-error value under the error key visible as a field', () => {
    const r = toRecord(one({}, (l) => l.error({ err: 'timeout' }, 'upstream failed')))
    expect(r.error).toBeUndefined()
    expect(r.fields).toEqual({ err: 'timeout' })
  })

  it('never throws on odd input', () => {
    expect(toRecord(null, {}, 5)).toEqual({ severity: 'info', message: 'null', time: 5 })
    expect(toRecord('text', {}, 5).message).toBe('text')
    expect(toRecord({ level: 'weird', msg: { nested: true }, time: 'never' }, {}, 5)).toMatchObject({ severity: 'info', message: '{"nested":true}', time: 5 })
    expect(pinoErrorToSerialized({ stack: 'no frames here\ncaused by: also none' })?.cause).toMatchObject({ type: 'Error', message: 'also none' })
  })
})
