import {checkQueryLength} from './search.js'
import {AlreadyActiveError, NoActiveTrajectoryError, NotFoundError, UsageError, type RecordFormatError} from '../errors.js'
import {idTime, parseIdPrefix} from '../model/ids.js'
import {activePath, eventPath, TRAJECTORIES_DIR, trajectoryPath} from '../model/layout.js'
import type {AgentName} from '../model/names.js'
import {quoteInput} from '../model/text.js'
import {renderYaml} from '../model/front-matter.js'
import {compact} from '../model/record.js'
import {subjectText} from '../model/redact.js'
import {renderActiveMarker, renderEvent, renderTrajectory, type Trajectory, type TrajectoryEvent, type TrajectoryStatus} from '../model/trajectory.js'
import {escapeExtended, type Snapshot} from '../store/snapshot.js'
import type {Draft} from '../store/transaction.js'
import type {FileChange} from '../git/repo.js'
import type {Context} from './context.js'
import {dayFolders} from './day-folders.js'
import {
  activeIds,
  allActive,
  countEvents,
  findActive,
  readDetail,
  readRecentDetail,
  readTrajectories,
  readTrajectory,
  resolveTrajectoryId,
} from './trajectory-records.js'
import type {TrajectoryDetail, DecisionResult, FinishResult, StatusResult, ListResult} from '../model/results.js'

// The trajectory use cases: what `trail start`, `decision`, `complete`, `abandon`, `status`, `list`, `show` and
// `export` do, apart from parsing flags and printing.

export interface StartInput {
  agent: AgentName
  title: string
  task?: string
  source?: string
  url?: string
  /** The PDERO phase it starts in (agent-relay starts in "plan"): recorded as a phase event too. */
  phase?: string
  project?: string
  workflow?: string
}

/**
 * Starts a trajectory for an agent. Refuses when the agent already has one active (AlreadyActiveError names it).
 *
 * @example const trajectory = await startTrajectory(ctx, {agent, title: 'Fix login bug', task: 'agent-relay-123'})
 */
export async function startTrajectory(ctx: Context, input: StartInput): Promise<Trajectory> {
  const store = await ctx.store()
  const branch = await store.repo.currentBranch()
  const trajectory = await store.transact(async (snapshot) => {
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
      ...compact({phase: input.phase, project: input.project, workflow: input.workflow}),
    }
    const phaseEvent: FileChange[] = []
    if (input.phase !== undefined) {
      const eventId = ctx.ids.next('ev')
      const event: TrajectoryEvent = {
        id: eventId,
        kind: 'phase',
        trajectory: id,
        agent: input.agent,
        at: idTime(eventId).toISOString(),
        title: input.phase,
        phase: input.phase,
        alternatives: [],
      }
      phaseEvent.push({path: eventPath(id, eventId), content: renderEvent(event)})
    }
    return {
      writes: [
        {path: trajectoryPath(id), content: renderTrajectory(trajectory)},
        {path: activePath(input.agent, id), content: renderActiveMarker({trajectory: id, agent: input.agent, started})},
        ...phaseEvent,
      ],
      subject: `start ${id} ${subjectText(input.title)}`,
      trailers: recordTrailers(id, input.agent),
      result: trajectory,
    }
  })
  await projectIfAsked(ctx, [trajectory.id])
  return trajectory
}

/**
 * Who acts on "the active trajectory". `agent` is the agent resolved from --agent and the environment;
 * `implicit` says nobody named one. agent-trajectories keeps one active trajectory per data folder, and
 * agent-relay names the agent on `start` but not on `decision`, `complete` or `abandon`: in its setting
 * (TRAJECTORIES_DATA_DIR set), an unnamed caller whose "default" agent has nothing active acts on the one
 * trajectory that is active, if exactly one is.
 */
export interface Actor {
  agent: AgentName
  implicit?: boolean
}

export interface DecisionInput extends Actor {
  title: string
  /** The question it answers, when it is not the decision itself. */
  question?: string
  reasoning?: string
  alternatives: string[]
  confidence?: number
}

/** Records a decision in the agent's active trajectory, as a new immutable event file. */
export async function recordDecision(ctx: Context, input: DecisionInput): Promise<DecisionResult> {
  return recordEvent(ctx, input, 'decision', (base) => ({
    ...base,
    kind: 'decision',
    title: input.title,
    ...compact({reasoning: input.reasoning, confidence: input.confidence}),
    alternatives: input.alternatives,
    ...compact({question: input.question}),
  }))
}

