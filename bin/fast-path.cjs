// Loads an executable's bundled fast path with V8's code cache (dist/hot-<name>.cjs and dist/hot-<name>.cjs.cache,
// which the build writes after running the commands). Node 20 has no compile cache of its own
// (module.enableCompileCache is Node 22); without it, compiling the bundle costs about 5 ms on every call of a hot
// command (measured with hyperfine). A cache made by another Node version is rejected by V8, which then compiles as
// usual: slower, never wrong.
//
// Which bundle: the one of the command's family (dist/hot-<bin>-<family>.cjs, src/cli/hot-families/) when argv names
// a hot command this file can tell by dist/hot-routes.json, else the whole executable's (dist/hot-<bin>.cjs). Both
// parse argv alike and serve a command alike; a family's is smaller, and loading a bundle is part of every call.
// Smaller still, a bundle may serve part of a command (the routes' "partial": `relay hook <tool> pre-edit`, run
// before every edit of an agent): it gets the command's own bundle to hand over to whatever it does not answer, and
// may load a bundle of its own for what it does less often (the edit hook's: the decisions behind a file).
'use strict'
const {appendFileSync, readFileSync, writeFileSync} = require('node:fs')
const {dirname, join} = require('node:path')
const {Script} = require('node:vm')
// The CommonJS loader's Module, as this file's own module was made by it: require('node:module') loads the public
// module's other parts (source maps, the ES module loader's hooks), about half a millisecond of every call.
const Module = module.constructor

const DIST = join(__dirname, '..', 'dist')

/** RELAY_TRAIL_TRACE=<file> (see src/git/process.ts): `<pid>\tfast-path\t<bundle>` or `<pid>\toclif\t<bin>`. */
function trace(...fields) {
  const file = process.env.RELAY_TRAIL_TRACE
  if (file) appendFileSync(file, `${[process.pid, ...fields].join('\t')}\n`)
}

/**
 * The family whose bundle serves `argv`'s command (`family`, undefined when it cannot be told), and the bundle that
 * serves this part of it (`part`, usually none). The command is argv's first one or two words that are not flags (a
 * global flag's value skipped: trail's --data-dir <path>; --color takes one only after `=`); a part is named by three. A
 * wrong guess costs time, never a result: the family's bundle parses argv as the whole one does, and leaves to oclif
 * what it does not serve; a part's hands the rest to its command's.
 */
function familyOf(bin, argv) {
  let routes
  try {
    routes = JSON.parse(readFileSync(join(DIST, 'hot-routes.json'), 'utf8'))
  } catch {
    return {}
  }
  if (routes === null || typeof routes !== 'object') return {}
  const words = commandWords(bin, argv, 3)
  const find = (table, names) => {
    if (table === null || typeof table !== 'object') return undefined
    for (const name of names) {
      if (name !== undefined && Object.hasOwn(table, name) && /^[a-z]+(-[a-z]+)*$/.test(table[name])) return table[name]
    }
    return undefined
  }
  return {
    family: find(routes[bin], [words.slice(0, 2).join(' '), words[0]]),
    part: words.length === 3 ? find(routes.partial?.[bin], [words.join(' ')]) : undefined,
  }
}

/** The first `count` words of argv that are not flags. */
function commandWords(bin, argv, count) {
  const words = []
  for (let i = 0; i < argv.length && words.length < count; i++) {
    const word = argv[i]
    if (word === '--') break
    if (word.startsWith('-')) {
      if (word === '--data-dir' && bin === 'trail') i++
      continue
    }
    words.push(word)
  }
  return words
}

/** Loads dist/<name>.cjs with its code cache, if any, and returns its exports. */
function loadBundle(name) {
  return instantiate(compileBundle(name))
}

/**
 * Compiles dist/<name>.cjs with its code cache, if any: what `instantiate` runs. bin/write-server.cjs keeps one and
 * runs it again for each command it serves.
 */
