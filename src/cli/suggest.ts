import {readFileSync} from 'node:fs'
import {packagePath} from '../package-files.js'
import {UsageError} from '../errors.js'
import type {FlagSpecs} from './definition.js'

// "Did you mean": an unknown command or flag gets the nearest one as a hint, as git and cargo do. The commands of
// each executable are read from its oclif manifest (dist/oclif/<bin>/oclif.manifest.json, written by the build from
// the declarations in ./definitions), so this works on the fast path without loading oclif, and never shows oclif's
// internal ids (`bridge:add`): a command is always named by its words (`relay bridge add`).

export type Bin = 'trail' | 'relay'

export interface ManifestFlag {
  name: string
  char?: string
  type: 'boolean' | 'option'
  description?: string
  hidden?: boolean
  /** The values an option flag takes, when it names them. */
  options?: string[]
}

export interface ManifestCommand {
  /** The command's words: "continuity save". */
  name: string
  summary: string
  hidden: boolean
  args: string[]
  /** Whether more positional arguments than `args` are refused. */
  strict: boolean
  flags: ManifestFlag[]
}

const manifests = new Map<Bin, ManifestCommand[]>()

/**
 * The commands of `bin`, read from the manifest the build writes. Found from the bundled fast path
 * (dist/hot-<bin>.cjs) and from dist/src/cli alike (../package-files.ts); an empty list if there is none (never throws).
 */
export function manifestCommands(bin: Bin): ManifestCommand[] {
  const known = manifests.get(bin)
  if (known) return known
  let commands: ManifestCommand[] = []
  try {
    const manifest = JSON.parse(readFileSync(packagePath('dist', 'oclif', bin, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<
        string,
        {id: string; summary?: string; hidden?: boolean; strict?: boolean; args?: Record<string, unknown>; flags?: Record<string, ManifestFlag>}
      >
    }
    commands = Object.values(manifest.commands).map((command) => ({
      name: command.id.replace(/:/g, ' '),
      summary: command.summary ?? '',
      hidden: command.hidden === true,
      args: Object.keys(command.args ?? {}),
      strict: command.strict !== false,
      flags: Object.values(command.flags ?? {}).filter((flag) => flag.hidden !== true),
    }))
  } catch {
    // no manifest (a build that did not finish): no commands to suggest
  }
  manifests.set(bin, commands)
  return commands
}

/**
 * The edit distance of two words, a transposition of neighbours counting as one edit (optimal string alignment):
 * "strat" is 1 from "start", as "inbxo" is from "inbox".
 */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = best
    }
  }
  return rows[a.length]![b.length]!
}

/**
 * The candidate nearest to `word`, if it is near enough to be what was meant: at most a third of the word's length
 * in edits (at least 1, at most 3), or a word the candidate starts with (3 letters or more). Ties go to the first.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase()
  let best: {candidate: string; distance: number} | undefined
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase())
    if (!best || distance < best.distance) best = {candidate, distance}
  }
  const limit = Math.min(3, Math.max(1, Math.floor(lower.length / 3)))
  if (best && best.distance <= limit) return best.candidate
  if (lower.length >= 3) return candidates.find((candidate) => candidate.toLowerCase().startsWith(lower))
  return undefined
}

/** The words naming a command (its id's words) that `argv` starts with, or undefined. */
function commandOf(commands: readonly ManifestCommand[], argv: readonly string[]): ManifestCommand | undefined {
  let found: ManifestCommand | undefined
  for (const command of commands) {
    const words = command.name.split(' ')
    if (words.every((word, index) => argv[index] === word) && (!found || words.length > found.name.split(' ').length)) found = command
  }
  return found
}

/**
 * For argv naming a command that takes no positional argument, followed by one (`trail doctor extra`): the command
 * and that word. oclif would read the word as part of a command id (`doctor:extra`) and say that no such command
 * exists; both front ends say "unexpected argument" instead, as for a command that takes arguments. Values of the
 * command's flags are skipped; every word after `--` is an argument.
 */
export function strayArgument(bin: Bin, argv: readonly string[]): {command: ManifestCommand; word: string} | undefined {
  const command = commandOf(manifestCommands(bin), argv)
  if (!command || command.args.length > 0 || !command.strict) return undefined
  const takesValue = new Set(
    command.flags.filter((flag) => flag.type === 'option').flatMap((flag) => [`--${flag.name}`, ...(flag.char ? [`-${flag.char}`] : [])]),
  )
  const rest = argv.slice(command.name.split(' ').length)
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!
    if (word === '--') return rest[i + 1] === undefined ? undefined : {command, word: rest[i + 1]!}
    if (!word.startsWith('-') || word === '-') return {command, word}
    if (takesValue.has(word)) i++
  }
  return undefined
}

