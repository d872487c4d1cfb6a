import {parseAgentName} from '../../../model/names.js'
import {parseCount, parseSince} from '../../../model/time.js'
import {TRAJECTORY_STATUSES, type TrajectoryStatus} from '../../../model/trajectory.js'
import {listEmptyText, listFooter, listJson, listText} from '../../../render/trajectory.js'
import {listTrajectories} from '../../../services/trajectories.js'
import {defineCommand} from '../../definition.js'

export const DEFAULT_LIMIT = 30

export const list = defineCommand({
  bin: 'trail',
  name: 'list',
  summary: 'List trajectories, newest first',
  description:
    `Shows ${DEFAULT_LIMIT} per page; when more match, a line on stderr says how many and how to see the next page. ` +
    'On a terminal the output is a table; into a pipe, tab-separated fields: id, status, agent, started, confidence, title.',
  examples: ['trail list', 'trail list --status active', 'trail list --agent claude --since 7d --limit 100', 'trail list --page 2 --json'],
  args: [],
  flags: {
    status: {type: 'string', char: 's', options: TRAJECTORY_STATUSES, description: 'only trajectories with this status', helpValue: '<status>'},
    search: {type: 'string', description: 'only trajectories whose title or id contains this text (any case)', helpValue: '<text>'},
    agent: {type: 'string', description: "only this agent's trajectories", helpValue: '<name>'},
    since: {type: 'string', description: 'only those started since (2026-11-01, 3d, 12h, yesterday)', helpValue: '<date>'},
    limit: {type: 'string', char: 'l', description: `how many per page (default ${DEFAULT_LIMIT})`, helpValue: '<n>'},
    page: {type: 'string', description: 'which page (default 1)', helpValue: '<n>'},
  },
  json: true,
  run: (ctx, {flags}) =>
    listTrajectories(ctx, {
      search: flags.search === undefined || flags.search === '' ? undefined : flags.search,
      status: flags.status as TrajectoryStatus | undefined,
      agent: flags.agent === undefined ? undefined : parseAgentName(flags.agent),
      since: flags.since === undefined ? undefined : parseSince(flags.since, ctx.now()),
      limit: flags.limit === undefined ? DEFAULT_LIMIT : parseCount(flags.limit, '--limit'),
      page: flags.page === undefined ? 1 : parseCount(flags.page, '--page'),
    }),
  text: listText,
  toJson: listJson,
  note: (result, {flags}) =>
    result.legacyFolders
      ? `no trajectories yet, but agent-trajectories history is in ${result.legacyFolders.join(', ')}: import it with: trail import`
      : listFooter(result, (page) => nextPageCommand(flags, page)),
  emptyText: (_result, {flags}) => listEmptyText(flags),
})

/** `trail list` with the same filters and another page, quoted where a shell needs it. */
function nextPageCommand(flags: Record<string, unknown>, page: number): string {
  const words = ['trail', 'list']
  for (const name of ['search', 'status', 'agent', 'since', 'limit'] as const) {
    const value = flags[name]
    if (typeof value === 'string') words.push(`--${name}`, /^[\w.:@/-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`)
  }
  return [...words, '--page', String(page)].join(' ')
}
