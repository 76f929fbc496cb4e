import { describe, expect, it } from 'vitest'
import { BatchPayload } from '../src/format/batch-payload.js'
import { embedLength, fitEmbed } from '../src/format/fit.js'
import { LIMITS } from '../src/limits.js'
import { DEFAULTS } from '../src/options/table.js'
import type { Embed } from '../src/types.js'

const cp = (s: string | undefined): number => (s === undefined ? 0 : [...s.trim()].length)
const field = (i: number, value = `value ${i}`): { name: string, value: string } => ({ name: `field ${i}`, value })

describe('embedLength', () => {
  it('counts title, description, field names and values, footer text and author name in trimmed code points', () => {
    const e: Embed = {
      title: ' 😀 ',
      description: 'ab',
      url: 'https://example.com/not-counted',
      fields: [{ name: 'n', value: 'vv' }],
      footer: { text: 'f', icon_url: 'https://example.com/i.png' },
      author: { name: 'au' }
    }
    expect(embedLength(e)).toBe(1 + 2 + 1 + 2 + 1 + 2)
  })
})

describe('payload content', () => {
  it('cuts content to 2000 code points', () => {
    const { payload } = new BatchPayload({ ...DEFAULTS, username: undefined, avatarUrl: undefined, threadName: undefined }, '').build([{ severity: 'info', message: '', time: 0, content: '😀'.repeat(3000) }], undefined, 6000, false)
    expect(cp(payload.content)).toBe(LIMITS.content)
  })
})

