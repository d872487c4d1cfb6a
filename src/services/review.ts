import {readFileSync, statSync} from 'node:fs'
import {NotFoundError, UsageError} from '../errors.js'
import {parseCommit, signatureMs, type Oid} from '../git/objects.js'
import type {GitRepo} from '../git/repo.js'
import type {CommitLink} from '../model/commit-link.js'
import {renderYaml} from '../model/front-matter.js'
import {isId} from '../model/ids.js'
import {HANDOFFS_DIR, MESSAGES_DIR, TRAJECTORIES_DIR} from '../model/layout.js'
import {
  MATCHES,
  parseReviewJson,
  type AttentionItem,
  type FileDecisions,
  type Match,
  type ReviewCommit,
  type ReviewResult,
  type ReviewTrajectory,
  type StaleDecision,
} from '../model/review.js'
import {quoteInput} from '../model/text.js'
import type {Handoff} from '../model/handoff.js'
import type {Trajectory, TrajectoryEvent} from '../model/trajectory.js'
import {escapeExtended, type Snapshot} from '../store/snapshot.js'
import {linkSources, readLink, readLinks, trailerTrajectories, trajectoriesByKey, type LinkSource} from './commit-links.js'
import type {Context} from './context.js'
import {readLedger} from './continuity.js'
import {dayFolders} from './day-folders.js'
import {readRecords} from './records.js'
import {readEvents, readTrajectory} from './trajectory-records.js'

// `trail review <base>..<head>` (DESIGN.md section 6): every trajectory linked to a range of commits, found by
// what still identifies each commit after squashes, rebases and lost trailers, and what a reviewer needs from them.
// Reads are bounded by the range, never by the store: each key is one folder read (./commit-links.ts), the patch
// ids of a commit are computed only when its id finds nothing, and the searches by branch, handoff and thread are
// limited to the day folders of the time the range covers.

export interface ReviewInput {
  /** "<base>..<head>", "<base>...<head>", or "<base>" (up to HEAD); default: the merge base with the default branch up to HEAD. */
  range?: string
  /** The branch reviewed, when HEAD does not say (a pull request's merge commit in CI). */
  branch?: string
}

/** Below this confidence, a trajectory or decision needs review (the spec's rubric). */
export const LOW_CONFIDENCE = 0.5
/** Messages shown per thread, newest kept. */
const THREAD_MESSAGES = 50

/**
 * Gathers the review of a range.
 *
 * @example const review = await reviewRange(ctx, {range: 'main..HEAD'})
 */
