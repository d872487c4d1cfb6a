import {COMMANDS as COMPLETE} from './hot-families/trail-complete.js'
import {COMMANDS as HISTORY} from './hot-families/trail-history.js'
import {COMMANDS as READS} from './hot-families/trail-reads.js'
import {COMMANDS as SETUP} from './hot-families/trail-setup.js'
import {COMMANDS as WRITES} from './hot-families/trail-writes.js'
import {runHot, type AnyDefinition} from './hot.js'
import {normaliseTrailArgv} from './incumbent-argv.js'

// The entry of dist/hot-trail.cjs: every one of `trail`'s hot commands. `trail hook-git` runs in every commit an
// agent makes; `trail review` and `trail why` are measured against `git log` and `git blame` (bench/review.ts,
// bench/why.ts). The reads (`list`, `show`, `export`) too: through oclif they cost 115-190 ms whatever the store
// holds (issue 14). `__complete` answers every TAB of the completion scripts (../cli/complete.ts): it must not wait
// for oclif.
//
// A call whose command bin/fast-path.cjs can tell from argv loads only its family's bundle instead
// (./hot-families/*.ts, dist/hot-trail-<family>.cjs: compiling and loading a bundle is part of every call, and a
// family's is about two thirds of this one); this one serves the rest (a global flag it cannot place, an error in
// argv), exactly as a family's would.

export const HOT_TRAIL: readonly AnyDefinition[] = [...WRITES, ...HISTORY, ...READS, ...COMPLETE, ...SETUP]

/** Runs `argv` if it names a hot `trail` command; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(HOT_TRAIL, 'trail', normaliseTrailArgv(argv, process.env))
}
