// How long a script with nothing pending takes to exit, with and without the library: the time from
// its last statement to the process being gone (the parent sees 'close'), median of `--runs` child
// processes per scenario, run in turn so machine load hits every scenario alike. Target: within 50 ms
// of the script without the library. Nothing reaches the network: the records go to a local emulator.
//
//   pnpm build && node bench/exit.mjs [--runs 15] [--json]
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createEmulator } from '@logcord/discord-emulator'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, json: { type: 'boolean', default: false } } })
const RUNS = Number(values.runs)
const TARGET_MS = 50
const ROOT = fileURLToPath(new URL('..', import.meta.url))

// Each scenario ends with `process.stdout.write('END ' + (performance.timeOrigin + performance.now()))`.
// The undici the core depends on (the root package does not list it).
const UNDICI = pathToFileURL(createRequire(join(ROOT, 'packages/core/package.json')).resolve('undici')).href
const END = "process.stdout.write('END ' + (performance.timeOrigin + performance.now()))"
const SCENARIOS = {
  'no library': `${END}`,
  // The same request made with undici directly: an HTTP client's own exit cost, for comparison.
  'no library, one POST with undici itself': `import { request } from '${UNDICI}'
const { webhookUrl } = JSON.parse(process.env.OPTIONS)
const res = await request(webhookUrl.replace('/api/', '/api/v10/') + '?wait=true', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: 'nightly export failed' }) })
await res.body.text()
${END}`,
  'DiscordNotifier, idle': `import { DiscordNotifier } from '@logcord/core'
new DiscordNotifier(JSON.parse(process.env.OPTIONS))
${END}`,
  'DiscordNotifier, one alert delivered (flush awaited)': `import { DiscordNotifier } from '@logcord/core'
const n = new DiscordNotifier(JSON.parse(process.env.OPTIONS))
n.sendDiagnostic({ level: 'error', service: 'cron', message: 'nightly export failed' })
await n.flush()
${END}`,
  'Winston DiscordTransport, one error delivered (flush awaited)': `import winston from 'winston'
import { DiscordTransport } from '@logcord/winston-discord'
const t = new DiscordTransport(JSON.parse(process.env.OPTIONS))
const logger = winston.createLogger({ transports: [t] })
logger.error(new Error('nightly export failed'))
await t.flush()
${END}`,
  'ThreadedNotifier, one alert delivered (flush awaited)': `import { ThreadedNotifier } from '@logcord/core'
const n = new ThreadedNotifier(JSON.parse(process.env.OPTIONS))
n.sendDiagnostic({ level: 'error', service: 'cron', message: 'nightly export failed' })
await n.flush()
${END}`
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}

/** Each scenario is a script file, run as `node script.mjs`, as users run theirs. */
const DIR = mkdtempSync(join(ROOT, 'bench', '.exit-'))
process.on('exit', () => rmSync(DIR, { recursive: true, force: true }))

function once (name, source, env) {
  const file = join(DIR, `${name.replace(/\W+/g, '-')}.mjs`)
  writeFileSync(file, source)
  return new Promise((resolve, reject) => {
    const started = performance.timeOrigin + performance.now()
    const child = spawn(process.execPath, [file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.on('error', reject)
    child.on('close', (code) => {
      const closed = performance.timeOrigin + performance.now()
      const end = Number(/END ([\d.]+)/.exec(out)?.[1])
      if (code !== 0 || !Number.isFinite(end)) return reject(new Error(`scenario exited ${code}: ${out}`))
      resolve({ exitMs: closed - end, totalMs: closed - started })
    })
  })
}

const emu = await createEmulator()
const env = { OPTIONS: JSON.stringify({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, logLevel: 'silent' }) }
const samples = Object.fromEntries(Object.keys(SCENARIOS).map((name) => [name, { exit: [], total: [] }]))
for (let r = 0; r < RUNS; r++) {
  for (const [name, source] of Object.entries(SCENARIOS)) {
    const s = await once(name, source, env)
    samples[name].exit.push(s.exitMs)
    samples[name].total.push(s.totalMs)
  }
}
await emu.close()

const base = median(samples['no library'].exit)
const rows = Object.entries(samples).map(([scenario, s]) => {
  const exitMs = median(s.exit)
  return {
    scenario,
    'last statement → exit, median ms': +exitMs.toFixed(1),
    'difference ms': +(exitMs - base).toFixed(1),
    'whole run, median ms': +median(s.total).toFixed(0),
    met: exitMs - base <= TARGET_MS ? 'yes' : 'NO'
  }
})
if (values.json) console.log(JSON.stringify(rows))
else {
  console.log(`exit delay with nothing pending, median of ${RUNS} child processes each (target: within ${TARGET_MS} ms of no library); node ${process.version}`)
  console.table(rows)
}
