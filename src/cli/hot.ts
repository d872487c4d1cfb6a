import type {CommandDefinition} from './definition.js'
import {execute, PROCESS_STREAMS, reportError, withStdinRead, type Streams} from './execute.js'
import {prepareArgv} from './globals.js'
import {parseArgv} from './parse-argv.js'
import {packageVersion} from '../package-files.js'

// The fast path. Agents call the hot commands dozens of times a session, so these are dispatched here, from one
// bundled file per executable (dist/hot-trail.cjs, dist/hot-relay.cjs: see ./hot-trail.ts), without loading oclif:
// measured, oclif alone costs 5-6x `node -e 0` (bench: trail list). Every command and the version are served here;
// help (and an unknown command, with its suggestion) goes to oclif.

// biome-ignore lint/suspicious/noExplicitAny: a definition of any flags and result (the table serves them all)
export type AnyDefinition = CommandDefinition<any, any>

/** What `-V`, `--version` and `version` print, as oclif did: `trail/0.1.0 linux-x64 node-v20.20.2`. */
export function versionLine(bin: 'trail' | 'relay'): string {
  return `${bin}/${packageVersion()} ${process.platform}-${process.arch} node-${process.version}`
}

/** The hot command that `argv` names, or undefined. */
export function findHotCommand(commands: readonly AnyDefinition[], argv: readonly string[]): AnyDefinition | undefined {
  return commands.find((definition) => {
    const words = definition.name.split(' ')
    return words.every((word: string, index: number) => argv[index] === word)
  })
}

/**
 * A command's client when it is not this process: bin/write-server.cjs runs commands for other processes, several
 * at a time, each with the client's streams and its own exit code.
 */
export interface Client {
  streams: Streams
  exit(code: number): void
}

const THIS_PROCESS: Client = {
  streams: PROCESS_STREAMS,
  exit: (code) => {
    process.exitCode = code
  },
}

/**
 * Runs `argv` if it names a hot command (and does not ask for help); returns false to let oclif take it.
 * Sets process.exitCode (or tells `client`). `stdinText`: standard input, when the bundle that handed the command
 * over read it.
 */
export async function runHot(
  commands: readonly AnyDefinition[],
  bin: 'trail' | 'relay',
  given: readonly string[],
  stdinText?: string,
  client: Client = THIS_PROCESS,
): Promise<boolean> {
  const streams = stdinText === undefined ? client.streams : withStdinRead(client.streams, stdinText)
  let argv: string[]
  try {
    argv = prepareArgv(given)
  } catch (error) {
    client.exit(reportError(error, {json: given.includes('--json'), debug: Boolean(process.env.DEBUG), streams, commandLine: bin}))
    return true
  }
  if (argv[0] === '--version') {
    streams.stdout.write(`${versionLine(bin)}\n`)
    client.exit(0)
    return true
  }
  const definition = findHotCommand(commands, argv)
  const end = argv.indexOf('--')
  const options = end === -1 ? argv : argv.slice(0, end)
  if (!definition || options.includes('--help') || options.includes('-h')) return false
  const rest = argv.slice(definition.name.split(' ').length)
  try {
    const input = parseArgv(definition, rest)
    client.exit(await execute(definition, input, streams))
  } catch (error) {
    client.exit(
      reportError(error, {
        json: rest.includes('--json'),
        debug: Boolean(process.env.DEBUG),
        streams,
        commandLine: `${bin} ${definition.name}`,
      }),
    )
  }
  return true
}
