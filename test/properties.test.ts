/**
 * Hostile and odd input, through the real sending path: records built from huge strings, every Unicode
 * plane, emoji and combining marks straddling each Discord limit, broken code fences, markdown, cycles,
 * deep nesting, BigInt, Buffers, typed arrays, Maps/Sets, throwing getters, Proxies, cause chains,
 * AggregateError and non-Error throws go through a DiscordNotifier (and the Winston transport) whose
 * requests an undici MockAgent captures. Every captured body must pass the emulator's validator —
 * zero 400s — and carry `allowed_mentions`. (Mentions end to end: test/mentions.test.ts.)
 */
import { createRequire } from 'node:module'
import fc from 'fast-check'
import winston from 'winston'
import { describe, expect, it } from 'vitest'
import { DiscordNotifier, LIMITS, type Clock, type LogRecord, type NotifierOptions, type Severity } from '@logcord/core'
import { validateWebhookPayload } from '@logcord/discord-emulator'
import { DiscordTransport } from '@logcord/winston-discord'

// undici is the core's dependency, not the workspace root's: load the very copy the core sends with.
const { FormData, MockAgent } = createRequire(new URL('../packages/core/package.json', import.meta.url))('undici') as typeof import('../packages/core/node_modules/undici/index.js')

/**
 * Sized to finish in seconds (a case builds up to 12 records, most cut to fit, each with its full-text
 * file and multipart body); `FC_RUNS=1000 FC_SEED=…` runs a long search. The seed is fixed, so a run
 * is repeatable.
 */
const NOTIFIER_RUNS = Number(process.env.FC_RUNS ?? 150)
const WINSTON_RUNS = Math.ceil(NOTIFIER_RUNS / 2)
const HEAVY_TIMEOUT_MS = 60_000 * Math.max(1, NOTIFIER_RUNS / 150)
const ORIGIN = 'https://discord.com'
const WEBHOOK = 'https://discord.com/api/webhooks/123456789012345678/PropertyTestTokenPropertyTestTokenPropertyTestTokenPropertyTest_-'
const ONE_MB = 1 << 20
/**
 * Virtual time runs this much faster than real time, so the client-side limiter's waits (the 40/s
 * process cap above all) pass in a blink while their order and arithmetic stay real.
 */
const CLOCK_SPEED = 200
/** flush() deadline in virtual ms: 10 s real. */
const FLUSH_MS = 10_000 * CLOCK_SPEED

/**
 * One virtual timeline for the whole file: the process-wide limits (SharedLimits) outlive each
 * notifier, so a later notifier on a clock of its own would start behind the times they recorded.
 */
const VIRTUAL_START = Date.now()

function fastClock (): Clock {
  const start = VIRTUAL_START
  return {
    now: () => start + (Date.now() - start) * CLOCK_SPEED,
    setTimeout: (fn, ms) => {
      const t = setTimeout(fn, Math.max(0, ms) / CLOCK_SPEED)
      t.unref()
      return t
    },
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout)
  }
}

/** A MockAgent that answers every Execute Webhook like Discord and keeps each request body. */
function capturingAgent (): { agent: InstanceType<typeof MockAgent>, bodies: string[] } {
  const agent = new MockAgent()
  agent.disableNetConnect()
  const bodies: string[] = []
  agent.get(ORIGIN).intercept({ path: /^\/api\/v10\/webhooks\//, method: 'POST' }).reply(200, (opts: { body?: unknown }) => {
    // A record the embed had to cut goes with its file: multipart, the JSON in payload_json (contract §1).
    if (opts.body instanceof FormData) {
      const files = [...opts.body.entries()].filter(([name]) => name !== 'payload_json')
      const payload = JSON.parse(String(opts.body.get('payload_json'))) as { attachments?: Array<{ id: number, filename: string }> }
      // Every file part is named by an attachments entry of the same index, and there are at most 10.
      expect(files.length).toBeLessThanOrEqual(10)
      expect(files.map(([name, file]) => [name, (file as File).name])).toEqual((payload.attachments ?? []).map((a) => [`files[${a.id}]`, a.filename]))
      bodies.push(String(opts.body.get('payload_json')))
    } else {
      bodies.push(String(opts.body))
    }
    return { id: '1', channel_id: '223456789012345678' }
  }, { headers: { 'content-type': 'application/json', 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '999', 'x-ratelimit-reset-after': '0.001', 'x-ratelimit-bucket': 'prop' } }).persist()
  return { agent, bodies }
}