export async function reviewRange(ctx: Context, input: ReviewInput): Promise<ReviewResult> {
  const store = await ctx.store()
  const repo = store.repo
  // Asked once: the default range is taken from it, and a branch is not looked through when it is the default one.
  const defaultBranchOnce = repo.defaultBranch()
  defaultBranchOnce.catch(() => {}) // awaited below; a failure is reported there
  const {base, head, range, headName} = await resolveRange(repo, input.range, defaultBranchOnce)
  const [commits, sources, baseCommit, changes, defaultBranch, current] = await Promise.all([
    repo.commitsInRange(`${base}..${head}`),
    linkSources(ctx),
    repo.reader.read(base),
    repo.treeChanges(base, head),
    defaultBranchOnce,
    headName === 'HEAD' ? repo.currentBranch() : Promise.resolve(headName.replace(/^refs\/heads\//, '')),
  ])
  const branch = input.branch ?? (current && (await repo.resolveCommit(current)) === head ? current : null)
  const found = new Found()

  // 1. Trailers and commit ids.
  for (const commit of commits) {
    for (const id of trailerTrajectories(commit)) found.add(id, commit.oid, 'trailer')
  }
  const byCommit = await trajectoriesByKey(
    sources,
    commits.map((commit) => commit.oid),
  )
  const rangeLinks = new Map<Oid, CommitLink[]>()
  await Promise.all(
    commits.map(async (commit) => {
      for (const hit of byCommit.get(commit.oid) ?? []) {
        found.add(hit.trajectory, commit.oid, 'commit', hit.source)
        const link = await readLink(hit.source.snapshot, hit.trajectory, commit.oid).catch(() => null)
        if (link) rangeLinks.set(commit.oid, [...(rangeLinks.get(commit.oid) ?? []), link])
      }
    }),
  )

  // 2. Patch ids, for the commits no link names: the same change elsewhere (a rebase or cherry-pick without the
  //    hooks), or a squash carrying files of a trajectory's combined change.
  const rangePatches = new Set<string>()
  for (const links of rangeLinks.values()) for (const link of links) if (link.patch) rangePatches.add(link.patch)
  const unnamed = commits.filter((commit) => !rangeLinks.has(commit.oid) && commit.parents.length <= 1)
  if (unnamed.length > 0) {
    const patchIds = await repo.commitPatchIds(unnamed.map((commit) => commit.oid))
    const keys: string[] = []
    for (const ids of patchIds.values()) {
      if (ids.patch) {
        keys.push(ids.patch)
        rangePatches.add(ids.patch)
      }
      keys.push(...ids.files.values())
    }
    const hits = await trajectoriesByKey(sources, keys)
    for (const commit of unnamed) {
      const ids = patchIds.get(commit.oid)
      if (!ids) continue
      for (const hit of (ids.patch && hits.get(ids.patch)) || []) found.add(hit.trajectory, commit.oid, 'patch', hit.source)
      for (const [path, key] of ids.files) for (const hit of hits.get(key) ?? []) found.add(hit.trajectory, commit.oid, 'files', hit.source, path)
    }
  }

  // 3. The branch: trajectories started on it since the range began (abandoned work may have no commit at all).
  // The base's author date, from the running `git cat-file` (no process).
  const baseMs = baseCommit?.type === 'commit' ? signatureMs(parseCommit(baseCommit.data).author) : null
  if (branch !== null && branch !== defaultBranch?.name && baseMs !== null) {
    const since = baseMs - 86_400_000
    for (const source of sources) {
      for (const id of await trajectoriesOnBranch(source.snapshot, branch, since)) found.add(id, null, 'branch', source)
    }
  }

  // 4. The trajectories themselves, from the first store that has each.
  const read = await readFound(found, sources)
  const trajectories = read.map((item) => item.review)
  const unknown = [...found.ids()].filter((id) => !trajectories.some((t) => t.detail.trajectory.id === id)).sort()
  const inRange = new Set(commits.map((commit) => commit.oid))
  const candidates = new Set([...(branch ? [branch] : []), ...[...rangeLinks.values()].flat().flatMap((link) => (link.branch ? [link.branch] : []))])
  const staleCandidates = new Map(trajectories.map((t) => [t, staleCandidatesOf(t, {inRange, rangePatches, branches: candidates})]))
  // One git process answers for every candidate of every trajectory which left the branch's history.
  const gone = await repo.notAncestors([...staleCandidates.values()].flat(), base)
  for (const [t, links] of staleCandidates) markStale(t, links, gone)
  await addContext(read, sources)

  const reviewCommits: ReviewCommit[] = commits.map((commit) => ({
    oid: commit.oid,
    subject: commit.subject,
    author: commit.author,
    date: commit.date,
    merge: commit.parents.length > 1,
    links: found.linksOf(commit.oid).filter((link) => trajectories.some((t) => t.detail.trajectory.id === link.trajectory)),
  }))
  return {
    range,
    base,
    head,
    branch,
    commits: reviewCommits,
    trajectories,
    attention: attentionItems(trajectories),
    files: fileDecisions(
      trajectories,
      changes.map((change) => change.path),
    ),
    unknown,
  }
}

/** Resolves the range the user gave (or the default one) into commits. */
async function resolveRange(
  repo: GitRepo,
  raw: string | undefined,
  defaultBranch: Promise<{name: string; oid: Oid} | null>,
): Promise<{base: Oid; head: Oid; range: string; headName: string}> {
  const commit = async (name: string) => {
    const oid = await repo.resolveCommit(name)
    if (oid === null)
      throw new NotFoundError(
        `'${quoteInput(name)}' names no commit here`,
        "give a branch, a tag or a commit id; fetch it first if it is a remote's (git fetch)",
      )
    return oid
  }
  if (raw === undefined || raw === '') {
    const head = await commit('HEAD')
    const main = await defaultBranch
    if (main === null)
      throw new UsageError(
        'there is no default branch to compare with (no origin/HEAD, main or master)',
        'name the range: trail review <base>..<head>, for example trail review main..HEAD',
      )
    const base = (await repo.mergeBase(main.oid, head)) ?? main.oid
    return {base, head, range: `${main.name}...HEAD`, headName: 'HEAD'}
  }
  const symmetric = raw.indexOf('...')
  const dots = symmetric >= 0 ? symmetric : raw.indexOf('..')
  if (dots < 0) return {base: await commit(raw), head: await commit('HEAD'), range: `${raw}..HEAD`, headName: 'HEAD'}
  const baseName = raw.slice(0, dots) || 'HEAD'
  const headName = raw.slice(dots + (symmetric >= 0 ? 3 : 2)) || 'HEAD'
  const [from, head] = await Promise.all([commit(baseName), commit(headName)])
  const base = symmetric >= 0 ? ((await repo.mergeBase(from, head)) ?? from) : from
  return {base, head, range: raw, headName}
}

/** The trajectories found so far: for each, how, through which commits, and in which store. */
class Found {
  private readonly entries = new Map<string, {source: LinkSource | null; matches: Set<Match>; commits: Map<Oid, {match: Match; files: Set<string>}>}>()

  add(trajectory: string, commit: Oid | null, match: Match, source: LinkSource | null = null, path?: string): void {
    const entry = this.entries.get(trajectory) ?? {source: null, matches: new Set<Match>(), commits: new Map()}
    entry.source ??= source
    entry.matches.add(match)
    if (commit !== null) {
      const previous = entry.commits.get(commit)
      // Keep the strongest way each commit was found.
      const stronger = previous === undefined || MATCHES.indexOf(match) < MATCHES.indexOf(previous.match)
      const files = previous?.files ?? new Set<string>()
      if (path !== undefined) files.add(path)
      entry.commits.set(commit, {match: stronger ? match : previous.match, files})
    }
    this.entries.set(trajectory, entry)
  }

  ids(): Iterable<string> {
    return this.entries.keys()
  }

  get(trajectory: string) {
    return this.entries.get(trajectory)
  }

  linksOf(commit: Oid): ReviewCommit['links'] {
    const links: ReviewCommit['links'] = []
    for (const [trajectory, entry] of this.entries) {
      const found = entry.commits.get(commit)
      if (found) links.push({trajectory, match: found.match, ...(found.match === 'files' ? {files: [...found.files].sort()} : {})})
    }
    return links
  }
}

/** Reads each trajectory found, its decisions and its links, from the store that named it (else the first that has it). */
async function readFound(found: Found, sources: readonly LinkSource[]): Promise<Read[]> {
  const ids = [...found.ids()].filter((id) => isId(id, 'traj'))
  const read = await Promise.all(
    ids.map(async (id) => {
      const entry = found.get(id)!
      const order = entry.source ? [entry.source, ...sources.filter((source) => source !== entry.source)] : sources
      for (const source of order) {
        const trajectory = await readTrajectory(source.snapshot, id).catch(() => null)
        if (!trajectory) continue
        const [events, links] = await Promise.all([readEvents(source.snapshot, id), readLinks(source.snapshot, id)])
        const commits = [...entry.commits.keys()]
        const review: ReviewTrajectory = {
          detail: {trajectory, events},
          source: source.name,
          matches: MATCHES.filter((match) => entry.matches.has(match)),
          commits,
          links,
          stale: [],
          handoffs: [],
          threads: [],
          uncertain: [],
        }
        return {review, source}
      }
      return null
    }),
  )
  const started = (item: Read) => item.review.detail.trajectory.started
  return read.filter((item): item is Read => item !== null).sort((a, b) => (started(a) < started(b) ? -1 : started(a) > started(b) ? 1 : 0))
}

/** A reviewed trajectory and the store it was read from (for the reads that follow). */
interface Read {
  review: ReviewTrajectory
  source: LinkSource
}

/**
 * Ids of the trajectories whose front matter names `branch`, started since `since` (ms): one `git grep` for the
 * whole line over the trajectory files of those days.
 */
async function trajectoriesOnBranch(snapshot: Snapshot, branch: string, since: number): Promise<string[]> {
  const days = await dayFolders(snapshot, TRAJECTORIES_DIR, {from: since})
  if (days.length === 0) return []
  const paths = await snapshot.grepFiles({
    patterns: [`^${escapeExtended(renderYaml({branch}).trimEnd())}$`],
    pathspecs: days.map((day) => `:(glob)${day}/*/trajectory.md`),
  })
  return paths.map((path) => /\/(traj_[0-9a-z]+)\/trajectory\.md$/.exec(path)?.[1]).filter((id): id is string => id !== undefined)
}

/** Which link each decision led to: the first link recorded at or after it (null: none yet). */
export function commitOfDecision(decision: TrajectoryEvent, links: readonly CommitLink[]): CommitLink | null {
  return links.find((link) => link.at >= decision.at) ?? null
}

/**
 * The commits of a trajectory that may have left the range: links on the branch reviewed whose commit is not in the
 * range, whose change is not in it either (no commit of the range has its patch id), and that no later link replaced
 * (an amend or rebase carried it over). Those that are not below the range's base either are gone (markStale). A
 * trajectory found only by a squash's files is whole in that squash: nothing of it is stale.
 */
function staleCandidatesOf(review: ReviewTrajectory, range: {inRange: Set<Oid>; rangePatches: Set<string>; branches: Set<string>}): Oid[] {
  if (review.matches.every((match) => match === 'files' || match === 'branch')) return []
  const replaced = new Set(review.links.flatMap((link) => (link.from ? [link.from] : [])))
  return review.links
    .filter(
      (link) =>
        !range.inRange.has(link.commit) &&
        !(link.patch && range.rangePatches.has(link.patch)) &&
        !replaced.has(link.commit) &&
        link.branch !== undefined &&
        range.branches.has(link.branch),
    )
    .map((link) => link.commit)
}

/** Marks the decisions whose commit is among the candidates `gone` from the branch's history. */
function markStale(review: ReviewTrajectory, candidates: readonly Oid[], gone: ReadonlySet<Oid>): void {
  if (!candidates.some((commit) => gone.has(commit))) return
  const stale: StaleDecision[] = []
  for (const event of review.detail.events) {
    const link = commitOfDecision(event, review.links)
    if (link && candidates.includes(link.commit) && gone.has(link.commit))
      stale.push({decision: event.title, commit: link.commit, subject: link.subject ?? null})
  }
  review.stale = stale
}

/** Handoffs written during each trajectory, the threads its agent wrote in, and its agent's items to verify. */
async function addContext(read: readonly Read[], sources: readonly LinkSource[]): Promise<void> {
  for (const source of sources) {
    const mine = read.filter((item) => item.source === source).map((item) => item.review)
    if (mine.length === 0) continue
    const snapshot = source.snapshot
    const since = Math.min(...mine.map((t) => Date.parse(t.detail.trajectory.started)))
    const [handoffs, ledgers] = await Promise.all([
      readHandoffs(
        snapshot,
        mine.map((t) => t.detail.trajectory),
      ),
      Promise.all(
        [...new Set(mine.map((t) => t.detail.trajectory.agent))].map(async (agent) => [agent, await readLedger(snapshot, agent).catch(() => null)] as const),
      ),
    ])
    const ledgerOf = new Map(ledgers)
    for (const t of mine) {
      t.handoffs = handoffs.filter((handoff) => handoff.trajectory?.id === t.detail.trajectory.id)
      const ledger = ledgerOf.get(t.detail.trajectory.agent)
      if (ledger && ledger.updated >= t.detail.trajectory.started) t.uncertain = ledger.uncertain
    }
    // Threads: those the trajectory's agent wrote in while it was active, then all their messages.
    const agents = [...new Set(mine.map((t) => t.detail.trajectory.agent))]
    const sent = await grepRecords(
      snapshot,
      'message',
      MESSAGES_DIR,
      since,
      agents.map((agent) => `^${escapeExtended(renderYaml({from: agent}).trimEnd())}$`),
    )
    const threadsOf = new Map<ReviewTrajectory, Set<string>>()
    for (const t of mine) {
      const {started, ended, agent} = t.detail.trajectory
      const threads = new Set(
        sent
          .filter((m) => m.from === agent && m.thread !== undefined && m.created >= started && (ended === undefined || m.created <= ended))
          .map((m) => m.thread!),
      )
      threadsOf.set(t, threads)
    }
    const allThreads = [...new Set([...threadsOf.values()].flatMap((threads) => [...threads]))]
    if (allThreads.length === 0) continue
    const messages = await grepRecords(
      snapshot,
      'message',
      MESSAGES_DIR,
      since - 30 * 86_400_000,
      allThreads.map((thread) => `^${escapeExtended(renderYaml({thread}).trimEnd())}$`),
    )
    for (const t of mine) {
      t.threads = [...threadsOf.get(t)!].sort().map((thread) => ({
        thread,
        messages: messages
          .filter((m) => m.thread === thread)
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .slice(-THREAD_MESSAGES),
      }))
    }
  }
}

/** The handoffs written while any of `trajectories` was active (one `git grep` over the days since the first began). */
export function readHandoffs(snapshot: Snapshot, trajectories: readonly Trajectory[]): Promise<Handoff[]> {
  if (trajectories.length === 0) return Promise.resolve([])
  const since = Math.min(...trajectories.map((t) => Date.parse(t.started)))
  return grepRecords(
    snapshot,
    'handoff',
    HANDOFFS_DIR,
    since,
    trajectories.map((t) => `^trajectory: ${escapeExtended(t.id)}$`),
  )
}

/** Records of a dated kind under `dir`, since `since` (ms), whose files match any of `patterns` (one `git grep`). */
async function grepRecords<K extends 'handoff' | 'message'>(snapshot: Snapshot, kind: K, dir: string, since: number, patterns: string[]) {
  const days = await dayFolders(snapshot, dir, {from: since})
  if (days.length === 0 || patterns.length === 0) return []
  const paths = await snapshot.grepFiles({patterns, pathspecs: days.map((day) => `:(glob)${day}/*.md`)})
  return readRecords(snapshot, kind, paths, () => {})
}

/** What needs attention first: low confidence, abandoned work, open items to verify, stale decisions. */
function attentionItems(trajectories: readonly ReviewTrajectory[]): AttentionItem[] {
  const items: AttentionItem[] = []
  for (const t of trajectories) {
    const {id, title, confidence, status, reason} = t.detail.trajectory
    if (confidence !== undefined && confidence < LOW_CONFIDENCE) items.push({kind: 'low-confidence', trajectory: id, title, text: `confidence ${confidence}`})
    for (const event of t.detail.events) {
      if (event.confidence !== undefined && event.confidence < LOW_CONFIDENCE)
        items.push({kind: 'low-confidence', trajectory: id, title, text: `decision "${event.title}": confidence ${event.confidence}`})
    }
    if (status === 'abandoned') items.push({kind: 'abandoned', trajectory: id, title, text: reason ?? 'no reason recorded'})
    for (const item of t.uncertain) items.push({kind: 'uncertain', trajectory: id, title, text: item})
    for (const stale of t.stale)
      items.push({
        kind: 'stale',
        trajectory: id,
        title,
        text: `decision "${stale.decision}": its commit ${stale.commit.slice(0, 12)}${stale.subject ? ` "${stale.subject}"` : ''} is no longer in this range`,
      })
  }
  const order = ['stale', 'low-confidence', 'abandoned', 'uncertain']
  return items.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))
}

