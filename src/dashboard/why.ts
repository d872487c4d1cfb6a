import {UsageError} from '../errors.js'
import {quoteInput} from '../model/text.js'
import {whyJson, type WhyJson} from '../render/why.js'
import type {Context} from '../services/context.js'
import {explainLines, parseWhyTarget} from '../services/why.js'
import type {FileSuggestionsJson} from './file-suggestions.js'

// The dashboard's file view: `trail why` for a path of the repository, and the tracked files that complete a path
// as it is typed. The target and the commit come from a request, so they are checked here before the service sees
// them: a path from the top of the repository only (never absolute, never through "..", no control character, not
// option-like), so nothing a page sends can name a file outside the repository or reach git as an option.

/** The longest target or commit taken. */
const MAX_TARGET_CHARS = 4096
const MAX_REV_CHARS = 256
/** The most suggestions answered for a typed path. */
export const MAX_SUGGESTIONS = 50

/**
 * Reads a target the page sent: `path[:line[-line]]`, the path from the top of the repository.
 *
 * @example parseTargetOfPage('src/auth.ts:10-30') // {path: 'src/auth.ts', lines: [[10, 30]]}
 */
export function parseTargetOfPage(raw: string): {path: string; lines?: [number, number][]} {
  if (raw.length > MAX_TARGET_CHARS) throw new UsageError(`the target is over ${MAX_TARGET_CHARS} characters`, 'give a path of the repository')
  const target = parseWhyTarget(raw.trim())
  const path = target.path
  const hint = 'give a path from the top of the repository, for example src/app.js or src/app.js:10-20'
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new UsageError(`'${quoteInput(path)}' holds a control character`, hint)
  if (path.startsWith('-')) throw new UsageError(`'${quoteInput(path)}' looks like an option, not a path`, hint)
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(path)) throw new UsageError(`'${quoteInput(path)}' is an absolute path`, hint)
  if (path.split(/[\\/]/).includes('..')) throw new UsageError(`'${quoteInput(path)}' goes up a folder (..)`, hint)
  return target
}

/** Checks the commit a request names (a branch, a tag, an id, HEAD~2); resolving it is the service's. */
export function parseRevOfPage(raw: string | undefined): string | undefined {
  const rev = raw?.trim()
  if (rev === undefined || rev === '') return undefined
  if (rev.length > MAX_REV_CHARS || rev.startsWith('-') || /[\u0000-\u0020\u007f]/.test(rev)) {
    throw new UsageError(`'${quoteInput(rev)}' is not a commit name`, 'give a branch, a tag or a commit id, or leave it out for HEAD')
  }
  return rev
}

/**
 * `trail why --json` of a target the page sent: the same service and the same JSON as the command run at the top
 * of the work tree.
 *
 * @example const json = await whyOfPage(ctx, 'src/auth.ts:42', undefined)
 */
export async function whyOfPage(ctx: Context, rawTarget: string, rawRev: string | undefined): Promise<WhyJson> {
  const target = parseTargetOfPage(rawTarget)
  const rev = parseRevOfPage(rawRev)
  const repo = (await ctx.store()).repo
  // The path is from the top of the repository, wherever the dashboard was started.
  const top: Context = {...ctx, cwd: repo.workTree ?? ctx.cwd}
  return whyJson(await explainLines(top, {...target, ...(rev === undefined ? {} : {rev})}))
}

/**
 * The tracked files (the index's, as `git ls-files` lists them) that match what was typed, best first, at most
 * `limit`. A line part (`:12`) is ignored. Matching is case-insensitive.
 *
 * @example await suggestFiles(ctx, 'auth', 20) // {query: 'auth', files: ['auth.ts', 'src/auth.ts', 'test/auth.test.ts'], total: 3}
 */
export async function suggestFiles(ctx: Context, rawQuery: string, limit: number): Promise<FileSuggestionsJson> {
  if (rawQuery.length > MAX_TARGET_CHARS) throw new UsageError(`the path is over ${MAX_TARGET_CHARS} characters`, 'type less of it')
  const query = rawQuery.trim().replace(/:\d*(-\d*)?$/, '')
  const wanted = query.toLowerCase()
  const files = await (await ctx.store()).repo.trackedFiles([])
  const ranked: {file: string; rank: number}[] = []
  for (const file of files) {
    const lower = file.toLowerCase()
    const at = lower.indexOf(wanted)
    if (at < 0) continue
    const nameStart = lower.lastIndexOf('/') + 1
    ranked.push({file, rank: at === 0 ? 0 : at === nameStart ? 1 : 2})
  }
  ranked.sort((a, b) => a.rank - b.rank || a.file.length - b.file.length || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  return {query, files: ranked.slice(0, limit).map(({file}) => file), total: ranked.length}
}
