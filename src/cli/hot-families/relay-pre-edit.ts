import {parseHookEvent, renderHookOutput} from '../../integrations/hook-protocol.js'
import {AGENT_TOOLS, isAgentTool, sessionAgentName} from '../../model/names.js'
import {terminalText} from '../../render/terminal.js'
import type {fastEditContext} from '../../services/edit-fast.js'
import {startEditHistory} from '../../services/edit-history.js'
import {preEditAnswer} from '../../services/pre-edit.js'
import {fdOutput, readFdToEnd} from '../fd-io.js'
import type {AnyDefinition} from '../hot.js'

// The entry of dist/hot-relay-pre-edit.cjs: `relay hook <tool> pre-edit`, the edit hook, run before every edit of
// every hooked agent session. Loading a bundle was most of what an edit of a file already shown cost, so this one
// holds only what answers those (the payload, the session file, the repository found without git): a file already
// shown, or outside the repository; and a new file, after one `git ls-tree` of HEAD. A file's first edit in the
// session loads the fast answer's bundle (./relay-edit-context.ts: a file whose history git's log and the mirror
// tell). Whatever neither answers (other arguments, a payload with a problem, a file only explainLines can tell
// about, any failure) is handed over to the hook's family bundle, with the payload read: the answer is the one the
// hook gives when called first.

/** No command whole: only part of relay-hook's (ROUTES). */
export const COMMANDS: readonly AnyDefinition[] = []

/** The argv this bundle serves (bin/fast-path.cjs routes them here by dist/hot-routes.json's "partial"). */
export const ROUTES: readonly string[] = AGENT_TOOLS.map((tool) => `hook ${tool} pre-edit`)

/** The bundle of the hook command (its `run` takes the payload read already), and the fast answer's. */
interface Bundles {
  (): {run(argv: readonly string[], stdinText?: string): Promise<boolean>}
  (name: 'relay-edit-context'): {fastEditContext: typeof fastEditContext}
}

/** Answers `argv` (relay hook <tool> pre-edit) from the session file or the fast answer, or hands it over. */
export async function run(argv: readonly string[], next: Bundles): Promise<boolean> {
  const [command, tool = '', kind, ...rest] = argv
  if (command !== 'hook' || !isAgentTool(tool) || kind !== 'pre-edit' || rest.length > 0) return next().run(argv)
  const chunks: Buffer[] = []
  if (!readFdToEnd(0, chunks)) {
    if (chunks.length === 0) return next().run(argv) // a terminal, or a descriptor left non-blocking: the hook reads it
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)) // the rest
  }
  const payload = new TextDecoder('utf-8').decode(Buffer.concat(chunks))
  let answer: Awaited<ReturnType<typeof preEditAnswer>>
  try {
    const {event, problem} = parseHookEvent(tool, 'pre-edit', payload)
    const env = process.env
    const ctx = {cwd: process.cwd(), env, now: () => new Date()}
    answer =
      problem === undefined
        ? await preEditAnswer(ctx, event, sessionAgentName(tool, event.sessionId, env), async (path, repo) => {
            // git's log of the file starts first, and runs while the fast answer's bundle loads. A new file is
            // answered here: nothing shaped it. A look-up that fails is the fast answer's to report (it gives up,
            // and the edit goes to the whole hook).
            const early = startEditHistory(repo, env, path)
            if (early !== undefined && 'created' in early && (await early.created.catch(() => false))) return null
            return next('relay-edit-context').fastEditContext(ctx, path, {repo, early})
          })
        : undefined
  } catch {
    answer = undefined // the hook's bundle says what is wrong
  }
  if (answer === undefined) return next().run(argv, payload)
  fdOutput(1, () => process.stdout).write(terminalText(renderHookOutput(tool, 'pre-edit', answer)))
  process.exitCode = 0
  return true
}
