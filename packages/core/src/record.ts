import type { Severity } from './levels.js'
import type { Embed } from './payload.js'

/**
 * An error reduced to plain data: safe to clone into a worker, to JSON, and to render.
 * `cause` and `errors` (AggregateError) keep the chain.
 */
export interface SerializedError {
  type: string
  message: string
  stack?: string
  code?: string | number
  cause?: SerializedError
  errors?: SerializedError[]
  /** Other own enumerable properties of the error (e.g. `statusCode`), as plain data. */
  extra?: Record<string, unknown>
}

/**
 * The neutral record both adapters and the notifier produce. Plain data only when it must
 * cross into a worker; in-process, `fields` values may be anything and are rendered safely.
 */
export interface LogRecord {
  severity: Severity
  /** The logger's own level name (`warn`, `crit`, `fatal`, …), shown in the embed footer. */
  level?: string
  /** Main text. May be empty when only an error or embed is given. */
  message: string
  /** Epoch milliseconds. */
  time: number
  /** Overrides the title derived from the message. */
  title?: string
  /** The service or component the record is about (seed: `service`). */
  service?: string
  error?: SerializedError
  /** Extra context: metadata, details, child bindings. Rendered as embed fields. */
  fields?: Record<string, unknown>
  /** Footer text such as `host · pid 123`. */
  footer?: string
  /** A ready embed, used as-is (after limit enforcement). */
  embed?: Embed
  /** Plain message content (sendPlaintext). Never combined with rendering of `message`. */
  content?: string
  /** Free-form context line (seed: `context` of sendErrorNotification). */
  context?: string
}
