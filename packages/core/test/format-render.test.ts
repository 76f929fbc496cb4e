import { describe, expect, it } from 'vitest'
import { embedLength } from '../src/format/fit.js'
import { renderRecord, type RenderRecordOptions } from '../src/format/render.js'
import { serializeError } from '../src/format/plain.js'
import { SEVERITY_STYLES } from '../src/levels.js'
import { DEFAULTS } from '../src/options/table.js'
import type { LogRecord } from '../src/types.js'

const TIME = Date.UTC(2024, 0, 31, 12, 0, 0)
const opts = (over: Partial<RenderRecordOptions> = {}): RenderRecordOptions => ({ ...DEFAULTS.render, budget: 6000, ...over })
const rec = (over: Partial<LogRecord> = {}): LogRecord => ({ severity: 'error', message: 'Payment failed', time: TIME, ...over })

/** A realistic V8 error with a deep stack. */
function deepError (frames = 40, err: Error = new TypeError("Cannot read properties of undefined (reading 'id')"), fn = 'handler'): Error {
  err.stack = [`${err.name}: ${err.message}`, ...Array.from({ length: frames }, (_, i) => `    at ${fn}${i} (/srv/app/src/routes/payments/${fn}-${i}.js:${i + 10}:17)`)].join('\n')
  return err
}

