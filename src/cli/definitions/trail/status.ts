import {resolveAgentName} from '../../../model/names.js'
import {statusJson, statusText} from '../../../render/trajectory.js'
import {trajectoryStatus} from '../../../services/trajectories.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const status = defineCommand({
  bin: 'trail',
  name: 'status',
  summary: 'Show the active trajectory and its decisions',
  description: 'Exits 0 with a message when the agent has no active trajectory.',
  examples: ['trail status', 'trail status --agent Designer --json'],
  args: [],
  flags: {...AGENT_FLAG},
  json: true,
  run: (ctx, {flags}) => trajectoryStatus(ctx, resolveAgentName(flags.agent, ctx.env)),
  text: statusText,
  toJson: statusJson,
})
