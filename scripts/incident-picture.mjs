// The README's docs/incident.png: two incidents as the channel shows them, one firing (its message edited in
// place while it repeats) and one resolved, in the emulator's preview page.
//
//   node scripts/incident-picture.mjs [docs/incident.png]
import { createEmulator } from '@logcord/discord-emulator'
import { DiscordNotifier } from '@logcord/core'
import { saveScreenshot } from './lib/demo-screenshot.mjs'

const path = process.argv[2] ?? 'docs/incident.png'
const emulator = await createEmulator()
const notifier = new DiscordNotifier({ webhookUrl: emulator.webhookUrl(), apiOrigin: emulator.origin, username: 'logcord alerts', incidents: { editIntervalMs: 200 } })

// Resolved: the application ends what it opened.
for (const message of ['primary unreachable: connect ECONNREFUSED 10.0.0.7:5432', 'replica lag 31 s', 'writes failing over to replica']) {
  notifier.sendDiagnostic({ level: 'critical', service: 'Database', message, incident: 'db-primary', details: { Cluster: 'eu-west-1a', Runbook: '[Failover](https://example.com/runbooks/failover)' } })
}
await notifier.flush()
notifier.resolveIncident('db-primary', 'failover to db-2 done')

// Firing: one error, repeated, counted in its message.
const error = new Error('payment provider timed out after 10000 ms')
error.stack = 'Error: payment provider timed out after 10000 ms\n    at charge (/srv/checkout/payments.js:88:11)\n    at async checkout (/srv/checkout/routes.js:41:5)'
for (let i = 0; i < 1284; i++) notifier.sendErrorNotification({ service: 'Checkout', error, context: 'POST /api/checkout' })
await notifier.flush()
await notifier.close()
await saveScreenshot(emulator, path, 'Resolved', '#messages')
await emulator.close()
console.log(`Saved ${path}`)
