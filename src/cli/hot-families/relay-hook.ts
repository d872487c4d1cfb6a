import {hook} from '../definitions/relay/hook.js'
import {runHot, type AnyDefinition} from '../hot.js'

// The entry of dist/hot-relay-hook.cjs: `relay hook`, run at every turn and every edit of every hooked agent session (see ../hot-relay.ts).

export const COMMANDS: readonly AnyDefinition[] = [hook]

/**
 * Runs `argv` if it names one of these commands; false lets oclif take it. `stdinText`: standard input, read by the
 * edit hook's bundle that hands over what it does not answer (./hot-families/relay-pre-edit.ts).
 */
export function run(argv: readonly string[], stdinText?: string): Promise<boolean> {
  return runHot(COMMANDS, 'relay', argv, stdinText)
}
