import {list} from '../definitions/trail/list.js'
import {show} from '../definitions/trail/show.js'
import {exportCommand} from '../definitions/trail/export.js'
import {runHot, type AnyDefinition} from '../hot.js'
import {normaliseTrailArgv} from '../incumbent-argv.js'

// The entry of dist/hot-trail-reads.cjs: the store's reads (see ../hot-trail.ts).

export const COMMANDS: readonly AnyDefinition[] = [list, show, exportCommand]

/** Runs `argv` if it names one of these commands; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(COMMANDS, 'trail', normaliseTrailArgv(argv, process.env))
}
