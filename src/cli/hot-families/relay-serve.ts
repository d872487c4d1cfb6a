import {dashboard} from '../definitions/relay/dashboard.js'
import {mcp} from '../definitions/relay/mcp.js'
import {runHot, type AnyDefinition} from '../hot.js'

// The entry of dist/hot-relay-serve.cjs: the long-running servers, `relay dashboard` and `relay mcp` (an MCP
// client starts the latter with every session, and waits for it).

export const COMMANDS: readonly AnyDefinition[] = [dashboard, mcp]

/** Runs `argv` if it names one of these commands; false lets oclif take it. */
export function run(argv: readonly string[]): Promise<boolean> {
  return runHot(COMMANDS, 'relay', argv)
}
