/**
 * Rate-limit state in a SharedArrayBuffer: every thread holding the buffer (the main thread, a ThreadedNotifier's
 * worker, Pino's transport worker) reads and spends one budget, through `locked()` (a spin lock over Atomics, held
 * for microseconds). Fixed slots addressed by a 64-bit hash of a key ("b:<webhook id>", "c:channel:<id>", "p" for
 * the process), each a bucket, a pause, a few numbers and a ring of recent request times; when all are taken, the
 * least recently used is reused. About 230 KB per process (slots 150 KB, invalid-request ring 80 KB).
 */

/** Slots in one table: a process posts to a handful of webhooks; each uses two slots. */
const SLOTS = 128
/** Request times kept per slot. A window's limit above this is held to this (Discord's are 5 and 30). */
export const RING_CAPACITY = 128
/** Invalid requests remembered (Discord bans at 10,000 in 10 minutes). */
const INVALID_CAPACITY = 10_000

// Field offsets inside a slot (Float64). A ring's next index and count come just before its times (HEAD).
export const F = {
  hashA: 0,
  hashB: 1,
  lastUsed: 2,
  paused: 3,
  hasBucket: 4,
  limit: 5,
  remaining: 6,
  resetAt: 7,
  windowMs: 8,
  updated: 9,
  /** A channel slot that turned out to be another: hash of the slot it forwards to. */
  aliasA: 10,
  aliasB: 11,
  /** Process slot: when the Cloudflare ban ends, and the strikes that double its cool-down. */
  cfUntil: 12,
  cfStrikes: 13,
  ringNext: 14,
  ringCount: 15
} as const
const HEAD = 16
const SLOT = HEAD + RING_CAPACITY
/** The process's invalid-request ring, after the slots, addressed like a slot's ring (its next and count first). */
export const INVALID_RING = SLOTS * SLOT - F.ringNext
const TOTAL = INVALID_RING + HEAD + INVALID_CAPACITY
/** Bytes before the Float64 area: the lock word, padded to 8. */
const LOCK_BYTES = 8
const BYTES = LOCK_BYTES + TOTAL * Float64Array.BYTES_PER_ELEMENT
const SPINS_BEFORE_WAIT = 1000

const capacity = (ring: number): number => ring === INVALID_RING ? INVALID_CAPACITY : RING_CAPACITY

/** Two independent 32-bit FNV-1a hashes: together, a 64-bit key. */
function hashKey (key: string): [number, number] {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193) >>> 0
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0
    b = (b ^ (b >>> 15)) >>> 0
  }
  // 0 marks a free slot: keep hashes nonzero.
  return [a === 0 ? 1 : a, b]
}

export class LimitTable {
  readonly buffer: SharedArrayBuffer
  readonly f: Float64Array
  #lock: Int32Array

  constructor (buffer: SharedArrayBuffer = new SharedArrayBuffer(BYTES)) {
    if (buffer.byteLength !== BYTES) throw new Error('LimitTable: buffer of the wrong size')
    this.buffer = buffer
    this.#lock = new Int32Array(buffer, 0, 1)
    this.f = new Float64Array(buffer, LOCK_BYTES, TOTAL)
  }

