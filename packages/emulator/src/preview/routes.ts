/**
 * The preview page's routes, answered before the control routes:
 *
 *   GET /                       the page: every saved message rendered as Discord shows it, with the
 *                               rate-limit chart and the counters beside it (HTML, CSS and script inline)
 *   GET /_emulator/responses    the response history the chart starts from; `?after=SEQ` for newer ones
 *
 * After loading, the page follows GET /_emulator/events (SSE) and polls GET /_emulator/stats.
 */
import { randomBytes } from 'node:crypto'
import { html, json, STATUS, type Reply } from '../replies.js'
import { previewPage } from './page.js'
import type { ResponseLog } from './response-log.js'

export const RESPONSES_ROUTE = '/_emulator/responses'
const NONCE_BYTES = 16

export function previewReply (method: string, pathname: string, query: string, log: ResponseLog): Reply | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined
  if (pathname === '/' || pathname === '/index.html') {
    // The page renders untrusted payloads. It never parses them as HTML, and as a second line the
    // policy runs only the page's own script and style (nonce): no injected handler or tag could run.
    const nonce = randomBytes(NONCE_BYTES).toString('base64')
    return html(STATUS.ok, previewPage(nonce), {
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff'
    })
  }
  if (pathname === RESPONSES_ROUTE || pathname === `${RESPONSES_ROUTE}/`) {
    const after = Number(new URLSearchParams(query).get('after') ?? 0)
    return json(STATUS.ok, log.list(Number.isFinite(after) ? after : 0))
  }
  return undefined
}
