import {resolveAgentName} from '../../../model/names.js'
import {parseTitle} from '../../../model/trajectory.js'
import {ledgerJson, uncertainText} from '../../../render/continuity.js'
import {markUncertain} from '../../../services/continuity.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const continuityUncertain = defineCommand({
  bin: 'relay',
  name: 'continuity uncertain',
  summary: 'Mark an item to verify in a later session',
  description: 'Shown by `relay continuity load` until a save that mentions "Uncertain:" replaces the list. Works with no ledger yet.',
  examples: ['relay continuity uncertain "API rate limit handling unclear"'],
  args: [{name: 'text', description: 'what needs verifying', required: true}],
  flags: {...AGENT_FLAG},
  json: true,
  run: (ctx, {args, flags}) =>
    markUncertain(ctx, {
      agent: resolveAgentName(flags.agent, ctx.env),
      text: parseTitle(args.text!, 'uncertain item', 'relay continuity uncertain "API rate limit handling unclear"'),
    }),
  text: uncertainText,
  toJson: ledgerJson,
})
