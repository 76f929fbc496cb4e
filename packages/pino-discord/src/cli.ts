#!/usr/bin/env node
/**
 * `node app.js | pino-discord --webhook-url … --level warn`
 *
 * Reads pino's JSON lines from stdin and sends them through the same transport the worker runs
 * (in-process here: the pipe already keeps the app's main thread free). Lines that are not JSON
 * objects are passed over and counted. At end of input it drains, prints one summary line to
 * stderr (counts only; never the webhook URL) and exits 0.
 */
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { NotifierOptions, Severity } from '@logcord/core'
import { closestOptionName, enabledFromEnv, redactLoose } from '@logcord/core/internal'
import type { InProcessOptions } from './options.js'
import pinoDiscord, { summary, type PinoDiscordStream } from './transport.js'

const EXIT_OK = 0
const EXIT_USAGE = 2
/** pino's default level values, for `--level warn`. */
const PINO_LEVELS: Readonly<Record<string, number>> = Object.freeze(Object.assign(Object.create(null) as Record<string, number>, { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 }))

/** Flags mirror the option names in kebab-case. */
const FLAGS = {
  'webhook-url': { type: 'string' },
  'api-origin': { type: 'string' },
  'redis-url': { type: 'string' },
  proxy: { type: 'string' },
  level: { type: 'string' },
  username: { type: 'string' },
  'avatar-url': { type: 'string' },
  'thread-id': { type: 'string' },
  'thread-name': { type: 'string' },
  'min-severity': { type: 'string' },
  'queue-capacity': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'close-timeout-ms': { type: 'string' },
  'dead-letter-file': { type: 'string' },
  'log-level': { type: 'string' },
  formatter: { type: 'string' },
  'message-key': { type: 'string' },
  'error-key': { type: 'string' },
  'nested-key': { type: 'string' },
  'title-template': { type: 'string' },
  'include-fields': { type: 'string' },
  'exclude-fields': { type: 'string' },
  'redact-keys': { type: 'string' },
  'mention-role': { type: 'string', multiple: true },
  'mention-user': { type: 'string', multiple: true },
  'mention-min-severity': { type: 'string' },
  echo: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false }
} as const satisfies ParseArgsConfig['options']

const USAGE = `Usage: node app.js | pino-discord [options]

Sends pino's JSON log lines from stdin to a Discord webhook as embeds.

  --webhook-url <url>          Discord webhook URL (default: $DISCORD_WEBHOOK_URL)
  --level <name|number>        only lines at or above this pino level (default: all)
  --api-origin <origin>        send to this origin instead of https://discord.com (local emulator)
  --redis-url <url>            share the webhook's limits with other processes through this Redis
  --proxy <url>                send through this HTTP proxy (default: $HTTPS_PROXY / $HTTP_PROXY, except $NO_PROXY)
                               (default: $DISCORD_NOTIFICATIONS_REDIS_URL; needs the ioredis package)
  --username <name>            webhook display name
  --avatar-url <url>           webhook avatar
  --thread-id <id>             post into this thread
  --thread-name <name>         forum channels: create a thread with this name
  --min-severity <severity>    debug | info | warning | error | critical
  --queue-capacity <n>         records held while rate-limited (default 2000)
  --timeout-ms <ms>            per-request timeout (default 10000)
  --close-timeout-ms <ms>      how long end of input waits for delivery (default 8000)
  --dead-letter-file <path>    append undeliverable records here as JSON lines
  --log-level <level>          debug | info | warn | error | silent (this tool's own lines)
  --formatter <module>         module whose default export (record, logObject) => embed | false
  --message-key <key>          pino messageKey (default msg)
  --error-key <key>            pino errorKey (default err)
  --nested-key <key>           pino nestedKey: the object logged is under this key (default: none)
  --title-template <template>  e.g. '{emoji} {service}: {message}'
  --include-fields <a,b>       fields shown (only these)
  --exclude-fields <a,b>       fields never shown
  --redact-keys <a,b>          keys whose values are redacted
  --mention-role <id>          ping this role (repeatable)
  --mention-user <id>          ping this user (repeatable)
  --mention-min-severity <s>   ping only at or above this severity (default error)
  --echo                       copy every input line to stdout
  -h, --help                   this text

Environment, as in every logcord entry point (a flag wins over its variable):
  DISCORD_WEBHOOK_URL              the webhook URL
  DISCORD_NOTIFICATIONS_ENABLED    false/0/no/off: read and --echo input, send nothing
  DISCORD_NOTIFICATIONS_LOG_LEVEL  as --log-level
`

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>['values']