const baseOptions = (agent: InstanceType<typeof MockAgent>): NotifierOptions => ({
  webhookUrl: WEBHOOK,
  dispatcher: agent,
  clock: fastClock(),
  logLevel: 'silent',
  // Every case must reach the wire: storm control would fold look-alike cases into one summary.
  dedup: { enabled: false },
  rateLimits: { channelWindowMs: 1, offsetMs: 0 }
})

// ------------------------------------------------------------------------------------------------
// Arbitraries

/** Strings whose length sits on, just under and just over each Discord limit, built from multi-unit pieces. */
const LIMIT_LENGTHS = [LIMITS.title, LIMITS.fieldName, LIMITS.fieldValue, LIMITS.footerText, LIMITS.description, LIMITS.content, LIMITS.totalEmbedChars]
const PIECES = ['👨‍👩‍👧‍👦', 'e\u0301', 'a\u0300\u0301\u0302', '🇫🇷', '```', '`', '\u200b', '𝕏', '\uD800', '\uDFFF', ' ', '\n', '||', '**', '@everyone', 'ｗ']
const straddling = fc.tuple(fc.constantFrom(...LIMIT_LENGTHS), fc.integer({ min: -3, max: 3 }), fc.constantFrom(...PIECES), fc.string({ maxLength: 3 }))
  .map(([limit, delta, piece, prefix]) => prefix + piece.repeat(Math.max(0, limit + delta)).slice(0, (limit + delta) * 2))
const markdown = fc.constantFrom('```', '```js\nconst x = 1', '``` unterminated', '` `` ```` `', '**bold', '__x__', '> quote', '# h1', '[link](javascript:alert(1))', '||spoiler', '~~', '<t:0:R>', '@here', '@everyone', '<@123456789012345678>', '<@&223456789012345678>', '<#323456789012345678>')
const huge = fc.constantFrom('x', '🚨', 'é', '`').map((c) => c.repeat(Math.ceil(ONE_MB / c.length)))
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 400 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 3, arbitrary: straddling },
  { weight: 3, arbitrary: fc.array(markdown, { maxLength: 6 }).map((xs) => xs.join(' ')) },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constant('   \n\t ') }
)

/**
 * A hostile value built only when the property runs: fast-check inspects and prints generated values,
 * and a throwing getter or trap would blow up there instead of in the code under test.
 */
class Hostile {
  constructor (readonly kind: string, readonly make: () => unknown) {}
  [fc.toStringMethod] (): string { return `Hostile(${this.kind})` }
}
const hostile = (kind: string, make: () => unknown): fc.Arbitrary<Hostile> => fc.constant(0).map(() => new Hostile(kind, make))

/** Replaces every Hostile inside a generated value by the real thing. */
function materialise (v: unknown, seen = new Map<object, unknown>()): unknown {
  if (v instanceof Hostile) return v.make()
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || v instanceof Date || v instanceof RegExp) return v
  if (seen.has(v)) return seen.get(v)
  if (Array.isArray(v)) {
    const out: unknown[] = []
    seen.set(v, out)
    for (const x of v) out.push(materialise(x, seen))
    return out
  }
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [materialise(k, seen), materialise(x, seen)]))
  if (v instanceof Set) return new Set([...v].map((x) => materialise(x, seen)))
  if (Object.getPrototypeOf(v) !== Object.prototype) return v
  const out: Record<string, unknown> = {}
  seen.set(v, out)
  for (const [k, x] of Object.entries(v)) out[k] = materialise(x, seen)
  return out
}

