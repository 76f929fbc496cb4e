import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { deferredFingerprintHash, fingerprint, fingerprintHash, normaliseTemplate, templateHashes, topFrame, FINGERPRINT_PARTS, MAX_TEMPLATE_CHARS, type FingerprintPart } from '../src/batch/fingerprint.js'
import type { LogRecord } from '../src/record.js'

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

describe('templateHashes (the template\'s hashes in one scan, without the regex)', () => {
  /** The reference: the template as normaliseTemplate() writes it, hashed as fingerprintHash() hashes text pieces. */
  function viaRegex (text: string): [number, number] {
    const template = normaliseTemplate(text)
    let a = 0x811c9dc5 | 0
    let b = 0x9e3779b9 | 0
    for (let i = 0; i < template.length; i++) {
      a = Math.imul(a ^ template.charCodeAt(i), 0x01000193)
      b = Math.imul(b ^ template.charCodeAt(i), 0x5bd1e995)
    }
    return [a, b]
  }
  function viaScan (text: string): [number, number] {
    const out = new Int32Array(2)
    templateHashes(text, out, 0)
    return [out[0]!, out[1]!]
  }

  it.each([
    'order 1234 failed after 3.5 s', 'user ord_100123 not found', 'request 9f1c2d3e4b5a6978 timed out',
    'object id 64b7f0c2a1e4d5f6a7b8c9d0', 'pointer 0xdeadBEEF freed twice', 'trace 123e4567-e89b-12d3-a456-426614174000 lost',
    'cannot open "/var/data/x.db" or \'y\'', 'template `tpl-7` missing', 'no variables here', 'decade facade added',
    '0x', '0xg1', 'x0x12', '_0x12', 'abcdef12', 'abcdefab12', 'abcdefgh12', '12345678', '1234567', 'deadbeef', '1.2.3', '3.', '.5',
    '"unterminated', '"a\\"b" "c\\\nd"', `"${'q'.repeat(200)}"`, `"${'q'.repeat(201)}"`, `'${'\\x'.repeat(100)}'`, `'${'\\x'.repeat(101)}'`,
    '123e4567-e89b-12d3-a456-4266141740001', 'x123e4567-e89b-12d3-a456-426614174000', '123E4567-E89B-12D3-A456-426614174000!',
    'a"b\rc"d', '"line\u2028sep"', 'ñ1234 ü0xff', '日本 42 "語"', ''
  ])('%j scans to the regex\'s template', (text) => {
    expect(viaScan(text)).toEqual(viaRegex(text))
  })

  it('agrees with the regex on arbitrary text of the characters that matter', () => {
    const char = fc.constantFrom(...'0123456789abcdefABCDEFxXgz_-. "\'`\\\n\r\u2028é'.split(''))
    fc.assert(fc.property(fc.array(char, { maxLength: 80 }).map((cs) => cs.join('')), (text) => {
      expect(viaScan(text)).toEqual(viaRegex(text))
    }), { numRuns: 5000 })
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (text) => {
      expect(viaScan(text)).toEqual(viaRegex(text))
    }), { numRuns: 2000 })
  })
})

describe('topFrame', () => {
  it('takes file:line of the first "at" line, without the column', () => {
    expect(topFrame(STACK)).toBe('/app/src/pay.js:42')
  })

  it('reads frames without a function name and frames without a position', () => {
    expect(topFrame('Error: x\n    at /srv/main.js:3:1')).toBe('/srv/main.js:3')
    expect(topFrame('Error: x\n    at <anonymous>')).toBe('<anonymous>')
  })

  it('skips message lines that start with "at" but are not indented', () => {
    expect(topFrame('Error: boom\nat the end of the message\n    at f (/a.js:1:2)')).toBe('/a.js:1')
  })

  it('is undefined for missing stacks and stacks without frames', () => {
    expect(topFrame(undefined)).toBeUndefined()
    expect(topFrame('Error: only a message')).toBeUndefined()
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

describe('fingerprint of a record whose error is serialized on first read', () => {
  class LazyRecord implements LogRecord {
    severity = 'error' as const
    message: string
    time = 0
    reads = 0
    constructor (message: string) { this.message = message }
    get error () {
      this.reads++
      return { type: 'TypeError', message: this.message, stack: STACK }
    }
  }
  const all = ['severity', 'message', 'errorType', 'topFrame'] as const

  it('never reads the error, so the caller does not pay for formatting its stack', () => {
    const r = new LazyRecord('card 4242 declined')
    fingerprint(r, all)
    expect(r.reads).toBe(0)
  })

  it('groups by severity and message template, apart from records with a plain error', () => {
    expect(fingerprint(new LazyRecord('card 1 declined'), all)).toBe(fingerprint(new LazyRecord('card 2 declined'), all))
    const eager = record({ message: 'card 1 declined', error: { type: 'TypeError', message: 'card 1 declined', stack: STACK } })
    expect(fingerprint(new LazyRecord('card 1 declined'), all)).not.toBe(fingerprint(eager, all))
  })
})

describe('fingerprintHash and deferredFingerprintHash', () => {
  class Deferred implements LogRecord {
    severity: LogRecord['severity']
    message: string
    time = 0
    declare service?: string
    constructor (severity: LogRecord['severity'], message: string, service?: string) {
      this.severity = severity
      this.message = message
      if (service !== undefined) this.service = service
    }
    get error () {
      return { type: 'TypeError', message: this.message, stack: STACK }
    }
  }
  const severity = fc.constantFrom('critical', 'error', 'warning', 'info', 'debug' as const)
  // Texts that normalise alike and apart: numbers, quoted strings, hex, plain words.
  const text = fc.array(fc.constantFrom('card', 'declined', '4242', '17', "'A-1'", '"x"', '0xff', 'deadbeef1', 'order', 'ms'), { minLength: 1, maxLength: 5 }).map((w) => w.join(' '))
  const service = fc.option(fc.constantFrom('api', 'worker', 'api 2'), { nil: undefined })
  const parts = fc.subarray([...FINGERPRINT_PARTS], { minLength: 1 })
  const eager = fc.record({ severity, message: text, service, error: fc.option(fc.record({ type: fc.constantFrom('TypeError', 'Error'), message: text, stack: fc.constant(STACK) }), { nil: undefined }) })
  const hashOf = (r: LogRecord, p: readonly FingerprintPart[]): string => {
    const out = new Int32Array(2)
    fingerprintHash(r, p, out)
    return `${out[0]}:${out[1]}`
  }

  it('group records exactly as fingerprint() does', () => {
    fc.assert(fc.property(eager, eager, parts, (a, b, p) => {
      const ra = { ...a, time: 0 } as LogRecord
      const rb = { ...b, time: 0 } as LogRecord
      expect(hashOf(ra, p) === hashOf(rb, p)).toBe(fingerprint(ra, p) === fingerprint(rb, p))
    }), { numRuns: 2000 })
  })

  it('give a deferred-error record the key its severity, service and message give without the record', () => {
    fc.assert(fc.property(severity, service, text, parts, (sev, svc, message, p) => {
      const out = new Int32Array(2)
      deferredFingerprintHash(sev, svc, message, p, out)
      expect(`${out[0]}:${out[1]}`).toBe(hashOf(new Deferred(sev, message, svc), p))
    }), { numRuns: 2000 })
  })
})
