import { defineConfig } from 'vitest/config'

// Workspace packages resolve to their TypeScript sources through the `source`
// export condition, so tests never run against a stale build.
const conditions = ['source', 'node', 'import', 'default']

// .ci/run asks for a machine-readable report to prove that tests ran and passed.
const report = process.env.TESSERA_VITEST_REPORT

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    clearMocks: true,
    restoreMocks: true,
    passWithNoTests: false,
    projects: ['packages/*', 'apps/*'],
    ...(report ? { reporters: ['default', 'json'], outputFile: { json: report } } : {}),
  },
})
