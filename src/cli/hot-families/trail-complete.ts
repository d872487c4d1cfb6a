import {shellComplete} from '../definitions/trail/completion.js'
import {runHot, type AnyDefinition} from '../hot.js'
import {normaliseTrailArgv} from '../incumbent-argv.js'

// The entry of dist/hot-trail-complete.cjs: `__complete`, run at every TAB of the completion scripts (see ../hot-trail.ts).

export const COMMANDS: readonly AnyDefinition[] = [shellComplete]

/** Runs `argv` if it names one of these commands; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(COMMANDS, 'trail', normaliseTrailArgv(argv, process.env))
}
