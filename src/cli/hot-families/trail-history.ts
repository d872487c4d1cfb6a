import {hookGit} from '../definitions/trail/hook-git.js'
import {review} from '../definitions/trail/review.js'
import {why} from '../definitions/trail/why.js'
import {runHot, type AnyDefinition} from '../hot.js'
import {normaliseTrailArgv} from '../incumbent-argv.js'

// The entry of dist/hot-trail-history.cjs: the commands that link records to git history, `hook-git` run in every commit an agent makes (see ../hot-trail.ts).

export const COMMANDS: readonly AnyDefinition[] = [hookGit, review, why]

/** Runs `argv` if it names one of these commands; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(COMMANDS, 'trail', normaliseTrailArgv(argv, process.env))
}
