// The build after `tsc`: the bundled fast paths (dist/hot-trail.cjs, dist/hot-relay.cjs) and one oclif configuration root per executable
// (dist/oclif/<bin>/package.json and its oclif.manifest.json), so each of `trail` and `relay` has its own commands
// and help without scanning the commands folder at run time.
import {execFileSync} from 'node:child_process'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {build} from 'esbuild'
import {Plugin} from '@oclif/core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))

// One bundle per executable with every hot command (dist/hot-<bin>.cjs), and one per family of hot commands
// (src/cli/hot-families/<bin>-<family>.ts → dist/hot-<bin>-<family>.cjs) with only their code: bin/fast-path.cjs
// picks a family's bundle from argv by dist/hot-routes.json, and the whole one when it cannot tell. Loading a bundle
// (reading it and its code cache, deserialising, running its top level) is part of every call, and grows with it.
// The bundles stay in dist/ itself: code that finds files from its own place (src/integrations/relay-command.ts)
// sees the same folder from each.
const families = (await readdir(join(root, 'src/cli/hot-families')))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => name.slice(0, -3))
  .sort()
const entries = [
  ...['trail', 'relay'].map((bin) => ({name: bin, source: `src/cli/hot-${bin}.ts`})),
  ...families.map((family) => ({name: family, source: `src/cli/hot-families/${family}.ts`})),
]
// Node's built-in modules that the bundles' top levels would otherwise load on every call (child_process alone
// brings net, stream and dgram: 37 internal modules), loaded on first use instead: each import of one resolves to a
// stand-in whose exports are getters that require the real module when first read. esbuild reads an imported name
// where it is used (`(0, import_x.spawn)(...)`), so the already-shown path of the edit hook, which runs no git, never
// loads child_process.
const LAZY_BUILTINS = ['async_hooks', 'child_process', 'crypto', 'http', 'https', 'module', 'net', 'os', 'readline', 'stream', 'tty', 'util', 'zlib']
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(plugin) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`)
    plugin.onResolve({filter}, (args) =>
      args.namespace === 'lazy-builtin' ? {path: args.path, external: true} : {path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin'},
    )
    plugin.onLoad({filter: /.*/, namespace: 'lazy-builtin'}, (args) => {
      const names = Object.keys(createRequire(import.meta.url)(`node:${args.path}`)).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name))
      return {
        loader: 'js',
        contents:
          `let loaded; const load = () => (loaded ??= require(${JSON.stringify(`node:${args.path}`)}));\n` +
          `for (const name of ${JSON.stringify(names)}) Object.defineProperty(module.exports, name, {enumerable: true, get: () => load()[name]});\n`,
      }
    })
  },
}

// A bundle's source is a string V8 keeps as long as the process runs. Under 128 KiB it is made in the young
// generation, which is 1 MiB when a process starts: the edit hook's two small bundles (37 and 90 KiB) filled it
// with their source and the copy Module.wrap makes of it, and the one scavenge that followed copied all that lives
// (3 ms of a first edit, with --trace-gc). A string of 128 KiB or more is made in the large-object space, which a
// scavenge never copies: a small bundle is padded with a comment to LARGE_SOURCE, and the edit hook's first edit runs
// with no collection at all. Reading the padding costs microseconds; V8 checks a code cache against the length only,
// and compiles nothing of a comment.
const LARGE_SOURCE = 132 * 1024

for (const {name, source} of entries) {
  await build({
    plugins: [lazyBuiltins],
    entryPoints: [join(root, source)],
    outfile: join(root, `dist/hot-${name}.cjs`),
    bundle: true,
    platform: 'node',
    // CommonJS: Node starts a CommonJS entry about 6 ms faster than an ES module (bench: trail status).
    format: 'cjs',
    // import.meta.url, made from the bundle's file name when a module asks for it: node:url's pathToFileURL and the
    // URL it builds cost about 1 ms at each bundle's start (CPU profile of the edit hook), and no hot command asks.
    define: {'import.meta.url': '__bundleMeta.url'},
    banner: {js: 'const __bundleMeta = {get url() { return require("node:url").pathToFileURL(__filename).href } };'},
    target: 'node20',
    // yaml is loaded only to read a record a person edited by hand; oclif never belongs on the fast path.
    external: ['yaml', '@oclif/core'],
    logLevel: 'warning',
    // Smaller source, less for V8 to parse on every start. Identifiers are not minified: stack traces (DEBUG=1)
    // stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    // ASCII only, so bin/fast-path.cjs reads it as latin1 into a one-byte string: no UTF-8 decoding, and half the
    // memory of the two-byte string one character outside ASCII makes of the whole file. esbuild escapes strings,
    // not regular expressions: write such a character as \uXXXX in a regular expression's source.
    charset: 'ascii',
  })
  const text = await readFile(join(root, `dist/hot-${name}.cjs`), 'utf8')
  const at = text.search(/[^\x00-\x7f]/)
  if (at !== -1) {
    throw new Error(
      `dist/hot-${name}.cjs is not ASCII: ${JSON.stringify(text.slice(Math.max(0, at - 60), at + 20))}; write the character as \\u${text.charCodeAt(at).toString(16).padStart(4, '0')} in the source`,
    )
  }
  if (text.length < LARGE_SOURCE) await writeFile(join(root, `dist/hot-${name}.cjs`), padded(text))
}

function padded(text) {
  const comment = '\n// padded to 132 KiB: see LARGE_SOURCE in scripts/build.mjs\n'
  return `${text}${comment}${'/'.repeat(Math.max(0, LARGE_SOURCE - text.length - comment.length))}\n`
}

// dist/hot-routes.json: for each executable, each hot command's name (its words, space-separated) and the family
// whose bundle serves it. Every hot command is in exactly one family (test/cli/fast-path-bundles.test.ts). Under
// "partial", the argv (three words) a family serves of another's command, handing it the rest (its ROUTES).
{
  const routes = {trail: {}, relay: {}, partial: {trail: {}, relay: {}}}
  for (const family of families) {
    const bin = family.split('-')[0]
    const {COMMANDS, ROUTES = []} = await import(pathToFileURL(join(root, `dist/src/cli/hot-families/${family}.js`)).href)
    for (const definition of COMMANDS) {
      if (definition.bin !== bin) throw new Error(`src/cli/hot-families/${family}.ts: ${definition.bin} ${definition.name} is not a ${bin} command`)
      if (routes[bin][definition.name]) throw new Error(`${bin} ${definition.name} is in two families: ${routes[bin][definition.name]} and ${family}`)
      routes[bin][definition.name] = family
    }
    for (const words of ROUTES) {
      if (words.split(' ').length !== 3) throw new Error(`src/cli/hot-families/${family}.ts: a route is three words, not '${words}'`)
      routes.partial[bin][words] = family
    }
  }
  for (const bin of ['trail', 'relay']) {
    for (const words of Object.keys(routes.partial[bin])) {
      const command = Object.keys(routes[bin]).find((name) => words.startsWith(`${name} `))
      if (command === undefined) throw new Error(`${bin} ${words}: a partial route of no hot command`)
    }
  }
  await writeFile(join(root, 'dist/hot-routes.json'), `${JSON.stringify(routes, null, 2)}\n`)
}

// The dashboard's page (src/dashboard/web): type-checked with the DOM's types (its own tsconfig; the main one has
// no DOM), then bundled into dist/web/app.js and app.css, served by `relay dashboard` and written by its export.
// Modern browsers only, minified, no source map: the page ships in the package and loads nothing from the network.
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'src/dashboard/web/tsconfig.json')], {stdio: 'inherit'})
await mkdir(join(root, 'dist/web'), {recursive: true})
await build({
  entryPoints: {app: join(root, 'src/dashboard/web/main.ts')},
  outdir: join(root, 'dist/web'),
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['chrome111', 'firefox111', 'safari16'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
})
await build({entryPoints: {app: join(root, 'src/dashboard/web/style.css')}, outdir: join(root, 'dist/web'), bundle: true, minify: true, logLevel: 'warning'})
await writeFile(join(root, 'dist/web/index.html'), await readFile(join(root, 'src/dashboard/web/index.html'), 'utf8'))

const TOPICS = {
  trail: {},
  relay: {
    continuity: {description: 'Continuity ledgers and handoffs: save, load, search, mark uncertain'},
    bridge: {description: 'Sibling projects: add, list, remove'},
  },
}

for (const bin of ['trail', 'relay']) {
  const configRoot = join(root, 'dist/oclif', bin)
  await mkdir(configRoot, {recursive: true})
  await mkdir(join(root, 'dist/src/commands', bin), {recursive: true})
  const manifestPkg = {
    name: bin,
    version: pkg.version,
    description: pkg.description,
    type: 'module',
    private: true,
    oclif: {
      bin,
      dirname: 'relay-trail',
      commands: `../../src/commands/${bin}`,
      topicSeparator: ' ',
      topics: TOPICS[bin],
      // Help leaves through our door and the pager, in our colours (src/cli/help.ts).
      helpClass: '../../src/cli/help.js',
    },
  }
  await writeFile(join(configRoot, 'package.json'), `${JSON.stringify(manifestPkg, null, 2)}\n`)
  const plugin = new Plugin({root: configRoot, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true})
  await plugin.load()
  await writeFile(join(configRoot, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`)
}

