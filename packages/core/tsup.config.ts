import { defineConfig } from 'tsup'

// Three entries share one copy of the code (splitting), so `@logcord/core` and `@logcord/core/internal`
// hand out the same classes and the same process-wide limiter. worker.js is loaded by ThreadedNotifier
// with new Worker(new URL('./worker.js', import.meta.url)) from either format, so it is built as ESM only.
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
  { ...common, entry: { index: 'src/index.ts', internal: 'src/internal.ts', worker: 'src/delivery/worker-entry.ts', cli: 'src/cli.ts' }, format: ['esm'], clean: true },
  { ...common, entry: { index: 'src/index.ts', internal: 'src/internal.ts' }, format: ['cjs'], clean: false }
])
