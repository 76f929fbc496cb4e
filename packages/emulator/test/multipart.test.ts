import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../src/index.js'
import { get, post, start, TOKEN, v10, WEBHOOK_ID, withQuery } from './helpers.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

/** Posts a multipart body the way Discord's clients build it (global fetch writes the boundary). */
async function postForm (url: string, payload: unknown, files: Array<{ part: string; name: string; bytes: Uint8Array | string; type?: string }>) {
  const form = new FormData()
  if (payload !== undefined) form.append('payload_json', JSON.stringify(payload))
  for (const f of files) form.append(f.part, new Blob([f.bytes], { type: f.type ?? 'text/plain' }), f.name)
  const response = await fetch(url, { method: 'POST', body: form })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

describe('Execute Webhook with files (multipart/form-data)', () => {
  it('keeps payload_json and every files[n], byte for byte, and lists them in the message object', async () => {
    emulator = await start()
    const url = withQuery(v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN)), 'wait=true')
    const binary = Uint8Array.from([0, 255, 13, 10, 45, 45, 13, 10, 0xe2, 0x82])
    const answer = await postForm(url, { embeds: [{ title: 'T' }], attachments: [{ id: 0, filename: 'a.txt' }, { id: 1, filename: 'raw.bin', description: 'bytes' }] }, [
      { part: 'files[0]', name: 'a.txt', bytes: 'héllo\r\n--not-a-boundary\r\n' },
      { part: 'files[1]', name: 'upload.bin', bytes: binary, type: 'application/octet-stream' }
    ])
    expect(answer.status).toBe(200)
    const [message] = emulator.messages
    expect(message?.payload).toMatchObject({ embeds: [{ title: 'T' }] })
    expect(message?.attachments.map((a) => [a.filename, a.size, a.content_type])).toEqual([['a.txt', 26, 'text/plain'], ['raw.bin', 10, 'application/octet-stream']])
    expect(Buffer.from(message!.attachments[0]!.data, 'base64').toString('utf8')).toBe('héllo\r\n--not-a-boundary\r\n')
    expect([...Buffer.from(message!.attachments[1]!.data, 'base64')]).toEqual([...binary])
    expect(message?.attachments[1]?.description).toBe('bytes')
    expect(answer.body.attachments).toMatchObject([{ filename: 'a.txt', size: 26 }, { filename: 'raw.bin', size: 10 }])
    const served = await get(`${emulator.origin}${answer.body.attachments[0].url}`)
    expect(served.text).toBe('héllo\r\n--not-a-boundary\r\n')
  })

  it('accepts a file as the whole message, and JSON bodies carry no attachments', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    expect((await postForm(url, {}, [{ part: 'files[0]', name: 'only.txt', bytes: 'x' }])).status).toBe(204)
    expect((await post(url, { content: 'json' })).status).toBe(204)
    expect(emulator.messages.map((m) => m.attachments.length)).toEqual([1, 0])
  })

  it('answers 50035 ATTACHMENT_NOT_FOUND for an attachments entry that names no uploaded file', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const answer = await postForm(url, { content: 'c', attachments: [{ id: 0, filename: 'a.txt' }, { id: 1, filename: 'b.txt' }] }, [{ part: 'files[0]', name: 'a.txt', bytes: 'a' }])
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ code: 50035, errors: { attachments: { 1: { _errors: [{ code: 'ATTACHMENT_NOT_FOUND' }] } } } })
    expect(emulator.messages).toHaveLength(0)
  })

  it('refuses more than 10 files (50035) and a file over 10 MiB (413 40005)', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const eleven = Array.from({ length: 11 }, (_, i) => ({ part: `files[${i}]`, name: `${i}.txt`, bytes: 'x' }))
    const many = await postForm(url, { content: 'c' }, eleven)
    expect(many.status).toBe(400)
    expect(many.body).toMatchObject({ code: 50035, errors: { files: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } })
    const big = await postForm(url, { content: 'c' }, [{ part: 'files[0]', name: 'big.txt', bytes: 'x'.repeat(10 * 1024 * 1024 + 1) }])
    expect(big.status).toBe(413)
    expect(big.body).toMatchObject({ code: 40005 })
    expect(emulator.messages).toHaveLength(0)
  })

  it('answers 50109 for invalid payload_json and 50035 for a broken multipart body', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const form = new FormData()
    form.append('payload_json', '{not json')
    const bad = await fetch(url, { method: 'POST', body: form })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ code: 50109 })
    const broken = await post(url, undefined, { contentType: 'multipart/form-data; boundary=xyz', raw: '--xyz\r\nContent-Disposition: form-data; name="payload_json"\r\n\r\n{}' })
    expect(broken.status).toBe(400)
    expect(broken.body).toMatchObject({ code: 50035 })
    const noBoundary = await post(url, undefined, { contentType: 'multipart/form-data', raw: 'x' })
    expect(noBoundary.status).toBe(400)
  })

  it('still validates the payload inside payload_json', async () => {
    emulator = await start()
    const url = v10(emulator.webhookUrl(WEBHOOK_ID, TOKEN))
    const answer = await postForm(url, { embeds: [{ title: 't'.repeat(257) }] }, [{ part: 'files[0]', name: 'a.txt', bytes: 'a' }])
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ code: 50035, errors: { embeds: { 0: { title: {} } } } })
  })
})