// Man pages (roff, section 1) in man/: one per executable and one per visible command, from the declarations the
// oclif commands are built from (each command class carries its own: src/cli/oclif.ts), by src/cli/man.ts. They are
// built, not committed (a clone's `npm install` builds; the tarball carries them), and listed in package.json's
// "man" so that `npm install -g` installs them: a page built and not listed there, or listed and not built, fails
// the build.
{
  const {manPages} = await import(pathToFileURL(join(root, 'dist/src/cli/man.js')).href)
  const manDir = join(root, 'man')
  await rm(manDir, {recursive: true, force: true})
  await mkdir(manDir, {recursive: true})
  const built = []
  for (const bin of ['trail', 'relay']) {
    const definitions = []
    for (const file of await commandFiles(join(root, 'dist/src/commands', bin))) {
      const definition = (await import(pathToFileURL(file).href)).default?.definition
      if (definition) definitions.push(definition)
    }
    const topics = Object.fromEntries(Object.entries(TOPICS[bin]).map(([name, topic]) => [name, topic.description]))
    for (const page of manPages(bin, definitions, {version: pkg.version, topics})) {
      await writeFile(join(manDir, page.file), page.text)
      built.push(`man/${page.file}`)
    }
  }
  const listed = (pkg.man ?? []).map((path) => path.replace(/^\.\//, ''))
  const missing = built.filter((path) => !listed.includes(path))
  const stale = listed.filter((path) => !built.includes(path))
  if (missing.length > 0 || stale.length > 0) {
    throw new Error(
      `package.json "man" does not list the man pages the build writes: ${[
        ...missing.map((path) => `add ${path}`),
        ...stale.map((path) => `remove ${path}`),
      ].join(', ')}`,
    )
  }
}

/** Every command module under `dir` (dist/src/commands/<bin>), sorted. */
async function commandFiles(dir) {
  const out = []
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await commandFiles(path)))
    else if (entry.name.endsWith('.js')) out.push(path)
  }
  return out.sort()
}

