/** `@logcord/core/internal`: what the logcord packages (transports, CLIs) share. NOT public API: it may change in any release. */
export * from './index.js'
export { loggedTime } from './format/time.js'
export { renderValue } from './format/safe-value.js'
export { parseWebhookUrl, redactLoose } from './http/webhook-url.js'
export { userAgent } from './http/sender.js'
export { assertKnownOptions, NOTIFIER_OPTION_KEYS, resolveOptions, suggest as closestOptionName } from './options/resolve.js'
export { enabledFromEnv, resolveWithEnvironment, withEnvironment } from './options/env.js'
export { OPTIONS, type OptionSpec } from './options/table.js'
