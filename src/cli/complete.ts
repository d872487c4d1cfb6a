import {PDERO_PHASES} from '../model/agent-trajectories.js'
import type {Context} from '../services/context.js'
import {agentsOfProject, knownAgentNames, newestTrajectoryIds} from '../services/agents.js'
import {listSiblings, readProject} from '../services/projects.js'
import {COLOR_CHOICES} from './color.js'
import {type Bin, type ManifestCommand, manifestCommands} from './suggest.js'

// Shell completion. `trail completion <shell>` prints a script for bash, zsh or fish; the script calls back into
// the executable at every TAB (`trail __complete -- <words...>`, hidden from help), which answers with one
// candidate per line: commands, a command's flags, and values read from the store now (agent names, trajectory
// ids, sibling names), so they are live. Commands and flags come from the oclif manifest the build writes from the
// declarations (./suggest.ts reads it), values through the services. An error prints nothing: a TAB never shows a
// stack or a message in the middle of a command line.

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

/** Where each shell looks for a completion script, for `completion --help` and the README. */
export function installLines(bin: Bin): string[] {
  return [
    `bash: ${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}`,
    `zsh:  ${bin} completion zsh > "\${fpath[1]}/_${bin}"   (or any folder in $fpath, before compinit runs)`,
    `fish: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish`,
  ]
}

/** The completion script of `bin` for `shell`. It runs `bin` by name, as the shell found it. */
export function completionScript(bin: Bin, shell: Shell): string {
  const fn = `_${bin}_relay_trail`
  switch (shell) {
    case 'bash':
      return `# bash completion for ${bin} (relay-trail). Install: ${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}
${fn}() {
  local IFS=$'\\n' noglob=1
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  # Candidates are words, not patterns (\`frontend:*\` is a target): no file name expansion while they are read.
  [[ $- == *f* ]] || { noglob=0; set -f; }
  COMPREPLY=($(command ${bin} __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  # An answer that is not a word of ours (no candidates): let bash complete file names.
  [ \${#COMPREPLY[@]} -eq 0 ] && [ "\${cur#-}" = "$cur" ] && COMPREPLY=($(compgen -f -- "$cur"))
  [ $noglob = 1 ] || set +f
  return 0
}
complete -F ${fn} ${bin}
`
    case 'zsh':
      return `#compdef ${bin}
# zsh completion for ${bin} (relay-trail). Install: ${bin} completion zsh > "\${fpath[1]}/_${bin}"
${fn}() {
  local -a candidates
  candidates=("\${(@f)$(command ${bin} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=("\${(@)candidates:#}")
  if (( \${#candidates} )); then
    compadd -- "\${(@)candidates}"
  else
    _files
  fi
}
if [ "\${funcstack[1]}" = "_${bin}" ]; then
  ${fn} "$@"
else
  compdef ${fn} ${bin}
fi
`
    case 'fish':
      return `# fish completion for ${bin} (relay-trail). Install: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish
function __${bin}_relay_trail_complete
    set -l current (commandline -ct)
    set -l words (commandline -opc) $current
    set -l candidates (command ${bin} __complete -- $words[2..-1] 2>/dev/null)
    if set -q candidates[1]
        printf '%s\\n' $candidates
    else if string match -qr -- '^--[^=]+=' $current
        # A flag's value that is not a word of ours (--output=<path>): file names, after the flag.
        set -l flag (string replace -r -- '=.*' '=' $current)
        __fish_complete_path (string replace -r -- '^--[^=]+=' '' $current) | string replace -r -- '^' $flag
    else if not string match -q -- '-*' $current
        # An answer that is not a word of ours (no candidates): file names, as bash and zsh do.
        __fish_complete_path $current
    end
end
complete -c ${bin} -f -a '(__${bin}_relay_trail_complete)'
`
  }
}

/** Flags every command takes (./globals.ts). */
const GLOBAL_FLAGS = ['--color', '--no-pager', '--paginate']

/** What may stand before a command: the flags every command takes, help and the version. */
const EVERY_COMMAND_FLAGS = ['--help', '--version', '--color', '--no-color', '--no-pager', '--paginate']

