/**
 * Discord's rules for the per-message names and URLs a webhook request may carry: `username`,
 * `avatar_url` and `thread_name`. Discord answers a value it refuses with 400 on every message, so every
 * alert would be lost: these are checked once, at construction, and the error names the option and the fix.
 *
 * username (contract §1): trimmed, with internal whitespace runs collapsed, then
 *   - 1-80 code points;
 *   - must not contain "clyde" or "discord" (any case);
 *   - must not be "everyone", "here" or "system message" (whole name, any case).
 * avatar_url (contract §1, and §2's rule for image URLs): an absolute http(s) URL with a host.
 * thread_name (contract §1; Discord's channel name limit): 1-100 code points after trimming.
 */
import { InvalidOptionError } from '../errors.js'
import { codePointLength } from '../format/text.js'
import { LIMITS } from '../limits.js'

/** Substrings Discord refuses in a webhook name or username override (contract §1). */
export const FORBIDDEN_NAME_PARTS: readonly string[] = Object.freeze(['clyde', 'discord'])
/** Whole names Discord refuses, compared case-insensitively after trimming (contract §1). */
export const RESERVED_NAMES: readonly string[] = Object.freeze(['everyone', 'here', 'system message'])
/** A thread name is a channel name: 1-100 characters. */
export const THREAD_NAME_MAX = 100

/** Discord's reading of a name: trimmed, runs of whitespace collapsed to one space. */
export function normaliseName (name: string): string {
  return name.trim().replace(/\s+/g, ' ')
}

/** Throws InvalidOptionError unless Discord accepts `username` as the username override. */
export function assertUsername (username: string, option = 'username'): void {
  const name = normaliseName(username)
  const length = codePointLength(name)
  if (length < 1 || length > LIMITS.username) {
    throw new InvalidOptionError(option, `1-${LIMITS.username} characters after trimming (Discord refuses others)`, username)
  }
  const lower = name.toLowerCase()
  const part = FORBIDDEN_NAME_PARTS.find((p) => lower.includes(p))
  if (part !== undefined) {
    throw new InvalidOptionError(option, `a name without "${part}" (Discord refuses names containing "clyde" or "discord")`, username, 'Choose another display name, e.g. "Alerts".')
  }
  if (RESERVED_NAMES.includes(lower)) {
    throw new InvalidOptionError(option, 'a name other than "everyone", "here" or "system message" (Discord refuses these)', username, 'Choose another display name, e.g. "Alerts".')
  }
}

/** Throws InvalidOptionError unless `url` is an absolute http(s) URL Discord can fetch the avatar from. */
export function assertAvatarUrl (url: string, option = 'avatarUrl'): void {
  let parsed: URL | undefined
  try {
    parsed = new URL(url.trim())
  } catch {}
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.hostname === '') {
    throw new InvalidOptionError(option, 'an absolute http(s) URL of an image, e.g. "https://example.com/bot.png"', url)
  }
}

/** Throws InvalidOptionError unless Discord accepts `name` as a thread name. */
export function assertThreadName (name: string, option = 'threadName'): void {
  const length = codePointLength(name.trim())
  if (length < 1 || length > THREAD_NAME_MAX) {
    throw new InvalidOptionError(option, `1-${THREAD_NAME_MAX} characters after trimming (Discord's limit for a thread name)`, name)
  }
}
