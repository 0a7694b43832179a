#!/usr/bin/env node
// The CLI needs the Node in package.json "engines" (better-sqlite3's prebuilt binary); `npm run
// cli -- ...` uses the Node 22 the project installs. Checked here, before any native module
// loads: a clear message beats a segmentation fault on an older Node.
const { unsupportedNode } = require('./node-check')
const problem = unsupportedNode(process.versions.node)
if (problem) {
  console.error(problem)
  process.exit(1)
}
require('../out/main/cli.js')
