import { defineProject } from 'vitest/config'
import { resolveFromSource } from '../../vitest.shared.js'

export default defineProject({
  ...resolveFromSource,
  test: {
    name: 'core',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
})
