import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../src/errors.js'
import { EmbedBuilder } from '../src/format/embed-builder.js'
import { embedLength } from '../src/format/fit.js'
import { SEVERITY_STYLES } from '../src/levels.js'
import { LIMITS } from '../src/limits.js'

describe('EmbedBuilder', () => {
  it('builds every part through a chain', () => {
    const embed = new EmbedBuilder()
      .setTitle('Deploy failed')
      .setDescription('Step 3 of 5')
      .setURL('https://ci.example.com/run/1')
      .setColor('#ff0000')
      .addField('env', 'prod', true)
      .addFields({ name: 'sha', value: 'abc123' })
      .setFooter({ text: 'ci', iconURL: 'https://ci.example.com/i.png' })
      .setAuthor({ name: 'pipeline', url: 'https://ci.example.com', iconURL: 'attachment://a.png' })
      .setThumbnail('https://ci.example.com/t.png')
      .setImage('attachment://graph.png')
      .setTimestamp(0)
      .toJSON()
    expect(embed).toEqual({
      title: 'Deploy failed',
      description: 'Step 3 of 5',
      url: 'https://ci.example.com/run/1',
      color: 0xff0000,
      timestamp: '1970-01-01T00:00:00.000Z',
      footer: { text: 'ci', icon_url: 'https://ci.example.com/i.png' },
      author: { name: 'pipeline', url: 'https://ci.example.com', icon_url: 'attachment://a.png' },
      thumbnail: { url: 'https://ci.example.com/t.png' },
      image: { url: 'attachment://graph.png' },
      fields: [{ name: 'env', value: 'prod', inline: true }, { name: 'sha', value: 'abc123' }]
    })
  })

  it('takes a severity name as colour', () => {
    expect(new EmbedBuilder().setTitle('t').setColor('critical').toJSON().color).toBe(SEVERITY_STYLES.critical.color)
  })

  it('accepts a Date or a string timestamp and defaults to now', () => {
    expect(new EmbedBuilder().setTitle('t').setTimestamp(new Date(1000)).toJSON().timestamp).toBe('1970-01-01T00:00:01.000Z')
    expect(new EmbedBuilder().setTitle('t').setTimestamp('2024-01-31T12:00:00Z').toJSON().timestamp).toBe('2024-01-31T12:00:00.000Z')
    const before = Date.now()
    const stamp = Date.parse(new EmbedBuilder().setTitle('t').setTimestamp().toJSON().timestamp ?? '')
    expect(stamp).toBeGreaterThanOrEqual(before)
  })

  it('cuts values over limits instead of throwing', () => {
    const builder = new EmbedBuilder().setTitle('x'.repeat(1000)).setDescription('y'.repeat(9000))
    for (let i = 0; i < 30; i++) builder.addField(`f${i}`, 'v'.repeat(2000))
    const embed = builder.setColor(0x1000000).toJSON()
    expect([...embed.title ?? ''].length).toBe(LIMITS.title)
    expect(embed.fields).toHaveLength(LIMITS.fields)
    expect(embed.color).toBeUndefined()
    expect(embedLength(embed)).toBeLessThanOrEqual(LIMITS.totalEmbedChars)
  })

  it('fits a smaller budget when asked', () => {
    expect(embedLength(new EmbedBuilder().setDescription('d'.repeat(3000)).toJSON(500))).toBeLessThanOrEqual(500)
  })

  it('throws an InvalidOptionError naming the method for arguments of the wrong type', () => {
    const b = new EmbedBuilder()
    expect(() => b.setTitle(42 as unknown as string)).toThrow(InvalidOptionError)
    expect(() => b.setTitle(42 as unknown as string)).toThrow(/EmbedBuilder\.setTitle/)
    expect(() => b.setColor('blue' as '#000000')).toThrow(/EmbedBuilder\.setColor/)
    expect(() => b.addField('n', { v: 1 } as unknown as string)).toThrow(/EmbedBuilder\.addField\(value\)/)
    expect(() => b.addFields(null as never)).toThrow(/EmbedBuilder\.addFields/)
    expect(() => b.setFooter({ text: 1 } as unknown as { text: string })).toThrow(/EmbedBuilder\.setFooter\(text\)/)
    expect(() => b.setTimestamp({} as unknown as Date)).toThrow(/EmbedBuilder\.setTimestamp/)
  })

  it('copies the embed given to from()', () => {
    const source = { title: 'a', fields: [{ name: 'n', value: 'v' }] }
    const embed = EmbedBuilder.from(source).addField('m', 'w').setTitle('b').toJSON()
    expect(embed.fields).toHaveLength(2)
    expect(source).toEqual({ title: 'a', fields: [{ name: 'n', value: 'v' }] })
  })

  it('never produces an empty embed', () => {
    expect(new EmbedBuilder().toJSON()).toEqual({ title: '…' })
  })
})