export interface PhaseInput extends Actor {
  /** One of the PDERO phases. */
  phase: string
  reason?: string
}

/**
 * Moves the agent's active trajectory to another PDERO phase: a phase event, and the trajectory's current phase.
 */
export async function recordPhase(ctx: Context, input: PhaseInput): Promise<DecisionResult> {
  return recordEvent(
    ctx,
    input,
    'phase',
    (base) => ({...base, kind: 'phase', title: input.phase, phase: input.phase, alternatives: [], ...compact({reasoning: input.reason})}),
    (trajectory) => ({...trajectory, phase: input.phase}),
  )
}

export interface ObservationInput extends Actor {
  content: string
  /** observation (default), tool_call, error, finding, message... */
  type: string
}

/** Records something that happened (agent-relay's `trail event`): an event of the given type. */
export function recordObservation(ctx: Context, input: ObservationInput): Promise<DecisionResult> {
  return recordEvent(ctx, input, 'event', (base) => ({...base, kind: 'event', type: input.type, title: input.content, alternatives: []}))
}

export interface ReflectionInput extends Actor {
  synthesis: string
  focalPoints: string[]
  adjustments?: string
  confidence?: number
}

/** Records a reflection: a periodic synthesis of progress, with what prompted it and the course corrections. */
export function recordReflection(ctx: Context, input: ReflectionInput): Promise<DecisionResult> {
  return recordEvent(ctx, input, 'reflection', (base) => ({
    ...base,
    kind: 'reflection',
    title: input.synthesis,
    alternatives: [],
    ...compact({confidence: input.confidence, focalPoints: input.focalPoints.length > 0 ? input.focalPoints : undefined, adjustments: input.adjustments}),
  }))
}

type EventBase = Pick<TrajectoryEvent, 'id' | 'trajectory' | 'agent' | 'at'>

/**
 * Adds one event to the actor's active trajectory, as a new immutable file; `update`, when given, also rewrites
 * the trajectory (a phase event changes its current phase).
 */
async function recordEvent(
  ctx: Context,
  actor: Actor,
  what: string,
  build: (base: EventBase) => TrajectoryEvent,
  update?: (trajectory: Trajectory) => Trajectory,
): Promise<DecisionResult> {
  const store = await ctx.store()
  const result = await store.transact(async (snapshot): Promise<Draft<DecisionResult>> => {
    const active = await requireActive(snapshot, actor, ctx.env)
    const id = ctx.ids.next('ev')
    const at = idTime(id).toISOString()
    const decision = build({id, trajectory: active.id, agent: active.agent, at})
    const changed = update?.(active)
    const trajectory = changed && changed.phase !== active.phase ? {...changed, updated: at} : active
    return {
      writes: [
        {path: eventPath(active.id, id), content: renderEvent(decision)},
        ...(trajectory === active ? [] : [{path: trajectoryPath(active.id), content: renderTrajectory(trajectory)}]),
      ],
      subject: `${what} ${subjectText(decision.title)} in ${active.id}`,
      trailers: recordTrailers(id, active.agent, active.id),
      result: {trajectory, decision},
    }
  })
  await projectIfAsked(ctx, [result.trajectory.id])
  return result
}

export interface CompleteInput extends Actor {
  summary: string
  confidence?: number
  approach?: string
  challenges: string[]
  learnings: string[]
}

/** Completes the agent's active trajectory with a retrospective. */
export function completeTrajectory(ctx: Context, input: CompleteInput): Promise<FinishResult> {
  return finish(ctx, input, 'completed', (trajectory) => ({
    ...trajectory,
    ...compact({summary: input.summary, confidence: input.confidence, approach: input.approach}),
    challenges: input.challenges,
    learnings: input.learnings,
  }))
}

export interface AbandonInput extends Actor {
  reason?: string
}

/** Abandons the agent's active trajectory, keeping the reason. */
export function abandonTrajectory(ctx: Context, input: AbandonInput): Promise<FinishResult> {
  return finish(ctx, input, 'abandoned', (trajectory) => ({...trajectory, ...compact({reason: input.reason})}))
}

