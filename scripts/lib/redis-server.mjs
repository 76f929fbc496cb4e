// Starts a throw-away redis-server (Debian's `redis-server` binary) on a free loopback port, with no
// persistence, for tests and benchmarks. `stop()` ends it; `restart()` brings it back on the same port
// (a fault test kills Redis mid-run). `debugCommand: true` allows DEBUG SLEEP from loopback, to make it
// slow. `tls: { certFile, keyFile, caFile }` serves TLS only (no plain port) and gives a `rediss://` URL for
// `localhost`. Resolves undefined when redis-server is not installed.
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createServer, connect } from 'node:net'

export function redisAvailable () {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

async function freePort () {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function waitForPort (port, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > until) throw new Error(`redis-server did not open port ${port}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export async function startRedis ({ password, debugCommand = false, tls } = {}) {
  if (!redisAvailable()) return undefined
  const port = await freePort()
  let child
  const start = async () => {
    const args = tls === undefined
      ? ['--port', String(port)]
      : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no']
    args.push('--bind', '127.0.0.1', '--save', '', '--appendonly', 'no')
    if (password !== undefined) args.push('--requirepass', password)
    // DEBUG SLEEP makes Redis slow on demand (a fault test); Redis 7 refuses DEBUG unless enabled.
    if (debugCommand) args.push('--enable-debug-command', 'local')
    child = spawn('redis-server', args, { stdio: 'ignore' })
    await waitForPort(port)
  }
  const stop = async () => {
    if (child === undefined || child.exitCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
  }
  await start()
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`
  const url = tls === undefined ? `redis://${auth}127.0.0.1:${port}` : `rediss://${auth}localhost:${port}`
  return { port, url, stop, restart: start }
}
