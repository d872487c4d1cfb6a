import {parseArgs} from 'node:util'
import {UsageError} from '../errors.js'
import {allFlags, type CommandDefinition, type FlagSpecs, type Input} from './definition.js'
import {unknownFlagHint} from './suggest.js'

/**
 * Parses the argv of a command (the words after its name) with node:util's parseArgs, from the same declaration
 * the oclif command is built from, and to the same input (test/cli/flag-parity.test.ts compares the two).
 * Errors are UsageErrors worded like oclif's.
 *
 * @example parseArgv(decision, ['Chose JWT', '--reasoning', 'Stateless'])
 */
export function parseArgv<F extends FlagSpecs>(definition: CommandDefinition<F, unknown>, argv: readonly string[]): Input<F> {
  const specs = allFlags(definition as CommandDefinition<FlagSpecs, unknown>)
  const help = `see: ${definition.bin} ${definition.name} --help`
  const options: Record<string, {type: 'string' | 'boolean'; short?: string; multiple?: boolean}> = {}
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {type: spec.type, ...(spec.char ? {short: spec.char} : {}), ...(spec.multiple ? {multiple: true} : {})}
  }
  let parsed: {values: Record<string, unknown>; positionals: string[]}
  try {
    parsed = parseArgs({args: attachDashValues(argv, specs), options, allowPositionals: true, strict: true})
  } catch (error) {
    const message = describeParseError(error as Error & {code?: string})
    const unknown = /^unknown flag (\S+)$/.exec(message)?.[1]
    throw new UsageError(message, unknown ? unknownFlagHint(unknown, specs, `${definition.bin} ${definition.name}`) : help)
  }
  const flags: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(specs)) {
    const value = parsed.values[name]
    if (spec.type === 'boolean') flags[name] = value === true
    else if (spec.multiple) flags[name] = (value as string[] | undefined) ?? []
    else flags[name] = value as string | undefined
    if (spec.required && (value === undefined || (Array.isArray(value) && value.length === 0))) {
      throw new UsageError(`missing required flag --${name}`, help)
    }
    // Every value of a repeatable flag too (--kind handoff --kind nope), as oclif checks them.
    const bad = spec.options ? [value].flat().find((one) => typeof one === 'string' && !spec.options!.includes(one)) : undefined
    if (typeof bad === 'string') throw new UsageError(`expected --${name}=${bad} to be one of: ${spec.options!.join(', ')}`, help)
  }
  const args: Record<string, string | undefined> = {}
  definition.args.forEach((arg, index) => {
    args[arg.name] = parsed.positionals[index]
  })
  const missing = definition.args.find((arg) => arg.required && args[arg.name] === undefined)
  if (missing) throw new UsageError(`missing required argument <${missing.name}>`, help)
  if (definition.variadic) return {args, rest: parsed.positionals.slice(definition.args.length), flags: flags as Input<F>['flags']}
  if (parsed.positionals.length > definition.args.length) {
    throw new UsageError(`unexpected argument: ${parsed.positionals[definition.args.length]}`, `${help} (quote a value that contains spaces)`)
  }
  return {args, flags: flags as Input<F>['flags']}
}

/**
 * `--confidence -0.5`: parseArgs refuses a value that starts with a dash as ambiguous; oclif takes it. To parse
 * alike, a value after a string flag is attached to it ("--confidence=-0.5") unless it is itself a known flag.
 */
function attachDashValues(argv: readonly string[], specs: FlagSpecs): string[] {
  const known = new Set(Object.entries(specs).flatMap(([name, spec]) => [`--${name}`, ...(spec.char ? [`-${spec.char}`] : [])]))
  const stringFlags = new Set(
    Object.entries(specs)
      .filter(([, spec]) => spec.type === 'string')
      .flatMap(([name, spec]) => [`--${name}`, ...(spec.char ? [`-${spec.char}`] : [])]),
  )
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word === '--') return [...out, ...argv.slice(i)]
    const next = argv[i + 1]
    if (stringFlags.has(word) && next?.startsWith('-') && next !== '--' && !known.has(next.split('=')[0]!)) {
      out.push(`${word.startsWith('--') ? word : `--${Object.entries(specs).find(([, spec]) => `-${spec.char}` === word)![0]}`}=${next}`)
      i++
    } else {
      out.push(word)
    }
  }
  return out
}

function describeParseError(error: Error & {code?: string}): string {
  const flag = /(--[A-Za-z0-9-]+)/.exec(error.message)?.[1] ?? /'(-[^' ]+)/.exec(error.message)?.[1] ?? ''
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag}`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message) ? `flag ${flag} expects a value` : `flag ${flag} does not take a value`
    default:
      return error.message.split('\n')[0]!
  }
}
