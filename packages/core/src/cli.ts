#!/usr/bin/env node
/**
 * The `logcord` command: `test` and `replay` (USAGE below). The webhook comes from --webhook-url or DISCORD_WEBHOOK_URL
 * and is never printed with its token. Exit codes: 0 everything went through, 1 something did not, 2 a usage mistake.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { runCheck } from './check.js'
import { redactLoose } from './http/webhook-url.js'
import { enabledFromEnv } from './options/env.js'
import { resolveOptions, suggest } from './options/resolve.js'
import type { NotifierOptions } from './types.js'
import { replayDeadLetters } from './replay.js'

const EXIT_OK = 0
const EXIT_FAILED = 1
const EXIT_USAGE = 2

const FLAGS = {
  'webhook-url': { type: 'string' },
  'api-origin': { type: 'string' },
  username: { type: 'string' },
  'thread-id': { type: 'string' },
  proxy: { type: 'string' },
  'all-webhooks': { type: 'boolean', default: false },
  wait: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false }
} as const satisfies ParseArgsConfig['options']

const USAGE = `Usage:
  logcord test [options]           send one message of each kind and print Discord's answer for each
  logcord replay FILE [options]    resend the records of a dead-letter file (safe to run twice)

Options:
  --webhook-url <url>     Discord webhook URL (default: $DISCORD_WEBHOOK_URL)
  --api-origin <origin>   send to this origin instead of https://discord.com (a local emulator)
  --username <name>       webhook display name
  --thread-id <id>        post into this thread
  --proxy <url>           send through this HTTP proxy (default: $HTTPS_PROXY / $HTTP_PROXY, except $NO_PROXY)
  --all-webhooks          replay: also resend lines written for other webhooks
  --wait <seconds>        replay: how long to keep trying while Discord is unreachable (default 600)
  -h, --help              this text

replay remembers what Discord confirmed in FILE.replayed; a second run sends only what is left.`

async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true })
  } catch (error) {
    return usage(describeArgsError(error))
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE + '\n')
    return values.help || command === 'help' ? EXIT_OK : EXIT_USAGE
  }
  // The command first: `logcord tset` is a typo, whatever the webhook.
  if (command !== 'test' && command !== 'replay') {
    const closest = suggest(command, ['test', 'replay'])
    return usage(/^[a-z][a-z-]{0,19}$/.test(command) ? `unknown command ${command}: expected test or replay${closest === undefined ? '' : `; did you mean ${closest}?`}` : 'unknown command: expected test or replay')
  }
  if (enabledFromEnv(process.env) === false) {
    process.stderr.write(`logcord: DISCORD_NOTIFICATIONS_ENABLED=${process.env.DISCORD_NOTIFICATIONS_ENABLED} turns notifications off, so ${command} would send nothing. Unset it (or set it to true) for this command.\n`)
    return EXIT_USAGE
  }
  const webhookUrl = values['webhook-url'] ?? process.env.DISCORD_WEBHOOK_URL
  if (webhookUrl === undefined || webhookUrl.trim() === '') {
    process.stderr.write('logcord: no webhook: pass --webhook-url or set DISCORD_WEBHOOK_URL.\n')
    return EXIT_USAGE
  }
  const options: NotifierOptions = { webhookUrl: webhookUrl.trim() }
  if (values['api-origin'] !== undefined) options.apiOrigin = values['api-origin']
  if (values.username !== undefined) options.username = values.username
  if (values['thread-id'] !== undefined) options.threadId = values['thread-id']
  if (values.proxy !== undefined) options.proxyUrl = values.proxy

  switch (command) {
    case 'test': {
      // Positionals are never echoed: a webhook URL pasted without its flag holds the token.
      if (rest.length > 0) return usage(`test takes no arguments besides its options (received ${rest.length}); the webhook goes in --webhook-url`)
      resolveOptions(options) // a malformed URL or option is reported before anything is said to be sent
      process.stdout.write(`Sending one message of each kind to ${redactLoose(options.webhookUrl!)}\n\n`)
      const result = await runCheck(options, (line) => process.stdout.write(`  ${line.kind.padEnd(22)} ${line.text}\n`))
      process.stdout.write(`\n${result.delivered} of ${result.total} delivered; notifier ${result.health}\n`)
      return result.delivered === result.total ? EXIT_OK : EXIT_FAILED
    }
    case 'replay': {
      if (rest.length !== 1) return usage('replay needs exactly one dead-letter file')
      const file = rest[0]!
      const wait = values.wait === undefined ? undefined : Number(values.wait)
      if (wait !== undefined && (!Number.isFinite(wait) || wait < 0)) return usage(`--wait: expected seconds (a number >= 0), received ${JSON.stringify(values.wait)}`)
      const r = await replayDeadLetters({ ...options, file, allWebhooks: values['all-webhooks'], ...(wait === undefined ? {} : { waitMs: wait * 1000 }) })
      const parts = [`${r.sent} sent`]
      if (r.alreadyReplayed > 0) parts.push(`${r.alreadyReplayed} already replayed`)
      if (r.rejected > 0) parts.push(`${r.rejected} rejected by Discord`)
      if (r.otherWebhooks > 0) parts.push(`${r.otherWebhooks} for other webhooks (--all-webhooks sends them here)`)
      if (r.invalid > 0) parts.push(`${r.invalid} unreadable lines`)
      if (r.left > 0) parts.push(`${r.left} left`)
      process.stdout.write(`replay ${file}: ${r.lines} lines; ${parts.join(', ')}. Replayed ids: ${r.sidecar}\n`)
      if (r.stopped !== undefined) process.stdout.write(`stopped early: ${r.stopped}\n`)
      return r.left === 0 && r.rejected === 0 ? EXIT_OK : EXIT_FAILED
    }
  }
  return EXIT_USAGE
}

/** parseArgs' complaint in our words, naming the closest flag; Node's own may quote what followed the flag (a webhook URL). */
function describeArgsError (error: unknown): string {
  const code = (error as { code?: string }).code
  const name = /'(--?[\w-]{1,40})/.exec((error as Error).message ?? '')?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && name !== undefined) {
    const closest = suggest(name.replace(/^-+/, ''), Object.keys(FLAGS))
    return `unknown option ${name}${closest === undefined ? '' : `: did you mean --${closest}?`}`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && name !== undefined) return `option ${name} expects a value`
  return 'the arguments could not be read'
}

function usage (message: string): number {
  process.stderr.write(`logcord: ${message}${/[.?]$/.test(message) ? '' : '.'}\n\n${USAGE}\n`)
  return EXIT_USAGE
}

// Every wait in this command is an awaited flush() or close(), which holds the process until it settles.
process.exitCode = EXIT_FAILED
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
}, (error: unknown) => {
  // Bad options (a malformed URL) land here; their messages never contain the token.
  process.stderr.write(`logcord: ${redactLoose(error instanceof Error ? error.message : String(error))}\n`)
  process.exitCode = EXIT_USAGE
})
