#!/usr/bin/env node
/**
 * discord-emulator: run the emulator as a standalone process.
 *
 *   discord-emulator --port 0 --time-scale 0.1 --webhook-limit 5/2000 --error-rate 0.05
 *
 * The only file of the package that prints anything.
 */
import { parseArgs } from 'node:util'
import { createEmulator } from './server.js'
import type { EmulatorOptions } from './options.js'
import { DEFAULT_INVALID_LIMIT, type InvalidRequestLimit, type WindowLimit } from './rate-limits.js'

const USAGE = `Usage: discord-emulator [options]

  --port <n>              port to listen on (0 = random)            [0]
  --host <addr>           address to bind                           [127.0.0.1]
  --time-scale <x>        multiply every rate-limit window by x      [1]
  --seed <n>              seed for fault and id randomness
  --error-rate <0..1>     share of requests answered 500/502/503     [0]
  --latency <ms>          delay before each answer                  [0]
  --hang-rate <0..1>      share of requests never answered          [0]
  --drop-rate <0..1>      share of sockets destroyed mid-request    [0]
  --cloudflare-rate <0..1> share of requests answered with a 1015 ban [0]
  --webhook-limit <n/ms>  per-webhook bucket, or "off"              [5/2000]
  --channel-limit <n/ms>  hidden per-channel limit, or "off"        [30/60000]
  --global-limit <n/ms>   global (per IP) limit, or "off"           [50/1000]
  --invalid-limit <n/ms>  invalid responses before an IP ban, or "off" [10000/600000]
  --ban <ms>              length of that ban                         [3600000]
  --no-auto-create        unknown webhooks answer 404
  -h, --help              show this help
`

const EXIT_USAGE = 2

function main (): Promise<void> | void {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        'time-scale': { type: 'string' },
        seed: { type: 'string' },
        'error-rate': { type: 'string' },
        latency: { type: 'string' },
        'hang-rate': { type: 'string' },
        'drop-rate': { type: 'string' },
        'cloudflare-rate': { type: 'string' },
        'webhook-limit': { type: 'string' },
        'channel-limit': { type: 'string' },
        'global-limit': { type: 'string' },
        'invalid-limit': { type: 'string' },
        ban: { type: 'string' },
        'no-auto-create': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false }
      },
      strict: true
    }))
  } catch (error) {
    return usageError((error as Error).message)
  }
  if (values.help) {
    process.stdout.write(USAGE)
    return
  }

  let options: EmulatorOptions
  try {
    options = {
      port: number('--port', values.port),
      host: values.host,
      autoCreate: !values['no-auto-create'],
      ...(values['time-scale'] !== undefined && { timeScale: number('--time-scale', values['time-scale']) }),
      ...(values.seed !== undefined && { seed: number('--seed', values.seed) }),
      limits: {
        ...(values['webhook-limit'] !== undefined && { webhook: limit('--webhook-limit', values['webhook-limit']) }),
        ...(values['channel-limit'] !== undefined && { channel: limit('--channel-limit', values['channel-limit']) }),
        ...(values['global-limit'] !== undefined && { global: limit('--global-limit', values['global-limit']) }),
        ...((values['invalid-limit'] !== undefined || values.ban !== undefined) && {
          invalid: invalidLimit(values['invalid-limit'], values.ban)
        })
      },
      faults: {
        ...(values['error-rate'] !== undefined && { errorRate: rate('--error-rate', values['error-rate']) }),
        ...(values.latency !== undefined && { latencyMs: number('--latency', values.latency) }),
        ...(values['hang-rate'] !== undefined && { hangRate: rate('--hang-rate', values['hang-rate']) }),
        ...(values['drop-rate'] !== undefined && { dropRate: rate('--drop-rate', values['drop-rate']) }),
        ...(values['cloudflare-rate'] !== undefined && { cloudflareRate: rate('--cloudflare-rate', values['cloudflare-rate']) })
      }
    }
  } catch (error) {
    return usageError((error as Error).message)
  }
  return start(options)
}

async function start (options: EmulatorOptions): Promise<void> {
  const emulator = await createEmulator(options)
  process.stdout.write(`Discord emulator listening on ${emulator.origin}\n`)
  process.stdout.write(`Example webhook URL: ${emulator.webhookUrl()}\n`)
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

function number (flag: string, text: string): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value)) throw new TypeError(`${flag} expects a number, received "${text}".`)
  return value
}

function rate (flag: string, text: string): number {
  const value = number(flag, text)
  if (value < 0 || value > 1) throw new TypeError(`${flag} expects a share between 0 and 1, received "${text}".`)
  return value
}

/** "5/2000" means 5 requests per 2000 ms; "off" disables the limit. */
function limit (flag: string, text: string): WindowLimit | false {
  if (text === 'off') return false
  const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(text.trim())
  if (!match) throw new TypeError(`${flag} expects <requests>/<windowMs> such as 5/2000, or "off"; received "${text}".`)
  return { limit: Number(match[1]), windowMs: Number(match[2]) }
}

function invalidLimit (text: string | undefined, ban: string | undefined): InvalidRequestLimit | false {
  const window = text === undefined ? DEFAULT_INVALID_LIMIT : limit('--invalid-limit', text)
  if (!window) return false
  return { limit: window.limit, windowMs: window.windowMs, banMs: ban === undefined ? DEFAULT_INVALID_LIMIT.banMs : number('--ban', ban) }
}

function usageError (message: string): void {
  process.stderr.write(`discord-emulator: ${message}\n\n${USAGE}`)
  process.exitCode = EXIT_USAGE
}

Promise.resolve(main()).catch((error: unknown) => {
  process.stderr.write(`discord-emulator: ${(error as Error).message}\n`)
  process.exitCode = 1
})
