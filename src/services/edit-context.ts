import {TrailError} from '../errors.js'
import type {RepositoryLocation} from '../git/discover.js'
import type {WhyResult} from '../model/why.js'
import type {Context} from './context.js'
import {fastEditContext, fittedContext} from './edit-fast.js'
import {EDIT_HISTORY_COMMITS} from './edit-history.js'
import {explainLines, readWhyEvents} from './why.js'

// What the agents' edit hook (./agent-hooks.ts, pre-edit) adds to an agent's context before its first edit of a
// file in a session: `trail why <file>` as Markdown within a budget. It runs before an edit, so it reads only what
// that Markdown shows (explainLines with `forContext`): no commit subjects, no links of the trajectories, no
// handoffs, and events only as far as the budget reaches. It first asks the fast answer (./edit-fast.ts: one git
// process, the store read from the work-tree mirror and the path index), which gives the same result or none;
// explainLines answers what it cannot.

/**
 * The decisions that shaped the file at `path` (absolute, or relative to the command's folder) as Markdown, or null
 * when none are recorded: a file without linked commits, a new file, a folder.
 *
 * `repo`: the repository of `ctx.cwd`, when the caller has found it already.
 *
 * @example const context = await editContext(ctx, '/home/me/project/src/app.js')
 */
export async function editContext(ctx: Context, path: string, repo?: RepositoryLocation): Promise<string | null> {
  const fast = await fastEditContext(ctx, path, {repo})
  if (fast !== undefined) return fast
  let result: WhyResult
  try {
    result = await explainLines(ctx, {path, maxCommits: EDIT_HISTORY_COMMITS, forContext: true})
  } catch (error) {
    // A new file, or one outside history: nothing recorded shaped it.
    if (error instanceof TrailError && error.exitCode !== 1) return null
    throw error
  }
  return fittedContext(result, async (batch) => {
    await Promise.all(batch.map((t) => readWhyEvents(t)))
  })
}
