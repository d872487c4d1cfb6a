import type {CommandDefinition, FlagSpecs, Input} from '../cli/definition.js'
import {asTrailError} from '../cli/execute.js'
import type {GitError, TrailError} from '../errors.js'
import {isBlank} from '../model/text.js'
import type {OutputStyle} from '../render/style.js'
import {toolIO} from './tool-input.js'
import type {Workspace} from './workspace.js'
import {terminalText} from '../render/terminal.js'

// Runs a command's declaration for an MCP call, as `execute` runs it for the CLI: the same run, the same text and
// JSON renderers (for a pipe: no colour, no table), the same error formatting. Nothing here throws: an error comes
// back as the CLI would print it, for a tool error.

/** What a command gave: its text as the CLI prints it (with its note and warnings), and its JSON. */
export interface CallOutcome {
  ok: true
  text: string
  json: unknown
}

/** A command's failure, as the CLI reports it: "error: ..." and "hint: ...", and the --json error shape. */
export interface CallFailure {
  ok: false
  error: TrailError
  text: string
  json: {error: {code: string; message: string; hint: string | null; exitCode: number}}
}

/** Plain text, as into a pipe: the output an agent reading the CLI's stdout gets. */
export function plainStyle(): OutputStyle {
  return {isTTY: false, color: false, now: new Date()}
}

// biome-ignore lint/suspicious/noExplicitAny: any command definition (each has its own flags and result)
type AnyDefinition = CommandDefinition<any, any>

/**
 * Runs `definition` with `input` on the workspace's store; `signal`, the request's cancellation, stops the git
 * greps it started. A call that failed because the store's `git cat-file`
 * died under it (killed, or gone after a repack) is run once more: the reader restarts, and a write that failed
 * there failed before its commit, so running it again cannot write twice.
 */
export async function runDefinition(
  workspace: Workspace,
  definition: AnyDefinition,
  input: Input<FlagSpecs>,
  debug: boolean,
  signal?: AbortSignal,
): Promise<CallOutcome | CallFailure> {
  const commandLine = `${definition.bin} ${definition.name}`
  for (let attempt = 1; ; attempt++) {
    const printed: string[] = []
    try {
      const {value, warnings} = await workspace.run((ctx) => definition.run(ctx, input, toolIO(printed)), signal)
      const note = definition.note?.(value, input)
      const said = [printed.join(''), definition.text(value, plainStyle(), input), note ? `${note}\n` : ''].join('')
      // A command that prints nothing into a pipe (an empty list) still tells an agent something: that there is
      // nothing, and what was asked for.
      const text = [
        isBlank(said) ? (definition.emptyText?.(value, input) ?? `${commandLine}: nothing to show\n`) : said,
        ...warnings.map((warning) => `warning: ${warning}\n`),
      ].join('')
      return {ok: true, text, json: definition.toJson?.(value) ?? null}
    } catch (error) {
      if (attempt === 1 && isReaderDeath(error)) continue
      if (debug && error instanceof Error && error.stack) process.stderr.write(terminalText(`relay mcp: ${commandLine}: ${error.stack}\n`))
      return failure(error, commandLine)
    }
  }
}

/** An error as the CLI reports it. */
export function failure(error: unknown, commandLine?: string): CallFailure {
  const known = asTrailError(error, commandLine)
  return {
    ok: false,
    error: known,
    text: `error: ${known.message}\n${known.hint ? `hint: ${known.hint}\n` : ''}`,
    json: {error: {code: known.code, message: known.message, hint: known.hint ?? null, exitCode: known.exitCode}},
  }
}

function isReaderDeath(error: unknown): boolean {
  return (error as GitError | undefined)?.code === 'E_GIT' && (error as GitError).args?.[0] === 'cat-file'
}