async function finish(
  ctx: Context,
  actor: Actor,
  status: Exclude<TrajectoryStatus, 'active'>,
  update: (trajectory: Trajectory) => Trajectory,
): Promise<FinishResult> {
  const store = await ctx.store()
  const result = await store.transact(async (snapshot): Promise<Draft<FinishResult>> => {
    const active = await requireActive(snapshot, actor, ctx.env)
    const agent = active.agent
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
  await projectIfAsked(ctx, [result.trajectory.id])
  return result
}

async function requireActive(snapshot: Snapshot, actor: Actor, env: Context['env']): Promise<Trajectory> {
  const trajectory = await findActive(snapshot, actor.agent)
  if (trajectory) return trajectory
  if (actor.implicit && (env.TRAJECTORIES_DATA_DIR ?? '') !== '') {
    const everyone = await allActive(snapshot)
    if (everyone.length === 1 && everyone[0]!.ids.length === 1) {
      const only = await readTrajectory(snapshot, everyone[0]!.ids[0]!)
      if (only) return only
    }
  }
  throw new NoActiveTrajectoryError(actor.agent)
}

/**
 * Keeps agent-trajectories' JSON layout in $TRAJECTORIES_DATA_DIR (or --data-dir) up to date with the
 * trajectories a write touched, for agent-relay's readers. Loaded only when asked: no cost otherwise. The record
 * is committed by then, so a failure here is a warning.
 */
export async function projectIfAsked(ctx: Context, trajectoryIds: readonly string[]): Promise<void> {
  const dir = ctx.env.TRAJECTORIES_DATA_DIR
  if (dir === undefined || dir === '') return
  try {
    const {projectTrajectories} = await import('./trajectories-projection.js')
    await projectTrajectories(ctx, dir, trajectoryIds)
  } catch (error) {
    ctx.warn(
      `the record is committed, but the agent-trajectories files in ${dir} were not updated: ${(error as Error).message.split('\n')[0]} (rebuild them with: trail export --format agent-trajectories --all)`,
    )
  }
}

/** The agent's active trajectory, or null. */
export async function findActiveTrajectory(ctx: Context, agent: AgentName): Promise<Trajectory | null> {
  return findActive(await (await ctx.store()).snapshot(), agent)
}

/** The agent's active trajectory with its decisions, and who else is working. */
/** How many of the active trajectory's latest events `trail status` shows (all of them: trail show). */
export const STATUS_EVENTS = 20

export async function trajectoryStatus(ctx: Context, agent: AgentName): Promise<StatusResult> {
  const snapshot = await (await ctx.store()).snapshot()
  const [everyone, mine] = await Promise.all([allActive(snapshot), activeIds(snapshot, agent)])
  const trajectory = mine[0] === undefined ? null : await readTrajectory(snapshot, mine[0])
  return {
    agent,
    active: trajectory ? await readRecentDetail(snapshot, trajectory, STATUS_EVENTS) : null,
    alsoActive: mine.slice(1),
    otherAgents: everyone.filter((entry) => entry.agent !== agent).map((entry) => ({agent: entry.agent, trajectory: entry.ids[0]!})),
  }
}

export interface ListQuery {
  /** Only trajectories whose title or id (or old id) contains this text, in any case. */
  search?: string
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

  if (query.search !== undefined) {
    const ids = (await searchTrajectoryIds(snapshot, query.search, ctx.signal)).filter(since).sort().reverse()
    const matching =
      query.status || query.agent
        ? (await read(ids)).filter((t) => (!query.status || t.status === query.status) && (!query.agent || t.agent === query.agent)).map((t) => t.id)
        : ids
    return page(matching, matching.length, matching.length > start + query.limit)
  }
  if (query.status === 'active') {
    const active = query.agent ? [{agent: query.agent, ids: await activeIds(snapshot, query.agent)}] : await allActive(snapshot)
    const ids = active
      .flatMap((entry) => entry.ids)
      .filter(since)
      .sort()
      .reverse()
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
    const result = await page(ids, total, total > start + query.limit)
    // An empty store beside agent-trajectories folders: say how to bring them in.
    if (total === 0 && from === undefined && days.length === 0) {
      const {findLegacyFolders} = await import('./import.js')
      const store = await ctx.store()
      const legacyFolders = findLegacyFolders(ctx, store.repo.workTree)
      if (legacyFolders.length > 0) return {...result, legacyFolders}
    }
    return result
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
      const ids = (await grepTrajectoryIds(snapshot, query, ctx.signal)).filter(since).sort().reverse()
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
export async function grepTrajectoryIds(snapshot: Snapshot, query: Pick<ListQuery, 'status' | 'agent' | 'since'>, signal?: AbortSignal): Promise<string[]> {
  const lines = [query.status ? renderYaml({status: query.status}) : '', query.agent ? renderYaml({agent: query.agent}) : ''].filter(Boolean)
  const folders = query.since ? await dayFolders(snapshot, TRAJECTORIES_DIR, {from: query.since.getTime()}) : [TRAJECTORIES_DIR]
  if (folders.length === 0) return []
  const paths = await snapshot.grepFiles({
    // Whole-line matches of the canonical front matter lines, every special character escaped.
    patterns: lines.map((line) => `^${escapeExtended(line.trimEnd())}$`),
    allMatch: true,
    pathspecs: folders.map((folder) => `:(glob)${folder}/**/trajectory.md`),
    signal,
  })
  return paths.map((path) => /\/(traj_[0-9a-z]+)\/trajectory\.md$/.exec(path)?.[1]).filter((id): id is string => id !== undefined)
}

/**
 * Ids of the trajectories whose title, id or old id contains `text` (any case): one `git grep` over the
 * trajectory files' front matter lines.
 */
async function searchTrajectoryIds(snapshot: Snapshot, text: string, signal: AbortSignal | undefined): Promise<string[]> {
  checkQueryLength(text, '--search')
  const literal = escapeExtended(text)
  const paths = await snapshot.grepFiles({
    patterns: [`^(title|id|legacy_id): .*${literal}`],
    ignoreCase: true,
    pathspecs: [`:(glob)${TRAJECTORIES_DIR}/**/trajectory.md`],
    signal,
  })
  return paths.map((path) => /\/(traj_[0-9a-z]+)\/trajectory\.md$/.exec(path)?.[1]).filter((id): id is string => id !== undefined)
}

/**
 * The trajectory a user named: its id or a unique prefix of it, or the id it had in agent-trajectories before
 * `trail import` (found by one `git grep` of the `legacy_id` lines, only when the first lookup fails).
 */
async function resolveAnyTrajectoryId(snapshot: Snapshot, raw: string): Promise<string> {
  try {
    return await resolveTrajectoryId(snapshot, raw)
  } catch (error) {
    const text = raw.trim()
    if (!/^traj_[a-z0-9_]{1,200}$/.test(text) || !(error instanceof UsageError || error instanceof NotFoundError)) throw error
    const paths = await snapshot.grepFiles({patterns: [`^legacy_id: ${escapeExtended(text)}$`], pathspecs: [`:(glob)${TRAJECTORIES_DIR}/**/trajectory.md`]})
    const id = paths.map((path) => /\/(traj_[0-9a-z]+)\/trajectory\.md$/.exec(path)?.[1]).find((found) => found !== undefined)
    if (id !== undefined) return id
    if (error instanceof NotFoundError || isIdPrefix(text)) throw error
    throw new NotFoundError(
      `no trajectory matches '${quoteInput(raw)}'`,
      'list trajectories with: trail list (an agent-trajectories id is found once imported: trail import)',
    )
  }
}

function isIdPrefix(text: string): boolean {
  try {
    parseIdPrefix(text, 'traj')
    return true
  } catch {
    return false
  }
}

/** A trajectory and its events, by id or unique prefix (or its agent-trajectories id). */
export async function showTrajectory(ctx: Context, idOrPrefix: string): Promise<TrajectoryDetail> {
  const snapshot = await (await ctx.store()).snapshot()
  const id = await resolveAnyTrajectoryId(snapshot, idOrPrefix)
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
  const [latest] = await grepTrajectoryIds(snapshot, {agent: input.agent}).then((ids) => ids.sort().reverse())
  if (latest === undefined) {
    throw new NotFoundError(`agent '${input.agent}' has no trajectory to export`, 'name one: trail export <id> (find ids with: trail list)')
  }
  return showTrajectory(ctx, latest)
}

function recordTrailers(id: string, agent: AgentName, trajectoryId?: string): [string, string][] {
  return [['Trail-Record', id], ['Trail-Agent', agent], ...(trajectoryId ? [['Trail-Trajectory', trajectoryId] as [string, string]] : [])]
}
