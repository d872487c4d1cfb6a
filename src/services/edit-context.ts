import {TrailError} from '../errors.js'
import {whyMarkdown, whyMarkdownFitting} from '../render/why.js'
import type {Context} from './context.js'
import {explainLines, readWhyEvents} from './why.js'

// What the agents' edit hook (./agent-hooks.ts, pre-edit) adds to an agent's context before its first edit of a
// file in a session: `trail why <file>` as Markdown within a budget. It runs before an edit, so it reads only what
// that Markdown shows (explainLines with `forContext`): no commit subjects, no links of the trajectories, no
// handoffs, and events only as far as the budget reaches.

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
  let result: Awaited<ReturnType<typeof explainLines>>
  try {
    result = await explainLines(ctx, {path, maxCommits: EDIT_HISTORY_COMMITS, forContext: true})
  } catch (error) {
    // A new file, or one outside history: nothing recorded shaped it.
    if (error instanceof TrailError && error.exitCode !== 1) return null
    throw error
  }
  // Newest first, a few at a time: once a trajectory's block does not fit (and something will be shown), the rest
  // are only counted, so their events are never read. The Markdown is the same as with every event read: it
  // stops at the first block that does not fit.
  const {trajectories} = result
  for (let read = 0; read < trajectories.length; ) {
    const batch = trajectories.slice(read, read + EVENTS_BATCH)
    await Promise.all(batch.map((t) => readWhyEvents(t)))
    read += batch.length
    const sofar = trajectories.slice(0, read)
    if (whyMarkdownFitting({...result, trajectories: sofar}, EDIT_CONTEXT_CHARS).shown < read && sofar.some((t) => t.detail.events.length > 0)) break
  }
  if (trajectories.every((t) => t.detail.events.length === 0)) return null
  return whyMarkdown(result, EDIT_CONTEXT_CHARS)
}
