import {ERROR_CODES, EXIT_MEANING} from '../errors.js'
import {allFlags, type CommandDefinition, type FlagSpec} from './definition.js'
import {GLOBAL_FLAGS} from './globals.js'
import type {Bin} from './suggest.js'

// Man pages (roff, section 1) for `trail`, `relay` and each of their commands, written by the build
// (scripts/build.mjs) into man/ from the same declarations as help (./definitions): the summary, the description,
// the arguments, every flag with its description, the examples; the exit status from the one table in
// ../errors.ts. `trail help <cmd>` and `man trail-<cmd>` say the same (test/cli/manners-man.test.ts).
//
// The text is ours, but roff reads some of it as requests: a line that starts with `.` or `'`, a backslash. Every
// piece of text goes through roffText(), which escapes those, writes `-`, quotes, `~` and `^` so that groff prints
// them as typed (not as a hyphen, curly quotes or accents: a flag or an example copied from the page must work),
// and anything beyond ASCII as a named glyph (`\[u2014]`), so the page reads the same whatever the input encoding
// groff assumes. User text is never put into a macro's arguments, where quotes would need escaping too.

// biome-ignore lint/suspicious/noExplicitAny: a definition of any flags and result (the table serves them all)
type AnyDefinition = CommandDefinition<any, any>

export interface ManPage {
  /** The file name in man/: "trail.1", "relay-continuity-save.1". */
  file: string
  /** The command the page is for: "trail", "relay continuity save". */
  command: string
  text: string
}

export interface ManOptions {
  version: string
  /** The topics of an executable (relay's `continuity`, `bridge`) and what each is. */
  topics?: Readonly<Record<string, string>>
}

/** What each executable is, for its page's NAME and DESCRIPTION. */
const ABOUT: Record<Bin, {name: string; description: string[]}> = {
  trail: {
    name: 'record what AI coding agents do and why, in git',
    description: [
      'trail records trajectories: a unit of work, the decisions made on the way, and a retrospective with a confidence. ' +
        'Every record is a Markdown file with YAML front matter, committed on its own ref, refs/trail/records, never on your branch or index. ' +
        'The records travel with the repository through plain git fetch and git push (or trail sync), are searchable with git grep, ' +
        'and can be read without the tool.',
      'No command changes your work tree, index, HEAD, branches or configuration, except the .trail/ mirror and what trail init installs when asked.',
    ],
  },
  relay: {
    name: "carry an agent's state between sessions and messages between projects",
    description: [
      "relay carries an agent's state from one session to the next (continuity ledgers, handoffs), turns what agents print " +
        '([[SUMMARY]], ->continuity:, ->relay: blocks) into records, carries messages between agents of sibling projects, and searches all of it. ' +
        "Its records live on the same ref as trail's, refs/trail/records.",
    ],
  },
}

/** The environment each executable reads, and what for. */
const ENVIRONMENT: readonly {name: string; description: string; bins?: readonly Bin[]}[] = [
  {name: 'AGENT_RELAY_NAME', description: 'the agent acting, when --agent is not given'},
  {name: 'TRAIL_AGENT', description: 'the agent acting, when --agent is not given and AGENT_RELAY_NAME is unset (else "default")'},
  {name: 'TRAJECTORIES_DATA_DIR', description: 'what --data-dir sets: where agent-trajectories kept its files, for compatibility', bins: ['trail']},
  {name: 'RELAY_OUTBOX', description: 'the outbox base folder of relay ingest, when --outbox is not given (else /tmp/relay-outbox)', bins: ['relay']},
  {name: 'TRAIL_PAGER', description: 'the pager for long output on a terminal, before PAGER; empty or cat for none'},
  {name: 'PAGER', description: 'the pager when TRAIL_PAGER is unset (else less), run as sh -c "$PAGER" as git runs it'},
  {name: 'LESS', description: 'set to FRX for the pager when unset (LV likewise to -c), as git does'},
  {name: 'NO_COLOR', description: 'any non-empty value turns colour off'},
  {name: 'FORCE_COLOR', description: '0 or false turns colour off; any other non-empty value turns it on, even into a pipe'},
  {name: 'DEBUG', description: 'any non-empty value prints a stack trace after an error'},
]

/**
 * Every page of `bin`: its own (with the command list, the global options, the environment and every error code)
 * and one per visible command. Hidden commands (run by tools, not people) have none.
 */
