// Loads dist/hot.cjs (the bundled fast path) with V8's code cache from dist/hot.cjs.cache, which the build writes
// after running a command once. Node 20 has no compile cache of its own (module.enableCompileCache is Node 22);
// without it, compiling the bundle costs about 5 ms on every call of a hot command (bench/startup.ts). A cache made
// by another Node version is rejected by V8, which then compiles as usual: slower, never wrong.
'use strict'
const {readFileSync, writeFileSync} = require('node:fs')
const {dirname, join} = require('node:path')
const {pathToFileURL} = require('node:url')
const {Script} = require('node:vm')
const Module = require('node:module')

const file = join(__dirname, '..', 'dist', 'hot.cjs')
const cacheFile = `${file}.cache`

function loadFastPath() {
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // no cache yet: compile as usual
  }
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), {filename: file, cachedData})
  const module = {exports: {}}
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, dirname(file))
  // The build sets this to record the cache after a real run, so the functions a command uses are in it too.
  if (process.env.RELAY_TRAIL_WRITE_CODE_CACHE === '1') process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()))
  return module.exports
}

/** Runs an executable: its hot commands from the fast path, everything else through oclif (loaded only then). */
function main(bin) {
  const {runHot} = loadFastPath()
  const argv = process.argv.slice(2)
  runHot(bin, argv).then(async (handled) => {
    if (handled) return
    const {runOclif} = await import(pathToFileURL(join(__dirname, '..', 'dist', 'src', 'cli', 'oclif.js')).href)
    await runOclif(bin, argv)
  })
}

module.exports = {main}
