import {z} from 'zod'
import type {CommandIO, FlagSpec, FlagSpecs, Input} from '../cli/definition.js'
import {UsageError} from '../errors.js'
import {parameterName, type McpToolSpec} from './tools.js'

// A tool's input schema, built from its command's declaration, and the command input built from a call's
// arguments. The schema checks types (and refuses unknown parameters, as the CLI refuses unknown flags); values
// are checked by the command's own parsing, so a bad title or confidence gets the CLI's message and hint.

/** The zod schema of a tool's arguments: the command's arguments and flags, minus the omitted ones. */
export function inputSchema(spec: McpToolSpec): z.ZodObject {
  const shape: Record<string, z.ZodType> = {}
  for (const arg of spec.definition.args) {
    const text = z.string({error: (issue) => (issue.input === undefined ? 'missing required parameter' : 'must be a string')})
    shape[parameterName(arg.name)] =
      arg.required || spec.required?.includes(arg.name) ? text.describe(arg.description) : text.optional().describe(arg.description)
  }
  for (const [name, flag] of Object.entries(spec.definition.flags as FlagSpecs)) {
    if (spec.omit?.includes(name)) continue
    shape[parameterName(name)] = flagSchema(name, flag, spec)
  }
  if (spec.rest)
    shape[spec.rest.name] = z
      .array(z.string({error: 'must be a string'}), {error: 'must be a list of strings'})
      .optional()
      .describe(spec.rest.description)
  // The SDK words a refusal "Invalid arguments for tool <name>: <message> at <parameter>".
  return z.strictObject(shape, {error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter: ${issue.keys.join(', ')}` : undefined)})
}

/** Through MCP the agent acting has a default of its own (see ./acting-agent.ts): a model should leave it out. */
const ACTING_AGENT = "the agent acting; leave it out to act as this session's agent"

function flagSchema(name: string, flag: FlagSpec, spec: McpToolSpec): z.ZodType {
  const description = spec.acting && name === 'agent' ? ACTING_AGENT : flag.description
  let schema: z.ZodType
  const missing = (issue: {input?: unknown}, otherwise: string) => (issue.input === undefined ? 'missing required parameter' : otherwise)
  if (flag.type === 'boolean') schema = z.boolean({error: (issue) => missing(issue, 'must be true or false')})
  else if (spec.numbers?.includes(name)) schema = z.number({error: (issue) => missing(issue, 'must be a number')})
  else if (spec.integers?.[name] !== undefined) {
    const least = spec.integers[name]
    schema = z
      .number({error: (issue) => missing(issue, `must be a whole number of at least ${least}`)})
      .int({error: `must be a whole number of at least ${least}`})
      .min(least, {error: `must be a whole number of at least ${least}`})
  } else if (spec.seconds?.includes(name)) schema = z.union([z.number(), z.string()], {error: (issue) => missing(issue, 'must be a number of seconds')})
  else if (flag.options)
    schema = z.enum(flag.options as [string, ...string[]], {error: (issue) => missing(issue, `must be one of: ${flag.options!.join(', ')}`)})
  else schema = z.string({error: (issue) => missing(issue, 'must be a string')})
  if (flag.multiple) schema = z.array(schema, {error: (issue) => missing(issue, 'must be a list')})
  return (flag.required ? schema : schema.optional()).describe(description)
}

/**
 * The command input for a call's (validated) arguments, as the CLI's parser would give it: booleans false and lists
 * empty when absent, numbers as the strings the command parses. `agent` is the session's agent for a tool where
 * it says who is acting, used when the call names none.
 */
export function commandInput(spec: McpToolSpec, params: Record<string, unknown>, agent: string | undefined): Input<FlagSpecs> {
  const args: Record<string, string | undefined> = {}
  for (const arg of spec.definition.args) args[arg.name] = params[parameterName(arg.name)] as string | undefined
  const flags: Record<string, unknown> = {json: false}
  for (const [name, flag] of Object.entries(spec.definition.flags as FlagSpecs)) {
    const value = spec.omit?.includes(name) ? undefined : params[parameterName(name)]
    flags[name] =
      flag.type === 'boolean'
        ? value === true
        : flag.multiple
          ? ((value as unknown[] | undefined) ?? []).map((item) => listItem(String(item), flag))
          : value === undefined
            ? undefined
            : String(value)
  }
  if (spec.acting && flags.agent === undefined) flags.agent = agent
  return {args, ...(spec.rest ? {rest: (params[spec.rest.name] as string[] | undefined) ?? []} : {}), flags} as Input<FlagSpecs>
}

/**
 * One item of a list parameter, as one value of a repeated flag whose command splits each value on commas (a
 * compatibility of the command line's: --challenges "a,b"): its commas escaped (\\,), so an item stays one item.
 */
function listItem(item: string, flag: FlagSpec): string {
  return flag.options ? item : item.replace(/,/g, '\\,')
}

/** What a command may use besides its context, through MCP: no stdin (tools get their text as arguments). */
export function toolIO(printed: string[]): CommandIO {
  return {
    stdinIsTTY: true,
    readStdin: () => Promise.reject(new UsageError('no standard input through MCP', 'give the text as a parameter')),
    stdin: (async function* () {})(),
    print: (text) => void printed.push(text),
    progress: undefined,
    stopped: new Promise<void>(() => {}),
  }
}
