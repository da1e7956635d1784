import { defineProject } from 'vitest/config'

// Vitest passes the SSR conditions to Node as `--conditions`. With `import` among them, `pg`'s
// `require('pg-pool')` would load pg-pool's ESM build and fail, so only the conditions the
// workspace needs are listed; Vite adds `import`/`require` per import kind itself.
const conditions = ['source', 'node', 'development|production']

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: 'demo',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
