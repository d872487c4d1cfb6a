import {UsageError} from '../../../errors.js'
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
  flags: {
    ...AGENT_FLAG,
    verbose: {type: 'boolean', char: 'v', description: "agent-trajectories' flag: refused, with the commands that report unreadable files"},
  },
  json: true,
  run: (ctx, {flags}) => {
    if (flags.verbose) {
      throw new UsageError(
        "trail status --verbose is agent-trajectories' flag",
        'records that cannot be read are listed by: trail doctor; old agent-trajectories files that do not load by: trail import --dry-run',
      )
    }
    return trajectoryStatus(ctx, resolveAgentName(flags.agent, ctx.env))
  },
  text: statusText,
  toJson: statusJson,
})