export function manPages(bin: Bin, definitions: readonly AnyDefinition[], options: ManOptions): ManPage[] {
  const visible = definitions.filter((definition) => definition.hidden !== true).sort((a, b) => a.name.localeCompare(b.name))
  return [
    {file: `${bin}.1`, command: bin, text: binPage(bin, visible, options)},
    ...visible.map((definition) => ({file: manFileName(bin, definition.name), command: `${bin} ${definition.name}`, text: commandPage(definition, options)})),
  ]
}

/** The page's file: the command's words joined by dashes, as git's are (git-log.1). */
export function manFileName(bin: Bin, name: string): string {
  return `${[bin, ...name.split(' ')].join('-')}.1`
}

/**
 * Text as roff prints it as written (see the top): backslashes, dashes, quotes, `~` and `^` escaped, anything beyond
 * ASCII as a named glyph, and a line starting with `.` or `'` kept from being read as a request.
 *
 * @example roffText(".hidden -x 'a' \\ é")   // "\\&.hidden \\-x \\(aqa\\(aq \\(rs \\[u00E9]"
 */
export function roffText(text: string): string {
  const escaped = text.replace(/[\\\-'`~^]|[^\n\t -~]/gu, (char) => {
    switch (char) {
      case '\\':
        return '\\(rs'
      case '-':
        return '\\-'
      case "'":
        return '\\(aq'
      case '`':
        return '\\(ga'
      case '~':
        return '\\(ti'
      case '^':
        return '\\(ha'
      default: {
        const code = char.codePointAt(0)!
        // Controls have no glyph: shown as a space (our own text has none; a tab is kept).
        return code < 0x20 || (code >= 0x7f && code < 0xa0) ? ' ' : `\\[u${code.toString(16).toUpperCase().padStart(4, '0')}]`
      }
    }
  })
  return escaped
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n')
}

const bold = (text: string) => `\\fB${roffText(text)}\\fR`
const italic = (text: string) => `\\fI${roffText(text)}\\fR`

function header(title: string, options: ManOptions): string[] {
  return [
    `.\\" Generated by scripts/build.mjs from src/cli/definitions: do not edit.`,
    `.TH ${roffText(title.toUpperCase())} 1 "" "relay\\-trail ${roffText(options.version)}" "relay\\-trail manual"`,
    // No hyphenation, no stretched spaces: a flag, a path or an example reads (and copies) as typed.
    '.nh',
    '.ad l',
  ]
}

/** Paragraphs (split at blank lines), each line of a paragraph kept a line, as help prints it. */
function paragraphs(text: string): string[] {
  const out: string[] = []
  for (const paragraph of text.trim().split(/\n\s*\n/)) {
    if (out.length > 0) out.push('.PP')
    out.push(
      paragraph
        .split('\n')
        .map((line) => roffText(line.trim()))
        .join('\n.br\n'),
    )
  }
  return out
}

/** A definition's argument in a synopsis: <title>, [<title>], and ... for more. */
function synopsis(definition: AnyDefinition): string {
  const words = [bold(`${definition.bin} ${definition.name}`)]
  if (Object.keys(allFlags(definition)).length > 0) words.push(`[${italic('flags')}]`)
  for (const arg of definition.args) words.push(arg.required ? italic(`<${arg.name}>`) : `[${italic(`<${arg.name}>`)}]`)
  if (definition.variadic) words.push(`[${italic('<word>')}...]`)
  return words.join(' ')
}

/** A flag as a tag: \fB\-s\fR, \fB\-\-status\fR \fI<status>\fR. */
function flagTag(name: string, spec: FlagSpec): string {
  const names = [...(spec.char ? [bold(`-${spec.char}`)] : []), bold(`--${name}`)].join(', ')
  return spec.type === 'boolean' ? names : `${names} ${italic(spec.helpValue ?? '<value>')}`
}

/** A flag's description, with what help shows beside it: required, the values it takes, repeatable. */
export function flagDescription(spec: FlagSpec): string {
  const notes: string[] = []
  if (spec.required) notes.push('required')
  if (spec.options) notes.push(`one of: ${spec.options.join(', ')}`)
  if (spec.multiple) notes.push('may be given more than once')
  return notes.length > 0 ? `${spec.description} (${notes.join('; ')})` : spec.description
}

function exitStatus(): string[] {
  return (Object.entries(EXIT_MEANING) as [string, string][]).flatMap(([code, meaning]) => ['.TP', bold(code), roffText(meaning)])
}

