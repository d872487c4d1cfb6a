import {ingest} from '../definitions/relay/ingest.js'
import {runHot, type AnyDefinition} from '../hot.js'

// The entry of dist/hot-relay-ingest.cjs: `relay ingest` (see ../hot-relay.ts).

export const COMMANDS: readonly AnyDefinition[] = [ingest]

/** Runs `argv` if it names one of these commands; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(COMMANDS, 'relay', argv)
}
