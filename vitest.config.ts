import { defineConfig } from 'vitest/config'
import { resolveFromSource } from './vitest.shared.js'

// .ci/run asks for a machine-readable report to prove that tests ran and passed.
const report = process.env.TESSERA_VITEST_REPORT

export default defineConfig({
  ...resolveFromSource,
  test: {
    clearMocks: true,
    restoreMocks: true,
    passWithNoTests: false,
    projects: ['packages/*', 'apps/*'],
    ...(report ? { reporters: ['default', 'json'], outputFile: { json: report } } : {}),
  },
})
