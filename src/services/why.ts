import {basename, dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'
import {NotFoundError, UsageError} from '../errors.js'
import {lstatOptional, readOptional} from '../files.js'
import type {Oid} from '../git/objects.js'
import type {GitObject} from '../git/object-reader.js'
import type {BlameLine, GitRepo} from '../git/repo.js'
import type {CommitLink} from '../model/commit-link.js'
import type {WhyCommit, WhyResult, WhyTrajectory} from '../model/why.js'
import {linkKeyDir} from '../model/layout.js'
import {counted} from '../model/names.js'
import {quoteInput} from '../model/text.js'
import {linkSources, readLinks, trajectoriesByKey, trajectoriesNotHere, type KeyHit, type LinkSource} from './commit-links.js'
import type {Context} from './context.js'
import {commitOfDecision, readHandoffs} from './review.js'
import {readHeadCommit} from '../store/history-cache.js'
import {realFolder} from '../store/locate.js'
import {readEvents, readTrajectory} from './trajectory-records.js'

/** Where link keys live on the ref (.trail/links/ab/cd/<key>/<trajectory>.yaml). */
const LINKS_DIR = linkKeyDir('0'.repeat(40)).split('/').slice(0, 2).join('/')

// `trail why <path>[:<line>[-<line>]]`: why is this line like this? Blames the lines (following moves and renames,
// as `git blame -C -M` does), finds each commit's trajectories by the keys its links left (its id, else the patch id
// of its change to the file: a rebase, a cherry-pick, a squash), and returns each trajectory's decisions with the
// lines each one covers, newest first. Without lines, every trajectory whose commits changed the file. One service
// for the command, the agents' edit hook (./agent-hooks.ts), the MCP `why` tool and the dashboard's file view.

export interface WhyInput {
  /** A path in the repository, relative to `cwd` (the command's folder) or to the top of the work tree. */
  path: string
  /** Inclusive line ranges; none: the whole file's history. */
  lines?: readonly (readonly [number, number])[]
  /** The commit to look from (default HEAD). */
  rev?: string
  /** At most this many of the file's commits are read without lines (default 500); WhyResult.newestRead says when older ones were left. */
  maxCommits?: number
  /**
   * For an agent's context (the edit hook: ./edit-context.ts): only what whyMarkdown shows is read. Commits get no
   * subject or author, trajectories no handoffs and no decision lines, and no events: `readWhyEvents` reads them,
   * as far as the budget reaches.
   */
  forContext?: boolean
  /**
   * The target as typed, when `path` and `lines` were read from it (parseWhyTarget): a file whose whole name only
   * looks like a line range (`notes:1`) is still found, and a range that is none (`app.js:abc`) is named as such.
   */
  target?: string
}

/**
 * Reads `path[:start[-end]]`: the last `:<n>` or `:<n>-<m>` is a line range, the rest the path. explainLines checks
 * the range once it knows which file is meant.
 */
export function parseWhyTarget(raw: string): {path: string; lines?: [number, number][]; target: string} {
  if (raw.trim() === '') throw new UsageError('no path given', 'trail why <path>[:<line>[-<line>]], for example trail why src/app.js:10-20')
  // At most 15 digits: a larger number is past any file's end, and past what a Number holds exactly.
  const match = /^(.+?):(\d{1,15})(?:-(\d{1,15}))?$/s.exec(raw)
  if (!match) return {path: raw, target: raw}
  const start = Number(match[2])
  const end = match[3] === undefined ? start : Number(match[3])
  return {path: match[1]!, lines: [[start, end]], target: raw}
}

const NUL_SCAN_BYTES = 8000

/** Where synced siblings' stores live (refs/trail/siblings/<name>/records): other projects. */
const SIBLINGS_PREFIX = 'refs/trail/siblings/'

/**
 * Why the lines of a file are as they are.
 *
 * @example const why = await explainLines(ctx, {path: 'src/app.js', lines: [[10, 20]]})
 */
export async function explainLines(ctx: Context, input: WhyInput): Promise<WhyResult> {
  const store = await ctx.store()
  const repo = store.repo
  let path = repoPath(repo.workTree, ctx.cwd, input.path)
  const revName = input.rev ?? 'HEAD'
  let ranges = input.lines?.map(([start, end]) => [start, end] as [number, number]) ?? null
  // Lines of HEAD, the common question: HEAD's commit is read from git's files and `git blame` starts at once, so
  // git works while the file is read and checked below; its answer is used only once the file has those lines.
  const head = ranges !== null && input.rev === undefined ? readHeadCommit(repo) : null
  // A cancelled request (Context.signal: an MCP client gave up) stops each git this answer starts.
  const signal = ctx.signal
  let blamed = head === null || ranges === null ? null : repo.blame(path, ranges, head, signal)
  blamed?.catch(() => {}) // awaited below, or dropped when the file is refused first
  const rev = head ?? (await repo.resolveCommit(revName))
  if (rev === null)
    throw new NotFoundError(
      `'${quoteInput(revName)}' names no commit here`,
      input.rev === undefined ? 'make a first commit, then ask again' : 'give a branch, a tag or a commit id',
    )
  // The file first: a new file or a folder (the edit hook's common case) costs no further git process.
  let entry = await readEntry(repo, rev, path)
  if (entry.kind !== 'file' && input.target !== undefined && input.target !== input.path) {
    // `notes:1` read as line 1 of `notes`: a file may have that whole name.
    const whole = repoPath(repo.workTree, ctx.cwd, input.target)
    const literal = await readEntry(repo, rev, whole)
    if (literal.kind === 'file') {
      ;[path, entry, ranges, blamed] = [whole, literal, null, null]
    }
  }
  if (entry.kind !== 'file') {
    if (input.target !== undefined) await refuseLineRange(repo, rev, ctx.cwd, input.target)
    throw new NotFoundError(
      `${quoteInput(path === '' ? '.' : path, 200)} is not a file in ${quoteInput(revName)}${entry.kind === 'missing' ? '' : ` (it is a ${entry.kind})`}`,
      'give a file that is committed (trail why reads history, not the work tree)',
    )
  }
  if (ranges?.some(([start, end]) => start < 1 || end < start)) throw lineRangeError(input.target ?? input.path)
  const blob = entry.blob
  const binary = blob.data.subarray(0, NUL_SCAN_BYTES).includes(0)
  const shown = quoteInput(path, 200)
  if (ranges !== null && binary)
    throw new UsageError(`${shown} is a binary file: it has no lines to explain`, `ask about the whole file instead: trail why ${shown}`, 'E_INPUT')
  if (ranges !== null) {
    const count = blob.data.length === 0 ? 0 : blob.data.toString('utf8').split('\n').length - (blob.data.at(-1) === 10 ? 1 : 0)
    if (count === 0)
      throw new UsageError(`${shown} is empty in ${quoteInput(revName)}: it has no lines to explain`, `ask about the whole file instead: trail why ${shown}`)
    const over = ranges.find(([, end]) => end > count)
    if (over)
      throw new UsageError(
        `${shown} has ${counted(count, 'line')} in ${quoteInput(revName)}; line ${over[1]} is past its end`,
        `ask about ${count === 1 ? 'line 1' : `lines 1-${count} or fewer`}`,
      )
  }

  if (ranges !== null && input.rev === undefined && !input.forContext) await warnIfChanged(ctx, repo, path, blob)
  const maxCommits = input.maxCommits ?? 500
  // The commits, with the lines each gave (line mode) or that changed the file (file mode), while the stores to
  // look in are found (git's processes overlap).
  const commits = new Map<Oid, FileCommit>()
  const [sources, history] = await Promise.all([
    linkSources(ctx),
    ranges !== null ? (blamed ?? repo.blame(path, ranges, rev, signal)) : repo.fileHistory(path, rev, maxCommits + 1, signal),
  ])
  let subjects: Promise<void> = Promise.resolve()
  // A shallow clone's oldest commits seem to have written every line and file they hold: theirs are not theirs.
  const cut = repo.shallowCommits()
  let shallow: {lines: number[]} | null = null
  let newestRead: number | null = null
  if (ranges !== null) {
    const blameLines = history as BlameLine[]
    for (const line of blameLines) if (!cut.has(line.commit)) add(commits, line)
    const beyond = blameLines.filter((line) => cut.has(line.commit)).map((line) => line.line)
    if (beyond.length > 0) shallow = {lines: beyond}
  } else {
    // One commit past the limit says whether older ones were left unread.
    const entries = history as {oid: Oid; path: string}[]
    if (entries.length > maxCommits) newestRead = maxCommits
    for (const entry of entries.slice(0, maxCommits)) {
      if (cut.has(entry.oid)) shallow = {lines: []}
      else commits.set(entry.oid, {subject: '', author: '', path: entry.path, lines: [], originals: []})
    }
    // Subjects and authors name the commits no trajectory explains; an agent's context shows none.
    if (!input.forContext)
      subjects = repo.readCommits([...commits.keys()], signal).then((infos) => {
        for (const info of infos) Object.assign(commits.get(info.oid)!, {subject: info.subject, author: info.author})
      })
    subjects.catch(() => {})
  }

  // Their trajectories: by the commit's own link, else by the patch id of its change to the file.
  const found = new Map<string, {hit: KeyHit; commits: Map<Oid, Matched>}>()
  const note = (hits: KeyHit[] | undefined, oid: Oid, match: WhyCommit['match'], lines?: number[]) => {
    for (const hit of hits ?? []) {
      const entry = found.get(hit.trajectory) ?? {hit, commits: new Map()}
      if (!entry.commits.has(oid)) entry.commits.set(oid, {match, ...(lines ? {lines} : {})})
      found.set(hit.trajectory, entry)
    }
  }
  const byCommit = await trajectoriesByKey(sources, [...commits.keys()])
  for (const oid of commits.keys()) note(byCommit.get(oid), oid, 'commit')
  const unnamed = [...commits.keys()].filter((oid) => !byCommit.has(oid))
  // A patch id says "the same change", not "this commit": a sibling project's trajectory counts only for its own
  // commits (found by id above), never for an equal change made here. This project's stores (its own, its remotes'
  // copies: a fork's pull request, squash-merged) are the ones whose changes a commit here can carry.
  const ours = sources.filter((source) => !source.ref.startsWith(SIBLINGS_PREFIX))
  // A store with no link keys at all (no git hooks, or no agent commit yet) can match no patch id: none is computed.
  if (unnamed.length > 0 && (await hasLinkKeys(ours))) {
    const paths = [...new Set(unnamed.map((oid) => commits.get(oid)!.path))]
    const patchIds = await repo.commitPatchIds(unnamed, paths, signal)
    const keys = unnamed.map((oid) => patchIds.get(oid)?.files.get(commits.get(oid)!.path)).filter((key): key is string => key !== undefined)
    const byFile = await trajectoriesByKey(ours, keys)
    for (const oid of unnamed) {
      const key = patchIds.get(oid)?.files.get(commits.get(oid)!.path)
      if (key === undefined) continue
      const hits = byFile.get(key) ?? []
      const squash = await splitSquash(repo, sources, hits, key, {oid, ...commits.get(oid)!}, ranges !== null, signal)
      if (squash === null) note(hits, oid, 'file')
      else for (const {hit, lines} of squash) note([hit], oid, 'file', ranges === null ? undefined : lines)
    }
  }

  await subjects
  const trajectories = (
    await Promise.all([...found].map(async ([id, {hit, commits: matched}]) => readWhyTrajectory(sources, hit.source, id, matched, commits, !input.forContext)))
  ).filter((t): t is WhyTrajectory => t !== null)
  const explained = new Map<Oid, Set<number>>()
  for (const commit of trajectories.flatMap((t) => t.commits)) explained.set(commit.oid, new Set([...(explained.get(commit.oid) ?? []), ...commit.lines]))
  if (!input.forContext) await addHandoffs(trajectories, sources)
  trajectories.sort((a, b) =>
    a.detail.trajectory.started < b.detail.trajectory.started ? 1 : a.detail.trajectory.started > b.detail.trajectory.started ? -1 : 0,
  )
  // A commit is explained when a trajectory claims it (whole file) or all its lines (a squash's lines are shared out).
  const unexplainedCommits = [...commits]
    .map(([oid, info]) => ({oid, subject: info.subject, author: info.author, lines: info.lines.filter((line) => !explained.get(oid)?.has(line))}))
    .filter(({oid, lines}) => (!explained.has(oid) || lines.length > 0) && !/^0+$/.test(oid))
  // A commit whose trailer names a trajectory no store here holds is unexplained here only: say where it was recorded.
  const notHere = input.forContext
    ? []
    : await trajectoriesNotHere(
        repo,
        sources,
        unexplainedCommits.map((commit) => commit.oid),
        signal,
      )
  return {
    path,
    rev,
    ranges,
    binary,
    trajectories,
    unexplained: {lines: unexplainedCommits.reduce((sum, commit) => sum + commit.lines.length, 0), commits: unexplainedCommits},
    shallow,
    newestRead,
    notHere,
  }
}

/** A commit of the file: the lines it gave (as numbered in the file looked from, and in its own version of it). */
interface FileCommit {
  subject: string
  author: string
  path: string
  lines: number[]
  originals: number[]
}

function add(commits: Map<Oid, FileCommit>, line: BlameLine): void {
  const entry = commits.get(line.commit) ?? {subject: line.summary, author: line.author, path: line.path, lines: [], originals: []}
  entry.lines.push(line.line)
  entry.originals.push(line.originalLine)
  commits.set(line.commit, entry)
}

/** Line numbers are HEAD's: a file changed in the work tree (as `git blame` shows "Not Committed Yet") gets a warning. */
async function warnIfChanged(ctx: Context, repo: GitRepo, path: string, committed: GitObject): Promise<void> {
  if (repo.workTree === null) return
  const file = join(repo.workTree, path)
  // A regular file only (a link, a FIFO that would block the read, a folder: changed), read only when it has the
  // blob's size (a file of gigabytes is not read to be compared).
  const info = lstatOptional(file)
  const present = info !== null
  if (info?.isFile() && info.size === committed.data.length && readOptional(file)?.equals(committed.data)) return
  // Other bytes may still be the same file to git: a checkout's line endings (core.autocrlf, eol attributes) or a
  // smudge filter. git says what adding it would store; a process only when the bytes differ.
  if (info?.isFile() && (await repo.addedBlobId(path)) === committed.oid) return
  ctx.warn(
    `${quoteInput(path, 200)} ${present ? 'in the work tree differs from HEAD' : 'is not in the work tree'}: the line numbers are HEAD's (commit, or see git diff)`,
  )
}

/** What a path names in a commit's tree: a file (with its content), or what else. */
type TreeEntry = {kind: 'file'; blob: GitObject} | {kind: 'missing' | 'folder' | 'submodule'}

/**
 * What `path` names in `rev`. The common case, a file, is one read; a path git's `<rev>:<path>` syntax cannot carry
 * (a newline) and anything but a file are looked up in the tree (`git ls-tree`), which tells a folder and a
 * submodule apart from nothing.
 */
async function readEntry(repo: GitRepo, rev: Oid, path: string): Promise<TreeEntry> {
  if (path !== '' && !path.includes('\n')) {
    const object = await repo.reader.read(`${rev}:${path}`)
    if (object?.type === 'blob') return {kind: 'file', blob: object}
    if (object?.type === 'tree') return {kind: 'folder'}
  }
  if (path === '') return {kind: 'folder'}
  const listed = (await repo.listTree(rev, [path])).filter((item) => item.path === path || item.path.startsWith(`${path}/`))
  const exact = listed.find((item) => item.path === path)
  if (exact?.mode === '160000') return {kind: 'submodule'}
  if (exact?.type === 'blob') {
    const object = await repo.reader.read(exact.oid)
    return object?.type === 'blob' ? {kind: 'file', blob: object} : {kind: 'missing'}
  }
  return listed.length > 0 ? {kind: 'folder'} : {kind: 'missing'}
}

/** A target whose text after a `:` is not a line range, though the text before it is a file: say that, not "no file". */
async function refuseLineRange(repo: GitRepo, rev: Oid, cwd: string, target: string): Promise<void> {
  for (let colon = target.lastIndexOf(':'); colon > 0; colon = target.lastIndexOf(':', colon - 1)) {
    let path: string
    try {
      path = repoPath(repo.workTree, cwd, target.slice(0, colon))
    } catch {
      continue
    }
    if ((await readEntry(repo, rev, path)).kind === 'file') throw lineRangeError(target)
  }
}

function lineRangeError(target: string): UsageError {
  return new UsageError(`'${quoteInput(target)}' is not a line range`, 'lines count from 1, the first before the last: src/app.js:10-20')
}

/** The path from the top of the work tree, for a path given relative to `cwd` (or already from the top). */
function repoPath(workTree: string | null, cwd: string, raw: string): string {
  if (workTree === null) return raw.replace(/^\.\//, '')
  const absolute = isAbsolute(raw) ? raw : resolve(cwd, raw)
  let inside = relative(workTree, absolute)
  // Through a symbolic link (a linked folder, macOS's /tmp): compare real paths, the file's own name kept as given.
  if (isOutside(inside)) inside = relative(realFolder(workTree), join(realFolder(dirname(absolute)), basename(absolute)))
  if (isOutside(inside)) throw new UsageError(`${quoteInput(raw, 200)} is outside this repository`, 'give a path inside the repository')
  return inside.split('\\').join('/')
}

function isOutside(relativePath: string): boolean {
  return relativePath === '..' || relativePath.startsWith(`..${sep}`) || isAbsolute(relativePath)
}

/** Whether any source has link keys (.trail/links): without them no key leads anywhere. */
async function hasLinkKeys(sources: readonly LinkSource[]): Promise<boolean> {
  const trees = await Promise.all(sources.map((source) => source.snapshot.tree(LINKS_DIR)))
  return trees.some((tree) => tree !== null && tree.length > 0)
}

/**
 * Reads the events of a trajectory explainLines found with `forContext` (which reads none), from the store it was
 * found in.
 */
export async function readWhyEvents(t: WhyTrajectory): Promise<void> {
  const source = sourceOf.get(t)
  if (source) t.detail.events = await readEvents(source.snapshot, t.detail.trajectory.id).catch(() => [])
}

async function readWhyTrajectory(
  sources: readonly LinkSource[],
  first: LinkSource,
  id: string,
  matched: Map<Oid, Matched>,
  commits: Map<Oid, FileCommit>,
  details: boolean,
): Promise<WhyTrajectory | null> {
  for (const source of [first, ...sources.filter((s) => s !== first)]) {
    const trajectory = await readTrajectory(source.snapshot, id).catch(() => null)
    if (!trajectory) continue
    const whyCommits: WhyCommit[] = [...matched].map(([oid, {match, lines}]) => {
      const {subject, author, path, lines: all} = commits.get(oid)!
      return {oid, match, subject, author, path, lines: lines ?? all}
    })
    if (!details) {
      const result: WhyTrajectory = {detail: {trajectory, events: []}, source: source.name, lines: [], commits: whyCommits, decisionLines: {}, handoffs: []}
      sourceOf.set(result, source)
      return result
    }
    const [events, links] = await Promise.all([readEvents(source.snapshot, id).catch(() => []), readLinks(source.snapshot, id)])
    const decisionLines: Record<string, number[]> = {}
    // An amend or a rebase made with the hooks replaced a commit (post-rewrite linked the new one `from` the old).
    const replacedBy = new Map(links.flatMap((link) => (link.from ? [[link.from, link.commit] as const] : [])))
    for (const event of events) {
      const link = commitOfDecision(event, links)
      if (!link) continue
      const latest = latestCommit(link.commit, replacedBy)
      const lines = whyCommits.filter((commit) => commit.oid === latest || explains(link, commit)).flatMap((commit) => commit.lines)
      if (lines.length > 0) decisionLines[event.id] = [...new Set(lines)].sort((a, b) => a - b)
    }
    const lines = [...new Set(whyCommits.flatMap((commit) => commit.lines))].sort((a, b) => a - b)
    const result: WhyTrajectory = {detail: {trajectory, events}, source: source.name, lines, commits: whyCommits, decisionLines, handoffs: []}
    sourceOf.set(result, source)
    return result
  }
  return null
}

/** How a trajectory was found for a commit, and the commit's lines it wrote when not all of them (a squash's share). */
interface Matched {
  match: WhyCommit['match']
  lines?: number[]
}

/**
 * A squash merge: `key`, the patch id of the commit's change to the file, is the combined change of a branch (the
 * `combined` id of the newest link of a trajectory on it), which every trajectory of that branch made together. While
 * the branch's commits are here, they say who wrote what: the file's lines (`contents`, the file looked from) are
 * blamed on the branch's tip, each line going to the trajectories of the branch commit that wrote it (a line none
 * wrote, to no one); without lines, every trajectory of a branch commit that changed the file. Null when the key is
 * no branch's combined change (a rebase, a cherry-pick) or the branch's commits are gone.
 */
async function splitSquash(
  repo: GitRepo,
  sources: readonly LinkSource[],
  hits: readonly KeyHit[],
  key: string,
  commit: FileCommit & {oid: Oid},
  byLines: boolean,
  signal: AbortSignal | undefined,
): Promise<{hit: KeyHit; lines: number[]}[] | null> {
  for (const hit of hits) {
    const links = await readLinks(hit.source.snapshot, hit.trajectory)
    const link = links.find((l) => l.base !== undefined && l.files.some((file) => file.path === commit.path && file.combined === key))
    if (!link) continue
    const writers = await branchWriters(repo, link, commit, byLines, signal).catch((error: unknown) => {
      if (signal?.aborted) throw error
      return null
    })
    if (writers === null) return null
    const byCommit = await trajectoriesByKey(sources, [...writers.keys()])
    const shares = new Map<string, {hit: KeyHit; lines: number[]}>()
    for (const [writer, lines] of writers) {
      for (const found of byCommit.get(writer) ?? []) {
        const share = shares.get(found.trajectory) ?? {hit: found, lines: []}
        share.lines.push(...lines)
        shares.set(found.trajectory, share)
      }
    }
    return [...shares.values()].map((share) => ({...share, lines: [...new Set(share.lines)].sort((a, b) => a - b)}))
  }
  return null
}

/**
 * The branch's commits that wrote the squash's lines (each with those lines, as numbered in the file looked from), or
 * that changed the file (no lines). A line is blamed on the branch's tip where the squash left it as the tip had it.
 */
async function branchWriters(
  repo: GitRepo,
  link: CommitLink,
  commit: FileCommit & {oid: Oid},
  byLines: boolean,
  signal: AbortSignal | undefined,
): Promise<Map<Oid, number[]>> {
  const writers = new Map<Oid, number[]>()
  if (!byLines) {
    for (const entry of await repo.fileHistory(commit.path, `${link.base}..${link.commit}`, 500, signal)) writers.set(entry.oid, [])
    return writers
  }
  const atTip = await repo.unchangedLines(link.commit, commit.oid, commit.path, commit.originals, signal)
  const finalOf = new Map<number, number>()
  commit.originals.forEach((original, index) => {
    const tipLine = atTip.get(original)
    if (tipLine !== undefined) finalOf.set(tipLine, commit.lines[index]!)
  })
  if (finalOf.size === 0) return writers
  for (const line of await repo.blame(commit.path, lineSpans([...finalOf.keys()]), link.commit, signal))
    writers.set(line.commit, [...(writers.get(line.commit) ?? []), finalOf.get(line.line)!])
  return writers
}

/** Line numbers as inclusive ranges: [1, 2, 3, 7] is [[1, 3], [7, 7]]. */
function lineSpans(lines: readonly number[]): [number, number][] {
  const spans: [number, number][] = []
  for (const line of [...lines].sort((x, y) => x - y)) {
    const last = spans.at(-1)
    if (last && last[1] + 1 >= line) last[1] = Math.max(last[1], line)
    else spans.push([line, line])
  }
  return spans
}

/** The commit that finally replaced `commit` (itself when none did), following amends and rebases. */
function latestCommit(commit: Oid, replacedBy: ReadonlyMap<Oid, Oid>): Oid {
  let current = commit
  for (let hops = 0; hops < 100 && replacedBy.has(current); hops++) current = replacedBy.get(current)!
  return current
}

/** Whether the commit a decision led to is (or is in) the commit that gave these lines. */
function explains(link: CommitLink, commit: WhyCommit): boolean {
  if (link.commit === commit.oid) return true
  // Rebased or squashed: the link's change to this file is in the commit's.
  return commit.match === 'file' && link.files.some((file) => file.path === commit.path && file.patch !== undefined)
}

const sourceOf = new WeakMap<WhyTrajectory, LinkSource>()

async function addHandoffs(trajectories: readonly WhyTrajectory[], sources: readonly LinkSource[]): Promise<void> {
  await Promise.all(
    sources.map(async (source) => {
      const mine = trajectories.filter((t) => sourceOf.get(t) === source)
      if (mine.length === 0) return
      const handoffs = await readHandoffs(
        source.snapshot,
        mine.map((t) => t.detail.trajectory),
      ).catch(() => [])
      for (const t of mine) t.handoffs = handoffs.filter((handoff) => handoff.trajectory?.id === t.detail.trajectory.id)
    }),
  )
}
