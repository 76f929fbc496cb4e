/**
 * The transport in a real pino worker (built dist), delivering to the local Discord emulator.
 * Build first: `pnpm build`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SEVERITY_STYLES } from '@logcord/core'
import type { Emulator } from '@logcord/discord-emulator'
import { discordTarget, discordTransport, transportTarget, type PinoDiscordOptions } from '@logcord/pino-discord'
import { embedsOf, emulatorOptions, endTransport, startEmulator, waitForEmbeds, WAIT_MS, type ReceivedEmbed } from './pino-helpers.js'

let emu: Emulator
let dir: string
beforeEach(async () => {
  emu = await startEmulator()
  dir = mkdtempSync(join(tmpdir(), 'pino-discord-'))
})
afterEach(async () => {
  await emu.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('pino-discord in a pino worker', () => {
  it('turns each pino call shape into a useful embed', async () => {
    const transport = discordTransport(emulatorOptions(emu))
    const logger = pino({ base: { pid: 321, hostname: 'api-1' } }, transport)
    logger.error(new Error('payment failed'))
    logger.error({ err: new TypeError('card declined'), orderId: 'o-17' }, 'checkout failed')
    logger.fatal(new RangeError('heap exhausted'))
    logger.child({ service: 'billing' }).warn({ attempt: 3 }, 'retrying invoice')

    const embeds = await waitForEmbeds(emu, 4)
    await endTransport(transport)
    // The core's queue sends the most severe first, so look embeds up by title, not position.
    const titled = (text: string): ReceivedEmbed | undefined => embeds.find((e) => e.title?.includes(text))
    const first = titled('payment failed')
    const second = titled('checkout failed')
    const fatal = titled('heap exhausted')
    const warn = titled('retrying invoice')
    expect(embeds).toHaveLength(4)
    expect(first?.color).toBe(SEVERITY_STYLES.error.color)
    expect(first?.description).toMatch(/```[\s\S]*at [\s\S]*```/)
    expect(first?.footer?.text).toContain('api-1 · pid 321')

    expect(second?.description).toContain('card declined')
    expect(second?.fields).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'orderId', value: expect.stringContaining('o-17') })]))

    expect(fatal?.color).toBe(SEVERITY_STYLES.critical.color)
    expect(fatal?.description).toContain('RangeError')

    expect(warn?.color).toBe(SEVERITY_STYLES.warning.color)
    expect(warn?.fields?.map((f) => f.name)).toEqual(expect.arrayContaining(['service', 'attempt']))
  })

  it('sends nothing below the logger level or below minSeverity', async () => {
    const transport = discordTransport(emulatorOptions(emu, { minSeverity: 'warning' }))
    const logger = pino({ level: 'debug' }, transport)
    logger.debug('debug detail')
    logger.info('user signed in')
    logger.warn('disk 91%')
    logger.trace('never even written')
    logger.error('disk full')
    await waitForEmbeds(emu, 2)
    // Closing drains everything the worker was given, so the count is final.
    await endTransport(transport)
    const embeds = embedsOf(emu.messages)
    expect(embeds.map((e) => e.title).sort()).toEqual([expect.stringContaining('disk 91%'), expect.stringContaining('disk full')].reverse())
  })

  it('honours custom levels, messageKey and errorKey sent by pino', async () => {
    const transport = discordTransport(emulatorOptions(emu))
    const logger = pino({ customLevels: { notice: 35, page: 55 }, level: 'notice', messageKey: 'message', errorKey: 'error' }, transport) as pino.Logger<'notice' | 'page'>
    logger.info('below notice')
    logger.notice('deploy finished')
    logger.page({ error: new Error('primary db unreachable') }, 'wake someone up')
    const embeds = await waitForEmbeds(emu, 2)
    await endTransport(transport)
    expect(embeds).toHaveLength(2)
    const notice = embeds.find((e) => e.title?.includes('deploy finished'))
    const page = embeds.find((e) => e.title?.includes('wake someone up'))
    expect(notice?.color).toBe(SEVERITY_STYLES.info.color)
    expect(notice?.footer?.text).toContain('notice')
    expect(page?.description).toContain('primary db unreachable')
    expect(page?.footer?.text).toContain('page')
  })

  it('runs inside targets beside pino/file: the file gets everything, Discord only warn and above', async () => {
    const file = join(dir, 'app.log')
    const transport = pino.transport({
      targets: [
        { target: 'pino/file', level: 'info', options: { destination: file } },
        discordTarget(emulatorOptions(emu), { level: 'warn' })
      ]
    })
    const logger = pino({ level: 'info' }, transport)
    logger.info('one')
    logger.info('two')
    logger.warn('three')
    logger.error(new Error('four'))
    const embeds = await waitForEmbeds(emu, 2)
    await endTransport(transport)
    expect(embeds.map((e) => e.title).sort()).toEqual([expect.stringContaining('four'), expect.stringContaining('three')])
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string })
    expect(lines.map((l) => l.msg)).toEqual(['one', 'two', 'three', 'four'])
  })

  it('delivers a burst of 500 errors in full without a single 429', async () => {
    const BURST = 500
    // Same message template each time: storm control would fold these; this test is about delivery.
    const transport = discordTransport(emulatorOptions(emu, { dedup: { enabled: false } }))
    const logger = pino(transport)
    for (let i = 0; i < BURST; i++) logger.error({ err: new Error(`job ${i} failed`), job: i }, `job ${i} failed`)
    const embeds = await waitForEmbeds(emu, BURST)
    await endTransport(transport)
    const titles = new Set(embeds.map((e) => e.title))
    for (let i = 0; i < BURST; i++) expect(titles.has(`${SEVERITY_STYLES.error.emoji} job ${i} failed`)).toBe(true)
    expect(emu.stats().byStatus[429] ?? 0).toBe(0)
  }, WAIT_MS * 2)

  it('loads a formatter module by path, relative to the working directory', async () => {
    const formatter = join(dir, 'format.mjs')
    writeFileSync(formatter, 'export default (record, obj) => obj.skip ? false : { title: \'custom: \' + record.message, color: 0x00ff00 }\n')
    const transport = discordTransport(emulatorOptions(emu, { formatter }))
    const logger = pino(transport)
    logger.error({ skip: true }, 'skipped')
    logger.error('formatted')
    logger.error('formatted again')
    await waitForEmbeds(emu, 2)
    await endTransport(transport)
    expect(embedsOf(emu.messages).map((e) => e.title)).toEqual(['custom: formatted', 'custom: formatted again'])
  })

  it('loads as a plain target name and from the CommonJS build', async () => {
    const cjs = transportTarget().replace(/index\.js$/, 'index.cjs')
    const byName = pino.transport<PinoDiscordOptions>({ target: '@logcord/pino-discord', options: emulatorOptions(emu) })
    const byCjs = pino.transport<PinoDiscordOptions>({ target: cjs, options: emulatorOptions(emu) })
    pino(byName).warn('from the package name')
    pino(byCjs).warn('from index.cjs')
    const embeds = await waitForEmbeds(emu, 2)
    await Promise.all([endTransport(byName), endTransport(byCjs)])
    expect(embeds.map((e) => e.title).sort()).toEqual([expect.stringContaining('from index.cjs'), expect.stringContaining('from the package name')])
  })
})
