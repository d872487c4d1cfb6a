import {format} from 'node:util'
import {Help} from '@oclif/core'
import {paint} from '../render/style.js'
import {outputStyle, PROCESS_STREAMS, printOutput} from './execute.js'

// Help as our own output: oclif lays it out (`trail --help`, `trail help <cmd>`, `trail <cmd> -h`, bare `trail`, and
// `relay`'s), and it leaves like every command's output: through the one door to the terminal (./execute.ts) and
// through the pager on a terminal when it is longer than the screen, as `git help -a` and `gh` page theirs
// (./pager.ts: never into a pipe, never with --no-pager, always with -P). Colour follows ./color.ts (--color,
// FORCE_COLOR, NO_COLOR, a terminal) as for every command: oclif's own colour codes are taken out, and the section
// headings are made bold again with paint().
//
// oclif loads this class by the `helpClass` of each executable's configuration (written by scripts/build.mjs), so
// it is loaded only when help is asked for.

/** An SGR colour code, as oclif's theme writes them. */
const SGR = /\u001b\[[0-9;]*m/g
/** A section heading of oclif's help: USAGE, FLAGS, GLOBAL FLAGS, EXAMPLES... */
const HEADING = /^[A-Z][A-Z ]*[A-Z]$/gm

export default class PagedHelp extends Help {
  /** The lines oclif logs while showHelp runs, printed at once when it is done. */
  private lines: string[] | null = null

  override async showHelp(argv: string[]): Promise<void> {
    this.lines = []
    let text: string
    try {
      await super.showHelp(argv)
    } finally {
      text = this.lines.join('')
      this.lines = null
    }
    await printOutput(`${this.config.bin} help`, styledHelp(text, outputStyle(PROCESS_STREAMS.stdout, process.env).color))
  }

  /** oclif's way out (it would write with console.log): kept, with the line break console.log adds. */
  protected override log(...args: string[]): void {
    const line = `${format(...args)}\n`
    if (this.lines) this.lines.push(line)
    else void printOutput(`${this.config.bin} help`, styledHelp(line, outputStyle(PROCESS_STREAMS.stdout, process.env).color))
  }
}

/**
 * Help text without oclif's colour codes, and with its section headings in bold when colour is on.
 *
 * @example styledHelp('\u001b[1mUSAGE\u001b[22m\n  $ trail list\n', false)   // 'USAGE\n  $ trail list\n'
 */
export function styledHelp(text: string, color: boolean): string {
  const plain = text.replace(SGR, '')
  return color ? plain.replace(HEADING, (heading) => paint({isTTY: true, color: true, now: new Date(0)}, 'bold', heading)) : plain
}
