import { defineConfig } from 'tsup'

// The entries share one copy of the code (splitting), so `@logcord/core` and `@logcord/core/internal`
// hand out the same classes and the same process-wide limiter. worker.js (delivery) and
// dead-letter-worker.js are loaded with new Worker(new URL('./….js', import.meta.url)) from either
// format, so they are built as ESM only.
// cli.js is the `logcord` bin (ESM only; esbuild keeps its hashbang).
// Source maps are built for local debugging and left out of the package (package.json "files").
const common = {
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
  shims: true
} as const

export default defineConfig([
  { ...common, entry: { index: 'src/index.ts', internal: 'src/internal.ts', worker: 'src/delivery/worker-entry.ts', 'dead-letter-worker': 'src/delivery/dead-letter-worker.ts', cli: 'src/cli.ts' }, format: ['esm'], clean: true },
  { ...common, entry: { index: 'src/index.ts', internal: 'src/internal.ts' }, format: ['cjs'], clean: false }
])
