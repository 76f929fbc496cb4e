/**
 * A model of how Discord reads the parts of its markdown that matter for code: code blocks, inline code
 * and backslash escapes. Discord's parser (simple-markdown with Discord's rules) tries its rules at each
 * position, code blocks before inline code:
 *   code block   ``` [language \n] \n* content \n* ```   (closes at the next ``` anywhere, even mid-line;
 *                a longer fence is not a different fence, so nothing can nest)
 *   escape       \ + any character that is not a letter, digit or whitespace → that character
 *   inline code  a run of n backticks … the next run of exactly n backticks (may span lines)
 * Everything else is text. Used by the tests to check that record text never opens or closes a code block.
 */

export type MarkdownToken =
  | { kind: 'codeBlock', content: string }
  | { kind: 'inlineCode', content: string }
  | { kind: 'text', content: string }

const CODE_BLOCK = /^```(?:([a-z0-9_+\-.#]+?)\n)?\n*([^\n][\s\S]*?)\n*```/i
const ESCAPE = /^\\([^0-9A-Za-z\s])/
const INLINE_CODE = /^(`+)([\s\S]*?[^`])\1(?!`)/

export function parseDiscordMarkdown (text: string): MarkdownToken[] {
  const tokens: MarkdownToken[] = []
  let plain = ''
  const flush = (): void => {
    if (plain !== '') tokens.push({ kind: 'text', content: plain })
    plain = ''
  }
  let i = 0
  while (i < text.length) {
    const rest = text.slice(i)
    let m = CODE_BLOCK.exec(rest)
    if (m !== null) {
      flush()
      tokens.push({ kind: 'codeBlock', content: m[2] ?? '' })
      i += m[0].length
      continue
    }
    m = ESCAPE.exec(rest)
    if (m !== null) {
      plain += m[1]
      i += m[0].length
      continue
    }
    m = INLINE_CODE.exec(rest)
    if (m !== null) {
      flush()
      tokens.push({ kind: 'inlineCode', content: m[2] ?? '' })
      i += m[0].length
      continue
    }
    plain += text[i]
    i++
  }
  flush()
  return tokens
}

/** What a reader sees: escapes resolved, zero-width spaces gone, code shown as its content. */
export function visibleText (text: string): string {
  return parseDiscordMarkdown(text).map((t) => t.content).join('').replaceAll('\u200b', '')
}
