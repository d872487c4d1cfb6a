import {UsageError} from '../errors.js'
import {quoteInput} from '../model/text.js'
import {completeWords, completionScript, installLines, SHELLS, type Shell} from './complete.js'
import {defineCommand} from './definition.js'
import type {Bin} from './suggest.js'

// The two commands of shell completion, the same for both executables (./complete.ts does the work):
// `<bin> completion <shell>` prints the script; `<bin> __complete -- <words...>`, hidden, is what the script runs.

/** `trail completion bash`: the completion script for a shell, printed to be saved where the shell looks. */
export function completionCommand(bin: Bin) {
  return defineCommand({
    bin,
    name: 'completion',
    summary: 'Print the shell completion script for bash, zsh or fish',
    description:
      'Completes commands, their flags, and values read from the store at each TAB: agent names, trajectory ids, ' +
      `sibling names. Save the script where your shell looks for it:\n${installLines(bin).join('\n')}\n` +
      'Open a new shell afterwards. The script runs `' +
      bin +
      '` by name: it completes the one on your PATH.',
    examples: [
      `${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}`,
      `${bin} completion zsh > "\${fpath[1]}/_${bin}"`,
      `${bin} completion fish > ~/.config/fish/completions/${bin}.fish`,
    ],
    args: [{name: 'shell', description: `the shell: ${SHELLS.join(', ')}`, required: true}],
    flags: {},
    json: false,
    run: async (_ctx, {args}) => {
      const shell = args.shell ?? ''
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new UsageError(
          `no completion for the shell '${quoteInput(shell)}'`,
          `use one of: ${SHELLS.map((name) => `${bin} completion ${name}`).join(', ')}`,
        )
      }
      return completionScript(bin, shell as Shell)
    },
    text: (script) => script,
  })
}

/** `trail __complete -- <words...>`: the candidates for the last word, one a line (hidden: the scripts run it). */
export function shellCompleteCommand(bin: Bin) {
  return defineCommand({
    bin,
    name: '__complete',
    summary: 'The candidates for the last word of a command line (run by the completion scripts)',
    args: [],
    variadic: true,
    hidden: true,
    flags: {},
    json: false,
    run: (ctx, input) => completeWords(ctx, bin, input.rest ?? []),
    text: (candidates) => candidates.map((candidate) => `${candidate}\n`).join(''),
  })
}
