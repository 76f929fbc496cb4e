import { describe, expect, it } from 'vitest'
import { fingerprintKey, fingerprintOf, inAppFrame, matches, MAX_TEMPLATE_CHARS, normaliseTemplate, partsOf, recordText } from '../src/storm/fingerprint.js'
import type { FingerprintPart } from '../src/types.js'

/** A record's fingerprint as one string, and checked against matches(): the two read the same parts. */
function fingerprint (r: LogRecord, parts: readonly FingerprintPart[]): string {
  const p = partsOf(parts)
  const f = fingerprintOf(p, r.severity, r.service, recordText(r), r.error)
  expect(matches(f, p, r.severity, r.service, recordText(r), f.text, r.error)).toBe(true)
  return fingerprintKey(f)
}
import type { LogRecord } from '../src/types.js'

const STACK = `TypeError: cannot read 'id' of undefined
    at charge (/app/src/pay.js:42:13)
    at async handler (/app/src/routes.js:7:5)`

function record (extra: Partial<LogRecord> = {}): LogRecord {
  return { severity: 'error', message: 'payment failed for order 1234', time: 0, ...extra }
}

describe('normaliseTemplate', () => {
  it.each([
    ['order 1234 failed after 3.5 s', 'order <n> failed after <n> s'],
    ['user ord_100123 not found', 'user ord_<n> not found'],
    ['request 9f1c2d3e4b5a6978 timed out', 'request <hex> timed out'],
    ['object id 64b7f0c2a1e4d5f6a7b8c9d0', 'object id <hex>'],
    ['pointer 0xdeadBEEF freed twice', 'pointer <hex> freed twice'],
    ['trace 123e4567-e89b-12d3-a456-426614174000 lost', 'trace <uuid> lost'],
    ['cannot open "/var/data/x.db" or \'y\'', 'cannot open <str> or <str>'],
    ['template `tpl-7` missing', 'template <str> missing'],
    ['no variables here', 'no variables here']
  ])('%s → %s', (input, expected) => {
    expect(normaliseTemplate(input)).toBe(expected)
  })

  it('keeps words that merely contain hex letters', () => {
    expect(normaliseTemplate('decade facade added')).toBe('decade facade added')
  })

  it('reads a bounded prefix of huge messages', () => {
    const huge = 'x'.repeat(1_000_000) + ' 42'
    expect(normaliseTemplate(huge)).toHaveLength(MAX_TEMPLATE_CHARS)
  })
})

describe('inAppFrame', () => {
  it('takes file:line of the first "at" line, without the column', () => {
    expect(inAppFrame(STACK)).toBe('/app/src/pay.js:42')
  })

  it('reads frames without a function name and frames without a position', () => {
    expect(inAppFrame('Error: x\n    at /srv/main.js:3:1')).toBe('/srv/main.js:3')
    expect(inAppFrame('Error: x\n    at <anonymous>')).toBe('<anonymous>')
  })

  it('skips message lines that start with "at" but are not indented', () => {
    expect(inAppFrame('Error: boom\nat the end of the message\n    at f (/a.js:1:2)')).toBe('/a.js:1')
  })

  it('skips frames in node_modules and in Node itself; the first frame when every frame is a library\'s', () => {
    const stack = 'Error: x\n    at Socket.emit (node:events:518:28)\n    at Parser.parse (/app/node_modules/pg/lib/parser.js:88:7)\n    at query (/app/src/db.js:14:9)'
    expect(inAppFrame(stack)).toBe('/app/src/db.js:14')
    expect(inAppFrame('Error: x\n    at f (/app/node_modules/x/i.js:1:2)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)')).toBe('/app/node_modules/x/i.js:1')
  })

  it('is undefined for missing stacks and stacks without frames', () => {
    expect(inAppFrame(undefined)).toBeUndefined()
    expect(inAppFrame('Error: only a message')).toBeUndefined()
  })
})

