import {EXIT, TrailError, UsageError} from '../errors.js'
import {createContext} from '../services/context.js'
import {writeOutputFile} from '../services/output-file.js'
import type {OutputStyle} from '../render/style.js'
import {terminalLine, terminalText} from '../render/terminal.js'
import {colorEnabled} from './color.js'
import type {CommandDefinition, CommandIO, FlagSpecs, Input} from './definition.js'
import {FIRST_READS, freshCloneNote} from './fresh-clone.js'
import {page, pagerFor} from './pager.js'
import {fdOutput, isPipeOrFile, readFdToEnd, type Output} from './fd-io.js'

// Runs a parsed command and prints its result or its error. Both front ends (oclif and the fast path) end here, so
// output, --json, --output and errors look the same whichever path ran the command.
//
// This is also the one door to the terminal: every byte a command prints leaves through `guard` below (its output,
// its note, the file --output writes, what it prints as it goes, its progress, warnings, errors, a stack trace),
// which shows control characters, escape sequences and bidirectional marks from foreign text as visible escapes
// and turns paint()'s colour markers into colour codes (../render/terminal.ts says how, and why colour cannot be
// forged). Renderers need not remember to escape; test/cli/terminal-safety.test.ts checks that nothing in src/
// writes to stdout or stderr but through here.

export interface Streams {
  stdout: Output
  stderr: Output
  stdin: NodeJS.ReadableStream & {isTTY?: boolean}
  /** Standard input read already (by a bundle that handed the command over: bin/fast-path.cjs): read from nowhere else. */
  stdinText?: string
}

/**
 * `streams` with their standard input read already, as `text`.
 *
 * @example await execute(hook, input, withStdinRead(PROCESS_STREAMS, payload))
 */
export function withStdinRead(streams: Streams, text: string): Streams {
  return Object.create(streams, {stdinText: {value: text}}) as Streams
}

/**
 * The process's own streams, each made when first used, and for stdout and stderr only when they are terminals
 * (./fd-io.ts): most commands never read stdin, and a pipe or a file is written without a stream.
 */
let stdout: Output | undefined
let stderr: Output | undefined
export const PROCESS_STREAMS: Streams = {
  get stdout() {
    stdout ??= fdOutput(1, () => process.stdout)
    return stdout
  },
  get stderr() {
    stderr ??= fdOutput(2, () => process.stderr)
    return stderr
  },
  get stdin() {
    return process.stdin
  },
}

/** Colour as ./color.ts decides (--color, FORCE_COLOR, NO_COLOR, a terminal); the layout follows the stream. */
export function outputStyle(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv): OutputStyle {
  return {isTTY: stream.isTTY === true, color: colorEnabled(stream, env), now: new Date()}
}

/** Runs the command and returns the process exit code. Never throws. */
export async function execute<F extends FlagSpecs, R>(
  definition: CommandDefinition<F, R>,
  input: Input<F>,
  streams: Streams = PROCESS_STREAMS,
  where: {cwd: string; env: NodeJS.ProcessEnv} = {cwd: process.cwd(), env: process.env},
): Promise<number> {
  const env = where.env
  const wantsJson = input.flags.json === true
  const out = guard(streams)
  const ctx = createContext({cwd: where.cwd, env, warn: (message) => out.stderr(`warning: ${terminalLine(message)}\n`)})
  // A fresh clone's first reads say how to get origin's records (./fresh-clone.ts), after the answer or the error.
  const cloneNote = async () => {
    const line = FIRST_READS.has(`${definition.bin} ${definition.name}`) ? await freshCloneNote(ctx) : null
    if (line) out.stderr(`${line}\n`)
  }
  try {
    const result = await definition.run(ctx, input, commandIO(streams, out))
    const output =
      wantsJson && definition.toJson
        ? `${JSON.stringify(definition.toJson(result), null, 2)}\n`
        : definition.text(result, outputStyle(typeof input.flags.output === 'string' ? {} : streams.stdout, env), input)
    if (typeof input.flags.output === 'string') {
      await writeOutputFile(ctx, input.flags.output, terminalText(output), {followSymlinks: input.flags['follow-symlinks'] === true})
      out.stderr(`wrote ${terminalLine(input.flags.output)}\n`)
    } else {
      await printOutput(`${definition.bin} ${definition.name}`, output, streams, env)
    }
    const note = definition.note?.(result, input)
    if (note) out.stderr(`${note}\n`)
    await cloneNote()
    return definition.exitCode?.(result) ?? EXIT.ok
  } catch (error) {
    const code = reportError(error, {json: wantsJson, debug: Boolean(env.DEBUG), streams, commandLine: `${definition.bin} ${definition.name}`})
    await cloneNote()
    return code
  } finally {
    ctx.close()
  }
}

/**
 * Prints a command's output (or help: ./help.ts) on stdout, through the pager when it is long and stdout is a
 * terminal, as `command`'s output (./pager.ts says when); only the process's own stdout is ever paged.
 */
