/**
 * Discord's documented limits and header names, in one place.
 * Source: developers/resources/message.mdx (Embed Limits), developers/topics/rate-limits.mdx.
 * Lengths are counted in Unicode code points after trimming (see discord-api-docs #1315).
 */
export const LIMITS = Object.freeze({
  content: 2000,
  embedsPerMessage: 10,
  /** Sum of title, description, field names/values, footer text, author name over ALL embeds. */
  totalEmbedChars: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  username: 80,
  allowedMentionIds: 100,
  /** Highest embed colour accepted (24-bit RGB). */
  maxColor: 0xffffff
})

export const HEADERS = Object.freeze({
  limit: 'x-ratelimit-limit',
  remaining: 'x-ratelimit-remaining',
  reset: 'x-ratelimit-reset',
  resetAfter: 'x-ratelimit-reset-after',
  bucket: 'x-ratelimit-bucket',
  global: 'x-ratelimit-global',
  scope: 'x-ratelimit-scope',
  retryAfter: 'retry-after'
})

/** Discord JSON error codes this library branches on (developers/topics/opcodes-and-status-codes.mdx). */
export const DISCORD_CODES = Object.freeze({
  invalidFormBody: 50035,
  emptyMessage: 50006,
  invalidJson: 50109,
  channelWriteLimit: 20028,
  unknownMessage: 10008,
  threadArchived: 50083,
  forumNeedsThread: 220001,
  threadIdAndName: 220002,
  threadNameNotForum: 220003
})

export const API_VERSION = 10
