import {shellComplete} from '../definitions/relay/completion.js'
import {runHot, type AnyDefinition} from '../hot.js'

// The entry of dist/hot-relay-complete.cjs: `__complete`, run at every TAB of the completion scripts (see ../hot-relay.ts).

export const COMMANDS: readonly AnyDefinition[] = [shellComplete]

/** Runs `argv` if it names one of these commands; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(COMMANDS, 'relay', argv)
}
