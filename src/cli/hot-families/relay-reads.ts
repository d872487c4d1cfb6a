import {inbox} from '../definitions/relay/inbox.js'
import {thread} from '../definitions/relay/thread.js'
import {search} from '../definitions/relay/search.js'
import {continuitySearch} from '../definitions/relay/continuity-search.js'
import {runHot, type AnyDefinition} from '../hot.js'

// The entry of dist/hot-relay-reads.cjs: the reads of messages and records, and the search of ledgers (see
// ../hot-relay.ts).

export const COMMANDS: readonly AnyDefinition[] = [inbox, thread, search, continuitySearch]

/** Runs `argv` if it names one of these commands; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(COMMANDS, 'relay', argv)
}
