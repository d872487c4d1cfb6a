import {resolveAgentName} from '../../../model/names.js'
import {detailHtml, detailJson, detailMarkdown, detailTimeline} from '../../../render/trajectory.js'
import {exportTrajectory} from '../../../services/trajectories.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const EXPORT_FORMATS = ['md', 'json', 'html', 'timeline'] as const

export const exportCommand = defineCommand({
  bin: 'trail',
  name: 'export',
  summary: 'Export a trajectory as Markdown, JSON, HTML or a timeline',
  description: 'Without an id: the agent\'s active trajectory, else its most recent one.',
  examples: ['trail export --format md', 'trail export traj_01jd2k --format html --output trajectory.html', 'trail export 01jd2k --format timeline'],
  args: [{name: 'id', description: 'the trajectory id or a unique prefix (default: the agent\'s current or latest)'}],
  flags: {
    format: {type: 'string', options: EXPORT_FORMATS, description: 'md (default), json, html or timeline', helpValue: '<format>'},
    output: {type: 'string', char: 'o', description: 'write to this file instead of stdout (never inside .git, never through a link)', helpValue: '<file>'},
    'follow-symlinks': {type: 'boolean', description: 'when --output names a symbolic link, write to the file it points at'},
    ...AGENT_FLAG,
  },
  json: false,
  run: (ctx, {args, flags}) => exportTrajectory(ctx, {id: args.id, agent: resolveAgentName(flags.agent, ctx.env)}),
  text: (detail, _style, {flags}) => {
    switch (flags.format ?? 'md') {
      case 'json':
        return `${JSON.stringify(detailJson(detail), null, 2)}\n`
      case 'html':
        return detailHtml(detail)
      case 'timeline':
        return detailTimeline(detail)
      default:
        return detailMarkdown(detail)
    }
  },
})
