import { defineConfig } from 'tsup'

export default defineConfig({
  // index: the library, ESM and CJS, because pino's worker may load either (pino/lib/transport-stream.js).
  // cli: the `pino-discord` bin; its hashbang is kept by esbuild. The CJS copy is unused but harmless.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  shims: true
})
