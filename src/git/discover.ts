import {readFileSync, statSync} from 'node:fs'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import {InvalidRepositoryError, RepositoryError} from '../errors.js'
import {realpathOrSelf} from '../files.js'
import type {ObjectFormat} from './objects.js'
import type {Env} from './process.js'

// Finds the repository containing a folder the way git does (setup.c, setup_git_directory_gently): walk up
// looking for a ".git" folder or a ".git" file ("gitdir: <path>", used by linked worktrees and submodules), or
// a folder that is itself a git dir (a bare repository, or the inside of .git). A linked worktree's git dir has a
// "commondir" file naming the directory shared by all worktrees.
//
// Why not `git rev-parse`: it is one more process (about 2 ms of the hot commands' budget), and every command
// then starts `git cat-file` in the folder found here, which makes git check the same answer (ownership and
// safe.directory included: git refuses, and the error is reported).

export interface RepositoryLocation {
  gitDir: string
  commonDir: string
  /** null in a bare repository and inside the git dir. */
  workTree: string | null
  objectFormat: ObjectFormat
}

/**
 * The repository containing `cwd`, as a command finds it (GitRepo.open, and the edit hook's bundle before it opens
 * anything): with GIT_CEILING_DIRECTORIES, and refusing a GIT_DIR that names another repository. Throws
 * RepositoryError outside a repository.
 *
 * @example const {commonDir, workTree} = findRepository(process.cwd(), process.env)
 */
export function findRepository(cwd: string, env: Env): RepositoryLocation {
  const ceilings = (env.GIT_CEILING_DIRECTORIES ?? '').split(':').filter(Boolean)
  let found: RepositoryLocation | null
  try {
    found = discoverRepository(cwd, ceilings)
  } catch (error) {
    if (error instanceof InvalidRepositoryError)
      throw new RepositoryError(error.message, 'fix or remove the .git file, or run this in another repository', 'E_NOT_A_REPO')
    throw error
  }
  if (!found) {
    throw new RepositoryError(
      'not a git repository (or any of its parent directories)',
      'run this inside a git repository, or create one with: git init',
      'E_NOT_A_REPO',
    )
  }
  // Git commands are run in the folder found here, without GIT_DIR (so a git hook's environment cannot point
  // them elsewhere). A GIT_DIR naming another repository than this folder's would be silently ignored: refuse.
  if (env.GIT_DIR && realpathOrSelf(resolve(cwd, env.GIT_DIR)) !== realpathOrSelf(found.gitDir)) {
    throw new RepositoryError(
      `GIT_DIR names ${env.GIT_DIR}, which is not the repository of this folder (${found.gitDir})`,
      "relay-trail finds the repository from the current folder: unset GIT_DIR, or run it in that repository's work tree",
      'E_GIT_DIR',
    )
  }
  return found
}

/**
 * The repository containing `cwd`, or null when there is none up to the root (or GIT_CEILING_DIRECTORIES).
 * Throws InvalidRepositoryError where git would stop with an error: a ".git" file that points nowhere.
 */
export function discoverRepository(cwd: string, ceilings: readonly string[] = []): RepositoryLocation | null {
  const stops = new Set(ceilings.filter((ceiling) => isAbsolute(ceiling)).map((ceiling) => resolve(ceiling)))
  let dir = resolve(cwd)
  for (;;) {
    const dotGit = join(dir, '.git')
    const kind = fileKind(dotGit)
    if (kind === 'dir' && isGitDir(dotGit)) return locate(dotGit, dir)
    if (kind === 'file') {
      const target = /^gitdir: (.+)$/m.exec(readText(dotGit))?.[1]?.trim()
      const gitDir = target ? (isAbsolute(target) ? target : resolve(dir, target)) : null
      if (gitDir === null || !isGitDir(gitDir))
        throw new InvalidRepositoryError(`${dotGit} does not point to a git directory (${target ?? 'no "gitdir:" line'})`)
      return locate(gitDir, dir)
    }
    if (isGitDir(dir)) return locate(dir, null)
    const parent = dirname(dir)
    if (parent === dir || stops.has(parent)) return null
    dir = parent
  }
}

function locate(gitDir: string, workTree: string | null): RepositoryLocation {
  const common = readText(join(gitDir, 'commondir')).trim()
  const commonDir = common === '' ? gitDir : isAbsolute(common) ? common : resolve(gitDir, common)
  // core.bare = true in a repository that still has a .git folder: no work tree, as git sees it; core.worktree
  // puts the work tree elsewhere.
  const config = readText(join(commonDir, 'config'))
  const core = sectionText(config, 'core')
  const bare = /^\s*bare\s*=\s*true\s*$/im.test(core)
  const configured = /^\s*worktree\s*=\s*(.+?)\s*$/im.exec(core)?.[1]
  const format = /^\s*objectformat\s*=\s*sha256\s*$/im.test(sectionText(config, 'extensions')) ? 'sha256' : 'sha1'
  const tree = bare ? null : configured ? resolve(gitDir, configured.replace(/^"(.*)"$/, '$1')) : workTree
  return {gitDir, commonDir, workTree: tree, objectFormat: format}
}

/** The lines of one section of a git config file (without subsections). */
function sectionText(config: string, section: string): string {
  const out: string[] = []
  let inside = false
  for (const line of config.split('\n')) {
    const header = /^\s*\[([^\]\s"]+)\s*(?:"[^"]*")?\s*\]/.exec(line)
    if (header) inside = header[1]!.toLowerCase() === section && !line.includes('"')
    else if (inside) out.push(line)
  }
  return out.join('\n')
}

/** A git dir has HEAD, objects/ and refs/ (objects/ may be elsewhere for a linked worktree: then commondir). */
function isGitDir(dir: string): boolean {
  if (fileKind(join(dir, 'HEAD')) !== 'file') return false
  const common = readText(join(dir, 'commondir')).trim()
  const base = common === '' ? dir : isAbsolute(common) ? common : resolve(dir, common)
  return fileKind(join(base, 'objects')) === 'dir' && fileKind(join(base, 'refs')) === 'dir'
}

function fileKind(path: string): 'file' | 'dir' | null {
  try {
    const info = statSync(path)
    return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : null
  } catch {
    return null
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
