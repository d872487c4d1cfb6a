import {lstatSync} from 'node:fs'
import {join} from 'node:path'
import {findRepository} from '../git/discover.js'
import {readFileHistory} from '../git/file-history.js'
import type {Env} from '../git/process.js'
import {HistoryCache, type FileHistory} from '../store/history-cache.js'
import {workTreePath} from '../store/locate.js'

// The file's history the edit hook's fast answer (./edit-fast.ts) reads, started by the edit hook's smallest bundle
// (../cli/hot-families/relay-pre-edit.ts) before it loads the fast answer's: git works while that code loads.

/** How far back in a file's history the edit hook looks (its newest commits). */
export const EDIT_HISTORY_COMMITS = 100

/** A file's history started early: of which path (from the top of the work tree), from which revision. */
export interface EarlyHistory {
  path: string
  revision: string
  history: Promise<FileHistory>
}

/**
 * Starts `git log --follow` of the file at `path` (absolute) where the fast answer will ask for it: a regular file
 * of the work tree whose history is not remembered for HEAD (../store/history-cache.ts). Undefined otherwise, and
 * for anything unexpected: the fast answer then starts it itself, or does not need it.
 *
 * @example const early = startEditHistory(process.cwd(), process.env, '/home/me/project/src/app.js')
 */
export function startEditHistory(cwd: string, env: Env, path: string): EarlyHistory | undefined {
  try {
    const repo = findRepository(cwd, env)
    if (repo.workTree === null) return undefined
    const inside = workTreePath(repo.workTree, path)
    if (inside === null || !lstatSync(join(repo.workTree, inside)).isFile()) return undefined
    const cache = HistoryCache.open(repo)
    if (cache?.get(inside, EDIT_HISTORY_COMMITS) !== undefined) return undefined
    const revision = cache?.head ?? 'HEAD'
    const history = readFileHistory({cwd: repo.workTree, env}, inside, revision, EDIT_HISTORY_COMMITS)
    history.catch(() => {}) // awaited by the fast answer, unless it gives up before
    return {path: inside, revision, history}
  } catch {
    return undefined
  }
}