function commandPage(definition: AnyDefinition, options: ManOptions): string {
  const {bin, name} = definition
  const lines = [
    ...header(`${bin}-${name.replace(/ /g, '-')}`, options),
    '.SH NAME',
    `${roffText(`${bin}-${name.replace(/ /g, '-')}`)} \\- ${roffText(definition.summary)}`,
    '.SH SYNOPSIS',
    synopsis(definition),
    '.SH DESCRIPTION',
    ...paragraphs(definition.summary),
  ]
  if (definition.description) lines.push('.PP', ...paragraphs(definition.description))
  if (definition.args.length > 0) {
    lines.push('.SH ARGUMENTS')
    for (const arg of definition.args) lines.push('.TP', italic(`<${arg.name}>`), roffText(`${arg.description}${arg.required ? '' : ' (optional)'}`))
  }
  const flags = Object.entries(allFlags(definition))
  lines.push('.SH OPTIONS')
  for (const [flag, spec] of flags) lines.push('.TP', flagTag(flag, spec), roffText(flagDescription(spec)))
  lines.push('.PP', `The options every command takes (${roffText('--color, --no-pager, -P')}) are in ${bold(bin)}(1).`)
  if (definition.examples && definition.examples.length > 0) {
    lines.push('.SH EXAMPLES', '.PP', '.RS 4', '.nf', ...definition.examples.map((example: string) => roffText(example)), '.fi', '.RE')
  }
  lines.push(
    '.SH EXIT STATUS',
    ...exitStatus(),
    '.PP',
    `Errors print one line naming the problem and a ${bold('hint:')} line with the fix; ${bold(bin)}(1) lists every error code.`,
  )
  lines.push('.SH SEE ALSO', `${bold(bin)}(1), ${bold(`${bin} help ${name}`)}`)
  return `${lines.join('\n')}\n`
}

function binPage(bin: Bin, visible: readonly AnyDefinition[], options: ManOptions): string {
  const about = ABOUT[bin]
  const lines = [
    ...header(bin, options),
    '.SH NAME',
    `${roffText(bin)} \\- ${roffText(about.name)}`,
    '.SH SYNOPSIS',
    `${bold(bin)} ${italic('<command>')} [${italic('flags')}]`,
    '.br',
    `${bold(`${bin} help`)} [${italic('<command>')}]`,
    '.SH DESCRIPTION',
    ...about.description.flatMap((paragraph, index) => [...(index > 0 ? ['.PP'] : []), roffText(paragraph)]),
    '.SH COMMANDS',
  ]
  for (const definition of visible) {
    lines.push(
      '.TP',
      bold(`${bin} ${definition.name}`),
      `${roffText(definition.summary)}; see ${bold(manFileName(bin, definition.name).replace(/\.1$/, ''))}(1).`,
    )
  }
  const topics = Object.entries(options.topics ?? {})
  if (topics.length > 0) {
    lines.push('.SS Topics')
    for (const [topic, description] of topics) lines.push('.TP', bold(`${bin} ${topic}`), roffText(description))
  }
  lines.push(
    '.SH OPTIONS',
    'Every command takes these, anywhere before \\fB\\-\\-\\fR (but \\fB\\-V\\fR, \\fB\\-\\-version\\fR, which stand in place of a command):',
  )
  for (const global of GLOBAL_FLAGS.filter((flag) => !flag.bins || flag.bins.includes(bin))) {
    lines.push('.TP', `${global.names.map(bold).join(', ')}${global.value ? ` ${italic(global.value)}` : ''}`, roffText(global.description))
  }
  lines.push('.SH ENVIRONMENT')
  for (const variable of ENVIRONMENT.filter((entry) => !entry.bins || entry.bins.includes(bin)))
    lines.push('.TP', bold(variable.name), roffText(variable.description))
  lines.push(
    '.SH EXIT STATUS',
    ...exitStatus(),
    '.SS Error codes',
    `With ${bold('--json')}${roffText(', an error is printed on stdout as {"error": {code, message, hint, exitCode}}; its code is one of:')}`,
  )
  for (const [code, {exit, meaning}] of Object.entries(ERROR_CODES)) lines.push('.TP', `${bold(code)} (exit ${exit})`, roffText(meaning))
  lines.push(
    '.SH SEE ALSO',
    [bin === 'trail' ? 'relay' : 'trail', ...visible.map((definition) => manFileName(bin, definition.name).replace(/\.1$/, ''))]
      .map((page) => `${bold(page)}(1)`)
      .join(', '),
  )
  return `${lines.join('\n')}\n`
}
