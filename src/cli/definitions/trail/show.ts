import {detailJson, detailText} from '../../../render/trajectory.js'
import {showTrajectory} from '../../../services/trajectories.js'
import {defineCommand} from '../../definition.js'

export const show = defineCommand({
  bin: 'trail',
  name: 'show',
  summary: 'Show a trajectory: its facts, decisions and retrospective',
  examples: ['trail show traj_01jd2k3m4n5p6q7r8s9t0v1w2x', 'trail show 01jd2k3m --json'],
  args: [{name: 'id', description: 'the trajectory id, or a unique prefix of it', required: true}],
  flags: {},
  json: true,
  run: (ctx, {args}) => showTrajectory(ctx, args.id!),
  text: detailText,
  toJson: detailJson,
})
