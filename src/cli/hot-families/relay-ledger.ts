import {continuitySave} from '../definitions/relay/continuity-save.js'
import {continuityLoad} from '../definitions/relay/continuity-load.js'
import {continuityUncertain} from '../definitions/relay/continuity-uncertain.js'
import {send} from '../definitions/relay/send.js'
import {runHot, type AnyDefinition, type Client} from '../hot.js'

// The entry of dist/hot-relay-ledger.cjs: the continuity ledger and messages sent, called dozens of times a session (see ../hot-relay.ts).

export const COMMANDS: readonly AnyDefinition[] = [continuitySave, continuityLoad, continuityUncertain, send]

/**
 * Runs `argv` if it names one of these commands; false lets oclif take it. `client`: the process it runs for, when
 * the write server runs it (bin/write-server.cjs).
 */
export function run(argv: readonly string[], client?: Client): Promise<boolean> {
  return runHot(COMMANDS, 'relay', argv, undefined, client)
}