function compileBundle(name) {
  const file = join(DIST, `${name}.cjs`)
  const cacheFile = `${file}.cache`
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // no cache yet: compile as usual
  }
  // latin1: the build makes every bundle ASCII, and a one-byte string is read without decoding UTF-8.
  const script = new Script(Module.wrap(readFileSync(file, 'latin1')), {filename: file, cachedData})
  // The build sets this to record the cache after a real run, so the functions a command uses are in it too.
  if (process.env.RELAY_TRAIL_WRITE_CODE_CACHE === '1') process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()))
  return {script, file}
}

/** Runs a compiled bundle's top level, as a new module with state of its own, and returns its exports. */
function instantiate({script, file}) {
  const module = {exports: {}}
  // This file's require: a bundle asks it only for Node's modules and the packages it leaves out (yaml, oclif), which
  // resolve alike from bin/ and dist/ (the package's node_modules); a require made for the bundle's path cost 0.2-0.4 ms.
  script.runInThisContext()(module.exports, require, module, file, dirname(file))
  return module.exports
}

/**
 * The families a write server may run (bin/write-server.cjs, bin/server-client.cjs): the writes agents make dozens
 * of times a session, and the reads of the same families; `relay ingest` too, except with --follow (-f), which
 * reads until it is interrupted, and an interrupt reaches only this process.
 */
const SERVED_FAMILIES = new Set(['trail-writes', 'relay-ledger', 'relay-ingest'])

function served(family, argv) {
  if (!SERVED_FAMILIES.has(family)) return false
  if (family !== 'relay-ingest') return true
  const end = argv.indexOf('--')
  return !(end === -1 ? argv : argv.slice(0, end)).some((word) => word === '--follow' || word.startsWith('--follow=') || /^-[^-]*f/.test(word))
}

/** Runs an executable: its hot commands from the fast path, everything else through oclif (loaded only then). */
function main(bin) {
  const argv = process.argv.slice(2)
  const {family, part} = familyOf(bin, argv)
  if (family && !part && served(family, argv)) {
    const client = require('./server-client.cjs')
    const where = client.placeFor(bin, family, join(DIST, `hot-${family}.cjs`))
    if (where) {
      client.serve(where, argv).then((outcome) => {
        if (outcome === 'served') {
          trace('server', `hot-${family}`)
          // At once: standard input may still be being read for a command that ended before its end.
          process.exit()
        } else runHere(bin, argv, family, part, () => outcome === 'missing' && client.startServer(where))
      })
      return
    }
  }
  runHere(bin, argv, family, part)
}

/** Runs the command in this process: from its bundle, or through oclif. `after`: once the bundle served it. */
function runHere(bin, argv, family, part, after) {
  const bundle = family ? `hot-${family}` : `hot-${bin}`
  const load = (name) => {
    trace('fast-path', name)
    return loadBundle(name)
  }
  // A part's bundle gets the bundles it may need: its command's (no name), or another of its own (a family's name).
  const next = (name) => load(name === undefined ? bundle : `hot-${name}`)
  const ran = part ? load(`hot-${part}`).run(argv, next) : load(bundle).run(argv)
  ran.then(async (handled) => {
    if (handled) {
      after?.()
      exitOnceDone()
      return
    }
    trace('oclif', bin)
    const {pathToFileURL} = require('node:url')
    const {runOclif} = await import(pathToFileURL(join(DIST, 'src', 'cli', 'oclif.js')).href)
    await runOclif(bin, argv)
  })
}

/**
 * Once nothing is left to do, exit without tearing the heap down (Node's natural exit frees every page of it first:
 * 2-3 ms of a hot command, measured on the edit hook). 'exit' listeners still run; output is written by then (stdout
 * and stderr are synchronous for files and pipes on POSIX).
 */
function exitOnceDone() {
  process.once('beforeExit', (code) => process.exit(code))
}

module.exports = {main, compileBundle, instantiate}
