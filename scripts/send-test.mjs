// Sends one message of each kind and reports what Discord answered for each: a check that a webhook works.
// The check itself ships with @logcord/core as `npx logcord test`; this script runs that bin, against a
// fresh local emulator when DISCORD_WEBHOOK_URL is not set.
//
//   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> npx -y pnpm@12.4.2 send-test
//   node scripts/send-test.mjs [--keep-open]      # without DISCORD_WEBHOOK_URL: a fresh local emulator
//
// The webhook URL reaches the bin through its environment, never its command line (which other users of
// the machine can read). The token is never printed.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { openTarget } from './lib/discord-target.mjs'

const { values } = parseArgs({ options: { 'keep-open': { type: 'boolean', default: false } } })

const require = createRequire(import.meta.url)
const corePackage = require.resolve('@logcord/core/package.json')
const bin = join(dirname(corePackage), require(corePackage).bin.logcord)

const target = await openTarget({ timeScale: 0.1 })
console.log(`Checking ${target.label}`)
const args = [bin, 'test', '--username', 'logcord send-test']
if (target.emulator) args.push('--api-origin', target.emulator.origin)
const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, DISCORD_WEBHOOK_URL: target.webhookUrl } })
const [code] = await once(child, 'exit')

if (target.emulator) {
  console.log(`The emulator received ${target.emulator.messages.length} messages.`)
  if (values['keep-open']) {
    console.log(`Preview: ${target.emulator.origin}/   Ctrl-C to stop.`)
    await new Promise((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve) })
  }
}
await target.close()
process.exitCode = code ?? 1
