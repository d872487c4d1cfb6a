import {formatSeconds, GitError, GitTimeoutError, TrailError, UsageError} from '../errors.js'
import {clip} from '../model/text.js'
import {idTime} from '../model/ids.js'
import {FieldReader} from '../model/record.js'
import type {AgentName} from '../model/names.js'
import {quoteInput} from '../model/text.js'
import {parseTimeoutSeconds} from '../model/timeouts.js'
import {escapeExtended, type GrepLine, type Snapshot} from '../store/snapshot.js'
import type {Context} from './context.js'
import {messageSources} from './messages.js'
import {readProject} from './projects.js'
import {searchTerm} from './search-term.js'
import type {SearchHit, SearchResult} from '../model/results.js'
import {kindOfPath, pathspecsOf, SEARCH_KINDS, searchKind, type SearchKind} from '../model/kinds.js'

// Search over records with `git grep` on the ref: git reads the blobs (in C, in parallel); Node reads only the
// front matter of the hits it shows. A literal query by default (a query starting with "-", regex characters,
// non-ASCII text are all searched as written); `regex` makes it an extended regular expression.

/** The search kind of a path on the ref, and the id its path holds (none for a ledger). */
function searchedPath(path: string): {kind: SearchKind; id: string | undefined} | null {
  const known = kindOfPath(path)
  return known?.kind.search ? {kind: known.kind.search, id: known.keys.id} : null
}

/** Up to this --limit, the shown hits' lines are read by naming their paths; above, by the kinds' pathspecs. */
const NAMED_PATHS = 200

/** The longest query searched: git grep refuses far longer patterns (or the system the command line), with errors that say nothing of the query. */
export const MAX_QUERY_CHARS = 1000

/**
 * Refuses a query over MAX_QUERY_CHARS before any git process starts.
 *
 * @example checkQueryLength('JWT') // passes
 */
export function checkQueryLength(text: string, what = 'the search query'): void {
  if (text.length <= MAX_QUERY_CHARS) return
  throw new UsageError(
    `${what} is ${text.length} characters, over the limit of ${MAX_QUERY_CHARS}`,
    'search for a shorter part of it: a few distinctive words find the record',
  )
}

export interface SearchQuery {
  text: string
  /** Treat `text` as an extended regular expression instead of literal text. */
  regex?: boolean
  kinds?: readonly SearchKind[]
  agent?: AgentName
  since?: Date
  limit: number
  /**
   * With `regex`: how long the search may take, in milliseconds (default: git config relay.searchTimeout in
   * seconds, else DEFAULT_REGEX_TIMEOUT_MS). git grep's engine backtracks on some patterns (back-references,
   * nested repetition) for minutes; over the limit it is stopped and the search fails with E_TIMEOUT.
   */
  timeoutMs?: number
  /** Stops the search's git greps when it aborts (the request was cancelled: Context.signal). */
  signal?: AbortSignal
}

/** How long a --regex search may run by default. */
export const DEFAULT_REGEX_TIMEOUT_MS = 10_000

/** The git config key that sets it, in seconds. */
const REGEX_TIMEOUT_KEY = 'relay.searchTimeout'

/**
 * Searches the records of one snapshot, ranked by the number of matching lines and by recency.
 *
 * @example const {hits} = await searchSnapshot(snapshot, {text: 'JWT', kinds: ['handoff'], limit: 10}, new Date())
 */
