/**
 * The preview page's stylesheet: Discord's dark theme, with the message and embed geometry of
 * Discord's client (72 px gutter, 40 px avatar, 4 px colour bar, 516 px embeds, a 12-column grid for
 * fields). System fonts only: the page loads nothing from elsewhere.
 */
export const PREVIEW_CSS = String.raw`
:root {
  --bg: #313338; --bg-2: #2b2d31; --bg-3: #1e1f22; --bg-hover: #2e3035;
  --text: #dbdee1; --header: #f2f3f5; --muted: #949ba4; --faint: #6d6f78; --link: #00a8fc;
  --blurple: #5865f2; --green: #23a55a; --yellow: #f0b232; --red: #f23f43; --orange: #f39c12; --pink: #eb459f;
  --quote: #4e5058; --mention-bg: rgba(88, 101, 242, .3); --mention: #c9cdfb;
  --font: "gg sans", "Noto Sans", "Helvetica Neue", Helvetica, Arial, sans-serif;
  --mono: Consolas, "Andale Mono WT", "Andale Mono", "Lucida Console", "DejaVu Sans Mono", "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--text); font: 16px/1.375 var(--font); }
body { display: flex; flex-direction: column; overflow: hidden; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }

.topbar { flex: none; display: flex; align-items: center; gap: 8px; height: 48px; padding: 0 16px;
  border-bottom: 1px solid var(--bg-3); box-shadow: 0 1px 0 rgba(4, 4, 5, .2); }
.topbar .hash { color: var(--muted); font-size: 24px; font-weight: 400; line-height: 1; }
.topbar .channel { color: var(--header); font-weight: 600; }
.topbar .topic { color: var(--muted); font-size: 14px; padding-left: 12px; margin-left: 4px; border-left: 1px solid #3f4147;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.topbar .live { margin-left: auto; font-size: 12px; color: var(--muted); display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.topbar .live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--faint); }
.topbar .live.on::before { background: var(--green); }
.topbar .live.off::before { background: var(--red); }

.layout { flex: 1; display: flex; min-height: 0; }
.chat { flex: 1; min-width: 0; overflow-y: auto; padding: 8px 0 24px; }
.side { flex: none; width: 360px; overflow-y: auto; background: var(--bg-2); padding: 12px 16px 24px; font-size: 14px; }

.empty { margin: 48px 72px; color: var(--muted); font-size: 14px; }
.empty code { font-family: var(--mono); font-size: 13px; background: var(--bg-3); padding: 2px 4px; border-radius: 4px; }

/* ── messages ─────────────────────────────────────────────────────────── */
.msg { position: relative; padding: 2px 48px 2px 72px; min-height: 22px; }
.msg.group-start { margin-top: 17px; min-height: 44px; }
.msg:hover { background: var(--bg-hover); }
.msg .avatar { position: absolute; left: 16px; top: 4px; width: 40px; height: 40px; border-radius: 50%; overflow: hidden; }
.msg .avatar img { width: 100%; height: 100%; object-fit: cover; display: block; }
.msg .hover-time { position: absolute; left: 0; width: 72px; top: 4px; text-align: center; font-size: 11px; color: var(--muted); visibility: hidden; }
.msg:hover .hover-time { visibility: visible; }
.msg .edited { font-size: 10px; color: var(--muted); margin-left: 4px; }
.msg .meta { display: flex; align-items: baseline; gap: 4px; flex-wrap: wrap; line-height: 22px; }
.msg .username { color: var(--header); font-weight: 500; font-size: 16px; }
.msg .bot-tag { align-self: center; background: var(--blurple); color: #fff; font-size: 10px; font-weight: 600; line-height: 15px;
  height: 15px; padding: 0 4px; border-radius: 3px; text-transform: uppercase; position: relative; top: -1px; }
.msg .timestamp { color: var(--muted); font-size: 12px; margin-left: 4px; }
.msg .thread { color: var(--muted); font-size: 12px; }
.msg .content { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 16px; }
.msg .embeds { display: grid; justify-items: start; gap: 4px; padding: 2px 0; }

/* Discord's default avatar: a coloured disc with the white mascot, drawn in CSS. */
.default-avatar { width: 100%; height: 100%; display: flex; align-items: center; justify-content: center; background: var(--blurple); }
.default-avatar.c1 { background: #757e8a; } .default-avatar.c2 { background: var(--green); } .default-avatar.c3 { background: var(--yellow); }
.default-avatar.c4 { background: var(--red); } .default-avatar.c5 { background: var(--pink); }
.default-avatar .face { position: relative; width: 24px; height: 17px; background: #fff; border-radius: 7px 7px 10px 10px / 7px 7px 9px 9px; margin-top: 2px; }
.default-avatar .face::before, .default-avatar .face::after { content: ""; position: absolute; top: 6px; width: 5px; height: 6px; border-radius: 50%; background: currentColor; }
.default-avatar .face::before { left: 5px; } .default-avatar .face::after { right: 5px; }
.default-avatar .face { color: inherit; }
.default-avatar { color: var(--blurple); } .default-avatar.c1 { color: #757e8a; } .default-avatar.c2 { color: var(--green); }
.default-avatar.c3 { color: var(--yellow); } .default-avatar.c4 { color: var(--red); } .default-avatar.c5 { color: var(--pink); }
.default-avatar .face .ear { position: absolute; top: -3px; width: 6px; height: 6px; background: #fff; border-radius: 50%; }
.default-avatar .face .ear.l { left: 2px; } .default-avatar .face .ear.r { right: 2px; }

/* ── attachments: Discord's file chip ─────────────────────────────────── */
.msg .attachments { display: grid; justify-items: start; gap: 8px; padding: 2px 0; }
.attachment-wrap { max-width: 520px; width: 100%; }
.attachment { display: flex; align-items: center; gap: 8px; padding: 10px; background: var(--bg-2); border: 1px solid var(--bg-3); border-radius: 8px; }
.attachment .file-icon { flex: none; }
.attachment .file-info { flex: 1; min-width: 0; }
.attachment .file-name { display: block; color: var(--link); font-size: 16px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; text-decoration: none; }
.attachment .file-name:hover { text-decoration: underline; }
.attachment .file-size { color: var(--muted); font-size: 12px; }
.attachment .file-toggle { flex: none; background: none; border: 0; color: var(--muted); font: inherit; font-size: 12px; cursor: pointer; }
.attachment .file-toggle:hover { color: var(--header); }
.file-text { margin: 4px 0 0; max-height: 320px; overflow: auto; padding: 8px; background: var(--bg-3); border-radius: 4px;
  font: 13px/1.35 var(--mono); white-space: pre-wrap; overflow-wrap: anywhere; }

/* ── embeds ───────────────────────────────────────────────────────────── */
.embed { position: relative; display: grid; grid-template-columns: minmax(0, 1fr) auto; grid-auto-rows: auto;
  max-width: 520px; min-width: 0; background: var(--bg-2); border-left: 4px solid var(--bg-3); border-radius: 4px;
  padding: 8px 16px 16px 12px; font-size: 14px; line-height: 18px; }
.embed > * { grid-column: 1 / 2; min-width: 0; }
.embed .e-author { display: flex; align-items: center; gap: 8px; margin-top: 8px; font-size: 14px; font-weight: 600; color: var(--header); }
.embed .e-author img { width: 24px; height: 24px; border-radius: 50%; object-fit: contain; }
.embed .e-author a { color: var(--header); }
.embed .e-title { margin-top: 8px; font-size: 16px; font-weight: 600; color: var(--header); line-height: 22px; overflow-wrap: anywhere; }
.embed .e-title a { color: var(--link); }
.embed .e-description { margin-top: 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
.embed .e-fields { display: grid; grid-template-columns: repeat(12, minmax(0, 1fr)); gap: 8px; margin-top: 8px; }
.embed .e-field { min-width: 0; font-size: 14px; line-height: 18px; }
.embed .e-field-name { font-weight: 600; color: var(--header); margin-bottom: 2px; overflow-wrap: anywhere; }
.embed .e-field-value { white-space: pre-wrap; overflow-wrap: anywhere; }
.embed .e-thumbnail { grid-column: 2 / 3; grid-row: 1 / 8; justify-self: end; margin: 8px 0 0 16px; max-width: 80px; max-height: 80px; }
/* A fixed box: an SVG without intrinsic size would otherwise collapse to 0 in the auto column. */
.embed .e-thumbnail img { display: block; width: 80px; height: 80px; border-radius: 4px; object-fit: contain; object-position: top right; }
.embed .e-image { grid-column: 1 / 3; margin-top: 16px; }
.embed .e-image img { display: block; max-width: 100%; max-height: 300px; border-radius: 4px; object-fit: contain; }
.embed .e-footer { grid-column: 1 / 3; display: flex; align-items: center; gap: 8px; margin-top: 8px; font-size: 12px; line-height: 16px; font-weight: 500; color: var(--text); }
.embed .e-footer img { width: 20px; height: 20px; border-radius: 50%; object-fit: contain; }
.embed .e-footer .sep { color: var(--muted); margin: 0 4px; }
.embed .e-footer-text { white-space: pre-line; }
.img-missing { display: flex; align-items: center; justify-content: center; background: var(--bg-3); color: var(--faint);
  border-radius: 4px; font-size: 11px; width: 80px; height: 60px; }
.e-image .img-missing { width: 100%; max-width: 400px; height: 120px; }
.e-author .img-missing, .e-footer .img-missing { width: 20px; height: 20px; border-radius: 50%; font-size: 0; }
.e-author .img-missing { width: 24px; height: 24px; }

/* ── markdown ─────────────────────────────────────────────────────────── */
.md-code { font-family: var(--mono); font-size: 85%; background: var(--bg-3); border-radius: 4px; padding: 0 .2em; white-space: pre-wrap; }
.md-pre { margin: 6px 0 0; max-width: 100%; }
.md-pre code { display: block; font-family: var(--mono); font-size: 14px; line-height: 18px; padding: 8px; background: var(--bg-2);
  border: 1px solid var(--bg-3); border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; color: #dbdee1; }
.embed .md-pre code { background: var(--bg-3); border-color: var(--bg-3); }
.md-pre code::before { content: attr(data-lang); display: block; float: right; font-family: var(--font); font-size: 11px; color: var(--faint); }
.md-quote { display: flex; gap: 0; margin: 2px 0; }
.md-quote::before { content: ""; flex: none; width: 4px; border-radius: 4px; background: var(--quote); margin-right: 12px; }
.md-quote > div { min-width: 0; flex: 1; }
.md-h1, .md-h2, .md-h3 { color: var(--header); font-weight: 700; margin: 8px 0 4px; line-height: 1.375; }
.md-h1 { font-size: 24px; } .md-h2 { font-size: 20px; } .md-h3 { font-size: 16px; }
.embed .md-h1 { font-size: 20px; } .embed .md-h2 { font-size: 18px; } .embed .md-h3 { font-size: 16px; }
.md-sub { display: block; color: var(--muted); font-size: 12px; line-height: 16px; }
.md-list { margin: 4px 0; padding-left: 24px; white-space: normal; }
.md-list li { white-space: pre-wrap; margin: 2px 0; }
.md-spoiler { background: var(--bg-3); color: transparent; border-radius: 3px; cursor: pointer; }
.md-spoiler.shown { background: rgba(255, 255, 255, .1); color: inherit; }
.md-mention { background: var(--mention-bg); color: var(--mention); border-radius: 3px; padding: 0 2px; font-weight: 500; }
.md-time { background: rgba(255, 255, 255, .06); border-radius: 3px; padding: 0 2px; }
.md-p { white-space: pre-wrap; }

/* ── side panel ───────────────────────────────────────────────────────── */
.panel { margin-bottom: 20px; }
.panel h2 { margin: 8px 0 10px; font-size: 12px; font-weight: 700; letter-spacing: .02em; text-transform: uppercase; color: var(--muted); }
.counters { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
.counter { background: var(--bg-3); border-radius: 8px; padding: 8px 10px; }
.counter .n { display: block; font-size: 22px; font-weight: 700; color: var(--header); line-height: 1.2; font-variant-numeric: tabular-nums; }
.counter .l { display: block; white-space: nowrap; font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: .02em; }
.counter.warn .n { color: var(--yellow); } .counter.bad .n { color: var(--red); } .counter.good .n { color: var(--green); }
.scopes { display: grid; grid-template-columns: repeat(3, 1fr) 1.3fr; gap: 6px; margin-top: 8px; }
.scope { background: var(--bg-3); border-radius: 6px; padding: 6px 8px; font-size: 12px; color: var(--muted); white-space: nowrap; }
.scope b { display: block; font-size: 16px; color: var(--header); font-variant-numeric: tabular-nums; }
.scope i { display: inline-block; width: 8px; height: 8px; border-radius: 2px; margin-right: 4px; }
.sw-ok { background: #5865f2; } .sw-bucket { background: #f0b232; } .sw-shared { background: #eb459f; }
.sw-global { background: #f23f43; } .sw-cloudflare { background: #f47b67; } .sw-remaining { background: #23a55a; }
.chart { display: block; width: 100%; height: auto; background: var(--bg-3); border-radius: 8px; }
.chart text { fill: var(--muted); font: 10px var(--font); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin-top: 6px; font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.legend i.line { height: 2px; vertical-align: 3px; }
table.rejected { width: 100%; border-collapse: collapse; font-size: 13px; }
table.rejected td { padding: 4px 6px; border-top: 1px solid #3f4147; vertical-align: top; }
table.rejected td.n { text-align: right; color: var(--header); font-variant-numeric: tabular-nums; }
table.rejected td.status { color: var(--header); font-weight: 600; white-space: nowrap; }
table.rejected .code { display: block; color: var(--muted); font-size: 12px; }
.none { color: var(--faint); font-size: 13px; }
.faults { display: flex; flex-wrap: wrap; gap: 6px; }
.fault { background: var(--bg-3); border-radius: 12px; padding: 2px 10px; font-size: 12px; }
.fault b { color: var(--header); }
.hint { color: var(--faint); font-size: 12px; margin-top: 6px; overflow-wrap: anywhere; }
.hint code { font-family: var(--mono); }
`
