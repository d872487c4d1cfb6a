import {siblingSyncJson, siblingSyncText} from '../../../render/messages.js'
import {syncSiblings} from '../../../services/sibling-sync.js'
import {parseTimeoutSeconds} from '../../../model/timeouts.js'
import {defineCommand} from '../../definition.js'

export const sync = defineCommand({
  bin: 'relay',
  name: 'sync',
  summary: "Fetch every sibling's records, and show what arrived",
  description:
    "Fetches each sibling's refs/trail/records into refs/trail/siblings/<name>/records with git fetch. A sibling that " +
    'fails (missing, not a repository, unreachable, or not done within --timeout) is reported and the others ' +
    'go on; the exit code is 1 when one failed. --offline fetches nothing and reports what was fetched before.',
  examples: ['relay sync', 'relay sync --timeout 20', 'relay sync --offline --json'],
  args: [],
  flags: {
    offline: {type: 'boolean', description: 'fetch nothing; report what is here'},
    timeout: {
      type: 'string',
      description: "stop a sibling's fetch after this many seconds (default: git config relay.syncTimeout, else 60)",
      helpValue: '<seconds>',
    },
  },
  json: true,
  run: (ctx, {flags}) =>
    syncSiblings(ctx, {offline: flags.offline, ...(flags.timeout === undefined ? {} : {timeoutMs: parseTimeoutSeconds(flags.timeout, '--timeout')})}),
  text: siblingSyncText,
  toJson: (reports) => reports.map(siblingSyncJson),
  exitCode: (reports) => (reports.some((report) => report.status === 'failed') ? 1 : 0),
})
