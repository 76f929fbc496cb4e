/**
 * Every error this library throws is a LogcordError with a stable `code`: a configuration mistake, found at
 * construction (delivery trouble is reported as events and counters). Messages never contain a webhook token.
 */
export type ErrorCode = 'ERR_INVALID_OPTION' | 'ERR_INVALID_WEBHOOK_URL'

export class LogcordError extends Error {
  readonly code: ErrorCode
  constructor (code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LogcordError'
    this.code = code
  }
}

/** A configuration mistake: names the option, what was expected, what was received, how to fix it. */
export class InvalidOptionError extends LogcordError {
  readonly option: string
  constructor (option: string, expected: string, received: unknown, hint?: string) {
    super('ERR_INVALID_OPTION', `Invalid option \`${option}\`: expected ${expected}, received ${describe(received)}.${hint ? ' ' + hint : ''}`)
    this.name = 'InvalidOptionError'
    this.option = option
  }
}

/** An option key no entry point knows (`retryDelay` for `retryDelays`: the default would silently stay); `suggestion`: the closest name, when one is close. */
export class UnknownOptionError extends InvalidOptionError {
  readonly suggestion: string | undefined
  constructor (option: string, suggestion: string | undefined, known: readonly string[]) {
    super(option, 'a known option', undefined)
    this.name = 'UnknownOptionError'
    this.suggestion = suggestion
    this.message = suggestion !== undefined
      ? `Unknown option \`${option}\`: did you mean \`${suggestion}\`?`
      : `Unknown option \`${option}\`. Known options: ${known.join(', ')}.`
  }
}

/** An environment variable the library reads holds a value it does not recognise. */
export class InvalidEnvironmentError extends InvalidOptionError {
  readonly variable: string
  constructor (variable: string, option: string, expected: string, received: string) {
    super(option, expected, received)
    this.name = 'InvalidEnvironmentError'
    this.variable = variable
    this.message = `Invalid environment variable ${variable}: expected ${expected}, received ${describe(received)}. Fix or unset it; an explicit \`${option}\` option takes precedence.`
  }
}

export class InvalidWebhookUrlError extends LogcordError {
  constructor (message: string) {
    super('ERR_INVALID_WEBHOOK_URL', message)
    this.name = 'InvalidWebhookUrlError'
  }
}

/** Renders a received value for an error message without dumping huge or secret data. */
export function describe (value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'function') return 'a function'
  // Long strings and anything URL-like are not quoted: a webhook URL in the wrong option holds the token.
  if (typeof value === 'string') return value.length > 40 || /webhooks/i.test(value) ? `a string of length ${value.length}` : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`
  if (Array.isArray(value)) return `an array of length ${value.length}`
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`
}
