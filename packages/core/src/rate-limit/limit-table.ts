/**
 * Rate-limit state kept in a SharedArrayBuffer, so that every thread of a process that holds the same
 * buffer (the main thread, a ThreadedNotifier's worker, Pino's transport worker) reads and spends one
 * budget. All access goes through `locked()`: a spin lock over Atomics, held for microseconds.
 *
 * The table is a fixed set of slots addressed by a 64-bit hash of a string key ("b:<webhook id>",
 * "c:channel:<id>", "p" for the process). Each slot holds a bucket, a pause, a few extra numbers and a
 * ring of recent request times; when every slot is taken, the least recently used one is reused.
 * Memory is fixed: about 230 KB per process (slots 150 KB, invalid-request ring 80 KB), whatever the traffic.
 */

/** Slots in one table: a process posts to a handful of webhooks; each uses two slots. */
const SLOTS = 128
/** Request times kept per slot. A window's limit above this is held to this (Discord's are 5 and 30). */
export const RING_CAPACITY = 128
/** Invalid requests remembered (Discord bans at 10,000 in 10 minutes). */
export const INVALID_CAPACITY = 10_000

// Field offsets inside a slot (Float64).
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
  x0: 12,
  x1: 13,
  ringNext: 14,
  ringCount: 15
} as const
const HEAD = 16
const SLOT = HEAD + RING_CAPACITY
const INVALID_BASE = SLOTS * SLOT
const TOTAL = INVALID_BASE + 2 + INVALID_CAPACITY
/** Bytes before the Float64 area: the lock word, padded to 8. */
const LOCK_BYTES = 8
const SPINS_BEFORE_WAIT = 1000

export function tableBytes (): number {
  return LOCK_BYTES + TOTAL * Float64Array.BYTES_PER_ELEMENT
}