export async function searchSnapshot(snapshot: Snapshot, query: SearchQuery, now: Date, project = '', deadline = regexDeadline(query)): Promise<SearchResult> {
  checkQueryLength(query.text)
  if (snapshot.tip === null || query.text === '') return {hits: [], total: 0}
  // A --regex search is bounded in time (all its git greps together): what is left of it when each one starts.
  // Each stops too when the request is cancelled.
  const stops = (): {timeoutMs?: number; signal?: AbortSignal} => ({
    ...(deadline === null ? {} : {timeoutMs: Math.max(1, deadline - Date.now())}),
    ...(query.signal === undefined ? {} : {signal: query.signal}),
  })
  const kinds = query.kinds && query.kinds.length > 0 ? query.kinds : SEARCH_KINDS
  const pathspecs = kinds.flatMap((kind) => pathspecsOf(searchKind(kind)))
  // Values and text, never the names of fields nor the lines the format writes (./search-term.ts).
  const term = searchTerm(query.text, query.regex === true)
  // With an agent, a second pattern must match in the same file (--all-match): "agent: X" or "from: X". Its line
  // is counted too, so one is taken off, and it is not shown.
  const agentLine = query.agent ? `^(agent|from): "?${escapeExtended(query.agent)}"?$` : null
  // Ranking needs only how many lines of each file match: git counts them; lines are read for the shown hits.
  const counts = await snapshot
    .grepCounts({patterns: agentLine ? [agentLine, term] : [term], allMatch: agentLine !== null, ignoreCase: true, pathspecs, ...stops()})
    .catch((error: unknown) => {
      throw query.regex ? invalidRegex(error, query) : error
    })
  // Another store's records over the size limit are left out (reported by its snapshot): git grep would print a
  // matching line of a 600 MB record whole.
  const tooLarge = await snapshot.tooLarge([...counts.keys()])
  for (const path of tooLarge) counts.delete(path)
  if (agentLine) for (const [path, count] of counts) counts.set(path, count - 1)
  const from = query.since?.getTime()
  // A record's time is in its id; a ledger has none in its name, so its `updated` is read (ledgers are few).
  const ledgers = [...counts.keys()].filter((path) => searchedPath(path)?.kind === 'ledger')
  const ledgerTimes = new Map((await snapshot.readTexts(ledgers)).map((text, index) => [ledgers[index]!, updatedOf(text ?? '', ledgers[index]!)]))
  const candidates = [...counts].flatMap(([path, matches]) => {
    const searched = searchedPath(path)
    if (!searched || matches <= 0) return []
    const {kind} = searched
    const id = searched.id ?? path.replace(/^.*\/|\.md$/g, '')
    const time = kind === 'ledger' ? (ledgerTimes.get(path) ?? null) : idTime(id).getTime()
    if (from !== undefined && (time === null || time < from)) return []
    const ageDays = time === null ? 365 : Math.max(0, (now.getTime() - time) / 86_400_000)
    return [{path, kind, id, time, score: Math.log2(1 + matches) + Math.exp(-ageDays / 30)}]
  })
  candidates.sort((a, b) => b.score - a.score || (b.time ?? 0) - (a.time ?? 0))
  const shown = candidates.slice(0, query.limit)
  const named = query.limit <= NAMED_PATHS
  const [texts, lines] = await Promise.all([
    snapshot.readTexts(shown.map((hit) => hit.path)),
    shown.length === 0
      ? new Map<string, GrepLine[]>()
      : snapshot
          .grepLines({
            patterns: [term],
            ignoreCase: true,
            pathspecs: named ? shown.map((hit) => `:(literal)${hit.path}`) : [...pathspecs, ...[...tooLarge].map((path) => `:(exclude,literal)${path}`)],
            ...stops(),
          })
          .catch((error: unknown) => {
            throw query.regex ? invalidRegex(error, query) : error
          }),
  ])
  const agentPattern = agentLine ? new RegExp(agentLine, 'i') : null
  const hits: SearchHit[] = shown.map(({time, ...hit}, index) => {
    const described = describe(texts[index] ?? '', hit.path, hit.kind)
    const matches = (lines.get(hit.path) ?? []).filter(({text}) => !agentPattern?.test(text)).map(({line, text}) => ({line, text: text.trim()}))
    return {project, ...hit, matches, ...described, date: described.date ?? (time === null ? null : new Date(time).toISOString())}
  })
  return {hits, total: candidates.length}
}

/** When a --regex search must end (Date.now() milliseconds), or null for a literal one (never slow). */
function regexDeadline(query: SearchQuery): number | null {
  return query.regex ? Date.now() + (query.timeoutMs ?? DEFAULT_REGEX_TIMEOUT_MS) : null
}

/**
 * The time limit of a --regex search: `flag` (seconds, from --timeout) if given, else git config
 * relay.searchTimeout, else DEFAULT_REGEX_TIMEOUT_MS. Read only for --regex (the config costs a git process).
 */
