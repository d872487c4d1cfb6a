import {UsageError} from '../../../errors.js'
import {HOOK_KINDS, isHookKind, parseHookEvent, renderHookOutput} from '../../../integrations/hook-protocol.js'
import {AGENT_TOOLS, isAgentTool} from '../../../model/names.js'
import {quoteInput} from '../../../model/text.js'
import {runAgentHook, type HookResult} from '../../../services/agent-hooks.js'
import {defineCommand} from '../../definition.js'

// `relay hook <tool> <kind>`: the one entry point of every lifecycle hook `trail init --<tool>` installs. It reads
// the tool's JSON payload on stdin, does what the event calls for, and prints what the tool expects; whatever goes
// wrong is a warning on stderr and the exit code is 0, so a hook never breaks the agent.

interface HookRun {
  tool: (typeof AGENT_TOOLS)[number]
  kind: (typeof HOOK_KINDS)[number]
  result: HookResult
}

export const hook = defineCommand({
  bin: 'relay',
  name: 'hook',
  summary: 'Run a lifecycle hook of an agent tool (installed by trail init --claude|--codex|--gemini|--cursor)',
  description:
    "Reads the tool's hook payload (JSON) on stdin and does what the event calls for: session-start loads the " +
    'context, prompt starts a trajectory from the first prompt, response and stop read what the agent printed and ' +
    'answer its ->continuity:load and search requests, stop also asks once for trail complete after [[SESSION_END]], ' +
    'pre-compact saves the ledger from the latest [[SUMMARY]], session-end reads what is left. Prints the answer ' +
    "in the tool's own JSON. Always exits 0: problems are warnings on stderr.",
  examples: ['relay hook claude session-start < payload.json', 'relay hook cursor stop < payload.json'],
  args: [
    {name: 'tool', description: `the agent tool: ${AGENT_TOOLS.join(', ')}`, required: true},
    {name: 'kind', description: `the event: ${HOOK_KINDS.join(', ')}`, required: true},
  ],
  flags: {},
  json: false,
  run: async (ctx, {args}, io): Promise<HookRun> => {
    const tool = args.tool ?? ''
    const kind = args.kind ?? ''
    if (!isAgentTool(tool)) throw new UsageError(`unknown agent tool '${quoteInput(tool)}'`, `one of: ${AGENT_TOOLS.join(', ')}`)
    if (!isHookKind(kind)) throw new UsageError(`unknown hook '${quoteInput(kind)}'`, `one of: ${HOOK_KINDS.join(', ')}`)
    const {event, problem} = parseHookEvent(tool, kind, io.stdinIsTTY ? '' : await io.readStdin())
    if (problem) ctx.warn(`relay hook ${tool} ${kind}: ${problem}`)
    return {tool, kind, result: await runAgentHook(ctx, event)}
  },
  text: ({tool, kind, result}) => renderHookOutput(tool, kind, result.answer),
  exitCode: () => 0,
})
