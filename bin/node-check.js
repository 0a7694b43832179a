// Which Node versions can run the studio: the `engines.node` range of package.json (">=X.Y.Z"),
// checked before anything loads a native module (better-sqlite3's prebuilt binary crashes with a
// segmentation fault on an older Node instead of failing cleanly).
'use strict'
const { engines } = require('../package.json')

/** The message to print when `version` (e.g. "20.20.2") is older than engines.node, else null. */
function unsupportedNode(version, range = engines.node) {
  const min = /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(range.trim())
  if (!min) throw new Error(`package.json engines.node must read ">=X.Y.Z", not "${range}"`)
  const want = [Number(min[1]), Number(min[2]), Number(min[3] ?? 0)]
  const have = version.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10) || 0)
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > want[i]) return null
    if ((have[i] ?? 0) < want[i]) {
      return `pixel-studio needs Node ${range} (package.json "engines"); this is Node ${version}. ` +
        'Run it as `npm run cli -- <command>` (npm scripts use the Node 22 the project installs), or install Node 22.'
    }
  }
  return null
}

module.exports = { unsupportedNode }
