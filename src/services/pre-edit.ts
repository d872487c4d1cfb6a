import {resolve} from 'node:path'
import type {HookAnswer, HookEvent} from '../integrations/hook-protocol.js'
import type {AgentName} from '../model/names.js'
import {findRepository, type RepositoryLocation} from '../git/discover.js'
import {realWorkTreePath} from '../store/locate.js'
import type {Context} from './context.js'
import {HookSessions} from './hook-sessions.js'

// The edit hook (`relay hook <tool> pre-edit`), run before every edit of every hooked session: before the agent
// first edits a file in a session, the decisions that shaped it (trail why, without lines) within a budget
// (./edit-context.ts). Nothing for a file with no recorded decisions, a new file, or a file already seen. The common
// answers (a file already seen, one outside the repository) come from the session file alone: the repository is
// found without a git process, and the store is opened only for a file's first edit.

/**
 * A file's context (`path` absolute): its Markdown, null for none, or undefined when this process cannot tell (the
 * pre-edit bundle, which has only the fast answer: ./edit-fast.ts).
 */
export type EditContextOf = (path: string, repo: RepositoryLocation) => Promise<string | null | undefined>

/**
 * The edit hook's answer for `event`. Undefined when `contextOf` cannot tell, and then nothing is remembered: the
 * edit is the whole hook's to answer (../cli/hot-families/relay-pre-edit.ts). A file is marked shown before its
 * context is looked for, atomically (HookSessions.markShown: the hooks of parallel tool calls run at the same time),
 * so one whose look fails is not looked for at every edit, and a file is shown once however many hooks race for it.
 *
 * @example const answer = await preEditAnswer(ctx, event, agent, (path, repo) => editContext(ctx, path, repo))
 */
export async function preEditAnswer(
  ctx: Pick<Context, 'cwd' | 'env' | 'now'>,
  event: HookEvent,
  agent: AgentName,
  contextOf: EditContextOf,
): Promise<HookAnswer | undefined> {
  const repo = findRepository(ctx.cwd, ctx.env)
  const sessions = new HookSessions(repo.commonDir)
  const state = sessions.touch(event.tool, agent, event.sessionId, ctx.now())
  let told = true
  try {
    const file = event.filePath
    if (file === undefined || repo.workTree === null) return {}
    const path = realWorkTreePath(repo.workTree, resolve(event.cwd ?? ctx.cwd, file))
    if (path === null) return {}
    if (state.shownFiles?.includes(path) || !sessions.markShown(agent, path)) return {}
    const context = await contextOf(resolve(repo.workTree, path), repo)
    if (context === undefined) {
      sessions.unmarkShown(agent, path)
      told = false
    }
    return context === undefined ? undefined : context === null ? {} : {context}
  } finally {
    if (told) sessions.write(state)
  }
}
