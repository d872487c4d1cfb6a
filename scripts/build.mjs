// The build after `tsc`: the bundled fast paths (dist/hot-trail.cjs, dist/hot-relay.cjs) and one oclif configuration root per executable
// (dist/oclif/<bin>/package.json and its oclif.manifest.json), so each of `trail` and `relay` has its own commands
// and help without scanning the commands folder at run time.
import {execFileSync} from 'node:child_process'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {build} from 'esbuild'
import {Plugin} from '@oclif/core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))

for (const bin of ['trail', 'relay']) {
  await build({
    entryPoints: [join(root, `src/cli/hot-${bin}.ts`)],
    outfile: join(root, `dist/hot-${bin}.cjs`),
    bundle: true,
    platform: 'node',
    // CommonJS: Node starts a CommonJS entry about 6 ms faster than an ES module (bench: trail status).
    format: 'cjs',
    define: {'import.meta.url': '__importMetaUrl'},
    banner: {js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;'},
    target: 'node20',
    // yaml is loaded only to read a record a person edited by hand; oclif never belongs on the fast path.
    external: ['yaml', '@oclif/core'],
    logLevel: 'warning',
    // Smaller source, less for V8 to parse on every start. Identifiers are not minified: stack traces (DEBUG=1)
    // stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
  })
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
// repository, so it holds the functions the hot commands run, not only the top level. Every hot command runs once,
// each loading the cache the one before wrote and writing it back with its own functions added: writes are 4-7%
// faster with their functions cached than with only status's and load's (issue 14).
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
  execFileSync('git', ['init', '--quiet', scratch])
  const runs = [
    ['trail', 'start', 'Code cache'],
    ['trail', 'decision', 'Cache every hot command', '--reasoning', 'faster starts'],
    ['trail', 'status'],
    ['trail', 'complete', '--summary', 'Cached', '--confidence', '0.9'],
    ['trail', 'start', 'Code cache, abandoned'],
    ['trail', 'abandon', '--reason', 'done'],
    ['relay', 'continuity', 'save', 'Current task: the code cache'],
    ['relay', 'continuity', 'uncertain', 'whether every function is cached'],
    ['relay', 'send', 'Designer', 'The code cache is recorded'],
    ['relay', 'continuity', 'load'],
    ['trail', 'status'],
  ]
  for (const [bin, ...args] of runs) {
    try {
      execFileSync(process.execPath, [join(root, `bin/${bin}.cjs`), ...args], {cwd: scratch, env, stdio: 'ignore'})
    } catch {
      // a command that fails still records what it compiled; the cache is only ever a speed-up
    }
  }
} finally {
  await rm(scratch, {recursive: true, force: true})
}
