import type { FaultKind } from './faults.js'
import { STATUS } from './replies.js'

export type LimitedBy = 'bucket' | 'shared' | 'global' | 'cloudflare'

export interface EmulatorStats {
  /** Requests to webhook routes (control routes are not counted). */
  requests: number
  /** Messages saved. */
  accepted: number
  /** Bytes of webhook request bodies read (JSON or multipart, files included). */
  bytesReceived: number
  byStatus: Record<number, number>
  rateLimited: Record<LimitedBy, number>
  /** 401, 403 and 429 responses, except shared-scope 429s: what Discord counts toward its IP ban (§3). */
  invalidRequests: number
  faultsInjected: Record<FaultKind, number>
}

/** The emulator's counters; `snapshot()` hands out copies so callers cannot disturb them. */
export class StatsCounter {
  #stats: EmulatorStats = emptyStats()

  request (): void {
    this.#stats.requests++
  }

  received (bytes: number): void {
    this.#stats.bytesReceived += bytes
  }

  accepted (): void {
    this.#stats.accepted++
  }

  fault (kind: FaultKind): void {
    this.#stats.faultsInjected[kind]++
  }

  /** @returns whether Discord counts this response as invalid (§3). */
  response (status: number, limitedBy: LimitedBy | undefined): boolean {
    const byStatus = this.#stats.byStatus
    byStatus[status] = (byStatus[status] ?? 0) + 1
    if (limitedBy) this.#stats.rateLimited[limitedBy]++
    const invalid = status === STATUS.unauthorized || status === STATUS.forbidden || status === STATUS.tooManyRequests
    if (!invalid || limitedBy === 'shared') return false
    this.#stats.invalidRequests++
    return true
  }

  snapshot (): EmulatorStats {
    return structuredClone(this.#stats)
  }

  reset (): void {
    this.#stats = emptyStats()
  }
}

function emptyStats (): EmulatorStats {
  return {
    requests: 0,
    accepted: 0,
    bytesReceived: 0,
    byStatus: {},
    rateLimited: { bucket: 0, shared: 0, global: 0, cloudflare: 0 },
    invalidRequests: 0,
    faultsInjected: { error: 0, latency: 0, hang: 0, drop: 0, outage: 0, cloudflare: 0, storm: 0 }
  }
}
