import { describe, expect, it } from 'vitest'
import { InvalidWebhookUrlError } from '../src/errors.js'
import { parseWebhookUrl, redactLoose, redactToken } from '../src/http/webhook-url.js'

const ID = '112233445566778899'
// 68 URL-safe characters, the shape Discord hands out today.
const TOKEN = 'aB3_dE6-gH9iJ2kL5mN8oP1qR4sT7uV0wX3yZ6aB9cD2eF5gH8iJ1kL4mN7oP0qR3sT6'
// An older docs example: 100 hex characters.
const HEX_TOKEN = '0123456789abcdef'.repeat(6) + '0123'
const CANONICAL = `https://discord.com/api/v10/webhooks/${ID}/${TOKEN}?wait=true`

/** Calls parseWebhookUrl expecting it to throw; returns the error so its message can be inspected. */
function rejectionOf (input: string, options?: Parameters<typeof parseWebhookUrl>[1]): InvalidWebhookUrlError {
  try {
    parseWebhookUrl(input, options)
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidWebhookUrlError)
    return error as InvalidWebhookUrlError
  }
  throw new Error(`expected ${redactLoose(input)} to be rejected`)
}

describe('parseWebhookUrl', () => {
  it.each([
    ['the URL Discord hands out (no version)', `https://discord.com/api/webhooks/${ID}/${TOKEN}`],
    ['the legacy discordapp.com host', `https://discordapp.com/api/webhooks/${ID}/${TOKEN}`],
    ['the ptb. host', `https://ptb.discord.com/api/webhooks/${ID}/${TOKEN}`],
    ['the canary. host', `https://canary.discord.com/api/webhooks/${ID}/${TOKEN}`],
    ['ptb.discordapp.com', `https://ptb.discordapp.com/api/webhooks/${ID}/${TOKEN}`],
    ['canary.discordapp.com', `https://canary.discordapp.com/api/webhooks/${ID}/${TOKEN}`],
    ['an upper-case host', `https://DISCORD.com/api/webhooks/${ID}/${TOKEN}`],
    ['/api/v6', `https://discord.com/api/v6/webhooks/${ID}/${TOKEN}`],
    ['/api/v9', `https://discord.com/api/v9/webhooks/${ID}/${TOKEN}`],
    ['/api/v10', `https://discord.com/api/v10/webhooks/${ID}/${TOKEN}`],
    ['a trailing slash', `https://discord.com/api/webhooks/${ID}/${TOKEN}/`],
    ['surrounding whitespace from an env file', `  https://discord.com/api/webhooks/${ID}/${TOKEN}\n`],
    ['a wait=false query, which is replaced', `https://discord.com/api/webhooks/${ID}/${TOKEN}?wait=false`]
  ])('rewrites %s to the v10 discord.com URL with wait=true', (_name, input) => {
    const target = parseWebhookUrl(input)
    expect(target).toEqual({
      id: ID,
      token: TOKEN,
      url: CANONICAL,
      redacted: `https://discord.com/api/v10/webhooks/${ID}/[redacted]?wait=true`
    })
  })

  it('keeps ?thread_id= from the URL', () => {
    const thread = '998877665544332211'
    const target = parseWebhookUrl(`https://discord.com/api/webhooks/${ID}/${TOKEN}?thread_id=${thread}`)
    expect(target.threadId).toBe(thread)
    expect(target.url).toBe(`${CANONICAL}&thread_id=${thread}`)
    expect(target.redacted).toBe(`https://discord.com/api/v10/webhooks/${ID}/[redacted]?wait=true&thread_id=${thread}`)
  })

  it('lets the threadId option override the URL\'s thread_id', () => {
    const target = parseWebhookUrl(`https://discord.com/api/webhooks/${ID}/${TOKEN}?thread_id=111111111111111111`, { threadId: '222222222222222222' })
    expect(target.threadId).toBe('222222222222222222')
    expect(target.url).toContain('thread_id=222222222222222222')
  })

  it('rejects a thread_id that is not a snowflake', () => {
    expect(rejectionOf(`https://discord.com/api/webhooks/${ID}/${TOKEN}?thread_id=general`).message).toMatch(/threadId.*17-20 digit/)
  })

  it('accepts a 100-character hex token from the older docs', () => {
    const target = parseWebhookUrl(`https://discord.com/api/webhooks/${ID}/${HEX_TOKEN}`)
    expect(target.token).toBe(HEX_TOKEN)
    expect(target.url).toBe(`https://discord.com/api/v10/webhooks/${ID}/${HEX_TOKEN}?wait=true`)
  })

  it('accepts ids of 17 and 20 digits', () => {
    expect(parseWebhookUrl(`https://discord.com/api/webhooks/12345678901234567/${TOKEN}`).id).toBe('12345678901234567')
    expect(parseWebhookUrl(`https://discord.com/api/webhooks/12345678901234567890/${TOKEN}`).id).toBe('12345678901234567890')
  })

  it.each(['slack', 'github', 'Slack'])('rejects the /%s-compatible endpoint and says how to fix it', (suffix) => {
    const error = rejectionOf(`https://discord.com/api/webhooks/${ID}/${TOKEN}/${suffix}`)
    expect(error.message).toMatch(/Slack- or GitHub-compatible/)
    expect(error.message).toMatch(/Remove the trailing \/slack or \/github/)
    expect(error.code).toBe('ERR_INVALID_WEBHOOK_URL')
  })

  it('rejects plain http off loopback and points to apiOrigin', () => {
    expect(rejectionOf(`http://discord.com/api/webhooks/${ID}/${TOKEN}`).message).toMatch(/scheme is http; Discord webhooks use https.*loopback.*apiOrigin/)
    expect(rejectionOf(`http://10.0.0.5:3000/api/webhooks/${ID}/${TOKEN}`).message).toMatch(/use https/)
  })

  it('rejects a host that is not Discord without naming it (a mangled URL may hold the token there)', () => {
    const error = rejectionOf(`https://example.com/api/webhooks/${ID}/${TOKEN}`)
    expect(error.message).toMatch(/the host is not discord\.com/)
    expect(error.message).not.toContain('example.com')
  })

  it.each(['127.0.0.1:3000', 'localhost:8080', '[::1]:9000', '127.0.0.2'])('sends a loopback URL (http://%s, as the emulator prints it) to its own origin', (host) => {
    const target = parseWebhookUrl(`http://${host}/api/webhooks/${ID}/${TOKEN}?thread_id=998877665544332211`)
    expect(target.url).toBe(`http://${host}/api/v10/webhooks/${ID}/${TOKEN}?wait=true&thread_id=998877665544332211`)
    expect(target.redacted).toBe(`http://${host}/api/v10/webhooks/${ID}/[redacted]?wait=true&thread_id=998877665544332211`)
  })

  it('rejects a look-alike host', () => {
    rejectionOf(`https://discord.com.evil.example/api/webhooks/${ID}/${TOKEN}`)
    rejectionOf(`https://notdiscord.com/api/webhooks/${ID}/${TOKEN}`)
  })

  it('sends to apiOrigin over http when it is a loopback address, keeping id, token and thread', () => {
    const target = parseWebhookUrl(`http://127.0.0.1:3000/api/webhooks/${ID}/${TOKEN}?thread_id=998877665544332211`, { apiOrigin: 'http://127.0.0.1:3000' })
    expect(target.url).toBe(`http://127.0.0.1:3000/api/v10/webhooks/${ID}/${TOKEN}?wait=true&thread_id=998877665544332211`)
  })

  it('replaces the URL\'s host by apiOrigin', () => {
    const target = parseWebhookUrl(`https://discord.com/api/webhooks/${ID}/${TOKEN}`, { apiOrigin: 'http://localhost:8080/ignored/path' })
    expect(target.url).toBe(`http://localhost:8080/api/v10/webhooks/${ID}/${TOKEN}?wait=true`)
  })

  it.each(['http://[::1]:8080', 'http://127.0.0.2', 'https://proxy.example.com'])('accepts apiOrigin %s', (origin) => {
    expect(parseWebhookUrl(`https://discord.com/api/webhooks/${ID}/${TOKEN}`, { apiOrigin: origin }).url.startsWith(new URL(origin).origin)).toBe(true)
  })

  it('rejects an http apiOrigin that is not loopback', () => {
    const error = rejectionOf(`https://discord.com/api/webhooks/${ID}/${TOKEN}`, { apiOrigin: 'http://10.0.0.5:8080' })
    expect(error.message).toMatch(/apiOrigin.*only on loopback/)
  })

  it.each(['not a url', 'ftp://127.0.0.1'])('rejects apiOrigin %j', (origin) => {
    expect(rejectionOf(`https://discord.com/api/webhooks/${ID}/${TOKEN}`, { apiOrigin: origin }).message).toMatch(/apiOrigin/)
  })

  it.each([
    ['a 16-digit id', `https://discord.com/api/webhooks/1234567890123456/${TOKEN}`, /the id is not a 17-20 digit snowflake \(it has 16 characters\)/],
    ['a 21-digit id', `https://discord.com/api/webhooks/123456789012345678901/${TOKEN}`, /the id is not a 17-20 digit snowflake \(it has 21 characters\)/],
    ['a non-numeric id', `https://discord.com/api/webhooks/abcdefabcdefabcdef/${TOKEN}`, /the id is not .*not all digits/],
    ['a missing token', `https://discord.com/api/webhooks/${ID}`, /one segment after \/webhooks\//],
    ['a token with a forbidden character', `https://discord.com/api/webhooks/${ID}/${TOKEN}!`, /characters a Discord token never has/],
    ['a short token', `https://discord.com/api/webhooks/${ID}/abc`, /the token is too short \(3 characters/],
    ['a message sub-path', `https://discord.com/api/webhooks/${ID}/${TOKEN}/messages/123`, /4 segments after \/webhooks\//],
    ['a path without /api', `https://discord.com/webhooks/${ID}/${TOKEN}`, /must start with \/api\/webhooks\//],
    ['a double slash', `https://discord.com/api/webhooks//${ID}/${TOKEN}`, /an empty segment \(a double slash\)/],
    ['id and token swapped', `https://discord.com/api/webhooks/${TOKEN}/${ID}`, /the id and the token are swapped/],
    ['the token as a query parameter', `https://discord.com/api/webhooks/${ID}?token=${TOKEN}`, /the token is in the query/]
  ])('rejects %s, saying what is wrong and what is expected', (_name, input, problem) => {
    const message = rejectionOf(input).message
    expect(message).toMatch(problem)
    expect(message).toContain('expected https://discord.com/api/webhooks/<id>/<token>')
  })

  it('rejects a discontinued API version', () => {
    expect(rejectionOf(`https://discord.com/api/v5/webhooks/${ID}/${TOKEN}`).message).toMatch(/API v5 is discontinued/)
  })

  it.each([
    ['an empty string', ''],
    ['whitespace', '   '],
    ['a bare token', TOKEN],
    ['a URL without a scheme', `discord.com/api/webhooks/${ID}/${TOKEN}`]
  ])('rejects %s with a how-to', (_name, input) => {
    expect(rejectionOf(input).message).toMatch(/Copy Webhook URL/)
  })

  it('rejects a value that is not a string', () => {
    expect(rejectionOf(42 as unknown as string).message).toMatch(/received number, not a string/)
  })

  it('never puts the token in any error message', () => {
    const inputs = [
      `http://discord.com/api/webhooks/${ID}/${TOKEN}`,
      `https://example.com/api/webhooks/${ID}/${TOKEN}`,
      `https://discord.com/api/webhooks/${ID}/${TOKEN}/slack`,
      `https://discord.com/api/webhooks/${ID}/${TOKEN}/github`,
      `https://discord.com/api/webhooks/abc/${TOKEN}`,
      `https://discord.com/api/webhooks/1234/${TOKEN}`,
      `https://discord.com/api/webhooks/ ${ID}/${TOKEN}`,
      `https://discord.com/api/webhooks/${ID}/${TOKEN}!`,
      `https://discord.com/api/webhooks/${ID}/${TOKEN}/messages/1`,
      `https://discord.com/api/v5/webhooks/${ID}/${TOKEN}`,
      `https://discord.com/api/webhooks/${ID}/${TOKEN}?thread_id=x`,
      `https://user:${TOKEN}@example.com/api/webhooks/${ID}/x`,
      `discord.com/api/webhooks/${ID}/${TOKEN}`,
      `https://discord.com/webhooks/${ID}/${TOKEN}`,
      TOKEN,
      `${TOKEN} ${TOKEN}`
    ]
    for (const input of inputs) {
      const error = rejectionOf(input)
      expect(error.message).not.toContain(TOKEN)
      expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(TOKEN)
    }
    const withOrigin = rejectionOf(`https://discord.com/api/webhooks/${ID}/${TOKEN}`, { apiOrigin: 'http://10.1.2.3' })
    expect(withOrigin.message).not.toContain(TOKEN)
  })
})

describe('redactToken', () => {
  it('replaces every occurrence of the token', () => {
    expect(redactToken(`a ${TOKEN} b ${TOKEN}`, TOKEN)).toBe('a [redacted] b [redacted]')
  })

  it('leaves text without the token, and any text for an empty token, unchanged', () => {
    expect(redactToken('nothing here', TOKEN)).toBe('nothing here')
    expect(redactToken('nothing here', '')).toBe('nothing here')
  })
})

describe('redactLoose', () => {
  it('redacts the segment after /webhooks/{id}/ wherever it appears', () => {
    expect(redactLoose(`POST https://discord.com/api/v10/webhooks/${ID}/${TOKEN}?wait=true failed`))
      .toBe(`POST https://discord.com/api/v10/webhooks/${ID}/[redacted]?wait=true failed`)
    expect(redactLoose(`path '/api/v10/webhooks/${ID}/${TOKEN}'`)).toBe(`path '/api/v10/webhooks/${ID}/[redacted]'`)
  })

  it('redacts even when the id segment is malformed', () => {
    expect(redactLoose(`/webhooks/not-an-id/${TOKEN}`)).toBe('/webhooks/not-an-id/[redacted]')
  })

  it('is idempotent on already redacted text', () => {
    const once = redactLoose(CANONICAL)
    expect(redactLoose(once)).toBe(once)
  })
})

describe('redactLoose inside markup', () => {
  it('keeps the HTML around a quoted path', () => {
    expect(redactLoose(`<pre>Cannot POST /api/webhooks/${ID}/${TOKEN}</pre>`)).toBe(`<pre>Cannot POST /api/webhooks/${ID}/[redacted]</pre>`)
  })
})