describe('fitEmbed', () => {
  it('returns a new embed and leaves the input untouched', () => {
    const input: Embed = { title: 'x'.repeat(300), fields: [field(1)] }
    const copy = structuredClone(input)
    const out = fitEmbed(input)
    expect(out).not.toBe(input)
    expect(input).toEqual(copy)
  })

  it('enforces every per-part limit', () => {
    const out = fitEmbed({
      title: 't'.repeat(1000),
      description: 'd'.repeat(5000),
      fields: [{ name: 'n'.repeat(1000), value: 'v'.repeat(2000) }],
      footer: { text: 'f'.repeat(3000) },
      author: { name: 'a'.repeat(1000) }
    }, 10_000)
    expect(cp(out.title)).toBe(LIMITS.title)
    expect(cp(out.fields?.[0]?.name)).toBe(LIMITS.fieldName)
    expect(cp(out.author?.name)).toBe(LIMITS.authorName)
    expect(embedLength(out)).toBeLessThanOrEqual(LIMITS.totalEmbedChars)
  })

  it('keeps at most 25 fields', () => {
    const out = fitEmbed({ fields: Array.from({ length: 40 }, (_, i) => field(i)) })
    expect(out.fields).toHaveLength(LIMITS.fields)
  })

  it('replaces empty and whitespace-only field names and values with a zero-width space', () => {
    const out = fitEmbed({ fields: [{ name: '', value: '   ' }] })
    expect(out.fields).toEqual([{ name: '\u200b', value: '\u200b' }])
  })

  it('drops urls that are not http(s)', () => {
    const out = fitEmbed({ title: 't', url: 'javascript:alert(1)', author: { name: 'a', url: 'ftp://x' } })
    expect(out.url).toBeUndefined()
    expect(out.author).toEqual({ name: 'a' })
    expect(fitEmbed({ title: 't', url: 'https://example.com/a' }).url).toBe('https://example.com/a')
  })

  it('keeps media urls that are http(s) or attachment://', () => {
    const out = fitEmbed({
      title: 't',
      image: { url: 'attachment://trace.png' },
      thumbnail: { url: 'data:image/png;base64,AAAA' },
      footer: { text: 'f', icon_url: 'https://cdn.example.com/i.png' }
    })
    expect(out.image).toEqual({ url: 'attachment://trace.png' })
    expect(out.thumbnail).toBeUndefined()
    expect(out.footer?.icon_url).toBe('https://cdn.example.com/i.png')
  })

  it('keeps a colour only when it is an integer in 0..0xFFFFFF', () => {
    expect(fitEmbed({ title: 't', color: 0xffffff }).color).toBe(0xffffff)
    expect(fitEmbed({ title: 't', color: 0x1000000 }).color).toBeUndefined()
    expect(fitEmbed({ title: 't', color: -1 }).color).toBeUndefined()
    expect(fitEmbed({ title: 't', color: 1.5 }).color).toBeUndefined()
  })

  it('keeps a timestamp only when it parses, as ISO 8601', () => {
    expect(fitEmbed({ title: 't', timestamp: '2024-01-31T12:00:00Z' }).timestamp).toBe('2024-01-31T12:00:00.000Z')
    expect(fitEmbed({ title: 't', timestamp: 'yesterday' }).timestamp).toBeUndefined()
  })

  it('drops author and footer whose text is empty', () => {
    const out = fitEmbed({ title: 't', author: { name: '  ', icon_url: 'https://x.io/a.png' }, footer: { text: '' } })
    expect(out.author).toBeUndefined()
    expect(out.footer).toBeUndefined()
  })

  it('never returns an empty embed', () => {
    expect(fitEmbed({})).toEqual({ title: '…' })
    expect(fitEmbed({ title: '   ', color: 1 })).toEqual({ title: '…', color: 1 })
  })

  it('survives values of the wrong type', () => {
    const junk = { title: 42, description: { a: 1 }, fields: [null, { name: 7, value: 8n }], footer: 'x', color: '#fff' } as unknown as Embed
    const out = fitEmbed(junk)
    expect(out).toEqual({ title: '42', description: '{a: 1}', fields: [{ name: '7', value: '8n' }] })
  })

  it('drops trailing fields that do not fit before cutting the description', () => {
    const out = fitEmbed({ title: 'title', description: 'short description', fields: Array.from({ length: 25 }, (_, i) => field(i, 'v'.repeat(100))) }, 1000)
    expect(embedLength(out)).toBeLessThanOrEqual(1000)
    expect(out.description).toBe('short description')
    expect(out.fields?.length).toBeGreaterThan(0)
    expect(out.fields?.length).toBeLessThan(25)
  })

  it('shrinks the largest parts first', () => {
    const out = fitEmbed({ title: 'T', description: 'd'.repeat(4000), fields: [field(1, 'small')], footer: { text: 'footer' } }, 600)
    expect(embedLength(out)).toBeLessThanOrEqual(600)
    expect(out.fields).toEqual([{ name: 'field 1', value: 'small' }])
    expect(out.footer?.text).toBe('footer')
    expect(out.title).toBe('T')
    expect(out.description?.endsWith('…')).toBe(true)
  })

  it('cuts the title last', () => {
    const out = fitEmbed({ title: 'x'.repeat(256), description: 'd'.repeat(500), footer: { text: 'f'.repeat(100) }, author: { name: 'a'.repeat(50) } }, 100)
    expect(out.description).toBeUndefined()
    expect(out.footer).toBeUndefined()
    expect(cp(out.title)).toBe(100)
  })

  it('honours every budget down to 1', () => {
    const big: Embed = {
      title: '😀'.repeat(256),
      description: '```\n' + 'line\n'.repeat(2000),
      fields: Array.from({ length: 30 }, (_, i) => field(i, 'é'.repeat(900))),
      footer: { text: 'f'.repeat(2048) },
      author: { name: 'a'.repeat(256) }
    }
    for (const budget of [1, 2, 5, 50, 100, 101, 250, 600, 1999, 6000]) {
      const out = fitEmbed(big, budget)
      expect(embedLength(out), `budget ${budget}`).toBeLessThanOrEqual(budget)
      expect(cp(out.title) + cp(out.description) + (out.fields?.length ?? 0)).toBeGreaterThan(0)
    }
  })

  it('keeps the content guarantee when only footer text was given and the budget is tiny', () => {
    const out = fitEmbed({ footer: { text: 'f'.repeat(500) }, description: 'd'.repeat(500) }, 100)
    expect(embedLength(out)).toBeLessThanOrEqual(100)
    expect(out.title !== undefined || out.description !== undefined).toBe(true)
  })

  it('treats a budget above 6000 as 6000', () => {
    const out = fitEmbed({ description: 'd'.repeat(4096), fields: Array.from({ length: 25 }, (_, i) => field(i, 'v'.repeat(1024))) }, 100_000)
    expect(embedLength(out)).toBeLessThanOrEqual(LIMITS.totalEmbedChars)
  })
})