/**
 * The candidates for the last of `words` (the words after the executable; the last is the one being completed,
 * maybe empty). Never throws: whatever fails gives no candidates.
 *
 * @example await completeWords(ctx, 'trail', ['st'])   // ['start', 'status']
 */
export async function completeWords(ctx: Context, bin: Bin, words: readonly string[]): Promise<string[]> {
  try {
    const current = words.at(-1) ?? ''
    const before = words.slice(0, -1)
    const commands = manifestCommands(bin)
    const visible = commands.filter((command) => !command.hidden)
    const command = commandNamed(visible, before)
    if (!command) {
      // Nothing is a flag after `--`; before a command, the flags every command takes (`trail -<TAB>`).
      if (before.includes('--')) return []
      if (current.startsWith('-')) return matching(bin === 'trail' ? [...EVERY_COMMAND_FLAGS, '--data-dir'] : EVERY_COMMAND_FLAGS, current)
      const typed = before.filter((word) => !word.startsWith('-'))
      const asked = typed[0] === 'help' ? typed.slice(1) : typed
      if (asked.length > 0) {
        // A topic: its commands (`relay continuity <TAB>`, `relay help continuity <TAB>`).
        const sub = visible.filter((c) => c.name.startsWith(`${asked[0]} `)).map((c) => c.name.split(' ')[1]!)
        return asked.length === 1 ? matching(sub, current) : []
      }
      const first = [...new Set(visible.map((c) => c.name.split(' ')[0]!)), 'help']
      return matching(typed[0] === 'help' ? first.filter((word) => word !== 'help') : first, current)
    }
    const afterCommand = before.slice(command.name.split(' ').length)
    const previous = afterCommand.at(-1)
    const value = afterCommand.includes('--') ? undefined : flagValueBeingTyped(afterCommand, current)
    if (value) {
      const values = value.flag === '--color' ? [...COLOR_CHOICES] : await optionValues(ctx, command, value.flag)
      return matching(values, value.prefix).map((one) => `${value.replace}${one}`)
    }
    // A flag's value: `--agent <TAB>`.
    if (previous?.startsWith('-') && !afterCommand.includes('--')) {
      const flag = flagNamed(command, previous)
      if (flag?.type === 'option') return matching(await flagValues(ctx, flag), current)
    }
    if (current.startsWith('-') && !afterCommand.includes('--')) {
      const flags = command.flags.map((flag) => `--${flag.name}`)
      return matching([...flags, ...GLOBAL_FLAGS], current)
    }
    // A positional argument: which one is it?
    const typed = colonWord(afterCommand, current)
    const positionals = positionalsOf(command, typed.words)
    const arg = command.args[positionals.length]
    return arg ? matching(await argValues(ctx, command, arg, typed.current), typed.current).map((one) => one.slice(typed.cut.length)) : []
  } catch {
    return []
  }
}

function matching(candidates: readonly string[], prefix: string): string[] {
  return candidates.filter((candidate) => candidate.startsWith(prefix))
}

function commandNamed(commands: readonly ManifestCommand[], words: readonly string[]): ManifestCommand | undefined {
  const named = words[0] === 'help' ? words.slice(1) : words
  let found: ManifestCommand | undefined
  for (const command of commands) {
    const parts = command.name.split(' ')
    if (parts.every((part, index) => named[index] === part) && (!found || parts.length > found.name.split(' ').length)) found = command
  }
  return found
}

/**
 * `--status=op<TAB>`: the flag, the part of its value typed, and what a candidate starts with. zsh and fish give the
 * word whole (candidates are `--status=open`); bash breaks words at `=` (`--status`, `=`, `op`: candidates are the
 * values alone, as readline completes the part after `=`).
 */
function flagValueBeingTyped(words: readonly string[], current: string): {flag: string; prefix: string; replace: string} | undefined {
  const whole = /^(--[^=]+)=(.*)$/s.exec(current)
  if (whole) return {flag: whole[1]!, prefix: whole[2]!, replace: `${whole[1]!}=`}
  if (current === '=' && words.at(-1)?.startsWith('--')) return {flag: words.at(-1)!, prefix: '', replace: ''}
  if (words.at(-1) === '=' && words.at(-2)?.startsWith('--')) return {flag: words.at(-2)!, prefix: current, replace: ''}
  return undefined
}

