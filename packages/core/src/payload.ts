/** The subset of Discord's Execute Webhook JSON body this library produces. */
export interface EmbedField {
  name: string
  value: string
  inline?: boolean
}

export interface Embed {
  title?: string
  description?: string
  url?: string
  /** ISO 8601 string. */
  timestamp?: string
  color?: number
  footer?: { text: string, icon_url?: string }
  image?: { url: string }
  thumbnail?: { url: string }
  author?: { name: string, url?: string, icon_url?: string }
  fields?: EmbedField[]
}

export interface AllowedMentions {
  parse: Array<'roles' | 'users' | 'everyone'>
  roles?: string[]
  users?: string[]
  replied_user?: boolean
}

/** An entry of `attachments`: refers to the multipart part `files[id]` (contract §1). */
export interface Attachment {
  id: number
  filename: string
}

/** A text file sent with a message, as the multipart part `files[n]` (contract §1). */
export interface MessageFile {
  /** The file name Discord shows. */
  name: string
  /** UTF-8 text. */
  content: string
}

export interface WebhookPayload {
  content?: string
  username?: string
  avatar_url?: string
  tts?: boolean
  embeds?: Embed[]
  allowed_mentions: AllowedMentions
  flags?: number
  thread_name?: string
  /** With files only: one entry per `files[n]` part. */
  attachments?: Attachment[]
}