/**
 * The usage error for argv whose first words name no command of `bin`, with the nearest command (of this
 * executable, or the other's: `trail inbox` is `relay inbox`) as the hint; undefined when argv names a command, a
 * topic (`relay continuity`), a flag or nothing. `otherBin` is the other executable's name, for the hint.
 *
 * @example unknownCommand('trail', ['strat'])   // error: unknown command 'strat' / hint: did you mean `trail start`?
 */
export function unknownCommand(bin: Bin, given: readonly string[]): UsageError | undefined {
  const typed = given[0]
  if (typed === undefined || typed === '--') return undefined
  // A flag before any command (`trail --no-pagr list`, `trail -x`): a flag, never a command oclif would look for.
  if (typed.startsWith('-')) {
    return typed === '--help' || typed === '--version' ? undefined : new UsageError(`unknown flag ${typed}`, unknownFlagHint(typed, {}, bin))
  }
  // `continuity:sav` is read as the words `continuity sav`, and named as typed.
  const argv = typed.includes(':') ? [...typed.split(':').filter(Boolean), ...given.slice(1)] : given
  const first = argv[0] ?? typed
  const commands = manifestCommands(bin)
  if (commands.length === 0 || commandOf(commands, argv)) return undefined
  const visible = commands.filter((command) => !command.hidden)
  const topics = new Set(commands.filter((command) => command.name.includes(' ')).map((command) => command.name.split(' ')[0]!))
  // A topic and an unknown word after it: `relay continuity sav`; or a flag, which a topic takes none of but --help.
  if (topics.has(first)) {
    const second = argv[1]
    if (second === undefined || second === '--help') return undefined
    if (second.startsWith('-')) return new UsageError(`unknown flag ${second}`, `see: ${bin} ${first} --help`)
    const words = visible.filter((command) => command.name.startsWith(`${first} `)).map((command) => command.name.split(' ')[1]!)
    const near = suggestion(
      second,
      words.map((word) => [word, `${bin} ${first} ${word}`]),
    )
    return new UsageError(`unknown command '${typed.includes(':') ? typed : `${first} ${second}`}'`, near ?? `${bin} ${first} --help lists its commands`)
  }
  const other: Bin = bin === 'trail' ? 'relay' : 'trail'
  const otherFirst = [
    ...new Set(
      manifestCommands(other)
        .filter((command) => !command.hidden)
        .map((command) => command.name.split(' ')[0]!),
    ),
  ]
  // `help` and `version` are words of both executables (./incumbent-argv.ts), though no manifest command.
  const firstWords = [...new Set([...visible.map((command) => command.name.split(' ')[0]!), 'help', 'version'])]
  if (otherFirst.includes(first) && !firstWords.includes(first)) {
    return new UsageError(`unknown command '${typed}'`, `that is \`${other} ${first}\`: ${other} ${first} --help`)
  }
  // The nearest of this executable's commands, else of the other's (`relay strat`: `trail start`).
  const near =
    suggestion(
      first,
      firstWords.map((word) => [word, `${bin} ${word}`]),
    ) ??
    suggestion(
      first,
      otherFirst.filter((word) => !firstWords.includes(word)).map((word) => [word, `${other} ${word}`]),
    )
  return new UsageError(`unknown command '${typed}'`, near ?? `${bin} --help lists every command`)
}

/**
 * "did you mean `trail start`?" for the nearest candidate (a [word, command line] pair), else the ones that start
 * with the word (`trail st`: start, status), as git lists the most similar commands.
 */
function suggestion(word: string, candidates: readonly (readonly [string, string])[]): string | undefined {
  const near = nearest(
    word,
    candidates.map(([candidate]) => candidate),
  )
  if (near !== undefined) return `did you mean \`${candidates.find(([candidate]) => candidate === near)![1]}\`?`
  const starting = candidates.filter(([candidate]) => candidate.toLowerCase().startsWith(word.toLowerCase()))
  if (starting.length === 0) return undefined
  return starting.length === 1 ? `did you mean \`${starting[0]![1]}\`?` : `did you mean one of: ${starting.map(([, line]) => `\`${line}\``).join(', ')}?`
}

/** The long flags every command of both executables takes (./globals.ts, ./incumbent-argv.ts). */
const GLOBAL_LONG_FLAGS = ['help', 'version', 'color', 'no-color', 'no-pager', 'paginate']

/**
 * The hint for an unknown flag of a command: the nearest of its flags, long or short, then where its help is.
 *
 * @example unknownFlagHint('--agnt', listFlags, 'trail list')   // 'did you mean --agent? see: trail list --help'
 */
export function unknownFlagHint(flag: string, specs: FlagSpecs, commandLine: string): string {
  const help = `see: ${commandLine} --help`
  const name = flag.replace(/^-+/, '').split('=')[0]!
  // The command's own flags first, then those every command takes (./globals.ts: `--no-pagr`, `--colr=never`).
  const long = [...Object.keys(specs), ...GLOBAL_LONG_FLAGS]
  const near = flag.startsWith('--') || name.length > 1 ? nearest(name, long) : undefined
  return near ? `did you mean --${near}? ${help}` : help
}
