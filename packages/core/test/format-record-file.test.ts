import { describe, expect, it } from 'vitest'
import { embedLength } from '../src/format/fit.js'
import { capText, fileName, MAX_FILE_BYTES, recordText, renderWithFile, wasCut } from '../src/format/record-file.js'
import { renderRecord, type RenderRecordOptions } from '../src/format/render.js'
import { serializeError } from '../src/format/plain.js'
import { LIMITS } from '../src/limits.js'
import { DEFAULTS } from '../src/options/table.js'
import type { MessageFile } from '../src/types.js'
import type { LogRecord } from '../src/types.js'

const TIME = Date.UTC(2024, 0, 31, 12, 0, 5)
const opts = (over: Partial<RenderRecordOptions> = {}): RenderRecordOptions => ({ ...DEFAULTS.render, budget: 6000, ...over })
const rec = (over: Partial<LogRecord> = {}): LogRecord => ({ severity: 'error', message: 'Payment failed', time: TIME, ...over })

function errorWithFrames (frames: number, message = 'boom', cause?: Error): Error {
  const err = new Error(message, cause === undefined ? {} : { cause })
  err.stack = [`Error: ${message}`, ...Array.from({ length: frames }, (_, i) => `    at fn${i} (/srv/app/${message.replace(/\W/g, '')}-${i}.js:${i + 1}:3)`)].join('\n')
  return err
}

describe('which records need a file', () => {
  it('gives a record the embed shows whole no file', () => {
    const files: MessageFile[] = []
    const record = rec({ service: 'billing', context: 'charging a saved card', error: serializeError(errorWithFrames(8)), fields: { orderId: 'o-123', attempts: 3, nested: { a: [1, 2] } } })
    const embed = renderWithFile(record, opts(), files)
    expect(files).toEqual([])
    expect(embed).toEqual(renderRecord(record, opts()))
  })

  it('gives a record whose text the embed escapes (backticks, markdown) no file when nothing was cut', () => {
    const files: MessageFile[] = []
    const err = errorWithFrames(3, 'bad ``` input')
    err.stack = err.stack!.replace('fn0', 'fn`0`')
    const record = rec({ message: 'a `b` c', context: '`', error: serializeError(err), fields: { 'k`': 'v ``` w', q: '\\`' } })
    renderWithFile(record, opts(), files)
    expect(files).toEqual([])
  })

  it('attaches stack frames beyond maxStackLines, and says so in one line', () => {
    const files: MessageFile[] = []
    const embed = renderWithFile(rec({ error: serializeError(errorWithFrames(80)) }), opts(), files)
    expect(files).toHaveLength(1)
    expect(files[0]!.name).toBe('error-20240131-120005-1.txt')
    for (let i = 0; i < 80; i++) expect(files[0]!.content).toContain(`at fn${i} (/srv/app/boom-${i}.js:${i + 1}:3)`)
    const last = embed.description!.split('\n').at(-1)
    expect(last).toBe("📎 Cut to fit Discord's limits: the full record is in error-20240131-120005-1.txt")
  })

  it('catches every kind of cut: field value, fields beyond 25, description, the share of 6000, causes', () => {
    const cut = (record: LogRecord, budget = 6000): boolean => wasCut(record, renderRecord(record, opts({ budget })), DEFAULTS.render)
    expect(cut(rec({ fields: { big: 'x'.repeat(LIMITS.fieldValue + 1) } }))).toBe(true)
    expect(cut(rec({ fields: Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, i])) }))).toBe(true)
    expect(cut(rec({ fields: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, i])) }))).toBe(false)
    expect(cut(rec({ message: `title\n${'d'.repeat(5000)}` }))).toBe(true)
    expect(cut(rec({ fields: { a: 'y'.repeat(500), b: 'z'.repeat(500) } }), 600)).toBe(true)
    expect(cut(rec({ fields: { a: 'y'.repeat(500), b: 'z'.repeat(500) } }), 6000)).toBe(false)
    // A cause's own stack gets a third of the lines in the embed.
    expect(cut(rec({ error: serializeError(errorWithFrames(3, 'top', errorWithFrames(12, 'inner'))) }))).toBe(true)
    expect(cut(rec({ error: serializeError(errorWithFrames(3, 'top', errorWithFrames(4, 'inner'))) }))).toBe(false)
    // A ready embed (sendEmbed) cut by the limits.
    expect(cut(rec({ embed: { title: 't', description: 'd'.repeat(5000) } }))).toBe(true)
    expect(cut(rec({ embed: { title: 't', description: 'short', fields: [{ name: 'n', value: 'v' }] } }))).toBe(false)
  })

  it('keeps the embed within its budget with the note added', () => {
    for (const budget of [200, 600, 1200, 6000]) {
      const files: MessageFile[] = []
      const embed = renderWithFile(rec({ error: serializeError(errorWithFrames(80)), fields: { a: 'v'.repeat(3000) } }), opts({ budget }), files)
      expect(embedLength(embed)).toBeLessThanOrEqual(budget)
      expect(embed.description).toContain(files[0]!.name)
      expect(embed.description!.length).toBeLessThanOrEqual(LIMITS.description)
    }
  })

  it('numbers files by their place in the message and removes the token from them', () => {
    const files: MessageFile[] = [{ name: 'first.txt', content: '' }]
    const token = 'T0ken_' + 'a'.repeat(60)
    renderWithFile(rec({ severity: 'warning', message: `see https://discord.com/api/webhooks/1/${token}`, fields: { big: 'x'.repeat(2000) } }), opts(), files, token)
    expect(files[1]!.name).toBe('warning-20240131-120005-2.txt')
    expect(files[1]!.content).not.toContain(token)
    expect(files[1]!.content).toContain('webhooks/1/[redacted]')
  })
})

