/**
 * The options tables of the READMEs, made from the core's one options table (OPTIONS in
 * packages/core/src/options/table.ts): a row per option, its default as the README shows it.
 * A README marks where the table goes; `except:` leaves out options an entry point refuses:
 *
 *   <!-- options-table except: thread, dispatcher -->
 *   …generated…
 *   <!-- /options-table -->
 *
 * `node scripts/options-table.mjs` writes every README's; test/docs.test.ts holds them equal.
 */
export const READMES = ['README.md', 'packages/core/README.md', 'packages/winston-discord/README.md', 'packages/pino-discord/README.md']
const BLOCK = /(<!-- options-table(?: except: ([\w., ]+))? -->\n)([\s\S]*?)(<!-- \/options-table -->)/

/** A default as code: `2000`, `'warn'`, `[2000, 3000, 5000]`, `true`; `—` when unset. */
export function shownDefault (spec) {
  if (spec.shown !== undefined) return spec.shown
  if (spec.default === undefined) return '—'
  const code = (x) => typeof x === 'string' ? `'${x}'` : Array.isArray(x) ? `[${x.map(code).join(', ')}]` : String(x)
  return `\`${code(spec.default)}\``
}

/** The Markdown table, one row per option in the table's order, without the keys in `except`. */
export function optionsTable (options, except = []) {
  const cell = (s) => s.replaceAll('|', '\\|').replaceAll('\n', ' ')
  const rows = options.filter((o) => !except.some((k) => o.key === k || o.key.startsWith(`${k}.`)))
  return ['| option | default | meaning |', '| --- | --- | --- |', ...rows.map((o) => `| \`${o.key}\` | ${cell(shownDefault(o))} | ${cell(o.doc)} |`), ''].join('\n')
}

/** `text` with its options table as OPTIONS makes it, or undefined when it has no marker. */
export function withOptionsTable (text, options) {
  const m = BLOCK.exec(text)
  if (m === null) return undefined
  const except = m[2] === undefined ? [] : m[2].split(',').map((s) => s.trim()).filter(Boolean)
  return text.slice(0, m.index) + m[1] + optionsTable(options, except) + m[4] + text.slice(m.index + m[0].length)
}
