/**
 * The packages as an npm publisher checks them: the BUILT tarball contents (`npm pack --dry-run`),
 * the public surface of `@logcord/core`, the metadata and licence every package carries, and READMEs
 * whose links still work on a package page (no `../` paths). Build first.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PACKAGES = ['core', 'winston-discord', 'pino-discord', 'emulator'] as const
const REPOSITORY = 'https://github.com/logcord/logcord'
/**
 * The core's tarball, unpacked, was 2.1 MB (mostly source maps and a second copy of the worker). 697 KB
 * before storm control shared through Redis, 760 KB with it, 800 KB with the staged hand-over of a
 * sender's calls (ESM, CommonJS and types).
 */
const CORE_UNPACKED_MAX_BYTES = 815_000

interface PackFile { path: string, size: number }
interface Pack { files: PackFile[], size: number, unpackedSize: number }

function pack (pkg: string): Pack {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: `${ROOT}packages/${pkg}`, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  return (JSON.parse(out) as Pack[])[0] as Pack
}

const run = (code: string, type: 'commonjs' | 'module'): string =>
  execFileSync(process.execPath, ['--input-type', type, '-e', code], { cwd: ROOT, encoding: 'utf8' }).trim()

/** Names applications call; nothing else is on the main entry. */
const PUBLIC_VALUES = [
  'DEFAULTS', 'DEFAULT_PROCESS_DRAIN_MS', 'DEFAULT_REDACT_KEYS', 'DiscordNotifier', 'EmbedBuilder',
  'InvalidEnvironmentError', 'InvalidOptionError', 'InvalidWebhookUrlError', 'LIMITS', 'LogcordError',
  'SEVERITIES', 'SEVERITY_STYLES', 'ThreadedNotifier', 'UnknownOptionError', 'VERSION', 'createNotifierFromEnv',
  'installProcessHandlers', 'isSeverity', 'replayDeadLetters', 'runCheck', 'severityFromLevel', 'severityFromPinoNumber'
]
/** What the other logcord packages take from the core, and nothing else. */
const INTERNALS = ['assertKnownOptions', 'closestOptionName', 'enabledFromEnv', 'loggedTime', 'parseWebhookUrl', 'redactLoose', 'renderValue', 'resolveOptions', 'resolveWithEnvironment', 'userAgent', 'withEnvironment']

describe('@logcord/core public surface', () => {
  it('the main entry exports what applications call, from import and require', () => {
    const esm = run("const m = await import('@logcord/core'); console.log(JSON.stringify(Object.keys(m).sort()))", 'module')
    const cjs = run("const m = require('@logcord/core'); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== '__esModule').sort()))", 'commonjs')
    expect(JSON.parse(esm)).toEqual([...PUBLIC_VALUES].sort())
    expect(JSON.parse(cjs)).toEqual([...PUBLIC_VALUES].sort())
  })

  it('internals are reachable only through @logcord/core/internal, sharing the same classes', () => {
    const probe = JSON.stringify(INTERNALS)
    for (const [type, load] of [['module', 'await import'], ['commonjs', 'require']] as const) {
      const out = run(`const pub = ${load}('@logcord/core'); const int = ${load}('@logcord/core/internal')
console.log(JSON.stringify([${probe}.filter((k) => k in pub), ${probe}.filter((k) => typeof int[k] !== 'function' && typeof int[k] !== 'object'), pub.DiscordNotifier === int.DiscordNotifier, pub.InvalidOptionError === int.InvalidOptionError]))`, type)
      expect(JSON.parse(out), type).toEqual([[], [], true, true])
    }
  })
})

describe('tarballs', () => {
  it('the core ships no source maps and stays small', () => {
    const core = pack('core')
    expect(core.files.filter((f) => f.path.endsWith('.map'))).toEqual([])
    expect(core.unpackedSize).toBeLessThan(CORE_UNPACKED_MAX_BYTES)
  })

  for (const pkg of PACKAGES) {
    it(`${pkg}: LICENSE, README, repository, homepage and bugs`, () => {
      const files = pack(pkg).files.map((f) => f.path)
      expect(files).toContain('LICENSE')
      expect(files).toContain('README.md')
      expect(files.filter((f) => f.endsWith('.map'))).toEqual([])
      const json = JSON.parse(readFileSync(`${ROOT}packages/${pkg}/package.json`, 'utf8')) as Record<string, unknown>
      expect(json.license).toBe('MIT')
      expect(json.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${pkg}` })
      expect(json.homepage).toBe(`${REPOSITORY}/tree/main/packages/${pkg}#readme`)
      expect(json.bugs).toEqual({ url: `${REPOSITORY}/issues` })
      const licence = readFileSync(`${ROOT}packages/${pkg}/LICENSE`, 'utf8')
      expect(licence).toBe(readFileSync(`${ROOT}LICENSE`, 'utf8'))
    })

    it(`${pkg}: every README link works on the package page (absolute or in-page)`, () => {
      const readme = readFileSync(`${ROOT}packages/${pkg}/README.md`, 'utf8')
      const targets = [...readme.matchAll(/\]\(([^)\s]+)[^)]*\)/g)].map((m) => m[1] as string)
      expect(targets.filter((t) => !/^(https?:\/\/|#|mailto:)/.test(t))).toEqual([])
    })
  }

  it('the MIT licence names its holder', () => {
    expect(existsSync(`${ROOT}LICENSE`)).toBe(true)
    const licence = readFileSync(`${ROOT}LICENSE`, 'utf8')
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} The logcord authors\n/)
  })
})
