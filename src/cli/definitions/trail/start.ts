import {resolveAgentName} from '../../../model/names.js'
import {parseTaskUrl, parseTitle} from '../../../model/trajectory.js'
import {startText, trajectoryJson} from '../../../render/trajectory.js'
import {startTrajectory} from '../../../services/trajectories.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const start = defineCommand({
  bin: 'trail',
  name: 'start',
  summary: 'Start a trajectory: the record of one unit of work',
  description:
    'Each agent has at most one active trajectory; decisions, completion and abandonment apply to it. ' +
    'Agents sharing a repository (or its worktrees) never write into each other\'s trajectories.',
  examples: ['trail start "Implement user authentication"', 'trail start "Fix login bug" --task "agent-relay-123"'],
  args: [{name: 'title', description: 'what the work is, in a short line', required: true}],
  flags: {
    task: {type: 'string', description: 'the id of the external task (ticket, issue, beads id)', helpValue: '<id>'},
    source: {type: 'string', description: 'the system the task lives in (github, jira, beads...)', helpValue: '<system>'},
    url: {type: 'string', description: 'a link to the task', helpValue: '<url>'},
    ...AGENT_FLAG,
    quiet: {type: 'boolean', char: 'q', description: 'print only the new trajectory\'s id'},
  },
  json: true,
  run: (ctx, {args, flags}) =>
    startTrajectory(ctx, {
      agent: resolveAgentName(flags.agent, ctx.env),
      title: parseTitle(args.title!),
      task: flags.task === undefined ? undefined : parseTitle(flags.task, 'task', 'trail start "Fix login bug" --task agent-relay-123'),
      source: flags.source === undefined ? undefined : parseTitle(flags.source, 'source', 'trail start "Fix login bug" --task 123 --source jira'),
      url: flags.url === undefined ? undefined : parseTaskUrl(flags.url),
    }),
  text: (trajectory, style, {flags}) => (flags.quiet ? `${trajectory.id}\n` : startText(trajectory, style)),
  toJson: trajectoryJson,
})
