// Loads dist/hot-<bin>.cjs (an executable's bundled fast path) with V8's code cache from dist/hot-<bin>.cjs.cache,
// which the build writes after running a command once. Node 20 has no compile cache of its own
// (module.enableCompileCache is Node 22); without it, compiling the bundle costs about 5 ms on every call of a hot
// command (measured with hyperfine). A cache made by another Node version is rejected by V8, which then compiles as
// usual: slower, never wrong.
'use strict'
const {readFileSync, writeFileSync} = require('node:fs')
const {dirname, join} = require('node:path')
const {pathToFileURL} = require('node:url')
const {Script} = require('node:vm')
const Module = require('node:module')

function loadFastPath(bin) {
  const file = join(__dirname, '..', 'dist', `hot-${bin}.cjs`)
  const cacheFile = `${file}.cache`
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
  const {run} = loadFastPath(bin)
  const argv = process.argv.slice(2)
  run(argv).then(async (handled) => {
    if (handled) return
    const {runOclif} = await import(pathToFileURL(join(__dirname, '..', 'dist', 'src', 'cli', 'oclif.js')).href)
    await runOclif(bin, argv)
  })
}

module.exports = {main}
