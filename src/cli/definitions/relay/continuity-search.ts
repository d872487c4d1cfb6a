import {parseAgentName} from '../../../model/names.js'
import {CONTINUITY_KINDS} from '../../../model/results.js'
import {parseCount, parseSince} from '../../../model/time.js'
import {searchJson, searchText} from '../../../render/search.js'
import {regexTimeoutMs, searchRecords} from '../../../services/search.js'
import {defineCommand} from '../../definition.js'

export const continuitySearch = defineCommand({
  bin: 'relay',
  name: 'continuity search',
  summary: 'Search ledgers, handoffs, summaries and trajectories',
  description:
    'git grep over the records on refs/trail/records (file references included), ranked by the number of matching ' +
    'lines and by recency. The query is literal text; --regex makes it an extended regular expression.',
  examples: ['relay continuity search "authentication patterns"', 'relay continuity search jwt.ts --agent claude --since 7d --json'],
  args: [{name: 'query', description: 'the text to find', required: true}],
  flags: {
    agent: {type: 'string', description: "only this agent's records", helpValue: '<name>'},
    since: {type: 'string', description: 'only records since (2026-11-01, 3d, 12h, yesterday)', helpValue: '<date>'},
    limit: {type: 'string', description: 'how many records (default 10)', helpValue: '<n>'},
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
    result: await searchRecords(ctx, {
      text: args.query!,
      regex: flags.regex,
      kinds: CONTINUITY_KINDS,
      agent: flags.agent === undefined ? undefined : parseAgentName(flags.agent),
      since: flags.since === undefined ? undefined : parseSince(flags.since, ctx.now()),
      timeoutMs: await regexTimeoutMs(ctx, flags.regex, flags.timeout),
      limit: flags.limit === undefined ? 10 : parseCount(flags.limit, '--limit'),
    }),
  }),
  text: ({query, result}, style) => searchText(query, result, style),
  toJson: ({query, result}) => searchJson(query, result),
})
