import type { Pings } from './mentions.js'
import type { StoredAttachment } from './request-body.js'

export interface StoredMessage {
  /** Snowflake of the saved message. */
  id: string
  webhookId: string
  /** Channel the webhook posts into (not the thread). */
  channelId: string
  /** From `?thread_id=`. */
  threadId?: string
  /** The JSON body as received (a multipart body's `payload_json`). */
  payload: Record<string, unknown>
  /** Files sent with the message (multipart `files[n]`), in `attachments` order; empty for a JSON body. */
  attachments: StoredAttachment[]
  /** Emulator clock time (ms) the message was saved. */
  receivedAt: number
  /** Mentions in `content` that would notify someone (contract §6). Edits never notify (§7): set by the post only. */
  pings: Pings
  /** Times the message was edited (`PATCH …/messages/{id}`), and the emulator clock time (ms) of the last edit. */
  edits?: number
  editedAt?: number
  /** Emulator clock time (ms) it was deleted (`DELETE …/messages/{id}`, or a moderator: `deleteMessage()`); Discord answers 10008 for it since. */
  deletedAt?: number
}

/** Where the emulator serves a stored file: `GET /_emulator/attachments/{messageId}/{index}`. */
export const ATTACHMENT_ROUTE = '/_emulator/attachments'

/** Name a webhook message shows when the payload does not override it. */
const DEFAULT_WEBHOOK_NAME = 'Emulated Webhook'
const DEFAULT_MESSAGE_TYPE = 0

/**
 * The message object `?wait=true` returns (contract §1). In a thread, Discord reports the
 * thread as the message's channel, so `channel_id` is the thread id there.
 */
export function toDiscordMessage (message: StoredMessage): Record<string, unknown> {
  const p = message.payload
  const embeds = Array.isArray(p.embeds) ? p.embeds.map((embed: Record<string, unknown>) => ({ ...embed, type: 'rich' })) : []
  return {
    id: message.id,
    type: DEFAULT_MESSAGE_TYPE,
    content: typeof p.content === 'string' ? p.content : '',
    channel_id: message.threadId ?? message.channelId,
    author: {
      id: message.webhookId,
      username: typeof p.username === 'string' ? p.username : DEFAULT_WEBHOOK_NAME,
      avatar: null,
      discriminator: '0000',
      bot: true
    },
    attachments: message.attachments.map((a, i) => ({
      id: `${message.id.slice(0, -2)}${String(i).padStart(2, '0')}`,
      filename: a.filename,
      size: a.size,
      content_type: a.content_type,
      url: `${ATTACHMENT_ROUTE}/${message.id}/${i}`,
      ...(a.description === undefined ? {} : { description: a.description })
    })),
    embeds,
    mentions: [],
    mention_roles: message.pings.roles,
    mention_everyone: message.pings.everyone,
    pinned: false,
    tts: p.tts === true,
    timestamp: new Date(message.receivedAt).toISOString(),
    edited_timestamp: message.editedAt === undefined ? null : new Date(message.editedAt).toISOString(),
    flags: typeof p.flags === 'number' ? p.flags : 0,
    components: [],
    webhook_id: message.webhookId
  }
}
