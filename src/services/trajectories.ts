import {AlreadyActiveError, NoActiveTrajectoryError, NotFoundError, type RecordFormatError} from '../errors.js'
import {idTime} from '../model/ids.js'
import {activePath, eventPath, TRAJECTORIES_DIR, trajectoryPath} from '../model/layout.js'
import type {AgentName} from '../model/names.js'
import {quoteInput} from '../model/text.js'
import {renderYaml} from '../model/front-matter.js'
import {compact} from '../model/record.js'
import {subjectText} from '../model/redact.js'
import {
  renderActiveMarker,
  renderEvent,
  renderTrajectory,
  type Trajectory,
  type TrajectoryEvent,
  type TrajectoryStatus,
} from '../model/trajectory.js'
import {escapeExtended, type Snapshot} from '../store/snapshot.js'
import type {Draft} from '../store/transaction.js'
import type {Context} from './context.js'
import {dayFolders} from './day-folders.js'
import {activeIds, allActive, countEvents, findActive, readDetail, readTrajectories, readTrajectory, resolveTrajectoryId} from './trajectory-records.js'
import type {TrajectoryDetail, DecisionResult, FinishResult, StatusResult, ListResult} from '../model/results.js'

// The trajectory use cases: what `trail start`, `decision`, `complete`, `abandon`, `status`, `list`, `show` and
// `export` do, apart from parsing flags and printing.

export interface StartInput {
  agent: AgentName
  title: string
  task?: string
  source?: string
  url?: string
}

/**
 * Starts a trajectory for an agent. Refuses when the agent already has one active (AlreadyActiveError names it).
 *
 * @example const trajectory = await startTrajectory(ctx, {agent, title: 'Fix login bug', task: 'agent-relay-123'})
 */
export async function startTrajectory(ctx: Context, input: StartInput): Promise<Trajectory> {
  const store = await ctx.store()
  const branch = await store.repo.currentBranch()
  return store.transact(async (snapshot) => {
    const active = await findActive(snapshot, input.agent)
    if (active) throw new AlreadyActiveError(active)
    const id = ctx.ids.next('traj')
    const started = idTime(id).toISOString()
    const trajectory: Trajectory = {
      id,
      title: input.title,
      status: 'active',
      agent: input.agent,
      started,
      updated: started,
      ...compact({task: input.task, source: input.source, url: input.url, branch: branch ?? undefined}),
      challenges: [],
      learnings: [],
    }
    return {
      writes: [
        {path: trajectoryPath(id), content: renderTrajectory(trajectory)},
        {path: activePath(input.agent, id), content: renderActiveMarker({trajectory: id, agent: input.agent, started})},
      ],
      subject: `start ${id} ${subjectText(input.title)}`,
      trailers: recordTrailers(id, input.agent),
      result: trajectory,
    }
  })
}

export interface DecisionInput {
  agent: AgentName
  title: string
  reasoning?: string
  alternatives: string[]
  confidence?: number
}


/** Records a decision in the agent's active trajectory, as a new immutable event file. */
export async function recordDecision(ctx: Context, input: DecisionInput): Promise<DecisionResult> {
  const store = await ctx.store()
  return store.transact(async (snapshot) => {
    const trajectory = await requireActive(snapshot, input.agent)
    const id = ctx.ids.next('ev')
    const decision: TrajectoryEvent = {
      id,
      kind: 'decision',
      trajectory: trajectory.id,
      agent: input.agent,
      at: idTime(id).toISOString(),
      title: input.title,
      ...compact({reasoning: input.reasoning, confidence: input.confidence}),
      alternatives: input.alternatives,
    }
    return {
      writes: [{path: eventPath(trajectory.id, id), content: renderEvent(decision)}],
      subject: `decision ${subjectText(input.title)} in ${trajectory.id}`,
      trailers: recordTrailers(id, input.agent, trajectory.id),
      result: {trajectory, decision},
    }
  })
}

export interface CompleteInput {
  agent: AgentName
  summary: string
  confidence?: number
  approach?: string
  challenges: string[]
  learnings: string[]
}


/** Completes the agent's active trajectory with a retrospective. */
export function completeTrajectory(ctx: Context, input: CompleteInput): Promise<FinishResult> {
  return finish(ctx, input.agent, 'completed', (trajectory) => ({
    ...trajectory,
    ...compact({summary: input.summary, confidence: input.confidence, approach: input.approach}),
    challenges: input.challenges,
    learnings: input.learnings,
  }))
}

export interface AbandonInput {
  agent: AgentName
  reason?: string
}

