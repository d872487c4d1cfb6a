import {sync} from '../definitions/relay/sync.js'
import {runHot, type AnyDefinition} from '../hot.js'

// The entry of dist/hot-relay-sync.cjs: `relay sync`, run at the start of every session (see ../hot-relay.ts).

export const COMMANDS: readonly AnyDefinition[] = [sync]

/** Runs `argv` if it names one of these commands; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(COMMANDS, 'relay', argv)
}
