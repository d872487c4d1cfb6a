import {decisionsText, detailJson, detailText, traceText} from '../../../render/trajectory.js'
import {showTrajectory} from '../../../services/trajectories.js'
import {defineCommand} from '../../definition.js'

export const show = defineCommand({
  bin: 'trail',
  name: 'show',
  summary: 'Show a trajectory: its facts, decisions and retrospective',
  description: 'The id can be a unique prefix, or the id a trajectory had in agent-trajectories before trail import.',
  examples: ['trail show traj_01jd2k3m4n5p6q7r8s9t0v1w2x', 'trail show 01jd2k3m --json', 'trail show traj_abc123def456 --decisions'],
  args: [{name: 'id', description: 'the trajectory id, or a unique prefix of it', required: true}],
  flags: {
    decisions: {type: 'boolean', char: 'd', description: 'only the decisions (those without reasoning too)'},
    trace: {type: 'boolean', char: 't', description: 'only the trace information kept from agent-trajectories (commits, code attribution)'},
  },
  json: true,
  run: (ctx, {args}) => showTrajectory(ctx, args.id!),
  text: (detail, style, {flags}) => (flags.trace ? traceText(detail) : flags.decisions ? decisionsText(detail, style) : detailText(detail, style)),
  toJson: detailJson,
})
