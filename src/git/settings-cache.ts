import {writeFileAtomic} from '../files.js'
import {hashBytes} from './hash.js'
import {readFileSync, statSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

// The identity and the few settings a write needs come from `git var -l`: a process on every write, about 3 ms
// of a hot command's budget (measured with hyperfine). They change rarely, so they are cached in the worktree's git dir
// under a fingerprint of everything git reads them from: the variables git consults, and the hash of the content of
// every configuration file (system, global, XDG, repository, worktree). Any change there, and the next write asks
// git again. The content, not the size and time: an edit that keeps the size within the file system's time
// granularity (a second on some), or puts the time back, changes no stat. Hashed, because the cache must not copy a
// global configuration's secrets (a token in a URL) into the repository. Configurations with include directives are
// not cached: their sources are open-ended.

const VARIABLES = [
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'EMAIL',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
  'HOME',
  'XDG_CONFIG_HOME',
  'USER',
  'LOGNAME',
]

export interface Location {
  gitDir: string
  commonDir: string
}

type Env = Readonly<Record<string, string | undefined>>

function cachePath(location: Location): string {
  return join(location.gitDir, 'trail', 'settings.json')
}

/** The configuration files git may read for this repository, whether or not they exist. */
function configFiles(location: Location, env: Env): string[] {
  // git ignores these variables when they are empty, and so does this list.
  const home = env.HOME || homedir()
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config')
  return [
    env.GIT_CONFIG_SYSTEM || '/etc/gitconfig',
    '/usr/local/etc/gitconfig',
    '/opt/homebrew/etc/gitconfig',
    env.GIT_CONFIG_GLOBAL || join(home, '.gitconfig'),
    join(xdg, 'git', 'config'),
    join(location.commonDir, 'config'),
    join(location.gitDir, 'config.worktree'),
  ]
}

/** Everything the settings depend on, as one string: equal fingerprints mean equal settings. */
export function fingerprint(location: Location, env: Env): string {
  const variables = VARIABLES.map((name) => `${name}=${env[name] ?? ''}`)
  for (let i = 0; i < Number(env.GIT_CONFIG_COUNT ?? 0); i++) variables.push(`${env[`GIT_CONFIG_KEY_${i}`]}=${env[`GIT_CONFIG_VALUE_${i}`]}`)
  const files = configFiles(location, env).map((file) => {
    // Most of these files are absent: asked without an exception for each (an error object costs more than the stat).
    let content: Buffer | undefined
    try {
      content = statSync(file, {throwIfNoEntry: false}) ? readFileSync(file) : undefined
    } catch {
      content = undefined // not a folder on the way, or not readable: as absent
    }
    return content ? `${file}:${hashBytes('sha1', [content]).toString('hex')}` : `${file}:absent`
  })
  return [...variables, ...files].join('\n')
}

/** The cached value for the current fingerprint, or null. */
export function readCachedSettings<T>(location: Location, env: Env): T | null {
  try {
    const cached = JSON.parse(readFileSync(cachePath(location), 'utf8')) as {fingerprint: string; settings: T}
    return cached.fingerprint === fingerprint(location, env) ? cached.settings : null
  } catch {
    return null
  }
}

/**
 * Caches `settings` under `taken`, the fingerprint computed before git was asked (so a configuration changed
 * meanwhile is asked about again next time). A failure to write the cache is ignored: it only costs the next
 * write a process.
 */
export function writeCachedSettings<T>(location: Location, taken: string, settings: T): void {
  try {
    writeFileAtomic(cachePath(location), JSON.stringify({fingerprint: taken, settings}))
  } catch {
    // a read-only git dir: no cache
  }
}
