import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// These load the BUILT packages the way users do, by name, from a separate Node process.
const root = fileURLToPath(new URL('..', import.meta.url))
const run = (code: string, type: 'commonjs' | 'module'): string =>
  execFileSync(process.execPath, ['--input-type', type, '-e', code], { cwd: root, encoding: 'utf8' }).trim()

describe('package exports', () => {
  it.each([
    ['@logcord/core', ['DiscordNotifier', 'ThreadedNotifier', 'EmbedBuilder', 'installProcessHandlers', 'createNotifierFromEnv']],
    ['@logcord/discord-emulator', ['createEmulator', 'validateWebhookPayload']]
  ])('%s works from require() and import', (name, exports) => {
    const probe = JSON.stringify(exports)
    const cjs = run(`const m = require('${name}'); console.log(${probe}.map((k) => typeof m[k]).join(','))`, 'commonjs')
    const esm = run(`const m = await import('${name}'); console.log(${probe}.map((k) => typeof m[k]).join(','))`, 'module')
    expect(cjs.split(',').every((t) => t === 'function')).toBe(true)
    expect(esm).toBe(cjs)
  })

  it('the core reports its own package version in the User-Agent', () => {
    const pkg = JSON.parse(readFileSync(new URL('../packages/core/package.json', import.meta.url), 'utf8')) as { version: string }
    expect(run('const { VERSION } = require(\'@logcord/core\'); const { userAgent } = require(\'@logcord/core/internal\'); console.log(VERSION + \' \' + userAgent(VERSION))', 'commonjs'))
      .toBe(`${pkg.version} DiscordBot (https://github.com/logcord/logcord, ${pkg.version})`)
  })

  it('the worker-thread notifier works from the CommonJS build', () => {
    const out = run(`const { ThreadedNotifier } = require('@logcord/core')
const n = new ThreadedNotifier({ enabled: false }); console.log(n.enabled, n.health().status)`, 'commonjs')
    expect(out).toBe('false disabled')
  })
})
