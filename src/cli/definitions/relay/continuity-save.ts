import {UsageError} from '../../../errors.js'
import {resolveAgentName} from '../../../model/names.js'
import {saveJson, saveText} from '../../../render/continuity.js'
import {saveContinuity} from '../../../services/continuity.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const continuitySave = defineCommand({
  bin: 'relay',
  name: 'continuity save',
  summary: "Save the agent's continuity ledger (and, with --handoff, a handoff document)",
  description:
    'The content is the spec\'s free-form text, from the argument or stdin: "Current task:", "Completed:", "In progress:", ' +
    '"Next steps:", "Key decisions:", "Files:" (path:10-50 ranges), "Uncertain:", and "## Section" lists. Fields the ' +
    'save does not mention are kept; unknown fields are kept as text. --handoff also writes an immutable handoff ' +
    "document with the ledger, the items to verify, and the active trajectory's decisions.",
  examples: ['relay continuity save "Current task: Auth module\nNext steps: Logout endpoint"', 'relay continuity save --handoff < state.txt'],
  args: [{name: 'text', description: 'the content (default: stdin)'}],
  flags: {
    handoff: {type: 'boolean', description: 'also write a handoff document for the next session'},
    ...AGENT_FLAG,
  },
  json: true,
  run: async (ctx, {args, flags}, io) => {
    const agent = resolveAgentName(flags.agent, ctx.env)
    if (args.text === undefined && io.stdinIsTTY) {
      throw new UsageError(
        'nothing to save: give the content as an argument or on stdin',
        'relay continuity save "Current task: ..." or: echo "Current task: ..." | relay continuity save',
      )
    }
    const content = args.text ?? (await io.readStdin())
    return saveContinuity(ctx, {agent, content, handoff: flags.handoff})
  },
  text: (result) => saveText(result),
  toJson: saveJson,
})