describe('renderRecord layout', () => {
  it('renders colour, title, footer, author and timestamp from the record', () => {
    const e = renderRecord(rec({ service: 'billing', level: 'fatal', footer: 'host-1 · pid 42', severity: 'critical' }), opts())
    expect(e.color).toBe(SEVERITY_STYLES.critical.color)
    expect(e.title).toBe('🚨 Payment failed')
    expect(e.author).toEqual({ name: 'billing' })
    expect(e.footer).toEqual({ text: 'Critical (fatal) · host-1 · pid 42' })
    expect(e.timestamp).toBe('2024-01-31T12:00:00.000Z')
    expect(e.description).toBeUndefined()
  })

  it('fills every title placeholder', () => {
    const e = renderRecord(rec({ service: 'api', level: 'err' }), opts({ titleTemplate: '[{label}/{level}] {service}: {message} {emoji}' }))
    expect(e.title).toBe('[Error/err] api: Payment failed 🔴')
  })

  it('puts the rest of a multi-line message into the description', () => {
    const e = renderRecord(rec({ message: '\nFirst line\nsecond line\nthird line' }), opts())
    expect(e.title).toBe('🔴 First line')
    expect(e.description).toBe('second line\nthird line')
  })

  it('shows a first line too long for the title in full in the description', () => {
    const long = 'word '.repeat(100).trim()
    const e = renderRecord(rec({ message: long }), opts())
    expect([...e.title ?? ''].length).toBe(256)
    expect(e.title?.endsWith('…')).toBe(true)
    expect(e.description).toBe(long)
  })

  it('uses record.title over the message, and shows the whole message below', () => {
    const e = renderRecord(rec({ title: 'Checkout', message: 'Payment failed' }), opts())
    expect(e.title).toBe('🔴 Checkout')
    expect(e.description).toBe('Payment failed')
  })

  it('falls back to the error message, then the label, for the title', () => {
    expect(renderRecord(rec({ message: '', error: serializeError(new Error('db down')) }), opts()).title).toBe('🔴 db down')
    expect(renderRecord(rec({ message: '  ' }), opts()).title).toBe('🔴 Error')
  })

  it('adds the context line', () => {
    expect(renderRecord(rec({ context: 'order 17' }), opts()).description).toBe('**Context:** order 17')
  })

  it('renders the error type, message and stack without repeating the message line', () => {
    const e = renderRecord(rec({ error: serializeError(deepError(3)) }), opts())
    expect(e.description).toBe([
      "**TypeError**: Cannot read properties of undefined (reading 'id')",
      '```',
      'at handler0 (/srv/app/src/routes/payments/handler-0.js:10:17)',
      'at handler1 (/srv/app/src/routes/payments/handler-1.js:11:17)',
      'at handler2 (/srv/app/src/routes/payments/handler-2.js:12:17)',
      '```'
    ].join('\n'))
  })

  it('keeps at most maxStackLines frames and says how many were left out', () => {
    const e = renderRecord(rec({ error: serializeError(deepError(40)) }), opts({ maxStackLines: 5 }))
    expect(e.description).toContain('handler4 ')
    expect(e.description).not.toContain('handler5 ')
    expect(e.description).toContain('… 35 more')
  })

  it('lists causes with shorter stacks', () => {
    const root = deepError(10)
    const err = new Error('charge failed', { cause: root })
    const e = renderRecord(rec({ error: serializeError(err) }), opts({ maxStackLines: 9 }))
    expect(e.description).toContain("**Caused by** TypeError: Cannot read properties of undefined (reading 'id')")
    const causeBlock = e.description?.split('**Caused by**')[1] ?? ''
    expect(causeBlock.match(/at handler/g)).toHaveLength(3)
  })

  it('lists the inner errors of an AggregateError', () => {
    const err = new AggregateError([new TypeError('one'), new RangeError('two')], 'all shards failed')
    const e = renderRecord(rec({ error: serializeError(err) }), opts())
    expect(e.description).toContain('**AggregateError**: all shards failed')
    expect(e.description).toContain('**Errors (2):**\n1. TypeError: one\n2. RangeError: two')
  })

  it('renders fields with inline for short one-line values', () => {
    const e = renderRecord(rec({ fields: { orderId: 17, items: ['a', 'b'], note: 'x'.repeat(41), multi: 'a\nb', skipped: undefined } }), opts())
    expect(e.fields).toEqual([
      { name: 'orderId', value: '17', inline: true },
      { name: 'items', value: '["a", "b"]', inline: true },
      { name: 'note', value: 'x'.repeat(41), inline: false },
      { name: 'multi', value: 'a\nb', inline: false }
    ])
  })

  it('applies includeFields (only these, in this order) and excludeFields', () => {
    const fields = { a: 1, b: 2, c: 3 }
    expect(renderRecord(rec({ fields }), opts({ includeFields: ['c', 'a', 'zz'] })).fields?.map((f) => f.name)).toEqual(['c', 'a'])
    expect(renderRecord(rec({ fields }), opts({ excludeFields: ['b'] })).fields?.map((f) => f.name)).toEqual(['a', 'c'])
  })

  it('redacts configured keys at any depth, case-insensitively', () => {
    const e = renderRecord(rec({ fields: { Password: 'hunter2', user: { name: 'ann', auth: { TOKEN: 't0k' } } } }), opts({ redactKeys: ['password', 'token'] }))
    expect(e.fields?.[0]?.value).toBe('[redacted]')
    expect(e.fields?.[1]?.value).toBe('{name: "ann", auth: {TOKEN: [redacted]}}')
  })

  it('adds error.code and error.extra as fields, redacted too', () => {
    const err = Object.assign(new Error('refused'), { code: 'ECONNREFUSED', port: 5432, apiKey: 'k' })
    const e = renderRecord(rec({ error: serializeError(err) }), opts({ redactKeys: ['apikey'] }))
    expect(e.fields).toEqual([
      { name: 'error.code', value: 'ECONNREFUSED', inline: true },
      { name: 'error.port', value: '5432', inline: true },
      { name: 'error.apiKey', value: '[redacted]', inline: true }
    ])
  })

  it('renders hostile field values without throwing', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const proxy = new Proxy({}, { ownKeys () { throw new Error('no') }, get () { throw new Error('no') }, getPrototypeOf () { throw new Error('no') } })
    const e = renderRecord(rec({ fields: { circular, big: 10n, buf: Buffer.from('ab'), map: new Map([[1, 2]]), proxy } }), opts())
    expect(e.fields?.map((f) => f.value)).toEqual(['{self: [Circular]}', '10n', '<Buffer 2 bytes: 61 62>', 'Map(1) {1 => 2}', expect.stringContaining('[Throws:')])
  })

  it('uses a given embed, filling colour and timestamp when missing', () => {
    const e = renderRecord(rec({ embed: { title: 'Custom', description: 'x'.repeat(5000) } }), opts())
    expect(e.title).toBe('Custom')
    expect(e.color).toBe(SEVERITY_STYLES.error.color)
    expect(e.timestamp).toBe('2024-01-31T12:00:00.000Z')
    expect([...e.description ?? ''].length).toBe(4096)
    expect(renderRecord(rec({ embed: { title: 'c', color: 1, timestamp: '2020-01-01T00:00:00.000Z' } }), opts())).toMatchObject({ color: 1, timestamp: '2020-01-01T00:00:00.000Z' })
  })

  it('is pure: the same record renders the same embed', () => {
    const r = rec({ error: serializeError(deepError(5)), fields: { a: 1 } })
    expect(renderRecord(r, opts())).toEqual(renderRecord(r, opts()))
  })
})

