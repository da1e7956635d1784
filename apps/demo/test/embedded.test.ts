import { describe } from 'vitest'
import { flowSuite } from './flow.js'

describe('demo flow on the embedded default (PGlite, in-process denylist)', () => {
  flowSuite(() => ({}))
})