// V8's code cache for the fast path (see bin/fast-path.cjs): recorded after real commands in a throwaway
// repository, so it holds the functions the hot commands run, not only the top level. Every hot command family runs
// here through the executables (so through its own bundle), each run loading the cache the one before wrote and
// writing it back with its own functions added: writes are 4-7% faster with their functions cached than with only
// status's and load's (issue 14). A bundle no run loaded (the whole ones, for argv bin/fast-path.cjs cannot place)
// gets a cache of its top level. The old caches go first: V8 checks a cache against its source's length only.
for (const name of await readdir(join(root, 'dist'))) {
  if (/^hot-.*\.cjs\.cache$/.test(name)) await rm(join(root, 'dist', name))
}
const scratch = await mkdtemp(join(tmpdir(), 'relay-trail-build-'))
try {
  const env = {
    ...process.env,
    RELAY_TRAIL_WRITE_CODE_CACHE: '1',
    AGENT_RELAY_NAME: 'build',
    TRAIL_AGENT: 'build',
    GIT_AUTHOR_NAME: 'Build',
    GIT_AUTHOR_EMAIL: 'build@example.com',
    GIT_COMMITTER_NAME: 'Build',
    GIT_COMMITTER_EMAIL: 'build@example.com',
  }
  delete env.RELAY_TRAIL_TRACE
  const git = (...args) => execFileSync('git', args, {cwd: scratch, env, stdio: 'ignore'})
  git('init', '--quiet', scratch)
  await writeFile(join(scratch, 'cache.txt'), 'one\ntwo\nthree\n')
  git('add', 'cache.txt')
  git('commit', '--quiet', '-m', 'The code cache')
  const editPayload = JSON.stringify({
    session_id: 'build-0001',
    cwd: scratch,
    hook_event_name: 'PreToolUse',
    tool_name: 'Edit',
    tool_input: {file_path: join(scratch, 'cache.txt'), old_string: 'one', new_string: 'uno'},
  })
  /** Runs a command; its stdout, or '' when it failed (a failed command still records what it compiled). */
  const run = (bin, args, input = '') => {
    try {
      return execFileSync(process.execPath, [join(root, `bin/${bin}.cjs`), ...args], {cwd: scratch, env, input, stdio: ['pipe', 'pipe', 'ignore']}).toString()
    } catch {
      return ''
    }
  }
  const started = /traj_\w+/.exec(run('trail', ['start', 'Code cache']))?.[0] ?? 'traj_unknown'
  run('trail', ['decision', 'Cache every hot command', '--reasoning', 'faster starts'])
  // A commit linked to that trajectory, so the edit hook's first edit of cache.txt below renders its decisions.
  await writeFile(join(scratch, 'cache.txt'), 'one\ntwo\nthree\nfour\n')
  git('commit', '--quiet', '-am', 'Cache the hot commands')
  run('trail', ['hook-git', 'post-commit'])
  run('trail', ['status'])
  run('trail', ['complete', '--summary', 'Cached', '--confidence', '0.9'])
  run('trail', ['start', 'Code cache, abandoned'])
  run('trail', ['abandon', '--reason', 'done'])
  run('trail', ['list'])
  run('trail', ['show', started])
  run('trail', ['why', 'cache.txt:1'])
  run('trail', ['review', 'HEAD'])
  run('trail', ['hook-git', 'post-commit']) // again: a commit already linked, the usual case after an amend or a rerun
  run('trail', ['__complete', '--', 'show', ''])
  run('relay', ['continuity', 'save', 'Current task: the code cache'])
  run('relay', ['continuity', 'uncertain', 'whether every function is cached'])
  run('relay', ['send', 'Designer', 'The code cache is recorded'])
  run('relay', ['continuity', 'load'])
  run('relay', ['inbox'])
  run('relay', ['search', 'cache'])
  run('relay', ['hook', 'claude', 'pre-edit'], editPayload)
  run('relay', ['hook', 'claude', 'pre-edit'], editPayload)
  run('relay', ['ingest'], 'Working on the code cache.\n')
  run('relay', ['sync'])
  run('relay', ['__complete', '--', 'send', ''])
  run('trail', ['status'])
} finally {
  await rm(scratch, {recursive: true, force: true})
}
for (const name of await readdir(join(root, 'dist'))) {
  if (!/^hot-.*\.cjs$/.test(name) || (await readdir(join(root, 'dist'))).includes(`${name}.cache`)) continue
  // Loads the bundle as bin/fast-path.cjs does (its top level runs; no command) and writes what V8 compiled.
  const record =
    'const {Script} = require("node:vm"); const Module = require("node:module"); const fs = require("node:fs"); const path = require("node:path");' +
    'const file = process.argv[1]; const script = new Script(Module.wrap(fs.readFileSync(file, "utf8")), {filename: file});' +
    'script.runInThisContext()({}, Module.createRequire(file), {exports: {}}, file, path.dirname(file)); fs.writeFileSync(file + ".cache", script.createCachedData())'
  execFileSync(process.execPath, ['-e', record, join(root, 'dist', name)], {stdio: 'inherit'})
}