function list (value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

function int (value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n)) throw new UsageError(`--${flag} expects an integer, received ${JSON.stringify(value)}`)
  return n
}

class UsageError extends Error {}

/** Flags → transport options. Validation of values is the transport's (and core's) job. */
export function optionsFromFlags (v: Values, env: NodeJS.ProcessEnv): InProcessOptions {
  const o: InProcessOptions = {}
  // DISCORD_WEBHOOK_URL and the other variables are applied by the transport, as in every entry point;
  // only the usage hint is the CLI's own.
  const webhookUrl = v['webhook-url']
  if (webhookUrl !== undefined) o.webhookUrl = webhookUrl
  else if (!env.DISCORD_WEBHOOK_URL?.trim() && enabledFromEnv(env) !== false) {
    throw new UsageError('a webhook URL is required: pass --webhook-url or set DISCORD_WEBHOOK_URL (or DISCORD_NOTIFICATIONS_ENABLED=false to send nothing)')
  }
  if (v['api-origin'] !== undefined) o.apiOrigin = v['api-origin']
  if (v['redis-url'] !== undefined) o.redisUrl = v['redis-url']
  if (v.proxy !== undefined) o.proxyUrl = v.proxy
  if (v.username !== undefined) o.username = v.username
  if (v['avatar-url'] !== undefined) o.avatarUrl = v['avatar-url']
  if (v['thread-id'] !== undefined) o.threadId = v['thread-id']
  if (v['thread-name'] !== undefined) o.threadName = v['thread-name']
  if (v['min-severity'] !== undefined) o.minSeverity = v['min-severity'] as Severity
  const queueCapacity = int(v['queue-capacity'], 'queue-capacity')
  if (queueCapacity !== undefined) o.queueCapacity = queueCapacity
  const timeoutMs = int(v['timeout-ms'], 'timeout-ms')
  if (timeoutMs !== undefined) o.timeoutMs = timeoutMs
  const closeTimeoutMs = int(v['close-timeout-ms'], 'close-timeout-ms')
  if (closeTimeoutMs !== undefined) o.closeTimeoutMs = closeTimeoutMs
  if (v['dead-letter-file'] !== undefined) o.deadLetterFile = v['dead-letter-file']
  if (v['log-level'] !== undefined) o.logLevel = v['log-level'] as NotifierOptions['logLevel']
  if (v.formatter !== undefined) o.formatter = v.formatter

  const render: NonNullable<NotifierOptions['render']> = {}
  if (v['title-template'] !== undefined) render.titleTemplate = v['title-template']
  const include = list(v['include-fields'])
  if (include !== undefined) render.includeFields = include
  const exclude = list(v['exclude-fields'])
  if (exclude !== undefined) render.excludeFields = exclude
  const redact = list(v['redact-keys'])
  if (redact !== undefined) render.redactKeys = redact
  if (Object.keys(render).length > 0) o.render = render

  const mentions: NonNullable<NotifierOptions['mentions']> = {}
  if (v['mention-role'] !== undefined) mentions.roles = [...v['mention-role']]
  if (v['mention-user'] !== undefined) mentions.users = [...v['mention-user']]
  if (v['mention-min-severity'] !== undefined) mentions.minSeverity = v['mention-min-severity'] as Severity
  if (Object.keys(mentions).length > 0) o.mentions = mentions

  const pinoConfig: NonNullable<InProcessOptions['pinoConfig']> = {}
  if (v['message-key'] !== undefined) pinoConfig.messageKey = v['message-key']
  if (v['error-key'] !== undefined) pinoConfig.errorKey = v['error-key']
  if (v['nested-key'] !== undefined) pinoConfig.nestedKey = v['nested-key']
  if (Object.keys(pinoConfig).length > 0) o.pinoConfig = pinoConfig
  return o
}

