import { describe, expect, it } from 'vitest'
import { validateWebhookPayload } from '../src/index.js'

const failure = (body: unknown) => {
  const result = validateWebhookPayload(body)
  if (result.ok) throw new Error('expected the payload to be rejected')
  return result
}

const field = (name: string, value: string) => ({ name, value })

describe('validateWebhookPayload', () => {
  it('accepts plain content and a full embed', () => {
    expect(validateWebhookPayload({ content: 'hello' })).toEqual({ ok: true })
    expect(
      validateWebhookPayload({
        username: 'logcord',
        avatar_url: 'https://example.com/a.png',
        embeds: [
          {
            title: 'Error',
            description: 'boom',
            url: 'https://example.com/1',
            color: 0xff0000,
            timestamp: '2024-01-31T12:00:00.000Z',
            footer: { text: 'host-1', icon_url: 'attachment://icon.png' },
            author: { name: 'api', url: 'http://example.com' },
            thumbnail: { url: 'https://example.com/t.png' },
            image: { url: 'attachment://trace.png' },
            fields: [{ name: 'pid', value: '42', inline: true }]
          }
        ],
        allowed_mentions: { parse: [] },
        flags: 4096
      })
    ).toEqual({ ok: true })
  })

  it('rejects a message with no content and no embeds as 50006', () => {
    for (const body of [{}, { content: '' }, { content: '   ' }, { embeds: [] }, { content: null, embeds: null }]) {
      expect(failure(body)).toMatchObject({ code: 50006, message: 'Cannot send an empty message' })
    }
  })

  it('reports content over 2000 code points as BASE_TYPE_MAX_LENGTH with the limit in the message', () => {
    const result = failure({ content: 'x'.repeat(2001) })
    expect(result.code).toBe(50035)
    const leaf = (result.errors as any).content._errors[0]
    expect(leaf.code).toBe('BASE_TYPE_MAX_LENGTH')
    expect(leaf.message).toContain('2000')
  })

  it('counts code points, not UTF-16 units: an emoji string exactly at the limit passes', () => {
    const emoji = '😀'.repeat(2000) // 4000 UTF-16 units, 2000 code points
    expect(emoji.length).toBe(4000)
    expect(validateWebhookPayload({ content: emoji })).toEqual({ ok: true })
    expect(failure({ content: emoji + '😀' }).code).toBe(50035)
    expect(validateWebhookPayload({ embeds: [{ title: '🔥'.repeat(256) }] })).toEqual({ ok: true })
  })

  it('refuses a string holding a lone surrogate, naming where it is', () => {
    const half = '😀'.slice(0, 1)
    const result = failure({ username: `bot ${half}`, embeds: [{ title: 'ok' }, { fields: [field('k', `v ${half}`)] }] })
    expect(result.code).toBe(50035)
    expect((result.errors as any).username._errors[0].code).toBe('STRING_TYPE_INVALID_UNICODE')
    expect((result.errors as any).embeds['1'].fields['0'].value._errors[0].code).toBe('STRING_TYPE_INVALID_UNICODE')
    expect(validateWebhookPayload({ content: `whole ${'😀'} \uFFFD` })).toEqual({ ok: true })
  })

  it('trims leading and trailing whitespace before counting', () => {
    expect(validateWebhookPayload({ embeds: [{ title: `  ${'t'.repeat(256)}\n\t ` }] })).toEqual({ ok: true })
  })

  it('rejects a whitespace-only field value as BASE_TYPE_REQUIRED at its path', () => {
    const result = failure({ embeds: [{ fields: [field('name', ' \n\t ')] }] })
    expect((result.errors as any).embeds['0'].fields['0'].value._errors[0].code).toBe('BASE_TYPE_REQUIRED')
  })

  it('requires both field name and value', () => {
    const result = failure({ embeds: [{ fields: [{ value: 'v' }, { name: 'n' }] }] })
    const fields = (result.errors as any).embeds['0'].fields
    expect(fields['0'].name._errors[0].code).toBe('BASE_TYPE_REQUIRED')
    expect(fields['1'].value._errors[0].code).toBe('BASE_TYPE_REQUIRED')
  })

  it('rejects more than 10 embeds under errors.embeds._errors', () => {
    const result = failure({ embeds: Array.from({ length: 11 }, () => ({ title: 't' })) })
    const leaf = (result.errors as any).embeds._errors[0]
    expect(leaf.code).toBe('BASE_TYPE_MAX_LENGTH')
    expect(leaf.message).toContain('10')
  })

  it('enforces every per-embed length limit at the right path', () => {
    const result = failure({
      embeds: [
        {
          title: 't'.repeat(257),
          description: 'd'.repeat(4097),
          footer: { text: 'f'.repeat(2049) },
          author: { name: 'a'.repeat(257) },
          fields: [field('n'.repeat(257), 'v'.repeat(1025))]
        }
      ]
    })
    const embed = (result.errors as any).embeds['0']
    expect(embed.title._errors[0].message).toContain('256')
    expect(embed.description._errors[0].message).toContain('4096')
    expect(embed.footer.text._errors[0].message).toContain('2048')
    expect(embed.author.name._errors[0].message).toContain('256')
    expect(embed.fields['0'].name._errors[0].code).toBe('BASE_TYPE_MAX_LENGTH')
    expect(embed.fields['0'].value._errors[0].message).toContain('1024')
  })

  it('rejects more than 25 fields in one embed', () => {
    const fields = Array.from({ length: 26 }, (_, i) => field(`n${i}`, 'v'))
    expect((failure({ embeds: [{ fields }] }).errors as any).embeds['0'].fields._errors[0].code).toBe('BASE_TYPE_MAX_LENGTH')
  })

  it('counts the 6000 budget over all embeds together', () => {
    const embed = { description: 'd'.repeat(3000) }
    expect(validateWebhookPayload({ embeds: [embed, embed] })).toEqual({ ok: true })
    const result = failure({ embeds: [embed, embed, { title: 'x' }] })
    const leaf = (result.errors as any).embeds._errors[0]
    expect(leaf.code).toBe('BASE_TYPE_MAX_LENGTH')
    expect(leaf.message).toContain('6000')
  })

  it('counts field names, values, footer and author toward the 6000 budget', () => {
    const fields = Array.from({ length: 5 }, () => field('n'.repeat(200), 'v'.repeat(1000)))
    const big = { title: 't'.repeat(1), fields, footer: { text: 'f' } }
    // 5 × 1200 + 1 + 1 = 6002
    expect((failure({ embeds: [big] }).errors as any).embeds._errors[0].message).toContain('6000')
  })

  it('rejects wrong types with 50035 at the field', () => {
    const result = failure({ content: 5, embeds: 'no', tts: 'yes' })
    const errors = result.errors as any
    expect(result.code).toBe(50035)
    expect(errors.content._errors).toHaveLength(1)
    expect(errors.embeds._errors).toHaveLength(1)
    expect(errors.tts._errors).toHaveLength(1)
    expect((failure({ embeds: [{ title: 7 }] }).errors as any).embeds['0'].title._errors).toHaveLength(1)
    expect((failure([]) as any).errors._errors).toHaveLength(1)
  })

  it('collects every error of the body in one tree', () => {
    const result = failure({ content: 'c'.repeat(2001), embeds: [{ title: 't'.repeat(300) }, { color: -1 }], username: 'x'.repeat(81) })
    const errors = result.errors as any
    expect(Object.keys(errors).sort()).toEqual(['content', 'embeds', 'username'])
    expect(errors.embeds['0'].title).toBeDefined()
    expect(errors.embeds['1'].color).toBeDefined()
  })

  it('accepts colours 0..0xFFFFFF only, as integers', () => {
    expect(validateWebhookPayload({ embeds: [{ color: 0 }, { color: 0xffffff }] })).toEqual({ ok: true })
    for (const color of [-1, 0x1000000, 1.5, '#fff']) {
      expect((failure({ embeds: [{ color }] }).errors as any).embeds['0'].color._errors).toHaveLength(1)
    }
  })

  it('allows http(s) only for url and author.url, and attachment:// for media', () => {
    for (const url of ['ftp://x.y/z', 'attachment://a.png', 'not a url']) {
      expect((failure({ embeds: [{ url }] }).errors as any).embeds['0'].url._errors).toHaveLength(1)
      expect((failure({ embeds: [{ author: { name: 'a', url } }] }).errors as any).embeds['0'].author.url._errors).toHaveLength(1)
    }
    expect((failure({ embeds: [{ image: { url: 'ftp://x.y/z' } }] }).errors as any).embeds['0'].image.url._errors).toHaveLength(1)
    expect(validateWebhookPayload({ embeds: [{ thumbnail: { url: 'attachment://x.png' }, footer: { text: 'f', icon_url: 'https://x.y/i.png' } }] })).toEqual({ ok: true })
  })

  it('requires an ISO8601 timestamp', () => {
    expect(validateWebhookPayload({ embeds: [{ timestamp: '2024-01-31T12:00:00+02:00' }] })).toEqual({ ok: true })
    for (const timestamp of ['yesterday', '2024-13-45T99:00:00Z', 1706700000000]) {
      expect((failure({ embeds: [{ timestamp }] }).errors as any).embeds['0'].timestamp._errors).toHaveLength(1)
    }
  })

  it('limits the username override to 1-80 characters without clyde or discord', () => {
    expect(validateWebhookPayload({ content: 'x', username: 'u'.repeat(80) })).toEqual({ ok: true })
    for (const username of ['', 'u'.repeat(81), 'My Clyde', 'DISCORD alerts']) {
      expect((failure({ content: 'x', username }).errors as any).username._errors.length).toBeGreaterThan(0)
    }
  })

  it('checks allowed_mentions: known parse types, exclusive lists, at most 100 ids', () => {
    expect(validateWebhookPayload({ content: 'x', allowed_mentions: { parse: ['users'], roles: ['123456789012345678'] } })).toEqual({ ok: true })
    expect((failure({ content: 'x', allowed_mentions: { parse: ['channels'] } }).errors as any).allowed_mentions.parse['0']._errors).toHaveLength(1)
    expect((failure({ content: 'x', allowed_mentions: { parse: ['roles'], roles: ['123456789012345678'] } }).errors as any).allowed_mentions._errors).toHaveLength(1)
    expect((failure({ content: 'x', allowed_mentions: { parse: ['users'], users: ['123456789012345678'] } }).errors as any).allowed_mentions._errors).toHaveLength(1)
    const ids = Array.from({ length: 101 }, (_, i) => String(100000000000000000n + BigInt(i)))
    expect((failure({ content: 'x', allowed_mentions: { users: ids } }).errors as any).allowed_mentions.users._errors[0].code).toBe('BASE_TYPE_MAX_LENGTH')
  })

  it('allows only the SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS and IS_COMPONENTS_V2 flag bits', () => {
    expect(validateWebhookPayload({ content: 'x', flags: 4 | 4096 })).toEqual({ ok: true })
    expect((failure({ content: 'x', flags: 64 }).errors as any).flags._errors).toHaveLength(1)
    expect((failure({ content: 'x', flags: 32768 }).errors as any).content._errors).toHaveLength(1)
  })
})
