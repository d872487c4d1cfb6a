import {abandon} from './definitions/trail/abandon.js'
import {complete} from './definitions/trail/complete.js'
import {decision} from './definitions/trail/decision.js'
import {resume} from './definitions/trail/resume.js'
import {event} from './definitions/trail/event.js'
import {phase} from './definitions/trail/phase.js'
import {reflect} from './definitions/trail/reflect.js'
import {start} from './definitions/trail/start.js'
import {status} from './definitions/trail/status.js'
import {runHot, type AnyDefinition} from './hot.js'
import {normaliseTrailArgv} from './incumbent-argv.js'

// The entry of dist/hot-trail.cjs: `trail`'s hot commands, and only their code (a bundle per executable keeps
// each one small: compiling it is part of every call).

export const HOT_TRAIL: readonly AnyDefinition[] = [start, decision, complete, abandon, status, resume, phase, event, reflect]

/** Runs `argv` if it names a hot `trail` command; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(HOT_TRAIL, 'trail', normaliseTrailArgv(argv, process.env))
}
