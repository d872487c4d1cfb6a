import type {Oid} from './objects.js'
import {runGit, type Env} from './process.js'

// `git log --follow` of one file, parsed: its own module, so the edit hook's smallest bundle can start it
// (../cli/hot-families/relay-pre-edit.ts) while the bundle that reads its answer loads.

/** One commit of a file's history: the commit, and the path the file had in it. */
export interface FileHistoryEntry {
  oid: Oid
  path: string
}

/**
 * The commits that changed a file, newest first, following renames (`git log --follow`), with the path the file had
 * in each; at most `limit`. `cwd`: the work tree (or the git dir of a bare repository); `signal` stops git.
 *
 * @example const history = await readFileHistory({cwd: repo.cwd, env}, 'src/app.js', 'HEAD', 100)
 */
export async function readFileHistory(
  where: {cwd: string; env: Env; signal?: AbortSignal},
  path: string,
  revision: string | null,
  limit: number,
): Promise<FileHistoryEntry[]> {
  const result = await runGit(
    ['log', '--follow', '--no-color', '--no-decorate', '--format=%x01%H', '--name-only', '-z', `-n${limit}`, revision ?? 'HEAD', '--', literalPath(path)],
    {...where, stdoutToFile: true},
  )
  return result.stdout
    .toString('utf8')
    .split('\x01')
    .filter(Boolean)
    .map((record) => {
      const [oid, ...names] = record.replace(/\n/g, '\0').split('\0').filter(Boolean)
      return {oid: oid!, path: names.at(-1) ?? path}
    })
}

/** A pathspec that means exactly `path` (no glob, no magic). */
export function literalPath(path: string): string {
  return `:(literal)${path}`
}