/** Two independent 32-bit FNV-1a hashes: together, a 64-bit key. */
export function hashKey (key: string): [number, number] {
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

  constructor (buffer: SharedArrayBuffer = new SharedArrayBuffer(tableBytes())) {
    if (buffer.byteLength !== tableBytes()) throw new Error('LimitTable: buffer of the wrong size')
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
    if (follow) {
      for (let hops = 0; hops < 4 && this.f[base + F.aliasA] !== 0; hops++) {
        base = this.#find(this.f[base + F.aliasA]!, this.f[base + F.aliasB]!, now)
      }
    }
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

  #find (a: number, b: number, now: number): number {
    const f = this.f
    const start = a % SLOTS
    let free = -1
    let oldest = -1
    for (let i = 0; i < SLOTS; i++) {
      const base = ((start + i) % SLOTS) * SLOT
      if (f[base + F.hashA] === a && f[base + F.hashB] === b) {
        f[base + F.lastUsed] = now
        return base
      }
      if (f[base + F.hashA] === 0) {
        if (free < 0) free = base
        break
      }
      if (oldest < 0 || f[base + F.lastUsed]! < f[oldest + F.lastUsed]!) oldest = base
    }
    const base = free >= 0 ? free : oldest
    f.fill(0, base, base + SLOT)
    f[base + F.hashA] = a
    f[base + F.hashB] = b
    f[base + F.lastUsed] = now
    return base
  }

  // ── the ring of request times in a slot: a sliding window of any limit up to RING_CAPACITY ──

  /** Milliseconds until one more request fits `limit` per `windowMs` (0 = now). */
  windowWait (base: number, limit: number, windowMs: number, now: number): number {
    return windowWait(this.f, base + HEAD, this.f[base + F.ringCount]!, Math.min(limit, RING_CAPACITY), windowMs, now)
  }

  /** Requests recorded after `since` (strictly), among the last RING_CAPACITY. */
  countAfter (base: number, since: number): number {
    const f = this.f
    const count = f[base + F.ringCount]!
    let n = 0
    for (let i = 0; i < count; i++) if (f[base + HEAD + i]! > since) n++
    return n
  }

  hit (base: number, at: number): void {
    const f = this.f
    const next = f[base + F.ringNext]!
    f[base + HEAD + next] = at
    f[base + F.ringNext] = (next + 1) % RING_CAPACITY
    if (f[base + F.ringCount]! < RING_CAPACITY) f[base + F.ringCount]!++
  }

  /** Moves one recorded request from `from` to `to` (a reserved request left later than reserved). */
  restamp (base: number, from: number, to: number): void {
    const f = this.f
    const count = f[base + F.ringCount]!
    for (let i = 0; i < count; i++) {
      if (f[base + HEAD + i] === from) {
        f[base + HEAD + i] = to
        return
      }
    }
  }

  /** Copies another slot's request times in, oldest first (two keys turned out to be one channel). */
  absorb (to: number, from: number, windowMs: number, now: number): void {
    const f = this.f
    const stamps: number[] = []
    const count = f[from + F.ringCount]!
    for (let i = 0; i < count; i++) {
      const t = f[from + HEAD + i]!
      if (t > now - windowMs) stamps.push(t)
    }
    stamps.sort((x, y) => x - y)
    for (const t of stamps) this.hit(to, t)
    f[to + F.paused] = Math.max(f[to + F.paused]!, f[from + F.paused]!)
  }

  clearRing (base: number): void {
    this.f[base + F.ringNext] = 0
    this.f[base + F.ringCount] = 0
  }

  // ── invalid requests: one ring for the process ──

  invalidHit (at: number): void {
    const f = this.f
    const next = f[INVALID_BASE]!
    f[INVALID_BASE + 2 + next] = at
    f[INVALID_BASE] = (next + 1) % INVALID_CAPACITY
    if (f[INVALID_BASE + 1]! < INVALID_CAPACITY) f[INVALID_BASE + 1]!++
  }

  invalidUsed (windowMs: number, now: number): number {
    const f = this.f
    const count = f[INVALID_BASE + 1]!
    let n = 0
    for (let i = 0; i < count; i++) if (f[INVALID_BASE + 2 + i]! > now - windowMs) n++
    return n
  }

  invalidWait (limit: number, windowMs: number, now: number): number {
    return windowWait(this.f, INVALID_BASE + 2, this.f[INVALID_BASE + 1]!, Math.min(limit, INVALID_CAPACITY), windowMs, now)
  }

  /** Copies every live slot into `other` (adopting another thread's table): nothing spent is forgotten. */
  mergeInto (other: LimitTable, now: number): void {
    const f = this.f
    const g = other.f
    for (let s = 0; s < SLOTS; s++) {
      const base = s * SLOT
      if (f[base + F.hashA] === 0) continue
      const to = other.#find(f[base + F.hashA]!, f[base + F.hashB]!, now)
      g[to + F.paused] = Math.max(g[to + F.paused]!, f[base + F.paused]!)
      g[to + F.x0] = Math.max(g[to + F.x0]!, f[base + F.x0]!)
      g[to + F.x1] = Math.max(g[to + F.x1]!, f[base + F.x1]!)
      if (g[to + F.aliasA] === 0) { g[to + F.aliasA] = f[base + F.aliasA]!; g[to + F.aliasB] = f[base + F.aliasB]! }
      if (f[base + F.hasBucket] === 1) {
        if (g[to + F.hasBucket] !== 1) {
          for (const k of [F.hasBucket, F.limit, F.remaining, F.resetAt, F.windowMs, F.updated]) g[to + k] = f[base + k]!
        } else {
          g[to + F.remaining] = Math.min(g[to + F.remaining]!, f[base + F.remaining]!)
          g[to + F.resetAt] = Math.max(g[to + F.resetAt]!, f[base + F.resetAt]!)
        }
      }
      const count = f[base + F.ringCount]!
      const stamps: number[] = []
      for (let i = 0; i < count; i++) stamps.push(f[base + HEAD + i]!)
      stamps.sort((x, y) => x - y)
      for (const t of stamps) other.hit(to, t)
    }
    const count = f[INVALID_BASE + 1]!
    for (let i = 0; i < count; i++) other.invalidHit(f[INVALID_BASE + 2 + i]!)
  }

  /** Forgets everything (tests). */
  clear (): void {
    this.f.fill(0)
  }
}

/**
 * Wait until fewer than `n` of the `count` times at `f[at…]` fall inside the window ending at `now`.
 * Times need not be in order (merged rings are not).
 */
function windowWait (f: Float64Array, at: number, count: number, n: number, windowMs: number, now: number): number {
  if (count < n) return 0
  const since = now - windowMs
  let inside = 0
  for (let i = 0; i < count; i++) if (f[at + i]! > since) inside++
  if (inside < n) return 0
  const live: number[] = []
  for (let i = 0; i < count; i++) if (f[at + i]! > since) live.push(f[at + i]!)
  live.sort((x, y) => x - y)
  return Math.max(0, live[inside - n]! + windowMs - now)
}
