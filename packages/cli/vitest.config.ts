import { defineProject } from 'vitest/config'
import { resolveFromSource } from '../../vitest.shared.js'

export default defineProject({
  ...resolveFromSource,
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
