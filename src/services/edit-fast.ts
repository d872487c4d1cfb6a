import {lstatSync} from 'node:fs'
import {join} from 'node:path'
import {isNothingThere} from '../files.js'
import {findRepository, type RepositoryLocation} from '../git/discover.js'
import {commitPatchIds, type GitPlace} from '../git/diffs.js'
import {readFileHistory, type FileHistoryEntry} from '../git/file-history.js'
import {oidLength, type Oid} from '../git/objects.js'
import {readRefFiles} from '../git/ref-files.js'
import {isId} from '../model/ids.js'
import {eventsDir, FORMAT_PATH, linkKeyDir, STORE_REF, trajectoryPath} from '../model/layout.js'
import {FORMAT_VERSION, parseFormat} from '../model/format.js'
import {byNewest, parseEvent, parseTrajectory, type TrajectoryEvent} from '../model/trajectory.js'
import type {WhyCommit, WhyResult, WhyTrajectory} from '../model/why.js'
import {whyMarkdownFitting} from '../render/why.js'
import {HistoryCache} from '../store/history-cache.js'
import {MirrorFiles, mirrorShows} from '../store/mirror-read.js'
import {workTreePath} from '../store/locate.js'
import {pathIndexAt} from '../store/path-index.js'
import type {Context} from './context.js'
import {EDIT_HISTORY_COMMITS, isNewFile, type EarlyHistory} from './edit-history.js'

// The edit hook's fast answer (./edit-context.ts): what explainLines (./why.ts) finds for a whole file with
// `forContext`, with at most one git process (`git log --follow` of the file, none when it is remembered for HEAD's
// commit: ../store/history-cache.ts) instead of `git cat-file`, the log and, for commits nobody linked, `git
// diff-tree` and `git patch-id`. It reads the store from the work-tree mirror's files
// and the path index (../store/path-index.ts), and gives up (undefined: the caller asks explainLines) whenever it
// cannot answer exactly as explainLines would:
// - the refs under refs/trail/ cannot be read from git's files, there is no store, or another store (a remote's, a
//   sibling's) may link commits here;
// - the mirror does not show the ref's tip (its state names another commit, it is partial or off), or its format
//   file is missing or of another version;
// - the file in the work tree is a folder or a link (the history decides, and only a read of the commit's tree says
//   what it holds), or it is not in the work tree but HEAD has it (a new file is answered: nothing shaped it);
// - the log's newest entry is not this path (a folder in that commit), or the log fails;
// - the index cannot be built, or git's patch ids fail.
// A commit nobody linked that changed the file at a path the index names may be a linked change rebased or
// squashed: its patch id is computed (git diff-tree and git patch-id) and looked up, as explainLines does.

/** The most an edit hook adds to the agent's context, in characters (about 1,000 tokens). */
const EDIT_CONTEXT_CHARS = 4000
/** Trajectories whose events are read in one round trip, newest first, until the budget is spent. */
const EVENTS_BATCH = 2

/**
 * The edit hook's context for the file at `path` (absolute) from the fast answer: its Markdown, null when no
 * recorded decision shaped it, or undefined when only explainLines can tell (./edit-context.ts asks it then; the
 * pre-edit bundle hands the edit to the whole hook). Needs nothing of the store but the repository's files, so the
 * bundle that answers most edits (../cli/hot-families/relay-pre-edit.ts) loads no more than this. What the caller
 * knows already is not looked for again: the repository `ctx.cwd` is in (`known.repo`), the file's first look
 * (`known.early`: ./edit-history.ts).
 *
 * @example const context = await fastEditContext(ctx, '/home/me/project/src/app.js')
 */
export async function fastEditContext(
  ctx: Pick<Context, 'cwd' | 'env'>,
  path: string,
  known: {repo?: RepositoryLocation; early?: EarlyHistory} = {},
): Promise<string | null | undefined> {
  const fast = await fastAnswer(ctx, path, known)
  return fast === undefined ? undefined : fittedContext(fast.result, async (batch) => batch.forEach(fast.readEvents))
}

