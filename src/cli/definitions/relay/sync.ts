import {siblingSyncJson, siblingSyncText} from '../../../render/messages.js'
import {syncSiblings} from '../../../services/sibling-sync.js'
import {defineCommand} from '../../definition.js'

export const sync = defineCommand({
  bin: 'relay',
  name: 'sync',
  summary: 'Fetch every sibling\'s records, and show what arrived',
  description:
    'Fetches each sibling\'s refs/trail/records into refs/trail/siblings/<name>/records with git fetch. A sibling that ' +
    'fails (missing, not a repository, unreachable) is reported and the others go on; the exit code is 1 when one ' +
    'failed. --offline fetches nothing and reports what was fetched before.',
  examples: ['relay sync', 'relay sync --offline --json'],
  args: [],
  flags: {offline: {type: 'boolean', description: 'fetch nothing; report what is here'}},
  json: true,
  run: (ctx, {flags}) => syncSiblings(ctx, {offline: flags.offline}),
  text: siblingSyncText,
  toJson: (reports) => reports.map(siblingSyncJson),
  exitCode: (reports) => (reports.some((report) => report.status === 'failed') ? 1 : 0),
})
