import {actor} from './actor.js'
import {parseText} from '../../../model/trajectory.js'
import {finishText, trajectoryJson} from '../../../render/trajectory.js'
import {abandonTrajectory} from '../../../services/trajectories.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const abandon = defineCommand({
  bin: 'trail',
  name: 'abandon',
  summary: 'Stop the active trajectory without completing it',
  examples: ['trail abandon --reason "Blocked by missing API credentials"'],
  args: [],
  flags: {
    reason: {type: 'string', char: 'r', description: 'why the work stopped', helpValue: '<text>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: (ctx, {flags}) =>
    abandonTrajectory(ctx, {
      ...actor(flags.agent, ctx.env),
      reason: flags.reason === undefined ? undefined : parseText(flags.reason, 'reason'),
    }),
  text: finishText,
  toJson: (result) => ({...trajectoryJson(result.trajectory), decisionCount: result.eventCount}),
})
