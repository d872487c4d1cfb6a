import {parseAgentName} from '../../../model/names.js'
import {SEARCH_KINDS, type SearchKind} from '../../../model/kinds.js'
import {parseCount, parseSince} from '../../../model/time.js'
import {searchJson, searchText} from '../../../render/search.js'
import {regexTimeoutMs, searchEverywhere} from '../../../services/search.js'
import {defineCommand} from '../../definition.js'

export const search = defineCommand({
  bin: 'relay',
  name: 'search',
  summary: 'Search the records of this project and every synced sibling',
  description:
    'git grep over each store, hits grouped by record with its kind, project, agent, date and matching lines, ranked ' +
    'by matches and recency. The query is literal text (a leading "-", regex characters, non-ASCII all as written) ' +
    'unless --regex.',
  examples: [
    'relay search "rate limit"',
    'relay search JWT --kind handoff --agent claude',
    'relay search -- --help',
    'relay search "auth.*token" --regex --project backend',
  ],
  args: [{name: 'query', description: 'the text to find', required: true}],
  flags: {
    kind: {type: 'string', options: SEARCH_KINDS, multiple: true, description: 'only records of this kind (repeatable)', helpValue: '<kind>'},
    agent: {type: 'string', description: "only this agent's records", helpValue: '<name>'},
    project: {type: 'string', description: 'only this project (its id, or its sibling name)', helpValue: '<id>'},
    since: {type: 'string', description: 'only records since (2026-11-01, 3d, 12h, yesterday)', helpValue: '<date>'},
    limit: {type: 'string', description: 'how many records (default 20)', helpValue: '<n>'},
    regex: {type: 'boolean', description: 'the query is an extended regular expression'},
    timeout: {
      type: 'string',
      description: 'with --regex: stop after this many seconds (default: git config relay.searchTimeout, else 10)',
      helpValue: '<seconds>',
    },
  },
  json: true,
  run: async (ctx, {args, flags}) => ({
    query: args.query!,
    result: await searchEverywhere(ctx, {
      text: args.query!,
      regex: flags.regex,
      kinds: flags.kind as SearchKind[],
      ...(flags.agent === undefined ? {} : {agent: parseAgentName(flags.agent)}),
      ...(flags.project === undefined ? {} : {project: flags.project}),
      ...(flags.since === undefined ? {} : {since: parseSince(flags.since, ctx.now())}),
      timeoutMs: await regexTimeoutMs(ctx, flags.regex, flags.timeout),
      limit: flags.limit === undefined ? 20 : parseCount(flags.limit, '--limit'),
    }),
  }),
  text: ({query, result}, style) => searchText(query, result, style),
  toJson: ({query, result}) => searchJson(query, result),
})
