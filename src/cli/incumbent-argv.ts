// The manners `trail` shares with agent-trajectories' CLI, before any command is parsed: its global
// `--data-dir <path>` (anywhere on the line, as commander takes it: it sets TRAJECTORIES_DATA_DIR), `-V` for the
// version, `-h` for help, and `help [command]` (both executables take the last three: ./globals.ts). Both front
// ends (the fast path and oclif) run argv through this.

/**
 * Returns argv with `--data-dir` taken out and put into `env`.
 *
 * @example normaliseTrailArgv(['--data-dir', 'x', 'list'], process.env)   // ['list']
 */
export function normaliseTrailArgv(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (word === '--data-dir' && i + 1 < argv.length) {
      env.TRAJECTORIES_DATA_DIR = argv[++i]!
    } else if (word.startsWith('--data-dir=')) {
      env.TRAJECTORIES_DATA_DIR = word.slice('--data-dir='.length)
    } else {
      out.push(word)
    }
  }
  return out
}

/**
 * `-V`, `version`, `help [command...]` and `-h` as oclif's --version and --help, for both executables. Only words
 * before `--` are rewritten: after it, `-h`, `help` and `-V` are arguments (a title, a message).
 *
 * @example helpAndVersionSpellings(['start', '--', '-h'])   // unchanged: '-h' is the title
 */
export function helpAndVersionSpellings(argv: readonly string[]): string[] {
  const end = argv.indexOf('--')
  const options = end === -1 ? argv : argv.slice(0, end)
  const rest = end === -1 ? [] : argv.slice(end)
  // The rest is kept, for the global flags in it to be checked (`trail version --color=foo` as `trail -V --color=foo`).
  if (isVersionWord(options[0])) return ['--version', ...options.slice(1), ...rest]
  // `help help` and `help version`: the executable's help, which says what both do.
  if (options[0] === 'help')
    return options.length === 1 || ['help', 'version'].includes(options[1]!) ? ['--help', ...rest] : [...options.slice(1), '--help', ...rest]
  return [...options.map((word) => (word === '-h' ? '--help' : word)), ...rest]
}

/** `-V` and `version` as the first word: both executables print their version for them, as for `--version`. */
function isVersionWord(word: string | undefined): boolean {
  return word === '-V' || word === 'version'
}
