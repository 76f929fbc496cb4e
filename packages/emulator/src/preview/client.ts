/**
 * The preview page's script, as a string the page inlines (no build step, nothing fetched from elsewhere).
 *
 *   load:  open SSE /_emulator/events ─► fetch /_emulator/messages, /_emulator/responses, /_emulator/stats
 *   live:  SSE `message` ─► render (deduplicated by id)      SSE `response` ─► chart (deduplicated by seq)
 *          /_emulator/stats every second ─► counters, 429s by scope, rejections, faults
 *
 * Safety: payloads are untrusted. Nothing here ever assigns HTML: every string from a payload reaches
 * the page through `textContent` or `createTextNode`, and links and images take only http(s) URLs, set
 * as attributes. The markdown renderer builds elements, so `<img src=x onerror=…>` stays text.
 *
 * Written without template literals so it can live inside this TypeScript template string; a backtick
 * is spelled \x60.
 */
export const PREVIEW_JS = String.raw`
(function () {
  'use strict';

  var MAX_MESSAGES = 1000;
  var GROUP_MS = 7 * 60 * 1000;
  var CHART_BINS = 60;
  var MIN_BINS = 30;
  var BIN_STEPS_MS = [100, 200, 250, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 300000, 600000, 1800000, 3600000];
  var DEFAULT_NAME = 'Emulated Webhook';
  var SCOPES = [
    { key: 'bucket', label: 'bucket', color: '#f0b232' },
    { key: 'shared', label: 'shared', color: '#eb459f' },
    { key: 'global', label: 'global', color: '#f23f43' },
    { key: 'cloudflare', label: 'cloudflare', color: '#f47b67' }
  ];
  var STATUS_TEXT = { 0: 'no answer (dropped or hung)', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
    405: 'Method Not Allowed', 413: 'Payload Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };
  var CODE_TEXT = { 0: 'general error', 10015: 'Unknown Webhook', 40005: 'Request entity too large', 50006: 'Cannot send an empty message',
    50027: 'Invalid Webhook Token', 50035: 'Invalid Form Body', 50041: 'Invalid API Version', 50109: 'Invalid JSON' };

  var state = { ids: new Set(), responses: [], seqs: new Set(), loaded: false, pending: [], last: null, stats: null, count: 0 };
  var $ = function (id) { return document.getElementById(id); };

  // ── DOM helpers: text only ever goes through textContent / createTextNode ─────────────────────
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var k in attrs) node.setAttribute(k, String(attrs[k]));
    return node;
  }
  function isWebUrl(url) { return typeof url === 'string' && /^https?:\/\//i.test(url); }
  function link(href, child) {
    if (!isWebUrl(href)) return child;
    var a = el('a');
    a.setAttribute('href', href);
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer nofollow');
    a.appendChild(child);
    return a;
  }
  function image(url, cls, alt) {
    var box = el('div', cls);
    if (!isWebUrl(url)) {
      box.appendChild(el('div', 'img-missing', url ? 'attachment' : 'image'));
      return box;
    }
    var img = el('img');
    img.setAttribute('alt', alt || '');
    img.setAttribute('referrerpolicy', 'no-referrer');
    img.setAttribute('loading', 'lazy');
    img.addEventListener('error', function () { img.replaceWith(el('div', 'img-missing', 'image')); });
    img.setAttribute('src', url);
    box.appendChild(img);
    return box;
  }
  function hex(color) {
    return '#' + ('000000' + (Number(color) >>> 0).toString(16)).slice(-6);
  }
  function str(v) { return typeof v === 'string' ? v : (v === undefined || v === null ? '' : String(v)); }

  // ── Discord markdown ──────────────────────────────────────────────────────────────────────────
  // Inline rules, tried at every position; the earliest match wins, ties go to the first rule.
  var INLINE = [
    { re: /\\([*_~|\x60>#\-\[\]()\\:<@])/g, make: function (m) { return document.createTextNode(m[1]); } },
    { re: /(\x60+)([\s\S]*?[^\x60])\1(?!\x60)/g, make: function (m) { return el('code', 'md-code', m[2]); } },
    { re: /\*\*\*(?=\S)([\s\S]*?\S)\*\*\*(?!\*)/g, make: function (m, d) { var b = el('strong'); var i = el('em'); i.appendChild(inline(m[1], d)); b.appendChild(i); return b; } },
    { re: /\*\*(?=\S)([\s\S]*?\S)\*\*(?!\*)/g, make: wrap('strong') },
    { re: /__(?=\S)([\s\S]*?\S)__(?!_)/g, make: wrap('u') },
    { re: /\*(?=[^\s*])([\s\S]*?[^\s*])\*(?!\*)/g, make: wrap('em') },
    { re: /\*(?=[^\s*])([^*])\*(?!\*)/g, make: wrap('em') },
    { re: /(?:^|(?<=[^\w]))_(?=\S)([\s\S]*?\S)_(?![\w])/g, make: wrap('em') },
    { re: /~~(?=\S)([\s\S]*?\S)~~/g, make: wrap('s') },
    { re: /\|\|([\s\S]+?)\|\|/g, make: function (m, d) {
      var s = el('span', 'md-spoiler'); s.appendChild(inline(m[1], d));
      s.addEventListener('click', function () { s.classList.toggle('shown'); });
      return s;
    } },
    { re: /\[([^\[\]\n]+)\]\(\s*<?(https?:\/\/[^\s<>()]+(?:\([^\s<>()]*\)[^\s<>()]*)*)>?(?:\s+"[^"]*")?\s*\)/g, make: function (m, d) { return link(m[2], inline(m[1], d)); } },
    { re: /<(https?:\/\/[^\s>]+)>/g, make: function (m) { return link(m[1], document.createTextNode(m[1])); } },
    { re: /https?:\/\/[^\s<]+[^<.,:;"'!?)\]\s]/g, make: function (m) { return link(m[0], document.createTextNode(m[0])); } },
    { re: /<@!?(\d{17,20})>/g, make: function (m) { return el('span', 'md-mention', '@user ' + m[1].slice(-4)); } },
    { re: /<@&(\d{17,20})>/g, make: function (m) { return el('span', 'md-mention', '@role ' + m[1].slice(-4)); } },
    { re: /<#(\d{17,20})>/g, make: function (m) { return el('span', 'md-mention', '#channel ' + m[1].slice(-4)); } },
    { re: /@(everyone|here)\b/g, make: function (m) { return el('span', 'md-mention', m[0]); } },
    { re: /<t:(-?\d{1,13})(?::([tTdDfFR]))?>/g, make: function (m) { return el('span', 'md-time', formatStamp(Number(m[1]) * 1000, m[2] || 'f')); } }
  ];
  function wrap(tag) {
    return function (m, d) { var n = el(tag); n.appendChild(inline(m[1], d)); return n; };
  }
  function inline(text, depth) {
    depth = (depth || 0) + 1;
    var frag = document.createDocumentFragment();
    if (depth > 8) { frag.appendChild(document.createTextNode(text)); return frag; }
    var pos = 0;
    while (pos < text.length) {
      var best = null, rule = null;
      for (var i = 0; i < INLINE.length; i++) {
        INLINE[i].re.lastIndex = pos;
        var m = INLINE[i].re.exec(text);
        if (m && m[0].length > 0 && (best === null || m.index < best.index)) { best = m; rule = INLINE[i]; }
      }
      if (!best) break;
      if (best.index > pos) frag.appendChild(document.createTextNode(text.slice(pos, best.index)));
      frag.appendChild(rule.make(best, depth));
      pos = best.index + best[0].length;
    }
    if (pos < text.length) frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  var FENCE = /\x60\x60\x60(?:([A-Za-z0-9_+#.\-]+)\n)?\n?([\s\S]*?)\n?\x60\x60\x60/g;
  // Blocks: fenced code first (it may start mid-line), then quotes, headers, subtext and lists by line.
  function markdown(text, opts) {
    opts = opts || {};
    var frag = document.createDocumentFragment();
    var pos = 0, m;
    FENCE.lastIndex = 0;
    var fences = [];
    while ((m = FENCE.exec(text)) !== null) fences.push({ index: m.index, end: FENCE.lastIndex, lang: m[1] || '', code: m[2] });
    for (var f = 0; f < fences.length; f++) {
      lines(text.slice(pos, fences[f].index), frag, opts);
      var pre = el('pre', 'md-pre');
      var code = el('code', fences[f].lang ? 'lang-' + fences[f].lang : '', fences[f].code);
      if (fences[f].lang) code.setAttribute('data-lang', fences[f].lang);
      pre.appendChild(code);
      frag.appendChild(pre);
      pos = fences[f].end;
      if (text.charAt(pos) === '\n') pos++;
    }
    lines(text.slice(pos), frag, opts);
    return frag;
  }
  function lines(text, frag, opts) {
    if (!text) return;
    var rows = text.split('\n');
    var para = [];
    var flush = function () {
      if (para.length === 0) return;
      var p = el('div', 'md-p');
      p.appendChild(inline(para.join('\n')));
      frag.appendChild(p);
      para = [];
    };
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], m;
      if (!opts.quoted && /^>>> /.test(row)) {
        flush();
        frag.appendChild(quote(markdown([row.slice(4)].concat(rows.slice(i + 1)).join('\n'), { quoted: true })));
        return;
      }
      if (!opts.quoted && /^> /.test(row)) {
        flush();
        var quoted = [];
        while (i < rows.length && /^> /.test(rows[i])) { quoted.push(rows[i].slice(2)); i++; }
        i--;
        frag.appendChild(quote(markdown(quoted.join('\n'), { quoted: true })));
        continue;
      }
      if ((m = /^(#{1,3}) (.+)$/.exec(row)) !== null) {
        flush();
        var h = el('div', 'md-h' + m[1].length);
        h.appendChild(inline(m[2]));
        frag.appendChild(h);
        continue;
      }
      if ((m = /^-# (.+)$/.exec(row)) !== null) {
        flush();
        var sub = el('span', 'md-sub');
        sub.appendChild(inline(m[1]));
        frag.appendChild(sub);
        continue;
      }
      if (/^\s*(?:[-*]|\d{1,9}\.) +\S/.test(row)) {
        flush();
        var ordered = /^\s*\d/.test(row);
        var list = el(ordered ? 'ol' : 'ul', 'md-list');
        if (ordered) list.setAttribute('start', String(parseInt(row, 10)));
        while (i < rows.length && (m = /^\s*(?:[-*]|\d{1,9}\.) +(.*)$/.exec(rows[i])) !== null && /^\s*\d/.test(rows[i]) === ordered) {
          var li = el('li');
          li.appendChild(inline(m[1]));
          list.appendChild(li);
          i++;
        }
        i--;
        frag.appendChild(list);
        continue;
      }
      para.push(row);
    }
    flush();
  }
  function quote(inner) {
    var q = el('div', 'md-quote');
    var body = el('div');
    body.appendChild(inner);
    q.appendChild(body);
    return q;
  }

  // ── time ──────────────────────────────────────────────────────────────────────────────────────
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function clock(d) { return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }
  function calendarTime(ms) {
    var d = new Date(ms);
    if (isNaN(d.getTime())) return '';
    var today = new Date();
    var yesterday = new Date(today.getTime() - 86400000);
    if (d.toDateString() === today.toDateString()) return 'Today at ' + clock(d);
    if (d.toDateString() === yesterday.toDateString()) return 'Yesterday at ' + clock(d);
    return d.toLocaleDateString() + ' ' + clock(d);
  }
  function formatStamp(ms, style) {
    var d = new Date(ms);
    if (isNaN(d.getTime())) return 'Invalid Date';
    if (style === 'R') {
      var s = Math.round((ms - Date.now()) / 1000), a = Math.abs(s);
      var unit = a < 60 ? [a, 'second'] : a < 3600 ? [Math.round(a / 60), 'minute'] : a < 86400 ? [Math.round(a / 3600), 'hour'] : [Math.round(a / 86400), 'day'];
      var phrase = unit[0] + ' ' + unit[1] + (unit[0] === 1 ? '' : 's');
      return s < 0 ? phrase + ' ago' : 'in ' + phrase;
    }
    if (style === 't' || style === 'T') return clock(d);
    if (style === 'd' || style === 'D') return d.toLocaleDateString();
    return d.toLocaleString();
  }

  // ── messages ──────────────────────────────────────────────────────────────────────────────────
  function defaultAvatar(webhookId) {
    var n = 0;
    for (var i = 0; i < webhookId.length; i++) n = (n * 31 + webhookId.charCodeAt(i)) % 6;
    var a = el('div', 'default-avatar c' + n);
    var face = el('div', 'face');
    face.appendChild(el('span', 'ear l'));
    face.appendChild(el('span', 'ear r'));
    a.appendChild(face);
    return a;
  }
  function avatar(message) {
    var box = el('div', 'avatar');
    var url = message.payload.avatar_url;
    if (isWebUrl(url)) {
      var img = el('img');
      img.setAttribute('alt', '');
      img.setAttribute('referrerpolicy', 'no-referrer');
      img.addEventListener('error', function () { img.replaceWith(defaultAvatar(message.webhookId)); });
      img.setAttribute('src', url);
      box.appendChild(img);
    } else {
      box.appendChild(defaultAvatar(message.webhookId));
    }
    return box;
  }

  function renderEmbed(e) {
    var box = el('article', 'embed');
    box.setAttribute('data-testid', 'embed');
    if (typeof e.color === 'number') {
      box.style.borderLeftColor = hex(e.color);
      box.setAttribute('data-color', hex(e.color));
    }
    if (e.author && e.author.name) {
      var author = el('div', 'e-author');
      if (e.author.icon_url) author.appendChild(image(e.author.icon_url, 'e-author-icon').firstChild);
      author.appendChild(link(e.author.url, el('span', 'e-author-name', e.author.name)));
      box.appendChild(author);
    }
    if (e.title) {
      var title = el('div', 'e-title');
      title.setAttribute('data-testid', 'embed-title');
      title.appendChild(link(e.url, inline(str(e.title))));
      box.appendChild(title);
    }
    if (e.description) {
      var desc = el('div', 'e-description');
      desc.setAttribute('data-testid', 'embed-description');
      desc.appendChild(markdown(str(e.description)));
      box.appendChild(desc);
    }
    if (Array.isArray(e.fields) && e.fields.length > 0) box.appendChild(renderFields(e.fields, Boolean(e.thumbnail && e.thumbnail.url)));
    if (e.thumbnail && e.thumbnail.url) box.appendChild(image(e.thumbnail.url, 'e-thumbnail', 'thumbnail'));
    if (e.image && e.image.url) box.appendChild(image(e.image.url, 'e-image', 'image'));
    if ((e.footer && e.footer.text) || e.timestamp) {
      var footer = el('div', 'e-footer');
      if (e.footer && e.footer.icon_url) footer.appendChild(image(e.footer.icon_url, 'e-footer-icon').firstChild);
      var line = el('span');
      if (e.footer && e.footer.text) line.appendChild(el('span', 'e-footer-text', e.footer.text));
      if (e.footer && e.footer.text && e.timestamp) line.appendChild(el('span', 'sep', '\u2022'));
      if (e.timestamp) line.appendChild(el('span', 'e-timestamp', calendarTime(Date.parse(e.timestamp))));
      footer.appendChild(line);
      box.appendChild(footer);
    }
    return box;
  }

  // Discord's field grid: 12 columns; a run of inline fields shares a row three at a time (two beside a
  // thumbnail), each taking an equal share; a field that is not inline takes the whole row.
  function renderFields(fields, narrow) {
    var grid = el('div', 'e-fields');
    var perRow = narrow ? 2 : 3;
    var rows = [];
    var run = [];
    fields.forEach(function (f) {
      if (f && f.inline) {
        run.push(f);
        if (run.length === perRow) { rows.push(run); run = []; }
      } else {
        if (run.length) { rows.push(run); run = []; }
        rows.push([f]);
      }
    });
    if (run.length) rows.push(run);
    rows.forEach(function (row) {
      var span = 12 / row.length;
      row.forEach(function (f, i) {
        var cell = el('div', 'e-field');
        cell.setAttribute('data-testid', 'embed-field');
        cell.style.gridColumn = (1 + i * span) + ' / ' + (1 + (i + 1) * span);
        var name = el('div', 'e-field-name');
        name.appendChild(inline(str(f && f.name)));
        var value = el('div', 'e-field-value');
        value.appendChild(markdown(str(f && f.value)));
        cell.appendChild(name);
        cell.appendChild(value);
        grid.appendChild(cell);
      });
    });
    return grid;
  }

  // ── attachments: Discord's file chip (icon, name, size); a text file opens in place ────────────
  function fileSize(bytes) {
    if (bytes < 1024) return bytes + ' bytes';
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(2) + ' KB';
    return (bytes / 1024 / 1024).toFixed(2) + ' MB';
  }
  function decodeText(base64) {
    try {
      var raw = atob(str(base64));
      var bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return new TextDecoder('utf-8').decode(bytes);
    } catch (e) { return ''; }
  }
  function renderAttachment(messageId, f, index) {
    var chip = el('div', 'attachment');
    chip.setAttribute('data-testid', 'attachment');
    var icon = svg('svg', { viewBox: '0 0 24 30', width: 24, height: 30, 'class': 'file-icon' });
    icon.appendChild(svg('path', { d: 'M2 0h14l8 8v20a2 2 0 0 1-2 2H2a2 2 0 0 1-2-2V2a2 2 0 0 1 2-2z', fill: '#5865f2' }));
    icon.appendChild(svg('path', { d: 'M16 0v6a2 2 0 0 0 2 2h6z', fill: '#aab3ff' }));
    icon.appendChild(svg('path', { d: 'M5 14h14M5 18h14M5 22h9', stroke: '#fff', 'stroke-width': 2 }));
    var info = el('div', 'file-info');
    var name = el('a', 'file-name', str(f && f.filename));
    name.setAttribute('data-testid', 'attachment-name');
    name.setAttribute('href', '/_emulator/attachments/' + encodeURIComponent(messageId) + '/' + index);
    name.setAttribute('target', '_blank');
    name.setAttribute('rel', 'noopener noreferrer');
    var size = el('div', 'file-size', fileSize(Number(f && f.size) || 0));
    size.setAttribute('data-testid', 'attachment-size');
    info.appendChild(name);
    info.appendChild(size);
    chip.appendChild(icon);
    chip.appendChild(info);
    var wrap = el('div', 'attachment-wrap');
    wrap.appendChild(chip);
    if (/^text\//.test(str(f && f.content_type))) {
      var toggle = el('button', 'file-toggle', 'View');
      toggle.setAttribute('type', 'button');
      toggle.setAttribute('data-testid', 'attachment-toggle');
      chip.appendChild(toggle);
      var pre = null;
      toggle.addEventListener('click', function () {
        if (pre === null) {
          pre = el('pre', 'file-text', decodeText(f.data));
          pre.setAttribute('data-testid', 'attachment-text');
          wrap.appendChild(pre);
          toggle.textContent = 'Collapse';
        } else {
          pre.remove();
          pre = null;
          toggle.textContent = 'View';
        }
      });
    }
    return wrap;
  }

  function renderMessage(message, keepGrouped) {
    var p = message.payload || {};
    var name = typeof p.username === 'string' && p.username ? p.username : DEFAULT_NAME;
    var who = message.webhookId + '\u0000' + name + '\u0000' + str(p.avatar_url);
    var last = state.last;
    var grouped = keepGrouped !== undefined ? keepGrouped : last !== null && last.who === who && message.receivedAt - last.at < GROUP_MS && !message.threadId;
    var row = el('div', 'msg' + (grouped ? '' : ' group-start'));
    row.setAttribute('data-testid', 'message');
    row.setAttribute('data-id', message.id);
    if (grouped) {
      row.appendChild(el('span', 'hover-time', clock(new Date(message.receivedAt)).slice(0, 5)));
    } else {
      row.appendChild(avatar(message));
      var meta = el('div', 'meta');
      meta.appendChild(el('span', 'username', name));
      meta.appendChild(el('span', 'bot-tag', 'BOT'));
      meta.appendChild(el('span', 'timestamp', calendarTime(message.receivedAt)));
      if (message.threadId) meta.appendChild(el('span', 'thread', '\u21b3 thread ' + message.threadId.slice(-4)));
      row.appendChild(meta);
    }
    if (typeof p.content === 'string' && p.content.length > 0) {
      var content = el('div', 'content');
      content.setAttribute('data-testid', 'content');
      content.appendChild(markdown(p.content));
      row.appendChild(content);
    }
    var files = Array.isArray(message.attachments) ? message.attachments : [];
    if (files.length > 0) {
      var box = el('div', 'attachments');
      files.forEach(function (f, i) { box.appendChild(renderAttachment(message.id, f, i)); });
      row.appendChild(box);
    }
    var embeds = Array.isArray(p.embeds) ? p.embeds : [];
    // SUPPRESS_EMBEDS (1 << 2) hides them, as in Discord.
    if (embeds.length > 0 && !((p.flags | 0) & 4)) {
      var list = el('div', 'embeds');
      embeds.forEach(function (e) { if (e && typeof e === 'object') list.appendChild(renderEmbed(e)); });
      row.appendChild(list);
    }
    if (message.editedAt !== undefined) {
      var mark = el('span', 'edited', '(edited)');
      mark.setAttribute('data-testid', 'edited');
      mark.title = calendarTime(message.editedAt);
      row.appendChild(mark);
    }
    state.last = { who: who, at: message.receivedAt };
    return row;
  }

  // An edit (an incident's count, its resolution) redraws the message in place, as Discord does; a deleted one goes.
  function updateMessage(message) {
    var old = document.querySelector('[data-testid="message"][data-id="' + message.id + '"]');
    if (!old) return;
    if (message.deletedAt !== undefined) { old.remove(); return; }
    var last = state.last;
    var row = renderMessage(message, !/group-start/.test(old.className));
    state.last = last;
    old.replaceWith(row);
  }

  function addMessage(message) {
    if (!message || state.ids.has(message.id)) return;
    state.ids.add(message.id);
    var empty = $('empty');
    if (empty) empty.remove();
    var list = $('messages');
    list.appendChild(renderMessage(message));
    state.count++;
    while (list.children.length > MAX_MESSAGES) list.firstChild.remove();
  }

  // Like Discord, the channel follows new messages while the reader is at the bottom, also when an
  // image loads later and makes a message taller; scrolling up stops that until they return.
  var stick = true;
  function followBottom() {
    var chat = $('chat');
    var autoTop = -1;
    chat.addEventListener('scroll', function () {
      // The scroll this page made itself says nothing about the reader (content may have grown since).
      if (Math.abs(chat.scrollTop - autoTop) < 2) return;
      stick = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
    });
    new ResizeObserver(function () {
      if (!stick) return;
      chat.scrollTop = chat.scrollHeight;
      autoTop = chat.scrollTop;
    }).observe($('messages'));
  }

  // ── counters ──────────────────────────────────────────────────────────────────────────────────
  function setCounter(key, value) {
    var node = document.querySelector('[data-counter="' + key + '"]');
    if (node) node.textContent = String(value);
  }
  function renderStats(s) {
    state.stats = s;
    var by = s.byStatus || {};
    var rejected = 0, tooMany = 0;
    Object.keys(by).forEach(function (k) { if (Number(k) >= 400 || Number(k) === 0) rejected += by[k]; if (Number(k) === 429) tooMany += by[k]; });
    var faults = 0;
    Object.keys(s.faultsInjected || {}).forEach(function (k) { faults += s.faultsInjected[k]; });
    setCounter('received', s.accepted);
    setCounter('requests', s.requests);
    setCounter('rejected', rejected - tooMany);
    setCounter('rate-limited', tooMany);
    setCounter('invalid', s.invalidRequests);
    setCounter('faults', faults);
    SCOPES.forEach(function (sc) { setCounter('429-' + sc.key, (s.rateLimited || {})[sc.key] || 0); });
    renderRejected(by);
    renderFaults(s.faultsInjected || {});
  }
  function renderRejected(by) {
    var table = $('rejected');
    table.textContent = '';
    var codes = {};
    state.responses.forEach(function (r) {
      if (r.status >= 400 && r.code !== undefined) {
        var k = r.status + ':' + r.code;
        codes[k] = (codes[k] || 0) + 1;
      }
    });
    var statuses = Object.keys(by).map(Number).filter(function (st) { return st >= 400 || st === 0; }).sort(function (a, b) { return a - b; });
    if (statuses.length === 0) {
      var tr0 = el('tr');
      var td0 = el('td', 'none', 'none: every request was accepted');
      tr0.appendChild(td0);
      table.appendChild(tr0);
      return;
    }
    statuses.forEach(function (st) {
      var tr = el('tr');
      tr.setAttribute('data-status', String(st));
      tr.appendChild(el('td', 'status', st === 0 ? '\u2014' : String(st)));
      var what = el('td');
      what.appendChild(document.createTextNode(STATUS_TEXT[st] || 'HTTP ' + st));
      Object.keys(codes).filter(function (k) { return k.indexOf(st + ':') === 0; }).forEach(function (k) {
        var code = Number(k.split(':')[1]);
        if (code === 0) return;
        var line = el('span', 'code', 'code ' + code + ' ' + (CODE_TEXT[code] || '') + ' \u00d7 ' + codes[k]);
        line.setAttribute('data-code', String(code));
        what.appendChild(line);
      });
      tr.appendChild(what);
      tr.appendChild(el('td', 'n', by[st]));
      table.appendChild(tr);
    });
  }
  function renderFaults(f) {
    var box = $('faults');
    box.textContent = '';
    var kinds = Object.keys(f).filter(function (k) { return f[k] > 0; });
    if (kinds.length === 0) { box.appendChild(el('span', 'none', 'none')); return; }
    kinds.forEach(function (k) {
      var chip = el('span', 'fault');
      chip.setAttribute('data-fault', k);
      chip.appendChild(document.createTextNode(k + ' '));
      chip.appendChild(el('b', '', f[k]));
      box.appendChild(chip);
    });
  }

  // ── the rate-limit chart ──────────────────────────────────────────────────────────────────────
  function scopeOf(r) {
    if (r.status !== 429) return null;
    if (r.scope === 'user') return 'bucket';
    if (r.scope === 'shared' || r.scope === 'global') return r.scope;
    return 'cloudflare';
  }
  var chartQueued = false;
  function queueChart() {
    if (chartQueued) return;
    chartQueued = true;
    requestAnimationFrame(function () { chartQueued = false; renderChart(); });
  }
  function renderChart() {
    var W = 328, H = 150, L = 28, R = 24, T = 10, B = 20;
    var chart = $('chart');
    chart.textContent = '';
    var rs = state.responses;
    var iw = W - L - R, ih = H - T - B;
    chart.appendChild(svg('rect', { x: L, y: T, width: iw, height: ih, fill: 'none', stroke: '#3f4147' }));
    if (rs.length === 0) {
      var t = svg('text', { x: L + iw / 2, y: T + ih / 2, 'text-anchor': 'middle' });
      t.textContent = 'no requests yet';
      chart.appendChild(t);
      return;
    }
    var t0 = rs[0].time, t1 = rs[rs.length - 1].time;
    // The whole history in at most CHART_BINS bars of a round width; a short run still gets MIN_BINS.
    var binMs = BIN_STEPS_MS[BIN_STEPS_MS.length - 1];
    for (var s = 0; s < BIN_STEPS_MS.length; s++) if ((t1 - t0) / BIN_STEPS_MS[s] < CHART_BINS) { binMs = BIN_STEPS_MS[s]; break; }
    var nBins = Math.max(MIN_BINS, Math.floor((t1 - t0) / binMs) + 1);
    var bins = [];
    for (var i = 0; i < nBins; i++) bins.push({ total: 0, bucket: 0, shared: 0, global: 0, cloudflare: 0, remaining: null, limit: null });
    rs.forEach(function (r) {
      var b = bins[Math.min(nBins - 1, Math.floor((r.time - t0) / binMs))];
      b.total++;
      var sc = scopeOf(r);
      if (sc) b[sc]++;
      if (typeof r.remaining === 'number') {
        b.remaining = b.remaining === null ? r.remaining : Math.min(b.remaining, r.remaining);
        b.limit = Math.max(b.limit || 0, r.limit || 0);
      }
    });
    var perSec = 1000 / binMs;
    var maxRate = 1;
    bins.forEach(function (b) { maxRate = Math.max(maxRate, b.total * perSec); });
    maxRate = niceCeil(maxRate);
    var maxLimit = 1;
    bins.forEach(function (b) { if (b.limit) maxLimit = Math.max(maxLimit, b.limit); });
    var bw = iw / nBins;
    var y = function (rate) { return T + ih - (rate / maxRate) * ih; };
    // grid lines and the left axis (requests per second)
    [0.5, 1].forEach(function (f) {
      chart.appendChild(svg('line', { x1: L, x2: L + iw, y1: y(maxRate * f), y2: y(maxRate * f), stroke: '#3f4147', 'stroke-dasharray': '2 3' }));
      var lab = svg('text', { x: L - 4, y: y(maxRate * f) + 3, 'text-anchor': 'end' });
      lab.textContent = fmt(maxRate * f);
      chart.appendChild(lab);
    });
    var zero = svg('text', { x: L - 4, y: T + ih + 3, 'text-anchor': 'end' });
    zero.textContent = '0';
    chart.appendChild(zero);
    bins.forEach(function (b, i) {
      var x = L + i * bw + 0.5;
      var w = Math.max(1, bw - 1);
      var ok = b.total - b.bucket - b.shared - b.global - b.cloudflare;
      var base = T + ih;
      var parts = [['ok', ok, '#5865f2']].concat(SCOPES.map(function (sc) { return [sc.key, b[sc.key], sc.color]; }));
      parts.forEach(function (p) {
        if (p[1] <= 0) return;
        var h = (p[1] * perSec / maxRate) * ih;
        base -= h;
        chart.appendChild(svg('rect', { x: x, y: base, width: w, height: h, fill: p[2], 'data-series': p[0] }));
      });
    });
    // bucket remaining (right axis, 0..limit): a step line through the bins that saw a bucket header,
    // broken where no request carried one
    var remaining = svg('g', { 'data-series': 'remaining' });
    var pts = [];
    var endLine = function () {
      if (pts.length) remaining.appendChild(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: '#23a55a', 'stroke-width': 2 }));
      pts = [];
    };
    bins.forEach(function (b, i) {
      if (b.remaining === null) return endLine();
      var yy = T + ih - (b.remaining / maxLimit) * ih;
      pts.push((L + i * bw) + ',' + yy, (L + (i + 1) * bw) + ',' + yy);
    });
    endLine();
    chart.appendChild(remaining);
    var rtop = svg('text', { x: L + iw + 4, y: T + 3 });
    rtop.textContent = String(maxLimit);
    chart.appendChild(rtop);
    var rz = svg('text', { x: L + iw + 4, y: T + ih + 3 });
    rz.textContent = '0';
    chart.appendChild(rz);
    var span = svg('text', { x: L, y: H - 5 });
    span.textContent = 'req/s over ' + fmt((t1 - t0) / 1000) + ' s of traffic, ' + (binMs < 1000 ? binMs + ' ms' : binMs / 1000 + ' s') + ' a bar';
    chart.appendChild(span);
    var now = svg('text', { x: L + iw, y: H - 5, 'text-anchor': 'end' });
    now.textContent = clock(new Date(t1));
    chart.appendChild(now);
  }
  function niceCeil(v) {
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (v <= steps[i] * p) return steps[i] * p;
    return 10 * p;
  }
  function fmt(v) { return v >= 10 || v === Math.round(v) ? String(Math.round(v)) : v.toFixed(1); }

  function addResponse(r) {
    if (!r || state.seqs.has(r.seq)) return;
    state.seqs.add(r.seq);
    state.responses.push(r);
    if (state.responses.length > 10000) {
      var gone = state.responses.splice(0, state.responses.length - 10000);
      gone.forEach(function (g) { state.seqs.delete(g.seq); });
    }
    queueChart();
  }

  // ── wiring ────────────────────────────────────────────────────────────────────────────────────
  function getJson(path) {
    return fetch(path, { cache: 'no-store' }).then(function (res) {
      if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
      return res.json();
    });
  }
  var statsTimer = null;
  function refreshStats() {
    if (statsTimer !== null) return;
    statsTimer = setTimeout(function () {
      statsTimer = null;
      getJson('/_emulator/stats').then(function (s) {
        // After POST /_emulator/reset the page starts over.
        if (state.stats && s.requests < state.stats.requests) return reload();
        renderStats(s);
      }).catch(function () {});
    }, 150);
  }
  function reload() {
    state.ids.clear(); state.seqs.clear(); state.responses = []; state.last = null; state.count = 0; state.stats = null;
    var list = $('messages');
    list.textContent = '';
    return load();
  }
  function load() {
    state.loaded = false;
    return Promise.all([getJson('/_emulator/messages'), getJson('/_emulator/responses'), getJson('/_emulator/stats')]).then(function (all) {
      all[0].forEach(addMessage);
      all[1].forEach(addResponse);
      renderStats(all[2]);
      state.loaded = true;
      var pending = state.pending;
      state.pending = [];
      pending.forEach(function (p) { p(); });
      if (state.count === 0) showEmpty();
      renderChart();
      document.body.setAttribute('data-ready', 'true');
    }).catch(function (err) { setLive('off', 'could not load: ' + err.message); });
  }
  function showEmpty() {
    if ($('empty')) return;
    var empty = el('div', 'empty');
    empty.id = 'empty';
    empty.appendChild(document.createTextNode('No messages yet. Post to '));
    empty.appendChild(el('code', '', location.origin + '/api/webhooks/<id>/<token>'));
    empty.appendChild(document.createTextNode(' and they appear here as Discord would show them.'));
    $('messages').appendChild(empty);
  }
  function whenLoaded(fn) { if (state.loaded) fn(); else state.pending.push(fn); }
  function setLive(cls, text) {
    var live = $('live');
    live.className = 'live ' + cls;
    live.textContent = text;
  }

  var events = new EventSource('/_emulator/events');
  events.addEventListener('open', function () { setLive('on', 'live'); });
  events.addEventListener('error', function () { setLive('off', events.readyState === 2 ? 'disconnected' : 'reconnecting\u2026'); });
  events.addEventListener('message', function (e) {
    var m = JSON.parse(e.data);
    whenLoaded(function () { addMessage(m); refreshStats(); });
  });
  events.addEventListener('messageUpdate', function (e) {
    var m = JSON.parse(e.data);
    whenLoaded(function () { updateMessage(m); });
  });
  events.addEventListener('response', function (e) {
    var r = JSON.parse(e.data);
    whenLoaded(function () { addResponse(r); refreshStats(); });
  });
  setInterval(refreshStats, 1000);
  followBottom();
  load();

  // For tests and the curious: the markdown renderer on its own.
  window.__preview = { markdown: markdown, inline: inline };
})();
`