/** Abandons the agent's active trajectory, keeping the reason. */
export function abandonTrajectory(ctx: Context, input: AbandonInput): Promise<FinishResult> {
  return finish(ctx, input.agent, 'abandoned', (trajectory) => ({...trajectory, ...compact({reason: input.reason})}))
}

async function finish(
  ctx: Context,
  agent: AgentName,
  status: Exclude<TrajectoryStatus, 'active'>,
  update: (trajectory: Trajectory) => Trajectory,
): Promise<FinishResult> {
  const store = await ctx.store()
  return store.transact(async (snapshot): Promise<Draft<FinishResult>> => {
    const active = await requireActive(snapshot, agent)
    const ended = ctx.now().toISOString()
    const trajectory: Trajectory = {...update(active), status, ended, updated: ended}
    // Only this trajectory's marker goes. After two clones merged, an agent can hold two active trajectories;
    // the newest is finished first, and the next `trail complete` finishes the other.
    return {
      writes: [
        {path: trajectoryPath(trajectory.id), content: renderTrajectory(trajectory)},
        {path: activePath(agent, trajectory.id), content: null},
      ],
      subject: `${status === 'completed' ? 'complete' : 'abandon'} ${trajectory.id} ${subjectText(trajectory.title)}`,
      trailers: recordTrailers(trajectory.id, agent),
      result: {trajectory, eventCount: await countEvents(snapshot, trajectory.id)},
    }
  })
}

async function requireActive(snapshot: Snapshot, agent: AgentName): Promise<Trajectory> {
  const trajectory = await findActive(snapshot, agent)
  if (!trajectory) throw new NoActiveTrajectoryError(agent)
  return trajectory
}


/** The agent's active trajectory, or null. */
export async function findActiveTrajectory(ctx: Context, agent: AgentName): Promise<Trajectory | null> {
  return findActive(await (await ctx.store()).snapshot(), agent)
}

/** The agent's active trajectory with its decisions, and who else is working. */
export async function trajectoryStatus(ctx: Context, agent: AgentName): Promise<StatusResult> {
  const snapshot = await (await ctx.store()).snapshot()
  const [everyone, mine] = await Promise.all([allActive(snapshot), activeIds(snapshot, agent)])
  const trajectory = mine[0] === undefined ? null : await readTrajectory(snapshot, mine[0])
  return {
    agent,
    active: trajectory ? await readDetail(snapshot, trajectory) : null,
    alsoActive: mine.slice(1),
    otherAgents: everyone.filter((entry) => entry.agent !== agent).map((entry) => ({agent: entry.agent, trajectory: entry.ids[0]!})),
  }
}

export interface ListQuery {
  status?: TrajectoryStatus
  agent?: AgentName
  since?: Date
  limit: number
  /** 1-based. */
  page: number
}


/** Trajectories read per round trip while scanning for a filter. */
const SCAN_BATCH = 256
/** Past this many trajectories read without filling the page, one `git grep` finds the rest faster. */
const SCAN_BUDGET = 4096

/**
 * Lists trajectories newest first, one page at a time. Never reads the whole store for a page:
 * - no filter: the ids come from the day folders' listings (exact total, no record read but the page's);
 * - `--status active`: from the active markers;
 * - other filters: the newest trajectories are read in batches until the page is full (the total is then left
 *   open: `more` says whether another page exists). A rare filter that has not filled the page after
 *   SCAN_BUDGET trajectories switches to one `git grep` over the trajectory files, which gives an exact total.
 *
 * @example const {trajectories, more} = await listTrajectories(ctx, {agent, limit: 30, page: 1})
 */