function levelThreshold (level: string | undefined): number | undefined {
  if (level === undefined) return undefined
  const n = PINO_LEVELS[level.toLowerCase()] ?? Number(level)
  if (!Number.isFinite(n)) throw new UsageError(`--level expects a pino level (${Object.keys(PINO_LEVELS).join(', ')}) or a number, received ${JSON.stringify(level)}`)
  return n
}

/** A line's numeric level; lines without one are kept (they may still be worth an alert). */
function lineLevel (obj: Record<string, unknown>): number | undefined {
  const l = obj.level
  if (typeof l === 'number') return l
  if (typeof l === 'string') return PINO_LEVELS[l.toLowerCase()]
  return undefined
}

async function main (argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: Values
  let options: InProcessOptions
  let threshold: number | undefined
  try {
    values = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values
    if (values.help === true) {
      process.stdout.write(USAGE)
      return EXIT_OK
    }
    options = optionsFromFlags(values, env)
    threshold = levelThreshold(values.level)
  } catch (err) {
    process.stderr.write(`pino-discord: ${usageMessage(err)}\n${err instanceof UsageError || isUnknownFlag(err) ? 'Run pino-discord --help for the options.\n' : ''}`)
    return EXIT_USAGE
  }

  let stream: PinoDiscordStream
  try {
    stream = await pinoDiscord(options)
  } catch (err) {
    // InvalidOptionError: names the option and never contains the token.
    process.stderr.write(`pino-discord: ${redactLoose(err instanceof Error ? err.message : String(err))}\n`)
    return EXIT_USAGE
  }
  // The transport accepted the environment, so reading the switch again cannot throw.
  if (disabledByEnvironment(options, env)) process.stderr.write('pino-discord: DISCORD_NOTIFICATIONS_ENABLED is off: input is read, nothing is sent to Discord\n')

  let read = 0
  let unparsable = 0
  let belowLevel = 0
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity })
  // Ctrl-C reaches the whole pipeline: stop reading, but still deliver what was read.
  const stop = (): void => { input.close() }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)

  for await (const line of input) {
    read++
    if (values.echo === true) process.stdout.write(line + '\n')
    if (line.trim() === '') continue
    let obj: unknown
    try {
      obj = JSON.parse(line)
    } catch {
      unparsable++
      continue
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      unparsable++
      continue
    }
    const level = lineLevel(obj as Record<string, unknown>)
    if (threshold !== undefined && level !== undefined && level < threshold) {
      belowLevel++
      continue
    }
    // The transport parses again: a few microseconds a line buys one code path for CLI and worker.
    if (!stream.write(line + '\n')) await once(stream, 'drain')
  }

  const closed = once(stream, 'close')
  stream.end()
  await closed
  const s = stream.stats()
  process.stderr.write(`pino-discord: ${read} lines read, ${belowLevel} below level, ${summary({ ...s, unparsable: s.unparsable + unparsable }, s.delivery)}\n`)
  return EXIT_OK
}

function isUnknownFlag (err: unknown): boolean {
  return (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
}

/**
 * The message for a usage mistake. An unknown flag is named with the closest known one, and nothing
 * after an `=` is ever shown: `--webhookurl=https://…/<token>` must not print the token.
 */
function usageMessage (err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  // Node quotes the stray argument, which may be a webhook URL pasted without its flag.
  if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return 'unexpected argument: this command takes flags only (a webhook URL goes after --webhook-url)'
  if (!isUnknownFlag(err)) return redactLoose(message)
  const flag = /'(-{1,2}[^'=\s]*)/.exec(message)?.[1]
  if (flag === undefined || !/^-{1,2}[\w-]{1,40}$/.test(flag)) return 'unknown flag'
  const name = flag.replace(/^-+/, '')
  const close = closestOptionName(name, Object.keys(FLAGS))
  return `unknown flag ${flag}${close === undefined ? '' : `: did you mean --${close}?`}`
}

function disabledByEnvironment (options: InProcessOptions, env: NodeJS.ProcessEnv): boolean {
  return options.enabled === undefined && enabledFromEnv(env) === false
}

main(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code
}, (err: unknown) => {
  process.stderr.write(`pino-discord: ${redactLoose(err instanceof Error ? err.message : String(err))}\n`)
  process.exitCode = 1
})
