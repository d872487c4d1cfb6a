import {setColorChoice} from './color.js'
import {setPagerChoice} from './pager.js'
import {helpAndVersionSpellings} from './incumbent-argv.js'

// The flags every command of both executables takes, wherever they stand before `--`: --color[=auto|always|never]
// (./color.ts), --no-pager, -P and --paginate (./pager.ts). Both front ends take them out of argv here before a
// command is parsed, so each command's own declaration stays as it is and both parse alike
// (test/cli/flag-parity.test.ts). Also `relay`'s help and version spellings, as `trail`'s (./incumbent-argv.ts).

/** The flags every command takes, and the help and version spellings, as the executables' man pages list them (./man.ts). */
export const GLOBAL_FLAGS: readonly {names: readonly string[]; value?: string; description: string; bins?: readonly ('trail' | 'relay')[]}[] = [
  {names: ['-h', '--help'], description: 'print the help of the executable, or of the command before it (also: help <command>)'},
  {names: ['-V', '--version'], description: 'print the version (also: version); in place of a command, as git takes it (not after one)'},
  {
    names: ['--color[=auto|always|never]'],
    description:
      'colour on or off; --color alone is always, --no-color is never; auto (the default) colours a terminal, not a pipe, and heeds FORCE_COLOR and NO_COLOR',
  },
  {names: ['--no-pager'], description: 'never send output through the pager'},
  {names: ['-P', '--paginate'], description: "send any command's output through the pager on a terminal, however short"},
  {
    names: ['--data-dir'],
    value: '<path>',
    description: "agent-trajectories' folder of files (sets TRAJECTORIES_DATA_DIR), as its CLI takes it",
    bins: ['trail'],
  },
]

/** Words that set a global choice, and what is left of argv. Throws a UsageError for a bad --color value. */
export function takeGlobalFlags(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (word === '--color') {
      // As git's: a value only after `=`; the next word is never taken (`--color never` is --color and a word).
      setColorChoice('always')
    } else if (word.startsWith('--color=')) {
      setColorChoice(word.slice('--color='.length))
    } else if (word === '--no-color') {
      setColorChoice('never')
    } else if (word === '--no-pager') {
      setPagerChoice('never')
    } else if (word === '-P' || word === '--paginate') {
      setPagerChoice('always')
    } else {
      out.push(word)
    }
  }
  return out
}

/**
 * Both front ends' first step: the global flags taken out, then the help and version spellings turned into oclif's
 * (so `trail --no-pager -V` is `trail --version`, as `git --no-pager --version` is git's).
 *
 * @example prepareArgv('relay', ['--color=never', 'help', 'continuity', 'save'])   // ['continuity', 'save', '--help']
 */
export function prepareArgv(argv: readonly string[]): string[] {
  return helpAndVersionSpellings(takeGlobalFlags(argv))
}
