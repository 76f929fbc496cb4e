/** An error as the description shows it (`**Type**: message`, top frames in a code block, causes, inner errors) within a layout's limits. Pure. */
import { LIMITS } from '../limits.js'
import type { SerializedError } from '../types.js'
import { MAX_CAUSE_DEPTH, isObject } from './safe-value.js'
import { ELLIPSIS, codeBlock, escapeBackticks, escapeCodeBlock, escapeMarkdown, truncate } from './text.js'
import { INLINE_FIELD_MAX } from './fields.js'

/** Only this much of a huge message or stack is ever looked at; no layout shows more. */
const MAX_SCAN = LIMITS.description * 2

/** How much of an error to show. */
export interface ErrorLayout {
  stackLines: number
  causeStackLines: number
  causes: number
  innerErrors: number
  errorMessageMax: number
  frameMax: number
}

export function textOf (v: unknown): string {
  return typeof v === 'string' ? v.slice(0, MAX_SCAN) : ''
}

/** The error and its causes in order, each once (a hand-made chain may be cyclic), at most `max`. */
export function chain (error: SerializedError, max = MAX_CAUSE_DEPTH + 1): SerializedError[] {
  const out: SerializedError[] = []
  let e: SerializedError | undefined = error
  while (e !== undefined && !out.includes(e) && out.length < max) {
    out.push(e)
    e = isObject(e.cause) ? e.cause : undefined
  }
  return out
}

export function innerErrors (err: SerializedError): SerializedError[] {
  return Array.isArray(err.errors) ? err.errors.filter(isObject) as SerializedError[] : []
}

/** The first non-empty line of `s` and what follows it. */
export function firstLineOf (s: string): { line: string, after: string } | undefined {
  const lines = s.split('\n')
  const i = lines.findIndex((l) => l.trim() !== '')
  return i < 0 ? undefined : { line: (lines[i] as string).trim(), after: lines.slice(i + 1).join('\n').trim() }
}

function errorHeadline (err: SerializedError, messageMax: number): string {
  const type = escapeMarkdown(truncate(textOf(err.type), INLINE_FIELD_MAX) || 'Error')
  const message = truncate(escapeBackticks(textOf(err.message)), messageMax)
  return message === '' ? `**${type}**` : `**${type}**: ${message}`
}

export function errorBlock (err: SerializedError, layout: ErrorLayout): string {
  const lines = [errorHeadline(err, layout.errorMessageMax), stackFrames(err, layout.stackLines, layout.frameMax)]
  const causes = chain(err).slice(1)
  for (const cause of causes.slice(0, layout.causes)) {
    lines.push(`**Caused by** ${errorHeadline(cause, layout.errorMessageMax).replace(/^\*\*(.*?)\*\*/, '$1')}`)
    lines.push(stackFrames(cause, layout.causeStackLines, layout.frameMax))
  }
  const hidden = Math.max(0, causes.length - layout.causes)
  if (hidden > 0) lines.push(`${ELLIPSIS} ${hidden} more cause${hidden === 1 ? '' : 's'}`)

  const inner = innerErrors(err)
  if (inner.length > 0 && layout.innerErrors > 0) {
    lines.push(`**Errors (${inner.length}):**`)
    inner.slice(0, layout.innerErrors).forEach((e, i) => {
      const type = escapeMarkdown(truncate(textOf(e.type), INLINE_FIELD_MAX) || 'Error')
      lines.push(`${i + 1}. ${type}: ${truncate(escapeBackticks(firstLineOf(textOf(e.message))?.line ?? ''), layout.errorMessageMax)}`)
    })
    if (inner.length > layout.innerErrors) lines.push(`${ELLIPSIS} ${inner.length - layout.innerErrors} more`)
  }
  return lines.filter((l) => l !== '').join('\n')
}

const FRAME = /^\s*at\s/

/** The top `max` lines of the stack (stackLines), each cut to `frameMax`, in a code block; '' for none. */
function stackFrames (err: SerializedError, max: number, frameMax: number): string {
  if (max <= 0) return ''
  const lines = stackLines(err)
  // Escaped before the cut, so a backtick run in a frame can never look like a fence to truncate().
  const shown = lines.slice(0, max).map((l) => truncate(escapeCodeBlock(l), frameMax))
  if (lines.length > max) shown.push(`${ELLIPSIS} ${lines.length - max} more`)
  const frames = shown.join('\n')
  return frames === '' ? '' : codeBlock(frames)
}

/** Every line of the error's stack (its first `maxChars` UTF-16 units), trimmed, without V8's leading `Type: message` the headline shows. */
export function stackLines (err: SerializedError, maxChars: number = MAX_SCAN): string[] {
  const stack = typeof err.stack === 'string' ? err.stack.slice(0, maxChars) : ''
  if (stack === '') return []
  let lines = stack.split('\n')
  const firstFrame = lines.findIndex((l) => FRAME.test(l))
  const message = firstLineOf(textOf(err.message))?.line ?? ''
  const head = lines.slice(0, Math.max(firstFrame, 1)).join('\n')
  const repeatsMessage = (message !== '' && head.includes(message)) || head.trim() === textOf(err.type).trim() || head.trim().startsWith(`${textOf(err.type)}:`)
  if (firstFrame > 0 && (repeatsMessage || message === '')) lines = lines.slice(firstFrame)
  else if (firstFrame === -1 && repeatsMessage) lines = lines.slice(1)
  return lines.map((l) => l.trim()).filter((l) => l !== '')
}
