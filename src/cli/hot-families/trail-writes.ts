import {start} from '../definitions/trail/start.js'
import {decision} from '../definitions/trail/decision.js'
import {complete} from '../definitions/trail/complete.js'
import {abandon} from '../definitions/trail/abandon.js'
import {status} from '../definitions/trail/status.js'
import {resume} from '../definitions/trail/resume.js'
import {phase} from '../definitions/trail/phase.js'
import {event} from '../definitions/trail/event.js'
import {reflect} from '../definitions/trail/reflect.js'
import {runHot, type AnyDefinition, type Client} from '../hot.js'
import {normaliseTrailArgv} from '../incumbent-argv.js'

// The entry of dist/hot-trail-writes.cjs: the trajectory's writes and the reads of the active one, called dozens of times a session (see ../hot-trail.ts).

export const COMMANDS: readonly AnyDefinition[] = [start, decision, complete, abandon, status, resume, phase, event, reflect]

/**
 * Runs `argv` if it names one of these commands; false lets oclif take it. `client`: the process it runs for, when
 * the write server runs it (bin/write-server.cjs).
 */
export function run(argv: readonly string[], client?: Client): Promise<boolean> {
  return runHot(COMMANDS, 'trail', normaliseTrailArgv(argv, process.env), undefined, client)
}
