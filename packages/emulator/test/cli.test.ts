import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { post } from './helpers.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

/** The CLI runs from dist/ like an installed package; build it once when dist is missing. */
beforeAll(() => {
  if (!existsSync(cli)) execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore' })
}, 120_000)

let child: ChildProcess | undefined
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  child = undefined
})

function run (args: string[]): { child: ChildProcess; lines: Promise<string[]> } {
  const proc = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines = new Promise<string[]>((resolve, reject) => {
    let out = ''
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const got = out.split('\n').filter(Boolean)
      if (got.length >= 2) resolve(got)
    })
    proc.on('exit', (code) => reject(new Error(`CLI exited with ${code} before printing its URLs: ${out}`)))
  })
  return { child: proc, lines }
}

describe('discord-emulator CLI', () => {
  it('prints its origin and an example webhook URL that accepts messages, and exits on SIGTERM', async () => {
    const started = run(['--port', '0', '--time-scale', '0.5', '--webhook-limit', '2/60000'])
    child = started.child
    const [listening, example] = await started.lines
    expect(listening).toMatch(/^Discord emulator listening on http:\/\/127\.0\.0\.1:\d+$/)
    const url = example!.replace(/^.*?(http:\S+)$/, '$1')
    expect(url).toMatch(/\/api\/webhooks\/\d{18,19}\/[A-Za-z0-9_-]{68}$/)

    expect((await post(url, { content: 'from a test' })).status).toBe(204)
    expect((await post(url, { content: 'second' })).status).toBe(204)
    const limited = await post(url, { content: 'third' })
    expect(limited.status).toBe(429) // --webhook-limit 2/60000 applied
    // Versionless URL: milliseconds; the 60 s window is scaled by --time-scale 0.5.
    expect(limited.body.retry_after).toBeGreaterThan(25_000)
    expect(limited.body.retry_after).toBeLessThanOrEqual(30_000)

    const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it('refuses a malformed limit with a usage error', async () => {
    const proc = spawn(process.execPath, [cli, '--webhook-limit', 'five'], { stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    let stderr = ''
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve))
    expect(code).toBe(2)
    expect(stderr).toContain('--webhook-limit')
  })
})
