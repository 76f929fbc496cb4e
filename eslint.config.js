import neostandard from 'neostandard'

// The pino family's style: neostandard, with TypeScript.
export default neostandard({
  ts: true,
  ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'bench/results/**']
})