describe('renderRecord under a budget', () => {
  const heavy = (): LogRecord => rec({
    message: 'Payment failed for a customer\n' + 'details '.repeat(400),
    service: 'billing-service',
    level: 'error',
    footer: 'ip-10-0-0-12 · pid 31337',
    context: 'checkout flow, order 17, retry 3 of 5, region eu-west-1',
    error: serializeError(deepError(40, new Error('charge failed', { cause: deepError(40) }), 'charge')),
    fields: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`field${i}`, `value ${i} `.repeat(8)]))
  })

  for (const budget of [6000, 2000, 1000, 600, 300, 100]) {
    it(`fits a heavy record into ${budget} characters`, () => {
      expect(embedLength(renderRecord(heavy(), opts({ budget })))).toBeLessThanOrEqual(budget)
    })
  }

  it('trims stack frames before dropping fields', () => {
    const full = renderRecord(heavy(), opts({ budget: 6000 }))
    const budget = embedLength(full) - 200
    const e = renderRecord(heavy(), opts({ budget }))
    expect(embedLength(e)).toBeLessThanOrEqual(budget)
    expect(e.fields).toEqual(full.fields)
    expect(e.description?.match(/at charge/g)?.length ?? 0).toBeLessThan(full.description?.match(/at charge/g)?.length ?? 0)
  })

  it('still shows the title, the error type and message, and the top stack frames at 600', () => {
    const e = renderRecord(heavy(), opts({ budget: 600 }))
    expect(e.title).toBe('🔴 Payment failed for a customer')
    expect(e.description).toContain('**Error**: charge failed')
    expect(e.description).toContain('at charge0 ')
    expect(e.description).toContain('at charge1 ')
    expect(e.description).toContain('at charge2 ')
    expect(embedLength(e)).toBeLessThanOrEqual(600)
  })

  it('shows the error first at 600 even with long title, footer and service', () => {
    const r = { ...heavy(), message: 'T'.repeat(400), service: 'S'.repeat(300), footer: 'F'.repeat(3000) }
    const e = renderRecord(r, opts({ budget: 600 }))
    expect(e.description?.startsWith('**Error**: charge failed')).toBe(true)
    expect(e.description).toContain('at charge1 ')
    expect(embedLength(e)).toBeLessThanOrEqual(600)
  })

  it('keeps the title at a tiny budget', () => {
    const e = renderRecord(heavy(), opts({ budget: 40 }))
    expect(e.title?.startsWith('🔴 Payment')).toBe(true)
    expect(embedLength(e)).toBeLessThanOrEqual(40)
  })
})

describe('renderRecord on huge input', () => {
  it('renders 1 MB messages, stacks and field values quickly and within the budget', () => {
    const mb = 'x'.repeat(1_000_000)
    const err = serializeError(new Error(mb))
    err.stack = `Error: ${mb}\n` + '    at frame (/app/a.js:1:1)\n'.repeat(40_000)
    const record = rec({ message: mb + '\n' + mb, context: mb, error: err, fields: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, mb])) })
    const started = performance.now()
    for (const budget of [600, 2000, 6000]) {
      expect(embedLength(renderRecord(record, opts({ budget })))).toBeLessThanOrEqual(budget)
    }
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
