import {COMMANDS as COMPLETE} from './hot-families/relay-complete.js'
import {COMMANDS as HOOK} from './hot-families/relay-hook.js'
import {COMMANDS as INGEST} from './hot-families/relay-ingest.js'
import {COMMANDS as LEDGER} from './hot-families/relay-ledger.js'
import {COMMANDS as READS} from './hot-families/relay-reads.js'
import {COMMANDS as SETUP} from './hot-families/relay-setup.js'
import {COMMANDS as SYNC} from './hot-families/relay-sync.js'
import {runHot, type AnyDefinition} from './hot.js'

// The entry of dist/hot-relay.cjs: every one of `relay`'s hot commands. `relay sync` is one: it runs at the start
// of every session, and through oclif its start-up alone (about 100 ms) cost more than the git fetch calls it makes
// for 10 siblings (bench/relay-commands.ts). `relay hook` runs at every turn of every hooked agent session. The
// reads (`inbox`, `thread`, `search`) too: through oclif they cost 115-190 ms whatever the store holds (issue 14).
// `__complete` answers every TAB of the completion scripts (../cli/complete.ts): it must not wait for oclif.
//
// A call whose command bin/fast-path.cjs can tell from argv loads only its family's bundle instead
// (./hot-families/*.ts, dist/hot-relay-<family>.cjs); this one serves the rest, exactly as a family's would, but for
// the servers (./hot-families/relay-serve.ts): the MCP SDK, zod and the dashboard would make this bundle 3.5 times
// larger for every call bin/fast-path.cjs cannot place, so such a call of a server goes on to oclif.

export const HOT_RELAY: readonly AnyDefinition[] = [...LEDGER, ...INGEST, ...SYNC, ...HOOK, ...READS, ...COMPLETE, ...SETUP]

/**
 * Runs `argv` if it names a hot `relay` command; false lets oclif take it. `stdinText`: standard input, read by the
 * edit hook's bundle that hands over what it does not answer (./hot-families/relay-pre-edit.ts).
 */
export function run(argv: readonly string[], stdinText?: string): Promise<boolean> {
  return runHot(HOT_RELAY, 'relay', argv, stdinText)
}