export async function printOutput(command: string, output: string, streams: Streams = PROCESS_STREAMS, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const out = guard(streams)
  const pager = streams === PROCESS_STREAMS ? pagerFor(command, streams.stdout, env, output) : null
  if (pager) await page(pager, terminalText(output), env, () => out.stdout(output))
  else out.stdout(output)
}

export interface ReportOptions {
  json: boolean
  debug: boolean
  streams: Streams
  /** "trail start": named in the hint of a usage error. */
  commandLine?: string
}

/**
 * Prints an error the one way errors are printed: "error: <problem>" and "hint: <fix>" on stderr, or with --json
 * {"error": {code, message, hint, exitCode}} on stdout (where the caller reads). A stack trace only with DEBUG.
 * Returns the exit code.
 */
export function reportError(error: unknown, options: ReportOptions): number {
  const known = asTrailError(error, options.commandLine)
  const out = guard(options.streams)
  if (options.json) {
    const body = {error: {code: known.code, message: known.message, hint: known.hint ?? null, exitCode: known.exitCode}}
    out.stdout(`${JSON.stringify(body, null, 2)}\n`)
  } else {
    // One line each, whatever the message quotes: a line break in it cannot make a "hint:" line of its own.
    out.stderr(`error: ${terminalLine(known.message)}\n${known.hint ? `hint: ${terminalLine(known.hint)}\n` : ''}`)
  }
  if (options.debug && error instanceof Error && error.stack) out.stderr(`${error.stack}\n`)
  return known.exitCode
}

/** The streams as the only way out: whatever is written is made safe for a terminal first (see the top). */
interface GuardedStreams {
  stdout(text: string): void
  stderr(text: string): void
  /** For progress that redraws its line: carriage returns are kept, the rest made safe. */
  progress(text: string): void
}

function guard(streams: Streams): GuardedStreams {
  return {
    stdout: (text) => void streams.stdout.write(terminalText(text)),
    stderr: (text) => void streams.stderr.write(terminalText(text)),
    progress: (text) => void streams.stderr.write(terminalText(text, {carriageReturns: true})),
  }
}

/** Any error as the TrailError it is reported as: unknown ones become an internal error naming their first line. */
export function asTrailError(error: unknown, commandLine: string | undefined): TrailError {
  if (error instanceof TrailError) return error
  const oclif = (error as {oclif?: {exit?: number}} | undefined)?.oclif
  const message = error instanceof Error ? error.message : String(error)
  // oclif's own failures: a bad flag or argument (exit 2), an unknown command.
  if (oclif) return new UsageError(describeOclifError(error as OclifParseError), `see: ${commandLine ?? 'the command'} --help`)
  return new TrailError(`internal error: ${message.split('\n')[0]}`, 'rerun with DEBUG=1 to see where, and report it', 'E_INTERNAL')
}

interface OclifParseError extends Error {
  args?: unknown[]
  flags?: string[]
}

/** oclif's parse errors, worded as the fast path words them (test/cli/trail.test.ts holds both to it). */
function describeOclifError(error: OclifParseError): string {
  const first = (error.args ?? [])[0] as {name?: string} | string | undefined
  switch (error.constructor.name) {
    case 'RequiredArgsError':
      return `missing required argument <${typeof first === 'object' ? first.name : first}>`
    case 'UnexpectedArgsError':
      return `unexpected argument: ${String(first)}`
    case 'NonExistentFlagsError':
      return `unknown flag ${error.flags?.[0] ?? ''}`
  }
  const required = /Missing required flag:?\s+(?:--)?([\w-]+)/.exec(error.message)
  if (required) return `missing required flag --${required[1]}`
  const line = (error.message.split('\n').find((text) => text.trim() !== '') ?? error.message).replace(/^Error: /, '').trim()
  return line.charAt(0).toLowerCase() + line.slice(1)
}

function commandIO(streams: Streams, out: GuardedStreams): CommandIO {
  const stdin = () => streams.stdin as AsyncIterable<Buffer | string> & {isTTY?: boolean}
  // The process's own stdin is read from fd 0 where it can be (./fd-io.ts): making process.stdin loads node:net and
  // the stream modules, several milliseconds of a hook that reads a few hundred bytes.
  const own = streams === PROCESS_STREAMS
  return {
    get stdinIsTTY() {
      if (streams.stdinText !== undefined) return false
      return own && isPipeOrFile(0) ? false : stdin().isTTY === true
    },
    get stdin() {
      return stdin()
    },
    readStdin: async () => {
      if (streams.stdinText !== undefined) return streams.stdinText
      const chunks: Buffer[] = []
      if (!own || !readFdToEnd(0, chunks)) {
        for await (const chunk of stdin()) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
      }
      return new TextDecoder('utf-8').decode(Buffer.concat(chunks))
    },
    print: out.stdout,
    // A getter, as stdin is: the stream is made only when a command asks.
    get progress() {
      return streams.stderr.isTTY === true ? out.progress : undefined
    },
    // Handlers are installed only for a command that asks: with one installed, Ctrl-C no longer ends the process.
    get stopped() {
      stopping ??= new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      return stopping
    },
  }
}

let stopping: Promise<void> | undefined
