import {realpathSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {initJson, initText} from '../../../render/setup.js'
import {pushSetupText} from '../../../render/sync.js'
import {installAgentsMd, installClaude, type InstalledFile} from '../../../services/agent-setup.js'
import {initStore} from '../../../services/setup.js'
import {configurePush, fetchRemoteStoreIfNew} from '../../../services/sync.js'
import {defineCommand} from '../../definition.js'

export const init = defineCommand({
  bin: 'trail',
  name: 'init',
  summary: 'Set up the record store in this repository (and, when asked, the agent hooks)',
  description:
    'Creates refs/trail/records with its first commit (on a new clone, adopts the remote\'s records instead), mirrors the records into .trail/ and .relay/, and lists ' +
    'those folders in .git/info/exclude. Every write command does this silently on first use; init is for doing ' +
    'it explicitly. --claude adds Claude Code hooks to .claude/settings.json (SessionStart loads the context, ' +
    'Stop and SessionEnd ingest the transcript) and the agent instructions to CLAUDE.md; --agents adds the ' +
    'instructions to AGENTS.md. --push makes plain git fetch and git push carry the records. Existing settings ' +
    'and text are kept. Running it again changes nothing in place.',
  examples: ['trail init', 'trail init --claude', 'trail init --agents', 'trail init --push'],
  args: [],
  flags: {
    claude: {type: 'boolean', description: 'install the Claude Code hooks and the instructions in CLAUDE.md'},
    agents: {type: 'boolean', description: 'install the agent instructions in AGENTS.md'},
    push: {type: 'boolean', description: 'make plain git fetch and git push carry the records with the remote'},
    remote: {type: 'string', description: 'the remote a new clone adopts the records of, and --push configures (default: origin)', helpValue: '<name>'},
  },
  json: true,
  run: async (ctx, {flags}) => {
    const remote = flags.remote ?? 'origin'
    const push = flags.push ? await configurePush(ctx, remote) : null
    // A new clone looks for the remote's records before it makes a first commit of its own.
    const adopting = await fetchRemoteStoreIfNew(ctx, remote)
    const store = await initStore(ctx)
    const installed: InstalledFile[] = []
    if (flags.claude) installed.push(...(await installClaude(ctx, relayCommand())))
    if (flags.agents) installed.push(...(await installAgentsMd(ctx)))
    return {store, adopted: adopting ? remote : null, installed, push}
  },
  text: ({store, adopted, installed, push}, style) =>
    (adopted ? `Adopted the records of ${adopted}.\n` : '') +
    initText(store, style) +
    installed.map((file) => `${file.action === 'unchanged' ? 'Already in place' : file.action === 'created' ? 'Created' : 'Updated'}: ${file.path}\n`).join('') +
    (push ? pushSetupText(push) : ''),
  toJson: ({store, adopted, installed, push}) => ({...initJson(store), adopted, installed, push}),
})

/**
 * How the hooks start relay: "relay" when that name on PATH is this installation's, else this installation's
 * executable by its full path (a clone used without npm link).
 */
function relayCommand(): string {
  const ours = realpathOf(join(dirname(realpathOf(process.argv[1] ?? '')), 'relay.cjs'))
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    if (realpathOf(join(dir, 'relay')) === ours) return 'relay'
  }
  return `node "${ours}"`
}

function realpathOf(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}
