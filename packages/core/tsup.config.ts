import { defineConfig } from 'tsup'

export default defineConfig({
  // worker.js is loaded by ThreadedNotifier with new Worker(new URL('./worker.js', import.meta.url)).
  entry: { index: 'src/index.ts', worker: 'src/worker/worker-entry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  shims: true
})
