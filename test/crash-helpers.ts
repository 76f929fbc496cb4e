/**
 * Shared by the crash tests: runs a fixture app from test/fixtures in a child process (it loads the
 * BUILT packages — run `pnpm build` first) against an emulator living in this test process, so what
 * the emulator holds when the child has exited is exactly what arrived before the process was gone.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createEmulator, type Emulator, type StoredMessage } from '@logcord/discord-emulator'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Discord's windows shrunk 50×, as in the other process tests. */
export const TIME_SCALE = 0.02
const DISCORD_CHANNEL_WINDOW_MS = 60_000
const DISCORD_FALLBACK_WINDOW_MS = 2000
/** Jitter allowance: absolute, not scaled, because network and timer jitter do not shrink with the emulator. */
const OFFSET_MS = 40

export interface ChildRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** From READY (or spawn, when the child never prints it) to exit. */
  ms: number
}

export async function startEmulator (): Promise<Emulator> {
  return await createEmulator({ timeScale: TIME_SCALE })
}

/** Options pointing at the emulator, with rate limits scaled like its clock. Plain data: it crosses into workers. */
export function emulatorOptions (emu: Emulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    webhookUrl: emu.webhookUrl(),
    apiOrigin: emu.origin,
    rateLimits: { channelWindowMs: DISCORD_CHANNEL_WINDOW_MS * TIME_SCALE, fallbackWindowMs: DISCORD_FALLBACK_WINDOW_MS * TIME_SCALE, offsetMs: OFFSET_MS },
    ...extra
  }
}

/**
 * Runs `test/fixtures/<fixture>` with `args`. With `signal`, sends it once the child prints READY,
 * the way an orchestrator stops a running service.
 */
export function runFixture (fixture: string, args: string[], env: Record<string, string>, signal?: NodeJS.Signals): Promise<ChildRun> {
  const path = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let start = performance.now()
    let ready = false
    child.stdout.on('data', (d: Buffer) => {
      stdout += String(d)
      if (!ready && stdout.includes('READY')) {
        ready = true
        start = performance.now()
        if (signal !== undefined) child.kill(signal)
      }
    })
    child.stderr.on('data', (d: Buffer) => { stderr += String(d) })
    child.on('error', reject)
    child.on('close', (code, sig) => resolve({ code, signal: sig, stdout, stderr, ms: performance.now() - start }))
  })
}

export interface NodeRun { code: number | null, stdout: string, stderr: string }

/**
 * Runs `node ...args` in the repository root (so children resolve `pino` and `@logcord/*` like an app
 * would), with `stdin` written and closed. `env` is added to this process's environment, or replaces it
 * with `inherit: false`. `cwd` and `command` (another program than node) change where and what runs.
 */
export function runNode (args: string[], { env = {}, stdin = '', inherit = true, cwd = ROOT, command = process.execPath }: { env?: Record<string, string>, stdin?: string, inherit?: boolean, cwd?: string, command?: string } = {}): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: inherit ? { ...process.env, ...env } : env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += String(d) })
    child.stderr.on('data', (d: Buffer) => { stderr += String(d) })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })
}

export type Embed = { title?: string, description?: string, color?: number, fields?: Array<{ name: string, value: string }>, footer?: { text?: string } }

/** Every embed the emulator saved, in arrival order. */
export function embedsOf (messages: readonly StoredMessage[]): Embed[] {
  return messages.flatMap((m) => (m.payload.embeds as Embed[] | undefined) ?? [])
}

/** The webhook token of an emulator URL, to check it never leaks. */
export function tokenOf (webhookUrl: string): string {
  return new URL(webhookUrl).pathname.split('/').pop() ?? ''
}
