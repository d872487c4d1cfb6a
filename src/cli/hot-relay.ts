import {continuityLoad} from './definitions/relay/continuity-load.js'
import {continuitySave} from './definitions/relay/continuity-save.js'
import {continuityUncertain} from './definitions/relay/continuity-uncertain.js'
import {ingest} from './definitions/relay/ingest.js'
import {send} from './definitions/relay/send.js'
import {runHot, type AnyDefinition} from './hot.js'

// The entry of dist/hot-relay.cjs: `relay`'s hot commands.

export const HOT_RELAY: readonly AnyDefinition[] = [continuitySave, continuityLoad, continuityUncertain, ingest, send]

/** Runs `argv` if it names a hot `relay` command; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(HOT_RELAY, 'relay', argv)
}