function throwingGetter (): object {
  return Object.defineProperty({ ok: 1 }, 'boom', { enumerable: true, get () { throw new Error('getter exploded') } })
}
function hostileProxy (): object {
  return new Proxy({}, {
    get () { throw new Error('proxy get') },
    ownKeys () { throw new Error('proxy ownKeys') },
    getPrototypeOf () { throw new Error('proxy getPrototypeOf') },
    // `in` answers (false): fast-check probes generated values with it; every other trap throws.
    has () { return false }
  })
}
function circular (): object {
  const a: Record<string, unknown> = { name: 'a' }
  a.self = a
  a.list = [a, { back: a }]
  return a
}
function deep (n: number): object {
  let o: Record<string, unknown> = { leaf: true }
  for (let i = 0; i < n; i++) o = { [`level${i}`]: o }
  return o
}
function causeChain (n: number, msg: string): Error {
  let e: Error = new RangeError(msg)
  for (let i = 0; i < n; i++) e = new Error(`wrap ${i}: ${msg.slice(0, 50)}`, { cause: e })
  return e
}

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.integer(), fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0),
  fc.bigInt(), fc.boolean(), fc.constant(null), fc.constant(undefined),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  fc.uint8Array({ maxLength: 64 }).map((a) => new Float64Array(a)),
  fc.date({ noInvalidDate: false }),
  fc.constantFrom(Symbol('s'), () => 1, /re(gex)/g, new WeakMap()),
  hostile('throwing getter', throwingGetter),
  hostile('proxy', hostileProxy),
  hostile('circular', circular),
  fc.integer({ min: 1, max: 200 }).chain((n) => hostile(`deep ${n}`, () => deep(n)))
)
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(text, tie('value'), { maxKeys: 8 }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((kv) => new Map(kv)),
    fc.array(tie('value'), { maxLength: 4 }).map((xs) => new Set(xs))
  )
})).value

const thrown: fc.Arbitrary<unknown> = fc.oneof(
  text.map((m) => new Hostile('Error', () => new Error(m))),
  fc.tuple(fc.integer({ min: 1, max: 12 }), text).map(([n, m]) => new Hostile('cause chain', () => causeChain(n, m))),
  fc.array(text, { maxLength: 5 }).map((ms) => new Hostile('AggregateError', () => new AggregateError(ms.map((m) => new TypeError(m)), 'many failed'))),
  fc.tuple(text, value).map(([m, extra]) => new Hostile('Error with props', () => Object.assign(new Error(m), { code: 'E_X', extra: materialise(extra), [Symbol('s')]: 1 }))),
  text, fc.constant(null), fc.constant(undefined), fc.integer(), value
)
const severity = fc.constantFrom<Severity>('debug', 'info', 'warning', 'error', 'critical')

/** One call on the notifier's public API. */
type Call = (n: DiscordNotifier) => void
const call: fc.Arbitrary<Call> = fc.oneof(
  fc.tuple(severity, text, text, fc.dictionary(text, value, { maxKeys: 30 })).map(([level, service, message, details]): Call => (n) => { n.sendDiagnostic({ level, service, message, details: materialise(details) as Record<string, unknown> }) }),
  fc.tuple(text, thrown, fc.option(text, { nil: undefined })).map(([service, error, context]): Call => (n) => { n.sendErrorNotification({ service, error: materialise(error), ...(context === undefined ? {} : { context }) }) }),
  fc.tuple(text, severity).map(([t, s]): Call => (n) => { n.sendPlaintext(t, s) }),
  fc.record({ title: text, description: text, footer: text, fields: fc.array(fc.record({ name: text, value: text, inline: fc.boolean() }), { maxLength: 30 }) })
    .map((e): Call => (n) => { n.sendEmbed(e) }),
  fc.tuple(severity, text, value, thrown).map(([s, message, fields, error]): Call => (n) => {
    const record: LogRecord = { severity: s, message, time: Date.now(), fields: { value: materialise(fields) } }
    n.sendErrorNotification({ service: 'raw', error: materialise(error), details: record.fields })
    n.send(record)
  })
)

