import {UsageError} from '../../../errors.js'
import {toAgentTrajectory} from '../../../model/agent-trajectories.js'
import {resolveAgentName} from '../../../model/names.js'
import type {TrajectoryDetail} from '../../../model/results.js'
import {detailHtml, detailJson, detailMarkdown, detailTimeline} from '../../../render/trajectory.js'
import {exportTrajectory} from '../../../services/trajectories.js'
import type {ProjectionResult} from '../../../services/trajectories-projection.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

/** `markdown` is agent-trajectories' name for md; `agent-trajectories` is its trajectory JSON. */
export const EXPORT_FORMATS = ['md', 'markdown', 'json', 'html', 'timeline', 'agent-trajectories'] as const

type ExportResult = {detail: TrajectoryDetail} | {projection: ProjectionResult}

export const exportCommand = defineCommand({
  bin: 'trail',
  name: 'export',
  summary: "Export a trajectory as Markdown, JSON, HTML, a timeline or agent-trajectories' JSON",
  description:
    "Without an id: the agent's active trajectory, else its most recent one. --format agent-trajectories prints the " +
    "trajectory as agent-trajectories' own JSON; with --all, every trajectory is written into $TRAJECTORIES_DATA_DIR " +
    '(or --data-dir) in the layout agent-relay reads, and its index.json is rebuilt.',
  examples: [
    'trail export --format md',
    'trail export traj_01jd2k --format html --output trajectory.html',
    'trail export 01jd2k --format timeline',
    'trail export traj_abc123def456 --format agent-trajectories',
    'trail export --format agent-trajectories --all --data-dir ~/.config/agent-relay/trajectories/x',
  ],
  args: [{name: 'id', description: "the trajectory id or a unique prefix (default: the agent's current or latest)"}],
  flags: {
    format: {
      type: 'string',
      char: 'f',
      options: EXPORT_FORMATS,
      description: 'md (default), json, html, timeline or agent-trajectories',
      helpValue: '<format>',
    },
    output: {type: 'string', char: 'o', description: 'write to this file instead of stdout (never inside .git, never through a link)', helpValue: '<file>'},
    'follow-symlinks': {type: 'boolean', description: 'when --output names a symbolic link, write to the file it points at'},
    all: {type: 'boolean', description: 'with --format agent-trajectories: every trajectory, into $TRAJECTORIES_DATA_DIR'},
    open: {type: 'boolean', description: "agent-trajectories' flag: refused (write the file with --output and open it)"},
    ...AGENT_FLAG,
  },
  json: false,
  run: async (ctx, {args, flags}): Promise<ExportResult> => {
    if (flags.open) {
      throw new UsageError(
        'trail export --open is not supported: relay-trail never starts a browser',
        'write the page and open it yourself: trail export <id> --format html --output trajectory.html',
      )
    }
    if (flags.all) {
      const dir = ctx.env.TRAJECTORIES_DATA_DIR
      if (flags.format !== 'agent-trajectories' || args.id !== undefined)
        throw new UsageError('--all goes with --format agent-trajectories and no id', 'trail export --format agent-trajectories --all --data-dir <folder>')
      if (dir === undefined || dir === '')
        throw new UsageError(
          '--all writes into the agent-trajectories data folder, and none is set',
          'name it: trail export --format agent-trajectories --all --data-dir <folder> (or set TRAJECTORIES_DATA_DIR)',
        )
      const {projectAll} = await import('../../../services/trajectories-projection.js')
      return {projection: await projectAll(ctx, dir)}
    }
    return {detail: await exportTrajectory(ctx, {id: args.id, agent: resolveAgentName(flags.agent, ctx.env)})}
  },
  text: (result, _style, {flags}) => {
    if ('projection' in result) return `wrote ${result.projection.written} trajectories and index.json into ${result.projection.dir}\n`
    const detail = result.detail
    switch (flags.format ?? 'md') {
      case 'json':
        return `${JSON.stringify(detailJson(detail), null, 2)}\n`
      case 'agent-trajectories':
        return `${JSON.stringify(toAgentTrajectory(detail.trajectory, detail.events), null, 2)}\n`
      case 'html':
        return detailHtml(detail)
      case 'timeline':
        return detailTimeline(detail)
      default:
        return detailMarkdown(detail)
    }
  },
})
