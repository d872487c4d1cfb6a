import {ingest} from '../definitions/relay/ingest.js'
import {runHot, type AnyDefinition, type Client} from '../hot.js'

// The entry of dist/hot-relay-ingest.cjs: `relay ingest` (see ../hot-relay.ts).

export const COMMANDS: readonly AnyDefinition[] = [ingest]

/**
 * Runs `argv` if it names one of these commands; false lets oclif take it. `client`: the process it runs for, when
 * the write server runs it (bin/write-server.cjs; never with --follow, which runs until interrupted).
 */
export function run(argv: readonly string[], client?: Client): Promise<boolean> {
  return runHot(COMMANDS, 'relay', argv, undefined, client)
}