/** The fast answer for an absolute `path`, or undefined when explainLines must answer. */
async function fastAnswer(
  ctx: Pick<Context, 'cwd' | 'env'>,
  path: string,
  {repo, early}: {repo?: RepositoryLocation; early?: EarlyHistory},
): Promise<FastWhy | undefined> {
  try {
    const found = repo ?? findRepository(ctx.cwd, ctx.env)
    if (found.workTree === null) return undefined
    const inside = workTreePath(found.workTree, path)
    if (inside === null) return undefined
    return await fastWhy({...found, cwd: found.workTree, env: ctx.env}, inside, EDIT_HISTORY_COMMITS, early)
  } catch {
    // Never worse than without it: explainLines answers, and reports what is wrong.
    return undefined
  }
}

/**
 * The repository as the fast answer reads it: where it is, and where its git processes run. A GitRepo is one; the
 * edit hook's bundle makes one from findRepository alone, without GitRepo's write machinery.
 */
type WhyPlace = RepositoryLocation & GitPlace

/**
 * The Markdown within the budget, or null when it shows no decision. Newest first, a few at a time: the events of a
 * trajectory are read only when the layout reaches it with room for its heading (whyMarkdownFitting's `needs`), so
 * those of the trajectories left out for want of room are never read. The Markdown is the same as with every event
 * read.
 */
export async function fittedContext(result: WhyResult, readEvents: (batch: WhyTrajectory[]) => Promise<void>): Promise<string | null> {
  const read = new Set<WhyTrajectory>()
  const options = {isRead: (t: WhyTrajectory) => read.has(t), historyLimit: EDIT_HISTORY_COMMITS}
  for (;;) {
    const fitted = whyMarkdownFitting(result, EDIT_CONTEXT_CHARS, options)
    if (fitted.needs === null) return fitted.decisions === 0 ? null : fitted.text
    const batch = result.trajectories
      .slice(fitted.needs)
      .filter((t) => !read.has(t))
      .slice(0, EVENTS_BATCH)
    await readEvents(batch)
    for (const t of batch) read.add(t)
  }
}

/** What the fast answer found: the same result explainLines gives with `forContext`, and how to read events. */
interface FastWhy {
  result: WhyResult
  readEvents: (t: WhyTrajectory) => void
}

/**
 * The trajectories behind `path` (from the top of the work tree) for the edit hook, or undefined when only
 * explainLines can answer exactly.
 *
 * @example const fast = await fastWhy(repo, 'src/app.js', 100)
 */