export async function regexTimeoutMs(ctx: Context, regex: boolean, flag: string | undefined): Promise<number | undefined> {
  if (!regex) return undefined
  if (flag !== undefined) return parseTimeoutSeconds(flag, '--timeout')
  const configured = (await (await ctx.store()).repo.settings()).config.value(REGEX_TIMEOUT_KEY)
  return configured === undefined ? DEFAULT_REGEX_TIMEOUT_MS : parseTimeoutSeconds(configured, `git config ${REGEX_TIMEOUT_KEY}`)
}

/**
 * git grep refusing a --regex query (the user's pattern: a usage error that says what git said), or running over
 * its time limit (a pattern that backtracks: say so, and how to make it fast).
 */
function invalidRegex(error: unknown, query: SearchQuery): unknown {
  const text = query.text
  if (error instanceof GitTimeoutError) {
    return new TrailError(
      `the --regex search for '${quoteInput(text)}' ran over its time limit of ${formatSeconds(query.timeoutMs ?? DEFAULT_REGEX_TIMEOUT_MS)} and was stopped`,
      'simplify the pattern (back-references like \\1 and nested repetition like (a*)* make git grep backtrack), narrow the search with --kind, --agent or --since, or give it more time with --timeout <seconds>',
      'E_TIMEOUT',
    )
  }
  if (!(error instanceof GitError) || error.gitExitCode !== 128) return error
  const reason =
    error.stderr
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.replace(/^fatal: (command line, )?(-e option, '.*': )?/, '') ?? 'git grep refused it'
  return new UsageError(
    `invalid regular expression '${quoteInput(text)}': ${reason}`,
    'fix it (an extended regular expression, as git grep -E takes), or drop --regex to search the text as written',
    'E_REGEX',
  )
}

/** A ledger's `updated` time in milliseconds, or null when it cannot be read. */
function updatedOf(text: string, path: string): number | null {
  try {
    const time = Date.parse(FieldReader.fromDocument(text, path).string('updated'))
    return Number.isNaN(time) ? null : time
  } catch {
    return null
  }
}

/** The title, agent and date a hit is shown with, from its front matter. */
function describe(text: string, path: string, kind: SearchKind): {title: string; agent: string | null; date: string | null} {
  let r: FieldReader
  try {
    r = FieldReader.fromDocument(text, path)
  } catch {
    return {title: path, agent: null, date: null}
  }
  const first = (...keys: string[]) => keys.map((key) => r.optionalString(key)).find((value) => value !== undefined && value !== '')
  const title =
    kind === 'message'
      ? `${first('from') ?? '?'} → ${first('to') ?? '?'}: ${(first('body') ?? '').split('\n')[0]}`
      : (first('title', 'currentTask', 'summary', 'context') ?? (kind === 'ledger' ? 'continuity ledger' : path))
  return {title: clip(title.replace(/\s+/g, ' '), 200), agent: first('agent', 'from') ?? null, date: kind === 'ledger' ? (first('updated') ?? null) : null}
}

/** Searches this project's store. */
export async function searchRecords(ctx: Context, query: SearchQuery): Promise<SearchResult> {
  const snapshot = await (await ctx.store()).snapshot()
  return searchSnapshot(snapshot, {...query, signal: ctx.signal}, ctx.now(), (await readProject(snapshot)).project.id)
}

/**
 * Searches this project's store and every synced sibling's (or only `project`'s), with one git grep each, in
 * parallel; the best `limit` hits of all, ranked together.
 *
 * @example const {hits} = await searchEverywhere(ctx, {text: 'JWT', limit: 20})
 */
export async function searchEverywhere(ctx: Context, query: SearchQuery & {project?: string}): Promise<SearchResult> {
  checkQueryLength(query.text)
  const deadline = regexDeadline(query)
  const {here, siblings} = await messageSources(ctx)
  const sources = [here, ...siblings].filter((source) => query.project === undefined || source.project === query.project || source.sibling === query.project)
  const results = await Promise.all(
    sources.map((source) => searchSnapshot(source.snapshot, {...query, signal: ctx.signal}, ctx.now(), source.project, deadline)),
  )
  const hits = results.flatMap((result) => result.hits).sort((a, b) => b.score - a.score || (b.date ?? '').localeCompare(a.date ?? ''))
  return {hits: hits.slice(0, query.limit), total: results.reduce((sum, result) => sum + result.total, 0)}
}
