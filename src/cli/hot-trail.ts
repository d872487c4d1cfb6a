import {abandon} from './definitions/trail/abandon.js'
import {complete} from './definitions/trail/complete.js'
import {decision} from './definitions/trail/decision.js'
import {exportCommand} from './definitions/trail/export.js'
import {hookGit} from './definitions/trail/hook-git.js'
import {list} from './definitions/trail/list.js'
import {resume} from './definitions/trail/resume.js'
import {event} from './definitions/trail/event.js'
import {phase} from './definitions/trail/phase.js'
import {reflect} from './definitions/trail/reflect.js'
import {review} from './definitions/trail/review.js'
import {show} from './definitions/trail/show.js'
import {start} from './definitions/trail/start.js'
import {status} from './definitions/trail/status.js'
import {why} from './definitions/trail/why.js'
import {shellComplete} from './definitions/trail/completion.js'
import {runHot, type AnyDefinition} from './hot.js'
import {normaliseTrailArgv} from './incumbent-argv.js'

// The entry of dist/hot-trail.cjs: `trail`'s hot commands, and only their code (a bundle per executable keeps
// each one small: compiling it is part of every call). `trail hook-git` runs in every commit an agent makes;
// `trail review` and `trail why` are measured against `git log` and `git blame` (bench/review.ts, bench/why.ts).
// The reads (`list`, `show`, `export`) too: through oclif they cost 115-190 ms whatever the store holds (issue 14).

// `__complete` answers every TAB of the completion scripts (../cli/complete.ts): it must not wait for oclif.
export const HOT_TRAIL: readonly AnyDefinition[] = [
  start,
  decision,
  complete,
  abandon,
  status,
  resume,
  phase,
  event,
  reflect,
  hookGit,
  review,
  why,
  list,
  show,
  exportCommand,
  shellComplete,
]

/** Runs `argv` if it names a hot `trail` command; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(HOT_TRAIL, 'trail', normaliseTrailArgv(argv, process.env))
}