/** For each file changed in the range, the decisions whose commit changed it. */
function fileDecisions(trajectories: readonly ReviewTrajectory[], paths: readonly string[]): FileDecisions[] {
  const changed = new Set(paths)
  const byPath = new Map<string, FileDecisions['decisions']>()
  for (const t of trajectories) {
    for (const event of t.detail.events) {
      const link = commitOfDecision(event, t.links)
      if (!link) continue
      for (const file of link.files) {
        if (file.patch === undefined || !changed.has(file.path)) continue
        const list = byPath.get(file.path) ?? []
        list.push({trajectory: t.detail.trajectory.id, title: event.title, confidence: event.confidence ?? null})
        byPath.set(file.path, list)
      }
    }
  }
  return [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, decisions]) => ({path, decisions}))
}

/** The largest review file `trail review --input` reads (an artifact of another job). */
const MAX_INPUT_BYTES = 64 * 1024 * 1024

/**
 * A review read back from the JSON `trail review --format json` wrote (the workflow's comment job renders the
 * artifact of the pull request's job this way, never trusting its Markdown).
 */
export function readReviewFile(path: string): ReviewResult {
  let raw: string
  try {
    if (statSync(path).size > MAX_INPUT_BYTES)
      throw new UsageError(`${path} is over ${MAX_INPUT_BYTES / 1024 / 1024} MiB`, 'give the JSON written by trail review --format json', 'E_TOO_LONG')
    raw = readFileSync(path, 'utf8')
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`, 'give the JSON written by trail review --format json', 'E_INPUT')
  }
  try {
    return parseReviewJson(raw)
  } catch {
    throw new UsageError(`${path} is not JSON`, 'give the JSON written by trail review --format json', 'E_INPUT')
  }
}
