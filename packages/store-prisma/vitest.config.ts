import { defineProject } from 'vitest/config'

// Vitest hands the SSR conditions to Node as `--conditions`; `import` there would make `pg`'s
// `require('pg-pool')` load the ESM build, so only the conditions the workspace needs are listed
// (Vite adds `import`/`require` per import kind on its own).
const conditions = ['source', 'node', 'development|production']

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: 'store-prisma',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
