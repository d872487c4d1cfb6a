import {continuityLoad} from './definitions/relay/continuity-load.js'
import {continuitySave} from './definitions/relay/continuity-save.js'
import {continuityUncertain} from './definitions/relay/continuity-uncertain.js'
import {hook} from './definitions/relay/hook.js'
import {inbox} from './definitions/relay/inbox.js'
import {ingest} from './definitions/relay/ingest.js'
import {search} from './definitions/relay/search.js'
import {send} from './definitions/relay/send.js'
import {sync} from './definitions/relay/sync.js'
import {thread} from './definitions/relay/thread.js'
import {shellComplete} from './definitions/relay/completion.js'
import {runHot, type AnyDefinition} from './hot.js'

// The entry of dist/hot-relay.cjs: `relay`'s hot commands. `relay sync` is one too: it runs at the start of
// every session, and through oclif its start-up alone (about 100 ms) cost more than the git fetch calls it makes
// for 10 siblings (bench/relay-commands.ts). `relay hook` runs at every turn of every hooked agent session. The
// reads (`inbox`, `thread`, `search`) too: through oclif they cost 115-190 ms whatever the store holds (issue 14).

// `__complete` answers every TAB of the completion scripts (../cli/complete.ts): it must not wait for oclif.
export const HOT_RELAY: readonly AnyDefinition[] = [
  continuitySave,
  continuityLoad,
  continuityUncertain,
  ingest,
  send,
  sync,
  hook,
  inbox,
  thread,
  search,
  shellComplete,
]

/** Runs `argv` if it names a hot `relay` command; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(HOT_RELAY, 'relay', argv)
}
