import { PREVIEW_JS } from './client.js'
import { PREVIEW_CSS } from './styles.js'

/**
 * The preview page served at GET /: a Discord-like channel on the left, the emulator's rate-limit
 * picture and counters on the right. Static markup; the inline script fills it in. `nonce` ties the
 * inline script and style to the Content-Security-Policy of the response.
 */
export function previewPage (nonce: string): string {
  return PAGE_HEAD + `<style nonce="${nonce}">${PREVIEW_CSS}</style>` + PAGE_BODY + `<script nonce="${nonce}">${PREVIEW_JS}</script></body></html>`
}

const PAGE_HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
  '<title>Discord emulator · preview</title><meta name="referrer" content="no-referrer">'

const counter = (key: string, label: string, tone = ''): string =>
  `<div class="counter ${tone}"><span class="n" data-counter="${key}">0</span><span class="l">${label}</span></div>`

const scope = (key: string): string =>
  `<div class="scope"><b data-counter="429-${key}">0</b><i class="sw-${key}"></i>${key}</div>`

const PAGE_BODY = `</head><body>
<header class="topbar"><span class="hash">#</span><span class="channel">alerts</span>
<span class="topic">Discord emulator: every message it received, rendered as Discord shows it</span>
<span id="live" class="live">connecting…</span></header>
<main class="layout">
<section id="chat" class="chat" aria-label="Messages"><div id="messages" class="messages"></div></section>
<aside class="side" aria-label="Emulator">
<section class="panel"><h2>Counters</h2><div class="counters">
${counter('received', 'received', 'good')}${counter('requests', 'requests')}${counter('rate-limited', '429s', 'warn')}
${counter('rejected', 'rejected', 'bad')}${counter('invalid', 'invalid')}${counter('faults', 'faults injected')}
</div></section>
<section class="panel"><h2>Rate limits: requests and 429s by scope</h2>
<svg id="chart" class="chart" viewBox="0 0 328 150" role="img" aria-label="Requests per second, 429s by scope, bucket remaining"></svg>
<div class="legend"><span><i class="sw-ok"></i>requests/s</span><span><i class="line sw-remaining"></i>bucket remaining (right axis)</span></div>
<div class="scopes">${scope('bucket')}${scope('shared')}${scope('global')}${scope('cloudflare')}</div>
</section>
<section class="panel"><h2>Rejected requests</h2><table id="rejected" class="rejected"></table></section>
<section class="panel"><h2>Faults injected</h2><div id="faults" class="faults"></div></section>
<p class="hint">Read-back: <code>/_emulator/messages</code>, <code>/_emulator/stats</code>, <code>/_emulator/events</code> (SSE).</p>
</aside></main>
`
