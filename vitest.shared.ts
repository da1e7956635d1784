// Shared by every vitest project: workspace packages resolve to their TypeScript sources
// through the `source` export condition, so tests never run against a stale build.
// Vitest hands the SSR conditions to Node as `--conditions`; `import` there would make `pg`'s
// `require('pg-pool')` load its ESM build and crash, so only what the workspace needs is listed.
const conditions = ['source', 'node', 'development|production']

export const resolveFromSource = {
  resolve: { conditions },
  ssr: { resolve: { conditions } },
}