describe('the file text', () => {
  it('holds time, level, service, message, context, every cause and every field, redacted as the embed is', () => {
    const record = rec({
      level: 'fatal',
      service: 'checkout',
      context: 'retrying capture',
      error: serializeError(errorWithFrames(5, 'top', errorWithFrames(2, 'middle', errorWithFrames(2, 'bottom')))),
      fields: { password: 'hunter2', user: { name: 'ann', token: 'abc' }, note: 'line one\nline two' }
    })
    const text = recordText(record, DEFAULTS.render)
    expect(text).toContain('Time: 2024-01-31T12:00:05.000Z')
    expect(text).toContain('Level: fatal')
    expect(text).toContain('Service: checkout')
    expect(text).toContain('Context:\nretrying capture')
    expect(text).toContain('Error: top\n    at fn0 (/srv/app/top-0.js:1:3)')
    expect(text).toContain('Caused by: Error: middle')
    expect(text).toContain('Caused by: Error: bottom\n    at fn0 (/srv/app/bottom-0.js:1:3)')
    expect(text).toContain('password: [redacted]')
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('abc')
    expect(text).toContain('note:\n    line one\n    line two')
  })

  it('leaves excluded fields out, as the embed does', () => {
    const text = recordText(rec({ fields: { keep: 'k', drop: 'secret-ish' } }), { ...DEFAULTS.render, excludeFields: ['drop'] })
    expect(text).toContain('keep: k')
    expect(text).not.toContain('secret-ish')
  })

  it('is capped, on a character boundary, with a line saying how much was left out', () => {
    const text = 'é'.repeat(MAX_FILE_BYTES)
    const capped = capText(text, MAX_FILE_BYTES)
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(MAX_FILE_BYTES)
    expect(capped).not.toContain('\ufffd')
    const left = Number(/\[… (\d+) more bytes left out/.exec(capped)?.[1])
    expect(Buffer.byteLength(capped.slice(0, capped.indexOf('\n\n[…')))).toBe(2 * MAX_FILE_BYTES - left)
    expect(capText('short', MAX_FILE_BYTES)).toBe('short')
  })

  it('names files after severity and UTC time', () => {
    expect(fileName(rec({ severity: 'critical' }), 3)).toBe('critical-20240131-120005-3.txt')
    expect(fileName(rec({ time: Number.NaN }), 1)).toBe('error-1.txt')
  })
})
