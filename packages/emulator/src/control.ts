/**
 * Read-back and control routes under /_emulator/, for other processes (demo, CLI, preview):
 *
 *   GET  /_emulator/messages                      saved messages (JSON)
 *   GET  /_emulator/stats                         counters (JSON)
 *   GET  /_emulator/faults                        faults in force (JSON)
 *   GET  /_emulator/events                        Server-Sent Events: `message`, `messageUpdate` and `response`
 *   GET  /_emulator/attachments/:messageId/:n     the n-th file of a saved message, as sent
 *   POST /_emulator/reset                         clear messages, counters, limits
 *   POST /_emulator/faults                        JSON body merged into the faults
 *   POST /_emulator/webhooks                      new webhook: {id, token, channelId, url}
 *   POST /_emulator/webhooks/:id/revoke?status=   401 (token rotated) or 404 (deleted)
 *   POST /_emulator/messages/:id/delete           delete a message as a moderator would (edits of it then get 10008)
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { assertFaultsInput } from './faults.js'
import type { EventStream } from './event-stream.js'
import { readBody, send } from './http-io.js'
import { json, STATUS } from './replies.js'
import type { Emulator, RevokeStatus } from './server.js'

export const CONTROL_PREFIX = '/_emulator/'

/** Control bodies are small JSON objects; anything bigger is a mistake. */
const MAX_CONTROL_BODY_BYTES = 64 * 1024
const REVOKE_ROUTE = /^\/_emulator\/webhooks\/(\d{17,20})\/revoke$/
const DELETE_ROUTE = /^\/_emulator\/messages\/(\d{17,20})\/delete$/
const ATTACHMENT_PATH = /^\/_emulator\/attachments\/(\d{1,20})\/(\d{1,2})$/

export interface ControlRequest {
  emulator: Emulator
  stream: EventStream
  req: IncomingMessage
  res: ServerResponse
  pathname: string
  query: string
}

export function handleControl ({ emulator, stream, req, res, pathname, query }: ControlRequest): void {
  const route = `${req.method ?? 'GET'} ${pathname.replace(/\/$/, '')}`
  const noContent = { status: STATUS.noContent, headers: {}, body: '' }

  if (route === 'GET /_emulator/events') {
    req.resume()
    stream.add(res)
    return
  }
  readBody(req, MAX_CONTROL_BODY_BYTES, (body) => {
    try {
      switch (route) {
        case 'GET /_emulator/messages':
          return send(res, json(STATUS.ok, emulator.messages))
        case 'GET /_emulator/stats':
          return send(res, json(STATUS.ok, emulator.stats()))
        case 'GET /_emulator/faults':
          return send(res, json(STATUS.ok, emulator.faults))
        case 'POST /_emulator/reset':
          emulator.reset()
          return send(res, noContent)
        case 'POST /_emulator/faults': {
          const faults = parseJson(body)
          assertFaultsInput(faults)
          emulator.setFaults(faults)
          return send(res, json(STATUS.ok, emulator.faults))
        }
        case 'POST /_emulator/webhooks': {
          const url = emulator.webhookUrl()
          const [id, token] = url.split('/').slice(-2) as [string, string]
          return send(res, json(STATUS.ok, { id, token, url }))
        }
      }
      const file = ATTACHMENT_PATH.exec(pathname)
      if (file && req.method === 'GET') {
        const attachment = emulator.messages.find((m) => m.id === file[1])?.attachments[Number(file[2])]
        if (attachment === undefined) return send(res, json(STATUS.notFound, { message: 'No such attachment.' }))
        const bytes = Buffer.from(attachment.data, 'base64')
        res.writeHead(STATUS.ok, {
          'content-type': attachment.content_type,
          'content-length': bytes.length,
          'content-disposition': `inline; filename="${attachment.filename.replace(/["\\\r\n]/g, '_')}"`,
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'"
        })
        return res.end(bytes)
      }
      const deleted = DELETE_ROUTE.exec(pathname)
      if (deleted && req.method === 'POST') return send(res, emulator.deleteMessage(deleted[1]!) ? noContent : json(STATUS.notFound, { message: 'No such message.' }))
      const revoke = REVOKE_ROUTE.exec(pathname)
      if (revoke && req.method === 'POST') {
        const status = Number(new URLSearchParams(query).get('status') ?? STATUS.notFound)
        if (status !== STATUS.unauthorized && status !== STATUS.notFound) throw new TypeError('status must be 401 or 404.')
        emulator.revoke(revoke[1] as string, status as RevokeStatus)
        return send(res, noContent)
      }
      send(res, json(STATUS.notFound, { message: `No emulator route ${route}.` }))
    } catch (error) {
      send(res, json(STATUS.badRequest, { message: (error as Error).message }))
    }
  })
}

function parseJson (body: Buffer | undefined): unknown {
  if (body === undefined) throw new TypeError('Body too large.')
  try {
    return JSON.parse(body.toString('utf8') || '{}')
  } catch {
    throw new TypeError('Body must be JSON.')
  }
}