/**
 * The word being typed whole, when bash broke it at a ':' (COMP_WORDBREAKS holds it, as it holds '='): `frontend:De`
 * comes as `frontend`, `:`, `De`, and bash puts a candidate in the place of the part after the ':' only, so that
 * part (`cut`) is taken off the candidates. zsh and fish give the word whole.
 */
function colonWord(words: readonly string[], current: string): {words: readonly string[]; current: string; cut: string} {
  const before = words.at(-1)
  if (current === ':' && before !== undefined && !before.startsWith('-')) return {words: words.slice(0, -1), current: `${before}:`, cut: `${before}:`}
  const project = words.at(-2)
  if (before === ':' && project !== undefined && !project.startsWith('-'))
    return {words: words.slice(0, -2), current: `${project}:${current}`, cut: `${project}:`}
  return {words, current, cut: ''}
}

async function optionValues(ctx: Context, command: ManifestCommand, word: string): Promise<string[]> {
  const flag = flagNamed(command, word)
  return flag?.type === 'option' ? flagValues(ctx, flag) : []
}

function flagNamed(command: ManifestCommand, word: string) {
  return command.flags.find((flag) => word === `--${flag.name}` || (flag.char !== undefined && word === `-${flag.char}`))
}

/** The positional words typed so far after the command, values of flags left out. */
function positionalsOf(command: ManifestCommand, words: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (word === '--') {
      out.push(...words.slice(i + 1))
      break
    }
    if (word.startsWith('-')) {
      // bash's `--status = open`: one flag and its value.
      if (words[i + 1] === '=') i += 2
      else if (!word.includes('=') && flagNamed(command, word)?.type === 'option') i++
      continue
    }
    out.push(word)
  }
  return out
}

async function flagValues(ctx: Context, flag: {name: string; options?: string[]}): Promise<string[]> {
  if (flag.options && flag.options.length > 0) return flag.options
  if (flag.name === 'agent' || flag.name === 'lead') return agentNames(ctx)
  if (flag.name === 'project') return siblingNames(ctx)
  if (flag.name === 'phase') return [...PDERO_PHASES]
  return []
}

async function argValues(ctx: Context, command: ManifestCommand, arg: string, current: string): Promise<string[]> {
  const where = `${command.name} ${arg}`
  if (['show id', 'export id', 'resume id'].includes(where)) return trajectoryIds(ctx)
  if (where === 'bridge remove name') return siblingNames(ctx)
  if (where === 'send target') return targetValues(ctx, current)
  if (where === 'phase phase') return [...PDERO_PHASES]
  return []
}

async function snapshotOf(ctx: Context) {
  return (await ctx.store()).snapshot()
}

async function agentNames(ctx: Context): Promise<string[]> {
  const snapshot = await snapshotOf(ctx)
  return knownAgentNames(snapshot, (await readProject(snapshot)).project.lead)
}

/**
 * `relay send <TAB>`: this project's agents; `relay send frontend:<TAB>`: the agents of the project going by
 * `frontend` (a synced sibling, or this project), its lead and all of it (`frontend:lead`, `frontend:*`).
 */
async function targetValues(ctx: Context, current: string): Promise<string[]> {
  const colon = current.indexOf(':')
  if (colon === -1) return agentNames(ctx)
  const project = current.slice(0, colon)
  const agents = project === '*' ? ['*'] : [...(await agentsOfProject(ctx, project)), 'lead', '*']
  return agents.map((agent) => `${project}:${agent}`)
}

/** The 200 newest trajectory ids, newest first. */
async function trajectoryIds(ctx: Context): Promise<string[]> {
  return newestTrajectoryIds(await snapshotOf(ctx), 200)
}

async function siblingNames(ctx: Context): Promise<string[]> {
  return (await listSiblings(ctx)).map((sibling) => sibling.name)
}