  /** Runs `fn` holding the table's lock. `fn` must not throw or await. */
  locked<T> (fn: () => T): T {
    let spins = 0
    while (Atomics.compareExchange(this.#lock, 0, 0, 1) !== 0) {
      if (++spins > SPINS_BEFORE_WAIT) Atomics.wait(this.#lock, 0, 1, 1)
    }
    try {
      return fn()
    } finally {
      Atomics.store(this.#lock, 0, 0)
      Atomics.notify(this.#lock, 0, 1)
    }
  }

  /** Base index of the slot for `key`, created when missing (lock held). Follows channel aliases. */
  slot (key: string, now: number, follow = true): number {
    const [a, b] = hashKey(key)
    let base = this.#find(a, b, now)
    if (follow) for (let hops = 0; hops < 4 && this.f[base + F.aliasA] !== 0; hops++) base = this.#find(this.f[base + F.aliasA]!, this.f[base + F.aliasB]!, now)
    return base
  }

  /** Makes `fromKey`'s slot forward to `toKey`'s (lock held); returns both bases, before forwarding. */
  alias (fromKey: string, toKey: string, now: number): { from: number, to: number } {
    const from = this.slot(fromKey, now, false)
    const to = this.slot(toKey, now)
    const [a, b] = hashKey(toKey)
    if (this.f[to + F.hashA] === a && this.f[to + F.hashB] === b && from !== to) {
      this.f[from + F.aliasA] = a
      this.f[from + F.aliasB] = b
    }
    return { from, to }
  }

  /** The slot of hash (a, b), else a new one: the first free slot after its home, or the least recently used. */
  #find (a: number, b: number, now: number): number {
    const f = this.f
    let base = -1
    for (let i = 0; i < SLOTS; i++) {
      const at = ((a + i) % SLOTS) * SLOT
      if (f[at + F.hashA] === a && f[at + F.hashB] === b) {
        f[at + F.lastUsed] = now
        return at
      }
      if (f[at + F.hashA] === 0) { base = at; break }
      if (base < 0 || f[at + F.lastUsed]! < f[base + F.lastUsed]!) base = at
    }
    f.fill(0, base, base + SLOT)
    f[base + F.hashA] = a
    f[base + F.hashB] = b
    f[base + F.lastUsed] = now
    return base
  }

  // ── rings of request times (a slot's base, or INVALID_RING): a sliding window of any limit up to their capacity ──

  /** The times in a ring, in storage order (a view). */
  #ring (base: number): Float64Array { return this.f.subarray(base + HEAD, base + HEAD + this.f[base + F.ringCount]!) }

  /** Milliseconds until one more request fits `limit` per `windowMs` (0 = now). Times need not be in order (merged rings are not). */
  windowWait (base: number, limit: number, windowMs: number, now: number): number {
    const n = Math.min(limit, capacity(base))
    if (this.f[base + F.ringCount]! < n || this.countAfter(base, now - windowMs) < n) return 0
    const live = this.#ring(base).filter((t) => t > now - windowMs).sort()
    return Math.max(0, live[live.length - n]! + windowMs - now)
  }

  /** Requests recorded after `since` (strictly). */
  countAfter (base: number, since: number): number {
    let n = 0
    for (const t of this.#ring(base)) if (t > since) n++
    return n
  }

  hit (base: number, at: number): void {
    const f = this.f
    const next = f[base + F.ringNext]!
    f[base + HEAD + next] = at
    f[base + F.ringNext] = (next + 1) % capacity(base)
    if (f[base + F.ringCount]! < capacity(base)) f[base + F.ringCount]!++
  }

  /** Moves one recorded request from `from` to `to` (a reserved request left later than reserved). */
  restamp (base: number, from: number, to: number): void {
    const i = this.#ring(base).indexOf(from)
    if (i >= 0) this.f[base + HEAD + i] = to
  }

  /** Copies another slot's request times in, oldest first (two keys turned out to be one channel). */
  absorb (to: number, from: number, windowMs: number, now: number): void {
    for (const t of this.#ring(from).filter((t) => t > now - windowMs).sort()) this.hit(to, t)
    this.f[to + F.paused] = Math.max(this.f[to + F.paused]!, this.f[from + F.paused]!)
  }

  clearRing (base: number): void {
    this.f[base + F.ringNext] = 0
    this.f[base + F.ringCount] = 0
  }

  /** Copies every live slot into `other` (adopting another thread's table): nothing spent is forgotten. */
  mergeInto (other: LimitTable, now: number): void {
    const f = this.f
    const g = other.f
    for (let s = 0; s < SLOTS; s++) {
      const base = s * SLOT
      if (f[base + F.hashA] === 0) continue
      const to = other.#find(f[base + F.hashA]!, f[base + F.hashB]!, now)
      for (const k of [F.paused, F.cfUntil, F.cfStrikes]) g[to + k] = Math.max(g[to + k]!, f[base + k]!)
      if (g[to + F.aliasA] === 0) { g[to + F.aliasA] = f[base + F.aliasA]!; g[to + F.aliasB] = f[base + F.aliasB]! }
      if (f[base + F.hasBucket] === 1) {
        if (g[to + F.hasBucket] !== 1) {
          for (const k of [F.hasBucket, F.limit, F.remaining, F.resetAt, F.windowMs, F.updated]) g[to + k] = f[base + k]!
        } else {
          g[to + F.remaining] = Math.min(g[to + F.remaining]!, f[base + F.remaining]!)
          g[to + F.resetAt] = Math.max(g[to + F.resetAt]!, f[base + F.resetAt]!)
        }
      }
      for (const t of this.#ring(base).slice().sort()) other.hit(to, t)
    }
    for (const t of this.#ring(INVALID_RING)) other.hit(INVALID_RING, t)
  }
}
