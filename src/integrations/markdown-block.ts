import {UsageError} from '../errors.js'

// The agent instructions go into the user's Markdown files (CLAUDE.md, AGENTS.md, GEMINI.md) between two markers,
// so a later `trail init` replaces exactly that block and `trail init --remove` takes exactly it out.

export const BLOCK_START = '<!-- relay-trail:start (managed by trail init; edit outside these markers) -->'
export const BLOCK_END = '<!-- relay-trail:end -->'

interface Span {
  start: number
  end: number
}

/** Where our block is (from its start marker to after its end marker), null when absent; refuses broken markers. */
function findBlock(text: string, path: string, command: string): Span | null {
  const starts = occurrences(text, BLOCK_START)
  const ends = occurrences(text, BLOCK_END)
  if (starts.length === 0 && ends.length === 0) return null
  if (starts.length !== 1 || ends.length !== 1 || ends[0]! < starts[0]!) {
    throw new UsageError(
      `${path} has ${starts.length} relay-trail start and ${ends.length} end markers${starts.length === 1 && ends.length === 1 ? ' in the wrong order' : ''}; it is left as it is`,
      `keep one "${BLOCK_START}" line and one "${BLOCK_END}" line after it (or remove both), then run ${command} again`,
      'E_SETTINGS',
    )
  }
  return {start: starts[0]!, end: ends[0]! + BLOCK_END.length}
}

function occurrences(text: string, needle: string): number[] {
  const out: number[] = []
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) out.push(at)
  return out
}

/**
 * Puts `block` between our markers: replaced where the markers are, appended (after a blank line) otherwise.
 *
 * @example placeBlock('# Rules\n', 'Record your work.', 'CLAUDE.md', 'trail init --claude')
 */
export function placeBlock(text: string, block: string, path: string, command: string): string {
  const managed = `${BLOCK_START}\n${block.trimEnd()}\n${BLOCK_END}`
  const span = findBlock(text, path, command)
  if (span) return `${text.slice(0, span.start)}${managed}${text.slice(span.end)}`
  return `${text}${text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n'}${managed}\n`
}

/** The text without our block (and the blank line that separated it); unchanged when there is none. */
export function removeBlock(text: string, path: string, command: string): string {
  const span = findBlock(text, path, command)
  if (!span) return text
  const before = text.slice(0, span.start).replace(/\n\n$/, '\n')
  const after = text.slice(span.end).replace(/^\n/, '')
  return before + after
}
