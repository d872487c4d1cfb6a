import {writeFileAtomic} from '../files.js'
import {existsSync, lstatSync, readFileSync, readlinkSync, realpathSync, type Stats, unlinkSync} from 'node:fs'
import {dirname, isAbsolute, join, relative, resolve} from 'node:path'
import {UsageError} from '../errors.js'

// The files `trail init` writes into the user's repository (agent settings, instructions, MCP registrations) are
// the only writes outside the mirror folders, so they are made with care: never inside .git/ (a symlinked
// `.claude` pointing at `.git/` would otherwise let a settings write rewrite `.git/config`), never outside the work
// tree through a link, and atomically (a temporary file in the same folder, then a rename), so an interrupted
// init leaves the old file or the new one, never half of it.

/** Where installs may write: the work tree, and the git dirs that are off limits inside (or outside) it. */
export interface InstallRoot {
  workTree: string
  gitDirs: readonly string[]
  /** Where git runs hooks from (core.hooksPath, else the common git dir's hooks/): for the git hooks only. */
  hooksDir?: string
  /** The agent tools' files (relative, as INSTALLERS name them) that git tracks: never deleted, only emptied of our part. */
  tracked?: ReadonlySet<string>
}

export interface InstallFile {
  /** The path as the user sees it, relative to the work tree ('.claude/settings.json'). */
  relative: string
  /** The absolute path to read and write: the one above with its in-tree links resolved. */
  real: string
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path)
  } catch {
    return null
  }
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Resolves `relativePath` inside the work tree, following links only where they stay inside it. Refuses (with a
 * UsageError naming the link) a path in .git/, and a link, on the file or on a folder above it, that leads out of
 * the work tree or into a git dir.
 *
 * @example resolveInstallFile(root, '.claude/settings.json').real
 */
export function resolveInstallFile(root: InstallRoot, relativePath: string): InstallFile {
  const workTree = realOrNull(root.workTree) ?? root.workTree
  const gitDirs = root.gitDirs.map((dir) => realOrNull(dir) ?? dir)
  const parts = relativePath.split('/')
  if (parts[0] === '.git' || parts.includes('..')) throw unsafe(relativePath, 'it is inside .git/')
  // Walk down from the work tree: each existing component is resolved; the first missing one ends the walk (what
  // is below it will be created as plain folders and a plain file).
  let current = workTree
  for (const [index, part] of parts.entries()) {
    const next = join(current, part)
    let info: Stats
    try {
      info = lstatSync(next)
    } catch {
      current = join(next, ...parts.slice(index + 1))
      break
    }
    if (info.isSymbolicLink()) {
      const shown = parts.slice(0, index + 1).join('/')
      // A link to nothing: judged by where it points, and refused (writing would create its target).
      const target = realOrNull(next) ?? resolve(dirname(next), readlinkSync(next))
      if (!isInside(target, workTree)) throw unsafe(relativePath, `${shown} is a link out of the repository (to ${target})`)
      if (gitDirs.some((dir) => isInside(target, dir))) throw unsafe(relativePath, `${shown} is a link into the git directory (${target})`)
      if (!existsSync(target)) throw unsafe(relativePath, `${shown} is a link to nothing (${target})`)
      current = target
    } else {
      current = next
    }
  }
  if (gitDirs.some((dir) => isInside(current, dir))) throw unsafe(relativePath, 'it is inside the git directory')
  return {relative: relativePath, real: current}
}

function unsafe(path: string, why: string): UsageError {
  return new UsageError(
    `refusing to write ${path}: ${why}`,
    'trail init writes only plain files inside the work tree; replace the link, or add the settings by hand',
    'E_PATH',
  )
}

/** The file's text, or null when it does not exist. */
export function readInstallFile(file: InstallFile): string | null {
  try {
    return readFileSync(file.real, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new UsageError(`cannot read ${file.relative}: ${(error as Error).message}`, 'fix its permissions, then run trail init again', 'E_SETTINGS')
  }
}

/**
 * Writes `content` to the file atomically: a temporary file created (never opened through a link) in the same
 * folder, synced, given the old file's mode, then renamed over it.
 */
export function writeInstallFile(file: InstallFile, content: string): void {
  writeFileAtomic(file.real, content, {sync: true, keepMode: true})
}

/** Deletes the file (it held only what trail init had put there). */
export function deleteInstallFile(file: InstallFile): void {
  try {
    unlinkSync(file.real)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}
