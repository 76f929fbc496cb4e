import { defineConfig } from 'tsup'

export default defineConfig({
  // worker.js is loaded by ThreadedNotifier with new Worker(new URL('./worker.js', import.meta.url)).
  // cli.js is the `logcord` bin; esbuild keeps its hashbang (the CJS copy is unused but harmless).
  entry: { index: 'src/index.ts', worker: 'src/worker/worker-entry.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  shims: true
})
