import {completion} from '../definitions/trail/completion.js'
import {doctor} from '../definitions/trail/doctor.js'
import {importCommand} from '../definitions/trail/import.js'
import {compact, disable, enable} from '../definitions/trail/incumbent.js'
import {init} from '../definitions/trail/init.js'
import {sync} from '../definitions/trail/sync.js'
import {runHot, type AnyDefinition} from '../hot.js'
import {normaliseTrailArgv} from '../incumbent-argv.js'

// The entry of dist/hot-trail-setup.cjs: what a person runs now and then (set-up, checks, sync, import), and the
// incumbent's commands that only say where they went. Not hot, but through oclif each cost 3-4x `node -e 0` before
// doing anything (issue 14: the fast path serves every command; oclif keeps help, the manifest and completion).

export const COMMANDS: readonly AnyDefinition[] = [init, doctor, sync, importCommand, completion, enable, disable, compact]

/** Runs `argv` if it names one of these commands; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(COMMANDS, 'trail', normaliseTrailArgv(argv, process.env))
}
