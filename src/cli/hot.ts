import type {CommandDefinition} from './definition.js'
import {continuityLoad} from './definitions/relay/continuity-load.js'
import {continuitySave} from './definitions/relay/continuity-save.js'
import {continuityUncertain} from './definitions/relay/continuity-uncertain.js'
import {ingest} from './definitions/relay/ingest.js'
import {abandon} from './definitions/trail/abandon.js'
import {complete} from './definitions/trail/complete.js'
import {decision} from './definitions/trail/decision.js'
import {start} from './definitions/trail/start.js'
import {status} from './definitions/trail/status.js'
import {execute, PROCESS_STREAMS, reportError} from './execute.js'
import {parseArgv} from './parse-argv.js'

// The fast path. Agents call the hot commands dozens of times a session, so these are dispatched here, from a
// single bundled file (dist/hot.js), without loading oclif: measured, oclif alone costs 2-4x `node -e 0`
// (DESIGN.md section 7, bench/commands.ts). Everything else, --help included, goes to oclif.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = CommandDefinition<any, any>

export const HOT_COMMANDS: Record<'trail' | 'relay', readonly AnyDefinition[]> = {
  trail: [start, decision, complete, abandon, status],
  relay: [continuitySave, continuityLoad, continuityUncertain, ingest],
}

/** The hot command that `argv` names, or undefined. */
export function findHotCommand(bin: 'trail' | 'relay', argv: readonly string[]): AnyDefinition | undefined {
  return HOT_COMMANDS[bin].find((definition) => {
    const words = definition.name.split(' ')
    return words.every((word: string, index: number) => argv[index] === word)
  })
}

/**
 * Runs `argv` if it names a hot command (and does not ask for help); returns false to let oclif take it.
 * Sets process.exitCode.
 */
export async function runHot(bin: 'trail' | 'relay', argv: readonly string[]): Promise<boolean> {
  const definition = findHotCommand(bin, argv)
  if (!definition || argv.includes('--help') || argv.includes('-h')) return false
  const rest = argv.slice(definition.name.split(' ').length)
  try {
    const input = parseArgv(definition, rest)
    process.exitCode = await execute(definition, input)
  } catch (error) {
    process.exitCode = reportError(error, {
      json: rest.includes('--json'),
      debug: Boolean(process.env.DEBUG),
      streams: PROCESS_STREAMS,
      commandLine: `${bin} ${definition.name}`,
    })
  }
  return true
}

