import {UsageError} from '../errors.js'

// When output is in colour. In order, the first that says something wins:
//   1. --color=always|never (a global flag of every command; --color alone is always, as git's), --color=auto goes on;
//   2. FORCE_COLOR: "0" (or "false") turns colour off, any other non-empty value turns it on, even into a pipe;
//   3. NO_COLOR: any non-empty value turns colour off (https://no-color.org);
//   4. colour on a terminal (stdout is a TTY and TERM is set and not "dumb": git treats an unset TERM as dumb),
//      none into a pipe or a file.
// FORCE_COLOR wins over NO_COLOR as it does in Node itself: it is the more specific ask. Only colour changes: a
// table into a pipe stays tab-separated with FORCE_COLOR, as its layout follows the stream, not the colour.

export type ColorChoice = 'auto' | 'always' | 'never'

export const COLOR_CHOICES: readonly ColorChoice[] = ['auto', 'always', 'never']

let choice: ColorChoice = 'auto'

/** Sets this process's --color choice (from the global flag); throws a UsageError for a value not in the list. */
export function setColorChoice(value: string): void {
  if (!(COLOR_CHOICES as readonly string[]).includes(value)) {
    throw new UsageError(`expected --color=${value} to be one of: ${COLOR_CHOICES.join(', ')}`, 'use --color=auto, --color=always or --color=never')
  }
  choice = value as ColorChoice
}

/** Whether output to `stream` is in colour (see the top). */
export function colorEnabled(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv): boolean {
  if (choice !== 'auto') return choice === 'always'
  const force = env.FORCE_COLOR
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false'
  if ((env.NO_COLOR ?? '') !== '') return false
  return stream.isTTY === true && env.TERM !== undefined && env.TERM !== '' && env.TERM !== 'dumb'
}
