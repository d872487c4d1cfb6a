import {lstatSync} from 'node:fs'
import {join} from 'node:path'
import {isNothingThere} from '../files.js'
import type {RepositoryLocation} from '../git/discover.js'
import type {GitPlace} from '../git/diffs.js'
import {literalPath, readFileHistory} from '../git/file-history.js'
import {runGit, type Env} from '../git/process.js'
import {HistoryCache, readHead, type FileHistory} from '../store/history-cache.js'
import {workTreePath} from '../store/locate.js'

// What the edit hook's smallest bundle (../cli/hot-families/relay-pre-edit.ts) looks up before it loads the fast
// answer's (./edit-fast.ts): the file's history, started so that git works while that code loads; and whether a file
// the work tree does not have is new, which it answers itself (nothing shaped a new file).

/** How far back in a file's history the edit hook looks (its newest commits). */
export const EDIT_HISTORY_COMMITS = 100

/**
 * A file's first look, started early: of which path (from the top of the work tree); for a file of the work tree,
 * its history from which revision, and the memory of histories it was not found in (opened once); for a path the
 * work tree does not have, whether it is new (isNewFile).
 */
export type EarlyHistory = {path: string} & ({revision: string; history: Promise<FileHistory>; cache: HistoryCache | null} | {created: Promise<boolean>})

/**
 * Starts `git log --follow` of the file at `path` (absolute) where the fast answer will ask for it: a regular file
 * of the work tree whose history is not remembered for HEAD (../store/history-cache.ts); or, for a path the work
 * tree does not have, the look-up of HEAD's tree that tells whether it is new. Undefined otherwise, and for anything
 * unexpected: the fast answer then starts it itself, or does not need it.
 *
 * @example const early = startEditHistory(findRepository(cwd, env), env, '/home/me/project/src/app.js')
 */
export function startEditHistory(repo: RepositoryLocation, env: Env, path: string): EarlyHistory | undefined {
  try {
    if (repo.workTree === null) return undefined
    const inside = workTreePath(repo.workTree, path)
    if (inside === null) return undefined
    let isFile: boolean
    try {
      isFile = lstatSync(join(repo.workTree, inside)).isFile()
    } catch (error) {
      if (!isNothingThere(error)) return undefined
      const created = isNewFile({...repo, cwd: repo.workTree, env}, inside)
      created.catch(() => {}) // awaited by the caller
      return {path: inside, created}
    }
    if (!isFile) return undefined
    const cache = HistoryCache.open(repo)
    if (cache?.get(inside, EDIT_HISTORY_COMMITS) !== undefined) return undefined
    const revision = cache?.head ?? 'HEAD'
    const history = readFileHistory({cwd: repo.workTree, env}, inside, revision, EDIT_HISTORY_COMMITS)
    history.catch(() => {}) // awaited by the fast answer, unless it gives up before
    return {path: inside, revision, history, cache}
  } catch {
    return undefined
  }
}

/**
 * Whether a path the work tree does not have is a new file (one the agent creates): HEAD has no file there either
 * (no commit yet, or no blob at that path), so nothing shaped it. One `git ls-tree` of the path in HEAD's tree, as
 * explainLines's own first look, with no pipe: no log of a path that has none, which walks the whole history. False
 * when HEAD has it (deleted in the work tree only): its history then tells.
 *
 * @example if (await isNewFile({...repo, cwd: repo.workTree, env}, 'src/new.js')) return null
 */
export async function isNewFile(place: Pick<RepositoryLocation, 'gitDir' | 'commonDir'> & GitPlace, path: string): Promise<boolean> {
  const head = readHead(place)
  if (head === 'unborn') return true
  // HEAD itself when git's files cannot tell: git then says (and fails on anything but a commit).
  const listed = await runGit(['ls-tree', '-z', '--full-tree', head ?? 'HEAD', '--', literalPath(path)], {cwd: place.cwd, env: place.env, stdoutToFile: true})
  return !/^\d+ blob /.test(listed.stdout.toString('utf8'))
}