describe('fingerprint', () => {
  const all = ['severity', 'message', 'errorType', 'topFrame'] as const

  it('gives the same key to records that differ only in ids and numbers', () => {
    const a = record({ message: 'payment failed for order 1234', error: { type: 'TypeError', message: 'x 1', stack: STACK } })
    const b = record({ message: 'payment failed for order 98', error: { type: 'TypeError', message: 'x 2', stack: STACK.replace(':42:13', ':42:99') } })
    expect(fingerprint(a, all)).toBe(fingerprint(b, all))
  })

  it.each([
    ['severity', { severity: 'critical' as const }],
    ['message', { message: 'refund failed for order 1234' }],
    ['errorType', { error: { type: 'RangeError', message: '', stack: STACK } }],
    ['topFrame', { error: { type: 'TypeError', message: '', stack: STACK.replace('pay.js:42', 'pay.js:43') } }]
  ])('tells records apart by %s', (part, change) => {
    const base = record({ error: { type: 'TypeError', message: '', stack: STACK } })
    const other = { ...base, ...change } as LogRecord
    expect(fingerprint(base, all)).not.toBe(fingerprint(other, all))
    // …and ignores that difference when the part is not used.
    const without = all.filter((p) => p !== part)
    expect(fingerprint(base, without)).toBe(fingerprint(other, without))
  })

  it('uses the error message and the service when the record has no message of its own', () => {
    const a = record({ message: '', service: 'api', error: { type: 'Error', message: 'ECONNREFUSED 10.0.0.1:5432' } })
    const b = record({ message: '', service: 'api', error: { type: 'Error', message: 'ECONNREFUSED 10.0.0.2:5432' } })
    const c = record({ message: '', service: 'api', error: { type: 'Error', message: 'ETIMEDOUT 10.0.0.1:5432' } })
    const d = record({ message: '', service: 'worker', error: { type: 'Error', message: 'ECONNREFUSED 10.0.0.1:5432' } })
    expect(fingerprint(a, all)).toBe(fingerprint(b, all))
    expect(fingerprint(a, all)).not.toBe(fingerprint(c, all))
    expect(fingerprint(a, all)).not.toBe(fingerprint(d, all))
  })
})

describe('fingerprint of an Error that was thrown (not yet serialised)', () => {
  /** An Error whose stack is counted when read: V8 formats it then, a cost on the caller's thread. */
  function counted (make: () => Error): { error: Error, reads: () => number } {
    const error = make()
    const stack = error.stack
    let reads = 0
    Object.defineProperty(error, 'stack', { get () { reads++; return stack } })
    return { error, reads: () => reads }
  }
  class CardError extends Error {}

  it("reads its name (or its class's) and message, never its stack, unless topFrame is asked for", () => {
    const { error, reads } = counted(() => new CardError('card 4242 declined'))
    const parts = ['severity', 'message', 'errorType'] as const
    expect(fingerprint(record({ error }), parts)).toBe(fingerprint(record({ error: { type: 'CardError', message: 'card 17 declined' } }), parts))
    expect(reads()).toBe(0)
    fingerprintOf(partsOf(['topFrame']), 'error', undefined, 'x', error)
    expect(reads()).toBe(1)
  })

  it('tells a TypeError from a RangeError with the same message, and groups one error made in two places', () => {
    const parts = ['severity', 'message', 'errorType'] as const
    const here = (): Error => new TypeError('bad input')
    const there = (): Error => new TypeError('bad input')
    expect(fingerprint(record({ error: new TypeError('bad input') }), parts)).not.toBe(fingerprint(record({ error: new RangeError('bad input') }), parts))
    expect(fingerprint(record({ error: here() }), parts)).toBe(fingerprint(record({ error: there() }), parts))
    expect(fingerprint(record({ error: here() }), [...parts, 'topFrame'])).not.toBe(fingerprint(record({ error: there() }), [...parts, 'topFrame']))
  })

  it('never throws on a hostile error', () => {
    const hostile = new Proxy(new Error('trap'), { get () { throw new Error('no reading') } })
    expect(() => fingerprint(record({ error: hostile }), ['severity', 'message', 'errorType', 'topFrame'])).not.toThrow()
  })
})
