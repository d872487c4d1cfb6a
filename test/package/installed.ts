import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {basename, delimiter, dirname, join} from 'node:path'
import {after, before} from 'node:test'
import {ROOT} from '../helpers/cli.js'
import {makeTempDir, TEMP_PREFIX, testEnv} from '../helpers/repo.js'

// The package as a user gets it: `npm pack` of this checkout, installed with `npm install -g --prefix <prefix>` from
// npm's cache only (--offline: the dependencies are there after `npm ci`), from a folder outside the checkout.
//
// Installing takes about 12 s, so test files share one install: it lives in the temporary folder (under `npm test`,
// the run's own TMPDIR) in relay-trail-test-installed-<hash of the tarball>, made by the first test file that
// needs it and removed by the last one still using it (a lock folder and a file per user process). Packing is
// repeated per file (about a second; npm pack is deterministic), so a changed build never reuses an old install.

export interface InstalledPackage {
  /** The tarball `npm pack` made (a copy inside `dir`). */
  tarball: string
  /** The --prefix it is installed into: `<prefix>/bin` holds `trail` and `relay`. */
  prefix: string
  /** The installed package's folder. */
  packageDir: string
  /** How npm installed it: 'offline' (from the cache only) or 'prefer-offline' (the registry for what was missing). */
  mode: 'offline' | 'prefer-offline'
  /** How long `npm install -g` took, in ms (0 when this process reused another's install). */
  installMs: number
  /** The environment to run the installed commands with: its bin first on PATH, then node's and the system's. */
  env: NodeJS.ProcessEnv
}

/** The npm cache this machine's `npm ci` filled (the tests' HOME is a temporary one, with no cache). */
const NPM_CACHE = execFileSync('npm', ['config', 'get', 'cache'], {cwd: homedir(), env: withoutNpmVariables(process.env), encoding: 'utf8'}).trim()

/** The environment without what `npm test` sets (npm_config_*, npm_package_*, INIT_CWD): they point into the checkout. */
function withoutNpmVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(env)) if (!/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'NODE_PATH') out[key] = value
  return out
}

/**
 * The certificate authorities npm trusts here (its cafile, which a machine behind a proxy that inspects TLS sets in
 * npm's global configuration): a prefix of the test's own has a global configuration of its own, without it.
 */
const NPM_CAFILE = execFileSync('npm', ['config', 'get', 'cafile'], {cwd: homedir(), env: withoutNpmVariables(process.env), encoding: 'utf8'}).trim()

/** The environment npm runs in for these tests: the real cache and certificate authorities, no update check, no funding or audit noise. */
export function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...withoutNpmVariables(testEnv()),
    ...(NPM_CAFILE !== '' && NPM_CAFILE !== 'null' && NPM_CAFILE !== 'undefined' ? {npm_config_cafile: NPM_CAFILE} : {}),
    npm_config_cache: NPM_CACHE,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extra,
  }
}

function npm(args: string[], cwd: string, extra: Record<string, string> = {}): {status: number | null; stdout: string; stderr: string} {
  const result = spawnSync('npm', args, {cwd, env: npmEnv(extra), encoding: 'utf8'})
  return {status: result.status, stdout: result.stdout, stderr: result.stderr}
}

/** Packs this checkout into `dir`, without running the build again (it is built: npm test builds first). */
export function pack(dir: string): {tarball: string; json: {size: number; unpackedSize: number; entryCount: number; files: {path: string}[]}} {
  const result = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir, ROOT], dir)
  if (result.status !== 0) throw new Error(`npm pack failed:\n${result.stderr}`)
  const [json] = JSON.parse(result.stdout) as [{filename: string; size: number; unpackedSize: number; entryCount: number; files: {path: string}[]}]
  return {tarball: join(dir, json.filename), json}
}

/** `npm install -g --prefix <prefix> <tarball>` from another folder; --offline first, --prefer-offline when the cache lacks something. */
function install(tarball: string, prefix: string, cwd: string): {mode: InstalledPackage['mode']; ms: number} {
  for (const mode of ['offline', 'prefer-offline'] as const) {
    const started = performance.now()
    const result = npm(['install', '--global', '--prefix', prefix, `--${mode}`, '--loglevel', 'error', tarball], cwd)
    const ms = performance.now() - started
    if (result.status === 0) return {mode, ms}
    if (mode === 'prefer-offline' || !/ENOTCACHED/.test(result.stderr)) throw new Error(`npm install -g ${tarball} (--${mode}) failed:\n${result.stderr}`)
    rmSync(prefix, {recursive: true, force: true})
  }
  throw new Error('unreachable')
}

/** The environment the installed commands run with: the prefix's bin, node and git, nothing of the checkout. */
function installedEnv(prefix: string): NodeJS.ProcessEnv {
  const env = withoutNpmVariables(testEnv())
  env.PATH = [join(prefix, 'bin'), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter)
  return env
}

/** Waits for the lock folder; one left by a killed process (older than 10 minutes) is taken over. */
function lock(path: string): () => void {
  for (;;) {
    try {
      mkdirSync(path)
      return () => rmSync(path, {recursive: true, force: true})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      try {
        if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, {recursive: true, force: true})
      } catch {
        // gone meanwhile
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
    }
  }
}

/**
 * The package, packed and installed once for the tests of this file (shared with other test files running at the
 * same time). Call at the top of a test file; the value is there in the tests, after `before`.
 */
export function useInstalledPackage(): () => InstalledPackage {
  let installed: InstalledPackage | null = null
  let packDir: string | null = null
  let release: (() => void) | null = null
  before(() => {
    packDir = makeTempDir('pack')
    const {tarball: packed} = pack(packDir)
    const hash = createHash('sha256').update(readFileSync(packed)).digest('hex').slice(0, 16)
    const dir = join(tmpdir(), `${TEMP_PREFIX}installed-${hash}`)
    const unlock = lock(`${dir}.lock`)
    try {
      const prefix = join(dir, 'prefix')
      const tarball = join(dir, basename(packed))
      const done = join(dir, 'installed.json')
      let mode: InstalledPackage['mode']
      let installMs = 0
      if (existsSync(done)) {
        mode = (JSON.parse(readFileSync(done, 'utf8')) as {mode: InstalledPackage['mode']}).mode
      } else {
        rmSync(dir, {recursive: true, force: true})
        mkdirSync(join(dir, 'users'), {recursive: true})
        writeFileSync(tarball, readFileSync(packed))
        const result = install(tarball, prefix, packDir)
        mode = result.mode
        installMs = result.ms
        writeFileSync(done, JSON.stringify({mode}))
      }
      writeFileSync(join(dir, 'users', String(process.pid)), '')
      release = () => {
        const unlockAfter = lock(`${dir}.lock`)
        try {
          rmSync(join(dir, 'users', String(process.pid)), {force: true})
          if (readdirSync(join(dir, 'users')).length === 0) rmSync(dir, {recursive: true, force: true})
        } finally {
          unlockAfter()
        }
      }
      installed = {tarball, prefix, packageDir: realpathSync(join(prefix, 'lib', 'node_modules', 'relay-trail')), mode, installMs, env: installedEnv(prefix)}
    } finally {
      unlock()
    }
  })
  after(() => {
    release?.()
    if (packDir) rmSync(packDir, {recursive: true, force: true})
  })
  return () => {
    if (!installed) throw new Error('the package is installed in before(): use it inside a test')
    return installed
  }
}
