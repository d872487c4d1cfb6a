import {relative, sep} from 'node:path'
import {TrailError} from '../errors.js'
import {GitRepo} from '../git/repo.js'
import type {WhyResult, WhyTrajectory} from '../model/why.js'
import {whyMarkdown, whyMarkdownFitting} from '../render/why.js'
import type {Context} from './context.js'
import {fastWhy} from './edit-fast.js'
import {explainLines, readWhyEvents} from './why.js'

// What the agents' edit hook (./agent-hooks.ts, pre-edit) adds to an agent's context before its first edit of a
// file in a session: `trail why <file>` as Markdown within a budget. It runs before an edit, so it reads only what
// that Markdown shows (explainLines with `forContext`): no commit subjects, no links of the trajectories, no
// handoffs, and events only as far as the budget reaches. It first asks the fast answer (./edit-fast.ts: one git
// process, the store read from the work-tree mirror and the path index), which gives the same result or none;
// explainLines answers what it cannot.

/** The most an edit hook adds to the agent's context, in characters (about 1,000 tokens). */
const EDIT_CONTEXT_CHARS = 4000
/** How far back in a file's history the edit hook looks (its newest commits). */
const EDIT_HISTORY_COMMITS = 100
/** Trajectories whose events are read in one round trip, newest first, until the budget is spent. */
const EVENTS_BATCH = 2

/**
 * The decisions that shaped the file at `path` (absolute, or relative to the command's folder) as Markdown, or null
 * when none are recorded: a file without linked commits, a new file, a folder.
 *
 * @example const context = await editContext(ctx, '/home/me/project/src/app.js')
 */
export async function editContext(ctx: Context, path: string): Promise<string | null> {
  const fast = await fastAnswer(ctx, path)
  if (fast !== undefined) return fitted(fast.result, async (batch) => batch.forEach(fast.readEvents))
  let result: WhyResult
  try {
    result = await explainLines(ctx, {path, maxCommits: EDIT_HISTORY_COMMITS, forContext: true})
  } catch (error) {
    // A new file, or one outside history: nothing recorded shaped it.
    if (error instanceof TrailError && error.exitCode !== 1) return null
    throw error
  }
  return fitted(result, async (batch) => {
    await Promise.all(batch.map((t) => readWhyEvents(t)))
  })
}

/** The fast answer for an absolute `path`, or undefined when explainLines must answer. */
async function fastAnswer(ctx: Context, path: string): Promise<Awaited<ReturnType<typeof fastWhy>>> {
  let repo: GitRepo
  try {
    repo = GitRepo.open(ctx.cwd, ctx.env)
  } catch {
    return undefined
  }
  try {
    if (repo.workTree === null) return undefined
    const inside = relative(repo.workTree, path).split(sep).join('/')
    if (inside === '' || inside.startsWith('..')) return undefined
    return await fastWhy(repo, inside, EDIT_HISTORY_COMMITS)
  } catch {
    // Never worse than without it: explainLines answers, and reports what is wrong.
    return undefined
  } finally {
    repo.close()
  }
}

/**
 * The Markdown within the budget. Newest first, a few at a time: once a trajectory's block does not fit (and
 * something will be shown), the rest are only counted, so their events are never read. The Markdown is the same
 * as with every event read: it stops at the first block that does not fit.
 */
async function fitted(result: WhyResult, readEvents: (batch: WhyTrajectory[]) => Promise<void>): Promise<string | null> {
  const {trajectories} = result
  for (let read = 0; read < trajectories.length; ) {
    const batch = trajectories.slice(read, read + EVENTS_BATCH)
    await readEvents(batch)
    read += batch.length
    const sofar = trajectories.slice(0, read)
    if (whyMarkdownFitting({...result, trajectories: sofar}, EDIT_CONTEXT_CHARS).shown < read && sofar.some((t) => t.detail.events.length > 0)) break
  }
  if (trajectories.every((t) => t.detail.events.length === 0)) return null
  return whyMarkdown(result, EDIT_CONTEXT_CHARS)
}
