import type {Env} from '../git/process.js'
import {findRepository} from '../git/discover.js'

/** Where a repository is: what a caller needs to find its local state before it reads any record. */
interface RepositoryPlace {
  /** The directory shared by all worktrees (local state lives in <commonDir>/trail/). */
  commonDir: string
  /** The top of the work tree, or null in a bare repository. */
  workTree: string | null
}

/**
 * The repository containing `cwd`, found as git finds it, without starting a git process or opening the store
 * (Store.open starts `git cat-file`): for the edit hook, which answers most calls from a session file alone.
 * Throws RepositoryError outside a repository, as Store.open does.
 *
 * @example const {commonDir} = locateRepository(process.cwd(), process.env)
 */
export function locateRepository(cwd: string, env: Env): RepositoryPlace {
  const {commonDir, workTree} = findRepository(cwd, env)
  return {commonDir, workTree}
}
