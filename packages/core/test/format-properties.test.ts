import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fitEmbed } from '../src/format/fit.js'
import { renderRecord } from '../src/format/render.js'
import { serializeError, toPlain } from '../src/format/plain.js'
import { renderValue } from '../src/format/safe-value.js'
import { SEVERITIES } from '../src/levels.js'
import { LIMITS } from '../src/limits.js'
import { DEFAULTS } from '../src/options/table.js'
import type { Embed } from '../src/types.js'
import type { LogRecord, SerializedError } from '../src/types.js'

const RUNS = 300
const BUDGETS = [600, 2000, 6000] as const

/** Discord's length: code points after trimming (contract §2). */
const len = (s: unknown): number => (typeof s === 'string' ? [...s.trim()].length : 0)

/**
 * Every embed rule from the contract, checked independently of the code under test.
 * Returns the list of violations (empty when Discord would accept the embed).
 */
function violations (e: Embed, budget: number): string[] {
  const out: string[] = []
  const check = (ok: boolean, what: string): void => { if (!ok) out.push(what) }
  const optionalText = (v: unknown, max: number, what: string): void => {
    if (v === undefined) return
    check(typeof v === 'string', `${what} is a string`)
    check(len(v) >= 1, `${what} is not empty`)
    check(len(v) <= max, `${what} ≤ ${max}`)
  }
  optionalText(e.title, LIMITS.title, 'title')
  optionalText(e.description, LIMITS.description, 'description')
  const fields = e.fields ?? []
  check(fields.length <= LIMITS.fields, 'at most 25 fields')
  fields.forEach((f, i) => {
    check(typeof f.name === 'string' && len(f.name) >= 1 && len(f.name) <= LIMITS.fieldName, `fields[${i}].name`)
    check(typeof f.value === 'string' && len(f.value) >= 1 && len(f.value) <= LIMITS.fieldValue, `fields[${i}].value`)
    check(f.inline === undefined || typeof f.inline === 'boolean', `fields[${i}].inline`)
  })
  if (e.footer !== undefined) optionalText(e.footer.text, LIMITS.footerText, 'footer.text')
  if (e.author !== undefined) optionalText(e.author.name, LIMITS.authorName, 'author.name')
  check(e.color === undefined || (Number.isInteger(e.color) && e.color >= 0 && e.color <= LIMITS.maxColor), 'color')
  check(e.timestamp === undefined || !Number.isNaN(Date.parse(e.timestamp)), 'timestamp')
  for (const url of [e.url, e.author?.url]) check(url === undefined || /^https?:\/\//.test(url), 'http(s) url')
  for (const url of [e.image?.url, e.thumbnail?.url, e.footer?.icon_url, e.author?.icon_url]) {
    check(url === undefined || /^(https?|attachment):\/\//.test(url), 'media url')
  }
  const total = len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name) +
    fields.reduce((n, f) => n + len(f.name) + len(f.value), 0)
  check(total <= budget, `total ${total} ≤ ${budget}`)
  check(len(e.title) > 0 || len(e.description) > 0 || fields.length > 0, 'has content')
  check((() => { try { JSON.stringify(e); return true } catch { return false } })(), 'serialisable')
  return out
}

const unicodeText = fc.string({ unit: 'binary', maxLength: 300 })
const mixedText = fc.oneof(
  fc.string({ maxLength: 80 }),
  unicodeText,
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom('', '   ', '\n\n', '```', '```js\ncode', '@everyone', '<@&123456789012345678>', '😀'.repeat(300), 'e\u0301'.repeat(500)),
  // Huge strings, built cheaply.
  fc.tuple(fc.string({ minLength: 1, maxLength: 5 }), fc.integer({ min: 1000, max: 200_000 })).map(([s, n]) => s.repeat(n))
)

const stackText = fc.array(fc.oneof(fc.constant('    at fn (/app/x.js:1:1)'), mixedText), { maxLength: 60 }).map((lines) => lines.join('\n'))

const serializedError: fc.Arbitrary<SerializedError> = fc.letrec<{ err: SerializedError }>((tie) => ({
  err: fc.record({
    type: mixedText,
    message: mixedText,
    stack: fc.option(stackText, { nil: undefined }),
    code: fc.option(fc.oneof(fc.string(), fc.integer()), { nil: undefined }),
    cause: fc.option(tie('err'), { nil: undefined, depthSize: 'small' }),
    errors: fc.option(fc.array(tie('err'), { maxLength: 4 }), { nil: undefined, depthSize: 'small' }),
    extra: fc.option(fc.dictionary(fc.string(), fc.anything(), { maxKeys: 5 }), { nil: undefined })
  }, { requiredKeys: ['type', 'message'] })
})).err

const anyEmbed: fc.Arbitrary<Embed> = fc.record({
  title: mixedText,
  description: mixedText,
  url: fc.oneof(fc.webUrl(), mixedText),
  color: fc.oneof(fc.integer(), fc.double()),
  timestamp: fc.oneof(fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'bad' : d.toISOString())), mixedText),
  footer: fc.record({ text: mixedText, icon_url: fc.option(fc.webUrl(), { nil: undefined }) }),
  author: fc.record({ name: mixedText, url: fc.option(mixedText, { nil: undefined }) }),
  image: fc.record({ url: fc.oneof(fc.webUrl(), mixedText) }),
  fields: fc.array(fc.record({ name: mixedText, value: mixedText, inline: fc.option(fc.boolean(), { nil: undefined }) }), { maxLength: 30 })
}, { requiredKeys: [] })

