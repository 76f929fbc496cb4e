/**
 * Import rules (`pnpm run lint`): no cycles (in the core, not even through a type), and the leaf folders (format, http, rate-limit,
 * storm) import only the shared root modules (types, limits, levels, errors, thrown, clock), never the
 * options, delivery, Redis, the notifier or each other.
 */
const LEAF = '^packages/core/src/(format|http|rate-limit|storm)/'
module.exports = {
  forbidden: [
    { name: 'no-circular-core', severity: 'error', from: { path: '^packages/core/' }, to: { circular: true } },
    // Elsewhere a type-only import (erased at build) may point back, as the emulator's control routes do.
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
    {
      name: 'leaf-folders-stay-leaves',
      severity: 'error',
      comment: 'A leaf folder imports shared types and its own files only.',
      from: { path: LEAF },
      to: { path: '^packages/core/src/', pathNot: ['^packages/core/src/$1/', '^packages/core/src/(types|limits|levels|errors|thrown|clock|version)\\.ts$'] }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true
  }
}
