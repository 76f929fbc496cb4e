import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))

// The tests talk to the emulator and Redis on 127.0.0.1, never through a proxy the machine may be set up with
// (the library honours HTTPS_PROXY / HTTP_PROXY; undici reads no_proxy before NO_PROXY).
const noProxy = [process.env.no_proxy ?? process.env.NO_PROXY, '127.0.0.1', 'localhost'].filter(Boolean).join(',')
process.env.no_proxy = process.env.NO_PROXY = noProxy

// Dead letters go to os.tmpdir() unless told otherwise: this run's own directory, not the machine's.
process.env.TMPDIR = mkdtempSync(join(tmpdir(), 'logcord-tests-'))

// CI asks for a machine-readable result file so it can print one plain totals line.
const jsonOut = process.env.VITEST_JSON_OUT

export default defineConfig({
  resolve: {
    // In-process tests run against the sources. Anything that crosses a process or
    // worker boundary (pino workers, child processes, package-export tests) loads dist/.
    alias: {
      // Before '@logcord/core', which would otherwise match it as a prefix.
      '@logcord/core/internal': fileURLToPath(new URL('./packages/core/src/internal.ts', import.meta.url)),
      '@logcord/core': src('core'),
      '@logcord/discord-emulator': src('emulator'),
      '@logcord/winston-discord': src('winston-discord'),
      '@logcord/pino-discord': src('pino-discord')
    }
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on Discord's windows or child processes, not the CPU: two at a time on any machine.
    maxWorkers: 2,
    reporters: jsonOut ? ['default', ['json', { outputFile: jsonOut }]] : ['default']
  }
})