async function fastWhy(repo: WhyPlace, path: string, maxCommits: number, early?: EarlyHistory): Promise<FastWhy | undefined> {
  const workTree = repo.workTree
  if (workTree === null) return undefined
  try {
    if (!lstatSync(join(workTree, path)).isFile()) return undefined
  } catch (error) {
    if (!isNothingThere(error)) return undefined
    // A new file: nothing shaped it. One HEAD has (deleted in the work tree only): explainLines tells.
    const created = await (early?.path === path && 'created' in early ? early.created : isNewFile(repo, path))
    return created ? {result: noHistory(path), readEvents: () => {}} : undefined
  }
  const refs = readRefFiles(repo.commonDir, 'refs/trail/', repo.objectFormat)
  const tip = refs?.find((ref) => ref.name === STORE_REF)?.oid
  if (refs === null || tip === undefined) return undefined
  if (refs.some((ref) => /^refs\/trail\/(remotes|siblings)\/[^/]+\/records$/.test(ref.name) && ref.oid !== tip)) return undefined
  if (!mirrorShows(repo, tip)) return undefined
  const files = new MirrorFiles(workTree)
  const format = files.readText(FORMAT_PATH)
  try {
    if (format === null || parseFormat(format, FORMAT_PATH).format !== FORMAT_VERSION) return undefined
  } catch {
    return undefined
  }

  let history: FileHistoryEntry[]
  let index: Awaited<ReturnType<typeof pathIndexAt>>
  try {
    // The file's history: remembered for HEAD's commit (../store/history-cache.ts), else git's log from that commit.
    // Or started already (`early`: not remembered, the log started from that commit, with the memory it opened).
    const begun = early?.path === path && 'history' in early && maxCommits === EDIT_HISTORY_COMMITS ? early : undefined
    const cache = begun !== undefined ? begun.cache : HistoryCache.open(repo)
    const cached = begun !== undefined ? undefined : cache?.get(path, maxCommits)
    const revision = begun?.revision ?? cache?.head ?? 'HEAD'
    const started = begun?.history
    const log =
      cached !== undefined
        ? Promise.resolve(cached)
        : (started ?? readFileHistory(repo, path, revision, maxCommits)).then((found) => {
            cache?.set(path, maxCommits, found)
            return found
          })
    ;[history, index] = await Promise.all([log, pathIndexAt(repo, tip, files)])
  } catch {
    return undefined
  }
  if (index === null || (history.length > 0 && history[0]!.path !== path)) return undefined

  // Each commit's trajectories, by the key its own link left (.trail/links/ab/cd/<commit>/<trajectory>.yaml); for
  // a commit nobody linked that changed the file at a path some link names, by the patch id of that change (a
  // rebase, a squash), as explainLines finds them, in its order.
  const found = new Map<string, Map<Oid, WhyCommit['match']>>()
  const note = (key: string, oid: Oid, match: WhyCommit['match']): boolean => {
    const ids = files
      .list(linkKeyDir(key))
      .map((name) => name.replace(/\.yaml$/, ''))
      .filter((id) => isId(id, 'traj'))
    for (const id of ids) {
      const commits = found.get(id) ?? new Map<Oid, WhyCommit['match']>()
      if (!commits.has(oid)) commits.set(oid, match)
      found.set(id, commits)
    }
    return ids.length > 0
  }
  const length = oidLength(repo.objectFormat)
  if (history.some((entry) => entry.oid.length !== length)) return undefined
  const unnamed = history.filter((entry) => !note(entry.oid, entry.oid, 'commit'))
  const keyed = unnamed.filter((entry) => index.paths.has(entry.path))
  if (keyed.length > 0) {
    let patchIds: Awaited<ReturnType<typeof commitPatchIds>>
    try {
      patchIds = await commitPatchIds(
        repo,
        keyed.map((entry) => entry.oid),
        [...new Set(keyed.map((entry) => entry.path))],
      )
    } catch {
      return undefined
    }
    for (const entry of keyed) {
      const key = patchIds.get(entry.oid)?.files.get(entry.path)
      if (key !== undefined && /^[0-9a-f]+$/.test(key)) note(key, entry.oid, 'file')
    }
  }

  const paths = new Map(history.map((entry) => [entry.oid, entry.path]))
  const trajectories: WhyTrajectory[] = []
  for (const [id, matched] of found) {
    const trajectory = readRecord(files, parseTrajectory, trajectoryPath(id))
    if (trajectory === null) continue
    trajectories.push({
      detail: {trajectory, events: []},
      source: null,
      lines: [],
      commits: [...matched].map(([oid, match]) => ({oid, match, subject: '', author: '', path: paths.get(oid)!, lines: []})),
      decisionLines: {},
      handoffs: [],
    })
  }
  trajectories.sort((a, b) =>
    a.detail.trajectory.started < b.detail.trajectory.started ? 1 : a.detail.trajectory.started > b.detail.trajectory.started ? -1 : 0,
  )
  const explained = new Set(trajectories.flatMap((t) => t.commits.map((c) => c.oid)))
  const unexplained = history.filter((entry) => !explained.has(entry.oid)).map((entry) => ({oid: entry.oid, subject: '', author: '', lines: []}))
  return {
    result: {path, rev: 'HEAD', ranges: null, binary: false, trajectories, unexplained: {lines: 0, commits: unexplained}},
    readEvents: (t) => {
      t.detail.events = readEvents(files, t.detail.trajectory.id)
    },
  }
}

/** What explainLines finds for a path with no history: no trajectory, no commit. */
function noHistory(path: string): WhyResult {
  return {path, rev: 'HEAD', ranges: null, binary: false, trajectories: [], unexplained: {lines: 0, commits: []}}
}

function readRecord<T>(files: MirrorFiles, parse: (text: string, path: string) => T, path: string): T | null {
  const text = files.readText(path)
  if (text === null) return null
  try {
    return parse(text, path)
  } catch {
    return null
  }
}

/** A trajectory's events from the mirror, as readEvents (./trajectory-records.ts) reads them: [] when one is unreadable. */
function readEvents(files: MirrorFiles, trajectoryId: string): TrajectoryEvent[] {
  const dir = eventsDir(trajectoryId)
  const events: TrajectoryEvent[] = []
  for (const name of files.list(dir).filter((name) => name.endsWith('.md'))) {
    const text = files.readText(`${dir}/${name}`)
    if (text === null) continue
    try {
      events.push(parseEvent(text, `${dir}/${name}`))
    } catch {
      return []
    }
  }
  return events.sort((a, b) => -byNewest(a, b))
}
