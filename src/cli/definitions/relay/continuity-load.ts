import {resolveAgentName} from '../../../model/names.js'
import {parseCount} from '../../../model/time.js'
import {UsageError} from '../../../errors.js'
import {DEFAULT_CONTEXT_CHARS, MIN_CONTEXT_CHARS, renderContext} from '../../../render/continuity.js'
import {loadContext} from '../../../services/continuity.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const continuityLoad = defineCommand({
  bin: 'relay',
  name: 'continuity load',
  summary: 'Print the startup context of the agent, as Markdown',
  description:
    'The ledger, the items to verify, the active trajectory and its latest decisions, and the newest handoff. Within ' +
    `--max-chars (default ${DEFAULT_CONTEXT_CHARS}; 0 for no limit) the least important parts are left out first, ` +
    'and a last line says which. Made for a SessionStart hook: its output reaches the agent.',
  examples: ['relay continuity load', 'relay continuity load --max-chars 2000 --agent Designer'],
  args: [],
  flags: {
    'max-chars': {type: 'string', description: `the size budget in characters (default ${DEFAULT_CONTEXT_CHARS}; 0: none)`, helpValue: '<n>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: async (ctx, {flags}) => {
    const maxChars = flags['max-chars'] === undefined ? DEFAULT_CONTEXT_CHARS : parseCount(flags['max-chars'], '--max-chars', 0)
    if (maxChars > 0 && maxChars < MIN_CONTEXT_CHARS)
      throw new UsageError(
        `--max-chars must be 0 (no limit) or at least ${MIN_CONTEXT_CHARS}, got ${maxChars}`,
        'the context needs room for a heading and the line that says what was left out',
      )
    const context = await loadContext(ctx, resolveAgentName(flags.agent, ctx.env))
    return {context, rendered: renderContext(context, maxChars)}
  },
  text: (result) => result.rendered.markdown,
  toJson: (result) => ({agent: result.context.agent, markdown: result.rendered.markdown, omitted: result.rendered.omitted}),
})
