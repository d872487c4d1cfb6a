import {parseHookEvent, renderHookOutput} from '../../integrations/hook-protocol.js'
import {AGENT_TOOLS, isAgentTool, sessionAgentName} from '../../model/names.js'
import {terminalText} from '../../render/terminal.js'
import {fastEditContext} from '../../services/edit-fast.js'
import {preEditAnswer} from '../../services/pre-edit.js'
import {fdOutput, readFdToEnd} from '../fd-io.js'
import type {AnyDefinition} from '../hot.js'

// The entry of dist/hot-relay-pre-edit.cjs: `relay hook <tool> pre-edit`, the edit hook, run before every edit of
// every hooked agent session. It answers what the fast answer can (a file already shown, one outside the
// repository, a file whose history git's log and the mirror tell: ../../services/edit-fast.ts) and loads less code
// than the hook's family bundle, whose load was most of what an edit already shown cost. Whatever it does not
// answer (other arguments, a payload with a problem, a file only explainLines can tell about, any failure) it hands
// over to that bundle (`whole`), with the payload it read: the answer is the one the hook gives when called first.

/** No command whole: only part of relay-hook's (ROUTES). */
export const COMMANDS: readonly AnyDefinition[] = []

/** The argv this bundle serves (bin/fast-path.cjs routes them here by dist/hot-routes.json's "partial"). */
export const ROUTES: readonly string[] = AGENT_TOOLS.map((tool) => `hook ${tool} pre-edit`)

/** The bundle of the hook command: its `run` takes the payload read already. */
interface WholeHook {
  run(argv: readonly string[], stdinText?: string): Promise<boolean>
}

/** Answers `argv` (relay hook <tool> pre-edit) from the fast answer, or hands it over to `whole`. */
export async function run(argv: readonly string[], whole: () => WholeHook): Promise<boolean> {
  const [command, tool = '', kind, ...rest] = argv
  if (command !== 'hook' || !isAgentTool(tool) || kind !== 'pre-edit' || rest.length > 0) return whole().run(argv)
  const chunks: Buffer[] = []
  if (!readFdToEnd(0, chunks)) {
    if (chunks.length === 0) return whole().run(argv) // a terminal, or a descriptor left non-blocking: the hook reads it
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)) // the rest
  }
  const payload = new TextDecoder('utf-8').decode(Buffer.concat(chunks))
  let answer: Awaited<ReturnType<typeof preEditAnswer>>
  try {
    const {event, problem} = parseHookEvent(tool, 'pre-edit', payload)
    const env = process.env
    const ctx = {cwd: process.cwd(), env, now: () => new Date()}
    answer =
      problem === undefined ? await preEditAnswer(ctx, event, sessionAgentName(tool, event.sessionId, env), (path) => fastEditContext(ctx, path)) : undefined
  } catch {
    answer = undefined // the whole hook says what is wrong
  }
  if (answer === undefined) return whole().run(argv, payload)
  fdOutput(1, () => process.stdout).write(terminalText(renderHookOutput(tool, 'pre-edit', answer)))
  process.exitCode = 0
  return true
}
