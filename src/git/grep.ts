// `git grep` over a commit's tree: the query as git takes it, and its output parsed. git reads the blobs (in C,
// in parallel); the caller gets paths, counts or lines.

/**
 * Which lines a term takes: those an extended regular expression (git grep -E) matches, those every part of `all`
 * takes (in order: git stops at the first that refuses the line, so the cheapest test goes first), or those `not`
 * refuses.
 */
export type GrepExpression = string | {readonly all: readonly GrepExpression[]} | {readonly not: GrepExpression}

export interface GrepQuery {
  /** The terms; a file is one with lines one of them takes, or (with `allMatch`) lines each of them takes. */
  patterns: GrepExpression[]
  allMatch?: boolean
  ignoreCase?: boolean
  pathspecs: string[]
  /** Stop git grep after this many milliseconds (GitTimeoutError): a --regex search with a pattern that backtracks. */
  timeoutMs?: number
  /** Stop git grep when this aborts: the request it searches for was cancelled. */
  signal?: AbortSignal
}

export interface GrepLine {
  line: number
  text: string
}

/** What `git grep` reports: matching files (-l), matching lines (-n), or counts of matching lines (-c). */
export type GrepMode = '-l' | '-n' | '-c'

/** The arguments of `git grep` for a query over `revision`. */
export function grepArgs(revision: string, query: GrepQuery, mode: GrepMode): string[] {
  // --no-column: grep.column=true in the user's config would add a field to every line.
  const args = ['grep', mode, '--null', '-I', '-E', '--no-color', '--no-column']
  if (query.ignoreCase) args.push('-i')
  if (query.allMatch) args.push('--all-match')
  query.patterns.forEach((term, index) => {
    if (index > 0) args.push('--or')
    args.push(...expressionArgs(term))
  })
  return [...args, revision, '--', ...query.pathspecs]
}

/** git grep's words for a term: `-e <pattern>`, `( a --and b )`, `--not a`. */
function expressionArgs(term: GrepExpression): string[] {
  if (typeof term === 'string') return ['-e', term]
  if ('not' in term) return ['--not', ...expressionArgs(term.not)]
  return ['(', ...term.all.flatMap((part, index) => [...(index > 0 ? ['--and'] : []), ...expressionArgs(part)]), ')']
}

/** Output of `-l`: the paths, without the "<revision>:" git puts before them. */
export function parseGrepFiles(output: string, revision: string): string[] {
  return output === ''
    ? []
    : output
        .split('\0')
        .filter(Boolean)
        .map((name) => pathOf(name, revision))
}

/** Output of `-n`: each matching file's lines, in git's order. Each line: <rev>:<path> NUL <number> NUL <text> LF. */
export function parseGrepLines(output: string, revision: string): Map<string, GrepLine[]> {
  const files = new Map<string, GrepLine[]>()
  for (const [name, line, text] of splitGrepOutput(output, 3)) {
    const path = pathOf(name!, revision)
    files.set(path, [...(files.get(path) ?? []), {line: Number(line), text: text!}])
  }
  return files
}

/** Output of `-c`: each matching file and how many lines match. Each line: <rev>:<path> NUL <count> LF. */
export function parseGrepCounts(output: string, revision: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const [name, count] of splitGrepOutput(output, 2)) counts.set(pathOf(name!, revision), Number(count))
  return counts
}

function pathOf(name: string, revision: string): string {
  return name.startsWith(`${revision}:`) ? name.slice(revision.length + 1) : name
}

/** git grep's output with --null, as the fields of each line (the text may hold anything but a newline). */
function* splitGrepOutput(output: string, fields: number): Generator<string[]> {
  for (let start = 0; start < output.length; ) {
    const newline = output.indexOf('\n', start)
    const end = newline === -1 ? output.length : newline
    const row = output.slice(start, end).split('\0', fields)
    if (row.length === fields) yield row
    start = end + 1
  }
}

/** Escapes text so an extended regular expression matches it literally. */
export function escapeExtended(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')
}
