/**
 * Discord counts lengths in Unicode code points after trimming leading and trailing
 * whitespace (contract §2; discord-api-docs #1315: the API measures strings as Python 3 does).
 * Equivalent to `[...s.trim()].length`, without allocating an array per string.
 */
export function codePointLength (s: string): number {
  const t = s.trim()
  let length = t.length
  for (let i = 0; i < t.length - 1; i++) {
    if (isHighSurrogate(t.charCodeAt(i)) && isLowSurrogate(t.charCodeAt(i + 1))) {
      length--
      i++
    }
  }
  return length
}

const HIGH_SURROGATE_MIN = 0xd800
const HIGH_SURROGATE_MAX = 0xdbff
const LOW_SURROGATE_MIN = 0xdc00
const LOW_SURROGATE_MAX = 0xdfff

function isHighSurrogate (unit: number): boolean {
  return unit >= HIGH_SURROGATE_MIN && unit <= HIGH_SURROGATE_MAX
}

function isLowSurrogate (unit: number): boolean {
  return unit >= LOW_SURROGATE_MIN && unit <= LOW_SURROGATE_MAX
}