function expectAccepted (bodies: readonly string[]): void {
  for (const body of bodies) {
    const payload = JSON.parse(body) as Record<string, unknown>
    const result = validateWebhookPayload(payload)
    if (!result.ok) throw new Error(`Discord would answer 400: ${JSON.stringify(result).slice(0, 2000)}`)
    expect(payload.allowed_mentions).toEqual({ parse: [] })
  }
}

// ------------------------------------------------------------------------------------------------

describe('every payload built from hostile input is one Discord accepts', () => {
  it(`notifier: ${NOTIFIER_RUNS} cases, zero 400s, allowed_mentions on every request`, async () => {
    const { agent, bodies } = capturingAgent()
    const notifier = new DiscordNotifier(baseOptions(agent))
    let requests = 0
    await fc.assert(fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 12 }), async (calls) => {
      const before = bodies.length
      for (const c of calls) c(notifier)
      const flushed = await notifier.flush(FLUSH_MS)
      expect(flushed).toEqual({ pending: 0, timedOut: false })
      expectAccepted(bodies.slice(before))
      requests += bodies.length - before
    }), { numRuns: NOTIFIER_RUNS, seed: Number(process.env.FC_SEED ?? 0x10c0) })
    const s = notifier.stats()
    // Nothing was rejected, so nothing was resent stricter or dropped as rejected.
    expect(s.droppedByReason.rejected).toBe(0)
    expect(s.dropped).toBe(0)
    expect(s.sent).toBe(s.accepted)
    expect(requests).toBeGreaterThan(NOTIFIER_RUNS / 2)
    await notifier.close()
    await agent.close()
  }, HEAVY_TIMEOUT_MS)

  it('sends a blank plaintext message as a placeholder, never as an empty message (400 50006)', async () => {
    const { agent, bodies } = capturingAgent()
    const notifier = new DiscordNotifier(baseOptions(agent))
    for (const blank of ['', '   ', '\n\t ']) {
      notifier.sendPlaintext(blank)
      await notifier.flush(FLUSH_MS)
    }
    expect(bodies.map((b) => (JSON.parse(b) as { content?: string }).content)).toEqual(['(empty message)', '(empty message)', '(empty message)'])
    expectAccepted(bodies)
    await notifier.close()
    await agent.close()
  })

  it(`Winston transport: ${WINSTON_RUNS} cases of hostile info objects and errors`, async () => {
    const { agent, bodies } = capturingAgent()
    const transport = new DiscordTransport({ ...baseOptions(agent), level: 'debug' } as never)
    // Winston's default logger format is json(), which throws on a throwing getter before any transport
    // runs (winston's behaviour, the same with every transport); an identity format leaves only ours.
    const logger = winston.createLogger({ level: 'silly', format: winston.format((info) => info)(), transports: [transport] })
    const levels = ['error', 'warn', 'info', 'debug', 'silly'] as const
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...levels), text, value, thrown), { minLength: 1, maxLength: 8 }), async (entries) => {
      const before = bodies.length
      for (const [level, message, rawMeta, rawError] of entries) {
        const error = materialise(rawError)
        logger.log(level, message, { meta: materialise(rawMeta), err: error })
        if (error instanceof Error) logger.log({ level, message: error } as never)
      }
      await transport.flush(FLUSH_MS)
      expectAccepted(bodies.slice(before))
    }), { numRuns: WINSTON_RUNS, seed: Number(process.env.FC_SEED ?? 0x10c0) })
    expect(transport.notifier.stats().dropped).toBe(0)
    await transport.close()
    await agent.close()
  }, HEAVY_TIMEOUT_MS)
})
