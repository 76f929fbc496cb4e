import { describe, expect, it } from 'vitest'
import { codePointLength, escapeBackticks, escapeCodeBlock, neutralizeMentions, truncate } from '../src/format/text.js'

const cp = (s: string): number => [...s].length

describe('codePointLength', () => {
  it('counts astral characters once, as Discord (Python 3) does', () => {
    expect(codePointLength('a😀b')).toBe(3)
    expect('a😀b'.length).toBe(4)
  })

  it('counts combining marks as their own code points', () => {
    expect(codePointLength('e\u0301')).toBe(2)
  })

  it('counts a lone surrogate as one code point', () => {
    expect(codePointLength('a\ud800b')).toBe(3)
  })
})

describe('truncate', () => {
  it('returns short text trimmed and otherwise unchanged', () => {
    expect(truncate('  hello  ', 10)).toBe('hello')
  })

  it('keeps text exactly at the limit', () => {
    expect(truncate('abcde', 5)).toBe('abcde')
  })

  it('cuts long text to the limit and ends it with an ellipsis', () => {
    const out = truncate('abcdefghij', 5)
    expect(out).toBe('abcd…')
    expect(cp(out)).toBe(5)
  })

  it('gives an empty string for limits below one', () => {
    expect(truncate('abc', 0)).toBe('')
    expect(truncate('abc', Number.NaN)).toBe('')
  })

  it('never splits a surrogate pair when the limit falls inside emoji', () => {
    const s = '😀'.repeat(300)
    const out = truncate(s, 256)
    expect(cp(out)).toBeLessThanOrEqual(256)
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/)
    expect(out.endsWith('…')).toBe(true)
    expect(cp(out)).toBe(256)
  })

  it('keeps emoji-heavy text that fits by code points even though its UTF-16 length is larger', () => {
    const s = '😀'.repeat(256)
    expect(truncate(s, 256)).toBe(s)
  })

  it('drops a letter together with its combining mark rather than separating them', () => {
    const out = truncate('abcde\u0301fgh', 6)
    expect(out).toBe('abcd…')
  })

  it('keeps an emoji ZWJ family whole or drops it whole', () => {
    const family = '👨‍👩‍👧'
    const out = truncate(`ab${family}cdef`, 5)
    expect(out === 'ab…' || out.includes(family)).toBe(true)
    expect(cp(out)).toBeLessThanOrEqual(5)
  })

  it('closes a code fence left open by the cut, within the limit', () => {
    const s = 'Stack:\n```\n' + 'at frame (file.js:1:1)\n'.repeat(50) + '```'
    const out = truncate(s, 100)
    expect(cp(out)).toBeLessThanOrEqual(100)
    expect(out.endsWith('…\n```')).toBe(true)
    expect(out.match(/```/g)).toHaveLength(2)
  })

  it('does not add a closing fence when the cut falls after a closed block', () => {
    const out = truncate('```\ncode\n```\n' + 'x'.repeat(100), 30)
    expect(out.match(/```/g)).toHaveLength(2)
    expect(out.endsWith('…')).toBe(true)
  })

  it('drops a dangling backtick run at the cut so it cannot open a fence', () => {
    const out = truncate('see ``' + '`js\nconst a = 1\n```', 7)
    expect(out).toBe('see…')
  })

  it('still fits when the limit is too small to close a fence', () => {
    for (let max = 1; max <= 12; max++) {
      const out = truncate('```\n' + 'y'.repeat(50), max)
      expect(cp(out)).toBeLessThanOrEqual(max)
    }
  })

  it('cuts a 1 MB string quickly', () => {
    const big = 'x'.repeat(1_000_000)
    const started = performance.now()
    for (let i = 0; i < 100; i++) truncate(big, 4096)
    expect(performance.now() - started).toBeLessThan(500)
    expect(cp(truncate(big, 4096))).toBe(4096)
  })

  it('ignores leading whitespace of any size', () => {
    expect(truncate(' '.repeat(100_000) + 'hi', 5)).toBe('hi')
  })
})

describe('neutralizeMentions', () => {
  it('breaks @everyone and @here', () => {
    const out = neutralizeMentions('hey @everyone and @here')
    expect(out).not.toMatch(/@everyone|@here/)
    expect(out.replaceAll('\u200b', '')).toBe('hey @everyone and @here')
  })

  it('breaks user and role mentions', () => {
    const out = neutralizeMentions('<@123456789012345678> <@!123456789012345678> <@&123456789012345678>')
    expect(out).not.toMatch(/<@!?&?\d/)
  })

  it('is idempotent', () => {
    const once = neutralizeMentions('<@1> @everyone')
    expect(neutralizeMentions(once)).toBe(once)
  })
})

describe('escapeCodeBlock', () => {
  it('prevents a literal fence from closing the block', () => {
    expect(escapeCodeBlock('a ``` b')).not.toContain('```')
  })

  it('breaks every run, however long, and is idempotent', () => {
    for (const run of ['``', '```', '````', '`'.repeat(7)]) {
      const out = escapeCodeBlock(`x${run}y`)
      expect(out).not.toContain('``')
      expect(out.replaceAll('\u200b', '')).toBe(`x${run}y`)
      expect(escapeCodeBlock(out)).toBe(out)
    }
  })
})

describe('escapeBackticks', () => {
  it('escapes every backtick and the backslashes right before one', () => {
    expect(escapeBackticks('bad ``` input')).toBe('bad \\`\\`\\` input')
    expect(escapeBackticks('a \\` b')).toBe('a \\\\\\` b')
    expect(escapeBackticks('no ticks \\n')).toBe('no ticks \\n')
  })
})
