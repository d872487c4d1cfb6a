import {resolveAgentName} from '../../../model/names.js'
import {printableLine} from '../../../render/style.js'
import {resumeTrajectory} from '../../../services/trajectory-resume.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const resume = defineCommand({
  bin: 'trail',
  name: 'resume',
  summary: 'Adopt an active trajectory that another agent (an earlier session) left open',
  description:
    'Makes the trajectory the active trajectory of this agent: its marker moves from the agent that held it, in one ' +
    'commit. A trajectory this agent had started and not used yet (no decisions) is abandoned in its place; one with ' +
    'decisions must be finished first (exit 3). Sessions started by hooks act as <tool>-<session>, so a new session ' +
    'uses this to continue the work an earlier session left open.',
  examples: ['trail resume traj_01k2m3', 'trail resume traj_01k2m3 --agent claude-7b1e0042'],
  args: [{name: 'id', description: 'the trajectory id, or a unique prefix of it', required: true}],
  flags: {...AGENT_FLAG},
  json: true,
  run: (ctx, {args, flags}) => resumeTrajectory(ctx, {agent: resolveAgentName(flags.agent, ctx.env), id: args.id!}),
  text: ({trajectory, from, replaced}) =>
    from === trajectory.agent
      ? `Trajectory ${printableLine(trajectory.id)} "${printableLine(trajectory.title)}" is already yours (${trajectory.agent}).\n`
      : `Resumed ${printableLine(trajectory.id)} "${printableLine(trajectory.title)}" as ${trajectory.agent} (it was ${from}'s).\n` +
        (replaced ? `Abandoned ${printableLine(replaced.id)} "${printableLine(replaced.title)}", which had no decisions, in its place.\n` : ''),
  toJson: ({trajectory, from, replaced}) => ({id: trajectory.id, title: trajectory.title, agent: trajectory.agent, from, replaced: replaced?.id ?? null}),
})
