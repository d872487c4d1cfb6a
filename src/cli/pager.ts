import {spawn} from 'node:child_process'
import {isatty} from 'node:tty'

// Long output on a terminal goes through a pager, as git's does. The pager is $TRAIL_PAGER, else $PAGER, else
// `less`; LESS=FRX is set when LESS is unset (quit if one screen, keep colour, leave the screen as it is), LV=-c
// likewise, as git does. It runs only when stdout is a terminal (so never into a pipe or a file, --json or not),
// for the commands that print long output (PAGED below), when the text is longer than the terminal is high; `-P` /
// `--paginate` pages any command's output on a terminal whatever its length, `--no-pager` never pages. An empty
// pager or `cat` means no pager, as for git. Unlike git, nothing is paged when stdin is not a terminal either.
//
// The pager is run as `sh -c "$PAGER"`, as git runs it: PAGER is a command line the user set in their own
// environment (`less -S`, `delta --paging=always`), not foreign input, and splitting it ourselves would get quoting
// wrong where sh gets it right. Nothing else is ever put into that command line; the text paged goes to its stdin.
// Besides src/git/ and the dashboard's browser, this is the one file the linter lets start a process (biome.json).

export type PagerChoice = 'auto' | 'never' | 'always'

/**
 * The commands whose output is paged on a terminal: those that print records, lists and help (`trail help` stands
 * for every spelling of help: `trail --help`, `trail help start`, `trail start -h`, bare `trail`; see ./help.ts).
 */
export const PAGED: ReadonlySet<string> = new Set([
  'trail help',
  'relay help',
  'trail list',
  'trail show',
  'trail export',
  'trail review',
  'trail why',
  'relay inbox',
  'relay thread',
  'relay search',
  'relay continuity search',
])

let choice: PagerChoice = 'auto'

export function setPagerChoice(value: PagerChoice): void {
  choice = value
}

/** The pager command line to run for this output, or null to print it directly. */
export function pagerFor(command: string, stdout: {isTTY?: boolean; rows?: number; columns?: number}, env: NodeJS.ProcessEnv, text: string): string | null {
  if (choice === 'never' || stdout.isTTY !== true || env.TERM === 'dumb') return null
  // No keyboard, no pager: a harness that gives stdout a terminal but stdin none would wait on less forever.
  if (!isatty(0)) return null
  if (choice === 'auto' && !PAGED.has(command)) return null
  const pager = (env.TRAIL_PAGER ?? env.PAGER ?? 'less').trim()
  if (pager === '' || pager === 'cat') return null
  // A terminal that does not tell its size (0 rows) is taken as $LINES x $COLUMNS, else 24 x 80.
  const rows = stdout.rows || Number(env.LINES) || 24
  const columns = stdout.columns || Number(env.COLUMNS) || 80
  if (choice === 'auto' && lineCount(text, columns) < rows) return null
  return pager
}

/** The lines `text` takes on a terminal `columns` wide (a long line wraps). */
function lineCount(text: string, columns: number): number {
  const width = columns > 0 ? columns : 80
  let count = 0
  for (const line of text.replace(/\n$/, '').split('\n')) count += Math.max(1, Math.ceil([...line].length / width))
  return count
}

/**
 * Writes `text` (already made safe for a terminal) through the pager and waits for the pager to end. If the pager
 * cannot be started, `instead` prints it (to stdout, through the door in ./execute.ts); a pager quit early (`q` in
 * less) is not an error.
 */
export function page(pager: string, text: string, env: NodeJS.ProcessEnv, instead: () => void): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', pager], {
      stdio: ['pipe', 'inherit', 'inherit'],
      env: {...env, LESS: env.LESS ?? 'FRX', LV: env.LV ?? '-c'},
    })
    let done = false
    const finish = (printInstead: boolean) => {
      if (done) return
      done = true
      if (printInstead) instead()
      resolve()
    }
    child.on('error', () => finish(true))
    child.stdin.on('error', () => {})
    child.stdin.end(text)
    // 126 and 127: sh could not run the pager (not found, not executable), and said so on stderr.
    child.on('close', (code) => finish(code === 126 || code === 127))
  })
}
