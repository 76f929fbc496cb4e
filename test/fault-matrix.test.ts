/**
 * The fault matrix, small and fast: the notifier (in-process and in a worker thread) against every
 * injected fault, and both transports (thin adapters over the same notifier) against the faults that
 * reach their own code (a failing Discord, a revoked webhook, a full queue): every record is delivered or dead-lettered and the counters add up (see bench/fault-matrix.mjs for the
 * checks behind "reconciles" and for the full-size run). The app never sees an exception or an unhandled
 * rejection from the library.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error The runner is plain JavaScript shared with the benchmark; its rows are checked below.
import { runScenario, SCENARIOS, TRANSPORTS } from '../bench/fault-matrix.mjs'

/** The transports hand records to the same delivery as the notifier; these cover their paths once. */
const ADAPTER_SCENARIOS = new Set(['no faults', '30% 5xx', '30 s outage', 'webhook revoked (401) mid-run', 'queue overflow'])

/** Enough for several batches, a few retries and a queue overflow; small enough to run in seconds. */
const RECORDS = 120

interface Row { scenario: string, transport: string, reconciles: string, checks: Record<string, boolean>, logged: number, delivered: number, deadLettered: number }

const escaped: string[] = []
const onException = (err: unknown): void => { escaped.push(`uncaughtException: ${String(err)}`) }
const onRejection = (err: unknown): void => { escaped.push(`unhandledRejection: ${String(err)}`) }
beforeAll(() => {
  process.on('uncaughtException', onException)
  process.on('unhandledRejection', onRejection)
})
afterAll(() => {
  process.off('uncaughtException', onException)
  process.off('unhandledRejection', onRejection)
  expect(escaped).toEqual([])
})

describe('fault matrix: nothing is lost silently', () => {
  for (const scenario of SCENARIOS as Array<{ name: string }>) {
    for (const transport of TRANSPORTS as string[]) {
      if ((transport === 'winston' || transport === 'pino') && !ADAPTER_SCENARIOS.has(scenario.name)) continue
      it(`${scenario.name} / ${transport}: every record delivered or dead-lettered, counters reconcile`, async () => {
        const row = await runScenario(scenario, transport, RECORDS) as Row
        // Every check by name, so a failure says which equation broke.
        expect(row.checks).toEqual(Object.fromEntries(Object.keys(row.checks).map((k) => [k, true])))
        expect(row.delivered + row.deadLettered).toBe(row.logged)
        expect(escaped).toEqual([])
      })
    }
  }
})
