import {bridgeAdd, bridgeList, bridgeRemove} from '../definitions/relay/bridge.js'
import {completion} from '../definitions/relay/completion.js'
import {project} from '../definitions/relay/project.js'
import {runHot, type AnyDefinition} from '../hot.js'

// The entry of dist/hot-relay-setup.cjs: the project's identity and its siblings, and the completion scripts (see
// ./trail-setup.ts for why they are here and not through oclif).

export const COMMANDS: readonly AnyDefinition[] = [project, bridgeAdd, bridgeList, bridgeRemove, completion]

/** Runs `argv` if it names one of these commands; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(COMMANDS, 'relay', argv)
}