export async function listTrajectories(ctx: Context, query: ListQuery): Promise<ListResult> {
  const snapshot = await (await ctx.store()).snapshot()
  const from = query.since?.getTime()
  const start = (query.page - 1) * query.limit
  const skip = (error: RecordFormatError) => ctx.warn(`${error.message}; left out of the list (trail doctor lists every such record)`)
  const read = (ids: readonly string[]) => readTrajectories(snapshot, ids, skip)
  const page = (ids: readonly string[], total: number | null, more: boolean) =>
    read(ids.slice(start, start + query.limit)).then((trajectories) => ({trajectories, total, more, page: query.page, limit: query.limit}))
  const since = (id: string) => from === undefined || idTime(id).getTime() >= from

  if (query.status === 'active') {
    const active = query.agent ? [{agent: query.agent, ids: await activeIds(snapshot, query.agent)}] : await allActive(snapshot)
    const ids = active.flatMap((entry) => entry.ids).filter(since).sort().reverse()
    return page(ids, ids.length, ids.length > start + query.limit)
  }
  const days = await dayFolders(snapshot, TRAJECTORIES_DIR, {from})
  const newestFirst = async function* (): AsyncGenerator<string> {
    for (const day of days) for (const id of (await snapshot.listDirs(day)).reverse()) if (since(id)) yield id
  }
  if (!query.status && !query.agent) {
    const counts = await Promise.all(days.map((day) => snapshot.listDirs(day).then((names) => names.filter(since).length)))
    const total = counts.reduce((sum, count) => sum + count, 0)
    const ids: string[] = []
    for await (const id of newestFirst()) if (ids.push(id) >= start + query.limit) break
    return page(ids, total, total > start + query.limit)
  }

  const wanted = start + query.limit + 1
  const matches: Trajectory[] = []
  const matchesQuery = (t: Trajectory) => (!query.status || t.status === query.status) && (!query.agent || t.agent === query.agent)
  let batch: string[] = []
  let scanned = 0
  let exhausted = true
  for await (const id of newestFirst()) {
    batch.push(id)
    if (batch.length < SCAN_BATCH) continue
    matches.push(...(await read(batch)).filter(matchesQuery))
    scanned += batch.length
    batch = []
    if (matches.length >= wanted) {
      exhausted = false
      break
    }
    if (scanned >= SCAN_BUDGET) {
      const ids = (await grepTrajectoryIds(snapshot, query)).filter(since).sort().reverse()
      return page(ids, ids.length, ids.length > start + query.limit)
    }
  }
  if (exhausted) matches.push(...(await read(batch)).filter(matchesQuery))
  const ids = matches.map((t) => t.id)
  const more = ids.length > start + query.limit
  return {trajectories: matches.slice(start, start + query.limit), total: exhausted ? ids.length : null, more, page: query.page, limit: query.limit}
}

/**
 * Ids of the trajectories whose front matter has the wanted status and agent lines, by one `git grep` for whole
 * lines over trajectory.md files, restricted to the years (and months) that `--since` allows.
 */
export async function grepTrajectoryIds(snapshot: Snapshot, query: Pick<ListQuery, 'status' | 'agent' | 'since'>): Promise<string[]> {
  const lines = [query.status ? renderYaml({status: query.status}) : '', query.agent ? renderYaml({agent: query.agent}) : ''].filter(Boolean)
  const folders = query.since ? await dayFolders(snapshot, TRAJECTORIES_DIR, {from: query.since.getTime()}) : [TRAJECTORIES_DIR]
  if (folders.length === 0) return []
  const paths = await snapshot.grepFiles({
    // Whole-line matches of the canonical front matter lines, every special character escaped.
    patterns: lines.map((line) => `^${escapeExtended(line.trimEnd())}$`),
    allMatch: true,
    pathspecs: folders.map((folder) => `:(glob)${folder}/**/trajectory.md`),
  })
  return paths.map((path) => /\/(traj_[0-9a-z]+)\/trajectory\.md$/.exec(path)?.[1]).filter((id): id is string => id !== undefined)
}

/** A trajectory and its events, by id or unique prefix. */
export async function showTrajectory(ctx: Context, idOrPrefix: string): Promise<TrajectoryDetail> {
  const snapshot = await (await ctx.store()).snapshot()
  const id = await resolveTrajectoryId(snapshot, idOrPrefix)
  const trajectory = await readTrajectory(snapshot, id)
  if (!trajectory) throw new NotFoundError(`no trajectory matches '${quoteInput(idOrPrefix)}'`, 'list trajectories with: trail list')
  return readDetail(snapshot, trajectory)
}

/**
 * The trajectory to export: the one named, else the agent's active one, else the agent's most recent one.
 */
export async function exportTrajectory(ctx: Context, input: {id?: string; agent: AgentName}): Promise<TrajectoryDetail> {
  if (input.id !== undefined) return showTrajectory(ctx, input.id)
  const snapshot = await (await ctx.store()).snapshot()
  const active = await findActive(snapshot, input.agent)
  if (active) return readDetail(snapshot, active)
  const [latest] = await grepTrajectoryIds(snapshot, {agent: input.agent})
    .then((ids) => ids.sort().reverse())
  if (latest === undefined) {
    throw new NotFoundError(`agent '${input.agent}' has no trajectory to export`, 'name one: trail export <id> (find ids with: trail list)')
  }
  return showTrajectory(ctx, latest)
}

function recordTrailers(id: string, agent: AgentName, trajectoryId?: string): [string, string][] {
  return [['Trail-Record', id], ['Trail-Agent', agent], ...(trajectoryId ? [['Trail-Trajectory', trajectoryId] as [string, string]] : [])]
}

