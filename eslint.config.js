import neostandard from 'neostandard'

// The pino family's style: neostandard, with TypeScript.
export default [
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'bench/results/**'] },
  ...neostandard({ ts: true }),
  // `void promise` marks a promise left to run on purpose (its errors are handled inside).
  { rules: { 'no-void': ['error', { allowAsStatement: true }] } }
]
