// Main-thread cost of `logger.error(new Error(…))` when the queue is full and every shed record is
// dead-lettered, next to the same logger without `deadLetterFile` (target: ratio ≤ 1.2).
//
// Each figure comes from pairs of child processes, one with `deadLetterFile`, one without, started in
// alternating order; each child warms up, then logs `--calls` errors a round, each a distinct alert (a
// flood of different failures: storm control, on as by default, folds none of them), into a queue of
// 100 with Discord answering slowly, so nearly every call sheds one record, and reports its median
// ns/call. A round includes one turn of the event loop, so work deferred from the calls counts too.
//
//   pnpm build && node bench/dead-letter.mjs [--calls 20000] [--pairs 9] [--json]
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    pairs: { type: 'string', default: '9' },
    rounds: { type: 'string', default: '5' },
    'warm-up': { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    child: { type: 'string' }
  }
})
const TARGET_RATIO = 1.2
/** 0 → 'a', 27 → 'bb': a word per number, which no template normalises away. */
const word = (n) => {
  let w = ''
  do {
    w = String.fromCharCode(97 + (n % 26)) + w
    n = Math.floor(n / 26)
  } while (n > 0)
  return w
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

if (values.child !== undefined) console.log(JSON.stringify(await measure(values.child === 'dead-letter')))
else await compare()

async function measure (deadLetter) {
  const { default: winston } = await import('winston')
  const { createEmulator } = await import('@logcord/discord-emulator')
  const { DiscordTransport } = await import('@logcord/winston-discord')
  const { distinctMessage } = createRequire(import.meta.url)('../test/fixtures/distinct.cjs')
  const dir = mkdtempSync(join(tmpdir(), 'logcord-bench-dl-'))
  const deadLetterFile = join(dir, 'dead.jsonl')
  // Discord answers after 5 s: the queue stays full, so every call sheds.
  const emu = await createEmulator()
  emu.setFaults({ latencyMs: 5000 })
  const transport = new DiscordTransport({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, logLevel: 'silent', queueCapacity: 100, ...(deadLetter ? { deadLetterFile } : {}) })
  const logger = winston.createLogger({ transports: [transport] })
  const calls = Number(values.calls)
  let next = 0
  const round = async () => {
    const start = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) logger.error(new Error(`${distinctMessage(next % 1000)} in ${word(next++)}`))
    await new Promise((resolve) => setImmediate(resolve))
    return Number(process.hrtime.bigint() - start) / calls
  }
  for (let i = 0; i < Number(values['warm-up']); i++) await round()
  const samples = []
  for (let i = 0; i < Number(values.rounds); i++) samples.push(await round())
  const stats = transport.notifier.stats()
  await transport.notifier.close(0)
  await emu.close()
  const bytes = deadLetter ? statSync(deadLetterFile).size : 0
  rmSync(dir, { recursive: true, force: true })
  return { ns: median(samples), shed: stats.droppedByReason.queue_full, deadLettered: stats.deadLettered, bytes }
}

async function compare () {
  const run = promisify(execFile)
  const self = fileURLToPath(import.meta.url)
  const child = async (side) => JSON.parse((await run(process.execPath, [self, '--child', side, '--calls', values.calls, '--rounds', values.rounds, '--warm-up', values['warm-up']], { timeout: 5 * 60_000 })).stdout.trim().split('\n').at(-1))
  const ratios = []
  const without = []
  const withDl = []
  let last
  for (let p = 0; p < Number(values.pairs); p++) {
    const order = p % 2 === 0 ? ['none', 'dead-letter'] : ['dead-letter', 'none']
    const got = {}
    for (const side of order) got[side] = await child(side)
    without.push(got.none.ns)
    withDl.push(got['dead-letter'].ns)
    ratios.push(got['dead-letter'].ns / got.none.ns)
    last = got['dead-letter']
  }
  const ratio = median(ratios)
  const row = {
    'without deadLetterFile ns/call': Math.round(median(without)),
    'with deadLetterFile ns/call': Math.round(median(withDl)),
    ratio: +ratio.toFixed(2),
    'pair ratios': ratios.map((r) => r.toFixed(2)).join(' '),
    target: `≤ ${TARGET_RATIO}`,
    met: ratio <= TARGET_RATIO ? 'yes' : 'NO',
    'shed / dead-lettered / MB (last child)': `${last.shed} / ${last.deadLettered} / ${(last.bytes / 1e6).toFixed(1)}`
  }
  if (values.json) return console.log(JSON.stringify(row))
  console.log(`logger.error(new Error(…)) × ${values.calls} a round into a full queue of 100, ${values.rounds} rounds after ${values['warm-up']} warm-up, per child; median of ${values.pairs} alternating child pairs; node ${process.version}`)
  console.table([row])
}
