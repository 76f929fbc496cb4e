#!/usr/bin/env sh
# Pipe any pino app into the pino-discord CLI: warnings and worse become Discord embeds.
#
#   pnpm build
#   DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/<id>/<token> sh examples/pino-cli.sh
#
# Without DISCORD_WEBHOOK_URL a local Discord emulator stands in for Discord.
# In a real app:   node app.js | pino-discord --level warn --echo
set -eu
cd "$(dirname "$0")/.."
CLI=packages/pino-discord/dist/cli.js

# A tiny pino app: one line below the level, one non-JSON line, two alerts.
APP="node --input-type=module -e \"
  import pino from 'pino'
  const logger = pino()
  logger.info('service started')
  console.log('a line that is not JSON')
  logger.warn({ queueDepth: 950 }, 'queue filling up')
  logger.error(new Error('upstream timed out'))
\""

if [ -n "${DISCORD_WEBHOOK_URL:-}" ]; then
  sh -c "$APP" | node "$CLI" --level warn
  exit 0
fi

# No webhook: run the same pipe against an emulator started in a small node process.
node --input-type=module -e "
  import { spawn } from 'node:child_process'
  import { createEmulator } from '@logcord/discord-emulator'
  const emu = await createEmulator()
  const app = spawn('sh', ['-c', process.argv[1]], { stdio: ['ignore', 'pipe', 'inherit'] })
  const cli = spawn(process.execPath, [process.argv[2], '--webhook-url', emu.webhookUrl(), '--api-origin', emu.origin, '--level', 'warn'], { stdio: ['pipe', 'inherit', 'inherit'] })
  app.stdout.pipe(cli.stdin)
  const code = await new Promise((resolve) => cli.on('close', resolve))
  console.log('CLI exited with ' + code + '; Discord received:')
  for (const m of emu.messages) for (const e of m.payload.embeds ?? []) console.log('  ' + e.title)
  await emu.close()
" "$APP" "$CLI"
