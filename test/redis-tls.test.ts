/**
 * `rediss://`: limits shared through a Redis that speaks TLS only and asks for a password, from child
 * processes on the built dist (Pino's worker transport and a ThreadedNotifier, whose workers hold the
 * Redis client). The test makes its own CA and server certificate with openssl; the children trust the
 * CA the way any Node program can, through NODE_EXTRA_CA_CERTS. Build first: `pnpm build`.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmulator } from '@logcord/discord-emulator'
import { redisAvailable, startRedis, type TestRedis } from '../scripts/lib/redis-server.mjs'
import { runNode, type NodeRun } from './crash-helpers.js'

const APP = fileURLToPath(new URL('./fixtures/fleet-app.mjs', import.meta.url))
const PASSWORD = 'tls-secret-3'
const opensslAvailable = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0

/** A CA, and a certificate for localhost and 127.0.0.1 signed by it, in `dir`. */
function makeCertificates (dir: string): { caFile: string, certFile: string, keyFile: string } {
  const at = (name: string): string => join(dir, name)
  const openssl = (...args: string[]): void => { execFileSync('openssl', args, { stdio: 'ignore' }) }
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=logcord test CA')
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=localhost')
  writeFileSync(at('san.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '2', '-extfile', at('san.cnf'))
  return { caFile: at('ca.pem'), certFile: at('server.pem'), keyFile: at('server.key') }
}

function run (env: Record<string, string>): Promise<NodeRun> {
  return runNode([APP], { env })
}

describe.skipIf(!redisAvailable() || !opensslAvailable)('rediss:// (Redis over TLS, with a password)', () => {
  let dir: string
  let certs: ReturnType<typeof makeCertificates>
  let redis: TestRedis
  const redisKeys = (): string[] => execFileSync('redis-cli', ['--tls', '--cacert', certs.caFile, '-h', 'localhost', '-p', String(redis.port), '-a', PASSWORD, '--no-auth-warning', '--scan'], { encoding: 'utf8' }).split('\n').filter((k) => k !== '')

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logcord-tls-'))
    certs = makeCertificates(dir)
    redis = (await startRedis({ password: PASSWORD, tls: certs }))!
  })
  afterAll(async () => {
    await redis?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a Pino worker and a ThreadedNotifier that trust the CA share the limits through it: all delivered, no 429, keys in Redis', async () => {
    const emu = await createEmulator({ timeScale: 1 })
    try {
      expect(redis.url.startsWith('rediss://')).toBe(true)
      const options = { webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, dedup: { enabled: false }, redisUrl: redis.url }
      const COUNT = 15
      const runs = await Promise.all(['pino', 'threaded'].map((mode, i) => run({ OPTIONS: JSON.stringify(options), COUNT: String(COUNT), NAME: `app${i}`, MODE: mode, NODE_EXTRA_CA_CERTS: certs.caFile })))
      for (const r of runs) {
        expect(r.stderr).toBe('')
        expect(r.code).toBe(0)
      }
      expect(emu.messages.flatMap((m) => (m.payload.embeds as unknown[] | undefined) ?? [])).toHaveLength(2 * COUNT)
      expect(emu.stats().byStatus[429] ?? 0).toBe(0)
      // The shared state is there (the channel's window outlives the bucket's), and never the token.
      const keys = redisKeys()
      expect(keys.some((k) => k.startsWith('logcord:v1:ch:'))).toBe(true)
      const token = new URL(emu.webhookUrl()).pathname.split('/').at(-1)!
      for (const key of keys) expect(key).not.toContain(token)
    } finally {
      await emu.close()
    }
  }, 60_000)

  it('a process that does not trust the certificate never sends unverified: it falls back to its own limits, says so once, delivers everything', async () => {
    const emu = await createEmulator({ timeScale: 1 })
    try {
      const options = { webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, dedup: { enabled: false }, redisUrl: redis.url }
      const COUNT = 5
      const r = await run({ OPTIONS: JSON.stringify(options), COUNT: String(COUNT), NAME: 'untrusting', MODE: 'threaded' })
      expect(r.code).toBe(0)
      const lines = r.stderr.split('\n').filter((l) => l !== '')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/Redis connection error: .*certificate.*falls back to its own rate limiter/)
      expect(r.stderr).not.toContain(PASSWORD)
      expect(emu.messages.flatMap((m) => (m.payload.embeds as unknown[] | undefined) ?? [])).toHaveLength(COUNT)
    } finally {
      await emu.close()
    }
  }, 60_000)
})
