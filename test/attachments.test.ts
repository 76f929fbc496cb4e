/**
 * Nothing lost to Discord's limits: an error with an 80-frame stack and a three-level cause chain,
 * and a diagnostic with 40 detail fields of 400 characters, sent through every delivery path of the
 * BUILT packages (child processes that end by themselves) against the emulator. Every frame, cause,
 * key and value must arrive, in the embed or in the file attached to the same message; the token
 * in none; a record that fits carries no file. Needs `pnpm build` first.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Embed } from '@logcord/core'
import { createEmulator, type Emulator, type StoredMessage } from '@logcord/discord-emulator'
import { emulatorOptions, TIME_SCALE } from './crash-helpers.js'
// @ts-expect-error: a plain ESM fixture shared with the child processes
import { markers, SMALL_MESSAGE } from './fixtures/attachments-records.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FIXTURE = fileURLToPath(new URL('./fixtures/attachments-send.mjs', import.meta.url))
const MODES = ['notifier', 'threaded', 'winston', 'winston-thread', 'pino', 'pino-inproc'] as const
const NOTE = /📎 Cut to fit Discord's limits: the full record is in (\S+\.txt)/

let emu: Emulator
beforeAll(async () => {
  emu = await createEmulator({ timeScale: TIME_SCALE })
})
afterAll(async () => {
  await emu.close()
})

function run (mode: string, options: Record<string, unknown>): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, mode], { cwd: ROOT, env: { ...process.env, OPTIONS: JSON.stringify(options) }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const filesByMode = new Map<string, string[]>()

/** The record's own time and the process it came from differ between runs; nothing else may. */
function normalize (text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME').replace(/\bpid \d+/g, 'pid N').replace(/webhooks\/\d+\//g, 'webhooks/ID/')
}

function embedText (e: Embed): string {
  return [e.title, e.description, e.footer?.text, e.author?.name, ...(e.fields ?? []).flatMap((f) => [f.name, f.value])].filter(Boolean).join('\n')
}

function fileTexts (m: StoredMessage): Map<string, string> {
  return new Map(m.attachments.map((a) => [a.filename, Buffer.from(a.data, 'base64').toString('utf8')]))
}

describe('records the embed must cut travel whole as an attached file', () => {
  for (const mode of MODES) {
    it(`${mode}: every frame, cause, key and value arrives; no 400; no token; a fitting record has no file`, async () => {
      emu.reset()
      const options = emulatorOptions(emu)
      const token = String(options.webhookUrl).split('/').pop() as string
      const result = await run(mode, options)
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const messages = emu.messages
      expect(emu.stats().byStatus['400'] ?? 0).toBe(0)

      const embeds = messages.flatMap((m) => (m.payload.embeds as Embed[] | undefined) ?? [])
      expect(embeds).toHaveLength(3)
      let everything = ''
      for (const m of messages) {
        const files = fileTexts(m)
        const named = ((m.payload.embeds as Embed[] | undefined) ?? []).map((e) => NOTE.exec(e.description ?? '')?.[1]).filter((n): n is string => n !== undefined)
        // One file for each embed that says it was cut, under the name it gives, and no other.
        expect([...files.keys()].sort()).toEqual([...named].sort())
        for (const [name, text] of files) {
          expect(text, name).not.toContain(token)
          everything += text + '\n'
        }
        for (const e of (m.payload.embeds as Embed[] | undefined) ?? []) everything += embedText(e) + '\n'
        expect(JSON.stringify(m.payload)).not.toContain(token)
      }
      filesByMode.set(mode, messages.flatMap((m) => [...fileTexts(m).values()]).map(normalize).sort())
      const missing = (markers() as string[]).filter((s) => !everything.includes(s))
      expect(missing).toEqual([])

      const small = embeds.find((e) => embedText(e).includes(SMALL_MESSAGE))
      expect(small).toBeDefined()
      expect(small?.description ?? '').not.toMatch(NOTE)
      // The two big records could not fit: both say so.
      expect(embeds.filter((e) => NOTE.test(e.description ?? ''))).toHaveLength(2)
    }, 30_000)
  }

  it('writes the same files in-process and in a worker thread', () => {
    for (const [inProcess, threaded] of [['notifier', 'threaded'], ['winston', 'winston-thread'], ['pino-inproc', 'pino']] as const) {
      expect(filesByMode.get(inProcess)?.length, inProcess).toBe(2)
      expect((filesByMode.get(threaded) ?? []).join('\n=====\n'), `${threaded} vs ${inProcess}`).toBe((filesByMode.get(inProcess) ?? []).join('\n=====\n'))
    }
  })
})
