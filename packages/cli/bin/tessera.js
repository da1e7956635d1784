#!/usr/bin/env node
// Stable entry point: exists before the first build, so package managers can link it.
import('../dist/main.js').then(({ main }) => main(process.argv))
