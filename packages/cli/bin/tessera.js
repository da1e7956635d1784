#!/usr/bin/env node
// Stable entry point: exists before the first build, so package managers can link it.
const entry = new URL('../dist/main.js', import.meta.url)

import(entry.href).then(
  ({ main }) => main(process.argv),
  (error) => {
    // Only the build output itself missing is "not built"; a missing dependency stays an error.
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && error.url === entry.href) {
      process.stderr.write('tessera: not built yet: run `pnpm build` first\n')
      process.exitCode = 1
      return
    }
    throw error
  },
)
