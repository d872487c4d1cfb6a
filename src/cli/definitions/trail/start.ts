import {resolveAgentName} from '../../../model/names.js'
import {parseTaskUrl, parseTitle} from '../../../model/trajectory.js'
import {startText, trajectoryJson} from '../../../render/trajectory.js'
import {startTrajectory} from '../../../services/trajectories.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'
import {PDERO_PHASES} from '../../../model/agent-trajectories.js'
import {parsePhase} from './phase.js'

export const start = defineCommand({
  bin: 'trail',
  name: 'start',
  summary: 'Start a trajectory: the record of one unit of work',
  description:
    'Each agent has at most one active trajectory; decisions, completion and abandonment apply to it. ' +
    "Agents sharing a repository (or its worktrees) never write into each other's trajectories.",
  examples: ['trail start "Implement user authentication"', 'trail start "Fix login bug" --task "agent-relay-123"'],
  args: [{name: 'title', description: 'what the work is, in a short line', required: true}],
  flags: {
    task: {type: 'string', char: 't', description: 'the id of the external task (ticket, issue, beads id)', helpValue: '<id>'},
    'task-id': {type: 'string', description: "the same as --task (agent-relay's spelling)", helpValue: '<id>'},
    source: {type: 'string', char: 's', description: 'the system the task lives in (github, jira, beads...)', helpValue: '<system>'},
    url: {type: 'string', description: 'a link to the task', helpValue: '<url>'},
    phase: {type: 'string', description: `the PDERO phase it starts in (${PDERO_PHASES.join(', ')})`, helpValue: '<phase>'},
    project: {type: 'string', char: 'p', description: 'the project it belongs to (default: $TRAJECTORIES_PROJECT)', helpValue: '<id>'},
    workflow: {type: 'string', char: 'w', description: 'the workflow run it belongs to (default: $TRAJECTORIES_WORKFLOW_ID)', helpValue: '<id>'},
    agent: {...AGENT_FLAG.agent, char: 'a'},
    quiet: {type: 'boolean', char: 'q', description: "print only the new trajectory's id"},
  },
  json: true,
  run: (ctx, {args, flags}) => {
    const task = flags.task ?? flags['task-id']
    const project = flags.project ?? nonEmpty(ctx.env.TRAJECTORIES_PROJECT)
    const workflow = flags.workflow ?? nonEmpty(ctx.env.TRAJECTORIES_WORKFLOW_ID)
    return startTrajectory(ctx, {
      agent: resolveAgentName(flags.agent, ctx.env),
      title: parseTitle(args.title!),
      task: task === undefined ? undefined : parseTitle(task, 'task', 'trail start "Fix login bug" --task agent-relay-123'),
      source: flags.source === undefined ? undefined : parseTitle(flags.source, 'source', 'trail start "Fix login bug" --task 123 --source jira'),
      url: flags.url === undefined ? undefined : parseTaskUrl(flags.url),
      phase: flags.phase === undefined ? undefined : parsePhase(flags.phase),
      project: project === undefined ? undefined : parseTitle(project, 'project'),
      workflow: workflow === undefined ? undefined : parseTitle(workflow, 'workflow'),
    })
  },
  text: (trajectory, style, {flags}) => (flags.quiet ? `${trajectory.id}\n` : startText(trajectory, style)),
  toJson: trajectoryJson,
})

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
