import type {Context} from '../services/context.js'
import type {OutputStyle} from '../render/style.js'

// A command is declared once, as plain data and functions, with no oclif import: the flags, the arguments, what
// it runs and how it prints. Two front ends are built from the same declaration: the oclif command (help,
// manifest, every command) and the fast path in ./hot.ts (the hot commands, without loading oclif). A test
// checks that both parse the same argv into the same input.

export interface FlagSpec {
  type: 'string' | 'boolean'
  description: string
  char?: string
  multiple?: boolean
  required?: boolean
  options?: readonly string[]
  /** The placeholder in help: "--confidence <0-1>". */
  helpValue?: string
}

export interface ArgSpec {
  name: string
  description: string
  required?: boolean
}

export type FlagSpecs = Record<string, FlagSpec>

type FlagValue<S extends FlagSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['multiple'] extends true
    ? string[]
    : S['required'] extends true
      ? string
      : string | undefined

export interface Input<F extends FlagSpecs> {
  args: Record<string, string | undefined>
  /** With `variadic`: the positional arguments after the declared ones. */
  rest?: string[]
  flags: {[K in keyof F]: FlagValue<F[K]>} & {json?: boolean}
}

/** What a command may use besides the context: its standard streams, for commands that stream. */
export interface CommandIO {
  /** True when stdin is a terminal (nothing is piped in). */
  stdinIsTTY: boolean
  readStdin(): Promise<string>
  /** Standard input as a stream of chunks. */
  stdin: AsyncIterable<Buffer | string>
  /** Writes to stdout now, before the command ends (answers for an agent as they come). */
  print(text: string): void
  /** Writes progress to stderr, which redraws its line; undefined when stderr is not a terminal. */
  progress: ((text: string) => void) | undefined
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM): long-running commands end cleanly. */
  stopped: Promise<void>
}

export interface CommandDefinition<F extends FlagSpecs = FlagSpecs, R = unknown> {
  bin: 'trail' | 'relay'
  /** The command's words after the executable, space-separated: "start", "continuity save". */
  name: string
  summary: string
  description?: string
  examples?: string[]
  args: ArgSpec[]
  /** Whether more positional arguments than `args` are taken (they arrive as `rest`). */
  variadic?: boolean
  flags: F
  /** Left out of help and the command list: commands that tools run, not people (the git hooks' entry point). */
  hidden?: boolean
  /** Whether the command prints data and so takes --json. */
  json: boolean
  run(ctx: Context, input: Input<F>, io: CommandIO): Promise<R>
  /** The result for people (stdout). */
  text(result: R, style: OutputStyle, input: Input<F>): string
  /** The result for programs (stdout, with --json): one of the documented shapes in src/render. */
  toJson?(result: R): unknown
  /** A note for people on stderr (a page footer, a warning), or null. */
  note?(result: R, input: Input<F>): string | null
  /**
   * What to say when the text and the note say nothing (an empty list, which prints nothing into a pipe), for a
   * reader who is not a pipe: an MCP tool answers with it, never with an empty text. Says what was asked for.
   */
  emptyText?(result: R, input: Input<F>): string
  /** The exit code for a result that is an answer but not a success (`trail doctor` finding problems). */
  exitCode?(result: R): number
}

/** Declares a command; the identity function, there for type inference. */
export function defineCommand<F extends FlagSpecs, R>(definition: CommandDefinition<F, R>): CommandDefinition<F, R> {
  return definition
}

/** The flags every command that acts for an agent takes. */
export const AGENT_FLAG = {
  agent: {
    type: 'string',
    description: 'the agent acting (default: $AGENT_RELAY_NAME, else $TRAIL_AGENT, else "default")',
    helpValue: '<name>',
  },
} as const satisfies FlagSpecs

export const JSON_FLAG: FlagSpec = {type: 'boolean', description: 'print the result as JSON'}

/** The flags a definition accepts, with --json added when it prints data. */
export function allFlags(definition: CommandDefinition<FlagSpecs, unknown>): FlagSpecs {
  return definition.json ? {...definition.flags, json: JSON_FLAG} : definition.flags
}