const anyRecord: fc.Arbitrary<LogRecord> = fc.record({
  severity: fc.constantFrom(...SEVERITIES),
  level: fc.option(mixedText, { nil: undefined }),
  message: mixedText,
  time: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constant(Number.NaN)),
  title: fc.option(mixedText, { nil: undefined }),
  service: fc.option(mixedText, { nil: undefined }),
  error: fc.option(serializedError, { nil: undefined }),
  fields: fc.option(fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('password', 'Token', '')), fc.oneof(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }), mixedText), { maxKeys: 30 }), { nil: undefined }),
  footer: fc.option(mixedText, { nil: undefined }),
  context: fc.option(mixedText, { nil: undefined }),
  embed: fc.option(anyEmbed, { nil: undefined, freq: 8 })
}, { requiredKeys: ['severity', 'message', 'time'] })

const renderOptions = fc.record({
  includeFields: fc.array(fc.string(), { maxLength: 3 }),
  excludeFields: fc.array(fc.string(), { maxLength: 3 }),
  redactKeys: fc.constant<string[]>([...DEFAULTS.render.redactKeys]),
  titleTemplate: fc.constantFrom(DEFAULTS.render.titleTemplate, '{label} {level} {service} — {message}', '{service}', ''),
  maxStackLines: fc.integer({ min: 1, max: 60 })
})

describe('format properties', () => {
  it('renderRecord never throws and always returns an embed Discord accepts within the budget', () => {
    fc.assert(fc.property(anyRecord, renderOptions, (record, options) => {
      for (const budget of BUDGETS) {
        const embed = renderRecord(record, { ...options, budget })
        expect(violations(embed, budget)).toEqual([])
      }
    }), { numRuns: RUNS })
  })

  it('fitEmbed returns an acceptable embed for any input and any budget ≥ 1', () => {
    fc.assert(fc.property(anyEmbed, fc.integer({ min: 1, max: 7000 }), (embed, budget) => {
      expect(violations(fitEmbed(embed, budget), Math.min(budget, LIMITS.totalEmbedChars))).toEqual([])
    }), { numRuns: RUNS })
  })

  it('renderValue, toPlain and serializeError never throw and stay bounded', () => {
    fc.assert(fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true }), fc.integer({ min: 1, max: 2000 }), (value, max) => {
      expect([...renderValue(value, max)].length).toBeLessThanOrEqual(max)
      expect(() => structuredClone(toPlain(value))).not.toThrow()
      expect(() => JSON.stringify(serializeError(value))).not.toThrow()
    }), { numRuns: RUNS })
  })
})
