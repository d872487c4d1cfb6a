import {isAbsolute, relative, sep} from 'node:path'
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

/**
 * `path` (absolute) from the top of `workTree`, with `/` between folders; null for the top itself or a path outside.
 *
 * @example workTreePath('/home/me/project', '/home/me/project/src/app.js')  // 'src/app.js'
 */
export function workTreePath(workTree: string, path: string): string | null {
  const inside = relative(workTree, path).split(sep).join('/')
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? null : inside
}
