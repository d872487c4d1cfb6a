import type {Oid} from '../git/objects.js'
import type {GitRepo} from '../git/repo.js'
import {idTime, isId} from '../model/ids.js'
import {MESSAGES_DIR, PROJECT_PATH, TRAJECTORIES_DIR} from '../model/layout.js'
import {parseLedger, type Ledger} from '../model/ledger.js'
import {parseMessage, type Message} from '../model/message.js'
import type {AgentName, ProjectName} from '../model/names.js'
import {parseProject} from '../model/project.js'
import {parseSessionEnd, parseSummary, type SessionEndRecord, type SummaryRecord} from '../model/session-records.js'
import {parseTrajectory, type Trajectory} from '../model/trajectory.js'
import {agentNamesIn, newestEventAt, readLedgers, readReceiptSets} from '../services/agents.js'
import {dayFolders} from '../services/day-folders.js'
import {readProject} from '../services/projects.js'
import {agentsWithSessionRecords, newestRecordId, readSessionEnd, readSummary} from '../services/summaries.js'
import {allActive, readTrajectories} from '../services/trajectory-records.js'
import {Snapshot} from '../store/snapshot.js'
import {KINDS, kindOfPath} from '../model/kinds.js'

// What the dashboard knows of one store (this project's, or a synced sibling's), kept up to date from the changes
// between two tips: `git diff-tree` of the old and the new commit names the records that changed, and only those
// are read. Built at start-up from folder listings and the few small records that describe agents; trajectories
// are known by id (from the day folders) and read when shown, through a bounded cache.

/** How many of the newest trajectories are kept read: they name agents, their last activity, and what needs attention. */
export const RECENT_TRAJECTORIES = 500
/** At most this many trajectories are kept parsed, besides the recent ones. */
const CACHE_LIMIT = 20_000

/** What changed in a store between two tips. */
export interface StoreChange {
  project: string
  sibling: string | null
  /** Which panels it concerns. */
  kinds: Set<ChangeKind>
  /** Trajectories whose record, events or links changed. */
  trajectories: Set<string>
}

export type ChangeKind = 'projects' | 'agents' | 'trajectories' | 'messages' | 'summaries'

export class StoreIndex {
  project: ProjectName
  lead: AgentName | undefined
  tip: Oid | null = null
  snapshot: Snapshot | null = null
  /** Every trajectory id, oldest first. */
  trajectoryIds: string[] = []
  /** Parsed trajectories: the recent ones, and those read since (bounded). */
  private readonly trajectories = new Map<string, Trajectory>()
  /** Active trajectory ids per agent, newest first. */
  readonly active = new Map<AgentName, string[]>()
  /** The newest event time of each active trajectory. */
  readonly eventTimes = new Map<string, string>()
  readonly ledgers = new Map<AgentName, Ledger>()
  readonly latestSummaries = new Map<AgentName, SummaryRecord>()
  readonly latestSessionEnds = new Map<AgentName, SessionEndRecord>()
  readonly receipts = new Map<AgentName, Set<string>>()
  /** Every message of this store, by id. */
  readonly messages = new Map<string, Message>()
  /** Agents known from anything but their trajectories and messages (which are looked at separately). */
  readonly agentNames = new Set<AgentName>()

  constructor(
    readonly repo: GitRepo,
    /** The sibling's name, or null for this project. */
    readonly sibling: string | null,
    readonly ref: string,
    /** The id this store goes by when it names none. */
    private readonly fallbackProject: ProjectName | undefined,
  ) {
    this.project = fallbackProject ?? ('project' as ProjectName)
  }

  get source(): {project: string; sibling: string | null} {
    return {project: this.project, sibling: this.sibling}
  }

  /** What `load` left to read in the background: messages, agents' records, the recent trajectories. */
  private rest: Promise<void> = Promise.resolve()
  /** The older day folders' listings, read in the background; `trajectoryIds` holds every id once it is done. */
  private olderIds: Promise<void> = Promise.resolve()
  /** Whether `trajectoryIds` holds every id (else the newest ones, at least RECENT_TRAJECTORIES of them). */
  idsComplete = true
  /** The background reads `load` prepared, until they are started. */
  private pending: (() => void) | null = null

  /**
   * Reads the store at `tip` from scratch (at start-up, or when a sibling appears), in two steps, so that the first
   * page of trajectories is shown at once whatever the size of the store. Before this resolves: the project, the
   * active markers, and the ids of the newest day folders (at least RECENT_TRAJECTORIES of them). In the background
   * (`ready()`), through `background` (another GitRepo of the same repository) when given: the older day folders'
   * ids, messages, ledgers, summaries, receipts and the recent trajectories.
   */
  async load(tip: Oid | null, background?: GitRepo): Promise<void> {
    this.clear()
    this.tip = tip
    this.idsComplete = true
    this.olderIds = Promise.resolve()
    this.rest = Promise.resolve()
    this.pending = null
    if (tip === null) {
      // No commit yet: the id this store goes by when it names none.
      this.snapshot = null
      this.rest = Promise.resolve()
      await this.readProjectFile(await Snapshot.read(this.repo, this.ref))
      return
    }
    const snapshot = await Snapshot.read(this.repo, tip)
    this.snapshot = snapshot
    const [days, active] = await Promise.all([dayFolders(snapshot, TRAJECTORIES_DIR), allActive(snapshot), this.readProjectFile(snapshot)])
    for (const entry of active) this.active.set(entry.agent, entry.ids)
    // The newest days, until they hold enough ids for the first pages and the recent trajectories.
    const newest: string[][] = []
    let count = 0
    let next = 0
    while (next < days.length && count < RECENT_TRAJECTORIES) {
      const batch = days.slice(next, next + 8)
      next += batch.length
      for (const ids of await Promise.all(batch.map((day) => this.listDay(snapshot, day)))) {
        newest.push(ids)
        count += ids.length
      }
    }
    this.trajectoryIds = newest.reverse().flat()
    const older = days.slice(next)
    this.idsComplete = older.length === 0
    // Started by the first `ready()` or `allIds()`: at start-up the first page is served before the background
    // reads begin, so they do not compete with it. Those go through their own `git cat-file` when given one.
    this.pending = () => {
      const other = background ? Snapshot.read(background, tip) : Promise.resolve(snapshot)
      this.olderIds =
        older.length === 0
          ? Promise.resolve()
          : other.then(async (theirs) => {
              const listings = await Promise.all([...older].reverse().map((day) => this.listDay(theirs, day)))
              // Older days hold older ids: they go before every id known so far (new ones included).
              if (this.snapshot === snapshot) this.trajectoryIds = [...listings.flat(), ...this.trajectoryIds]
              this.idsComplete = true
            })
      this.rest = Promise.all([this.olderIds, other.then((theirs) => this.loadRest(theirs))]).then(() => {})
      // A failure here is the same failure the next read meets; it is reported there, not as an unhandled rejection.
      this.rest.catch(() => {})
    }
  }

  /** Resolves when every trajectory id is known (see `load`). */
  allIds(): Promise<void> {
    this.startPending()
    return this.olderIds
  }

  /** Resolves when everything `load` began is read. */
  ready(): Promise<void> {
    this.startPending()
    return this.rest
  }

  private startPending(): void {
    const pending = this.pending
    this.pending = null
    pending?.()
  }

  private async loadRest(snapshot: Snapshot): Promise<void> {
    const activeIds = [...this.active.values()].flat()
    const recent = this.trajectoryIds.slice(-RECENT_TRAJECTORIES)
    const [messages, trajectories, eventTimes, agents, withSessions] = await Promise.all([
      this.readAllMessages(snapshot),
      readTrajectories(snapshot, [...new Set([...recent, ...activeIds])], () => {}),
      Promise.all(activeIds.map(async (id) => [id, await newestEventAt(snapshot, id)] as const)),
      agentNamesIn(snapshot, this.lead ? [this.lead] : []),
      agentsWithSessionRecords(snapshot),
    ])
    const [ledgers, receipts, latest] = await Promise.all([
      readLedgers(snapshot, agents),
      readReceiptSets(snapshot, agents),
      Promise.all(
        withSessions.map(async (agent) => {
          const [summaryId, sessionId] = await Promise.all([newestRecordId(snapshot, 'summary', agent), newestRecordId(snapshot, 'session', agent)])
          return {
            agent,
            summary: summaryId === null ? null : await readSummary(snapshot, agent, summaryId),
            sessionEnd: sessionId === null ? null : await readSessionEnd(snapshot, agent, sessionId),
          }
        }),
      ),
    ])
    // Applied at once, after every read: a request never sees half of it.
    for (const message of messages) this.messages.set(message.id, message)
    for (const trajectory of trajectories) this.trajectories.set(trajectory.id, trajectory)
    for (const [id, time] of eventTimes) if (time !== null) this.eventTimes.set(id, time)
    for (const agent of agents) this.agentNames.add(agent)
    for (const [agent, ledger] of ledgers) this.ledgers.set(agent, ledger)
    for (const [agent, read] of receipts) if (read.size > 0) this.receipts.set(agent, read)
    for (const {agent, summary, sessionEnd} of latest) {
      if (summary) this.latestSummaries.set(agent, summary)
      if (sessionEnd) this.latestSessionEnds.set(agent, sessionEnd)
    }
  }

  /**
   * Moves to `tip`, reading only what changed since the current tip. Returns what changed, or null when nothing did.
   */
  async update(tip: Oid | null): Promise<StoreChange | null> {
    if (tip === this.tip) return null
    await this.ready()
    const change: StoreChange = {project: this.project, sibling: this.sibling, kinds: new Set(), trajectories: new Set()}
    if (tip === null || this.tip === null) {
      await this.load(tip)
      change.kinds = new Set(['projects', 'agents', 'trajectories', 'messages', 'summaries'])
      change.project = this.project
      return change
    }
    const diff = await this.repo.diffTrees(this.tip, tip)
    const snapshot = await Snapshot.read(this.repo, tip)
    // Every blob to read, in one round trip; then the index changes at once, with no await in between, so a
    // request never sees half an update.
    const wanted = [...diff].filter(([path, [, next]]) => next !== null && this.needsContent(path)).map(([path, [, next]]) => [path, next!] as const)
    const objects = await this.repo.reader.readMany(wanted.map(([, oid]) => oid))
    const contents = new Map(wanted.map(([path], index) => [path, objects[index]?.type === 'blob' ? objects[index]!.data.toString('utf8') : null]))
    const newEvents: [string, string][] = []
    let projectChanged = false
    for (const [path, [, next]] of diff) {
      const text = contents.get(path) ?? null
      // Which record a changed path is, from the registry of record kinds (model/kinds.ts): paths outside it are
      // not records, and the keys in a path (id, agent) are checked there.
      const known = kindOfPath(path)
      if (known === null) continue
      const {keys} = known
      switch (known.kind) {
        case KINDS.trajectory: {
          const id = keys.id!
          change.kinds.add('trajectories').add('agents')
          change.trajectories.add(id)
          if (next === null) {
            this.removeTrajectoryId(id)
            this.trajectories.delete(id)
          } else {
            this.addTrajectoryId(id)
            const trajectory = text === null ? null : parseOrNull(() => parseTrajectory(text, path))
            if (trajectory) this.trajectories.set(id, trajectory)
            else this.trajectories.delete(id)
          }
          break
        }
        case KINDS.event:
          change.kinds.add('trajectories').add('agents')
          change.trajectories.add(keys.trajectory!)
          if (next !== null) newEvents.push([keys.trajectory!, idTime(keys.id!).toISOString()])
          break
        case KINDS.activeMarker: {
          const agent = keys.agent as AgentName
          const id = keys.trajectory!
          change.kinds.add('agents').add('trajectories')
          change.trajectories.add(id)
          const ids = (this.active.get(agent) ?? []).filter((other) => other !== id)
          if (next !== null) ids.push(id)
          ids.sort().reverse()
          if (ids.length > 0) this.active.set(agent, ids)
          else this.active.delete(agent)
          if (next === null) this.eventTimes.delete(id)
          this.agentNames.add(agent)
          break
        }
        case KINDS.ledger: {
          const agent = keys.agent as AgentName
          change.kinds.add('agents')
          const ledger = text === null ? null : parseOrNull(() => parseLedger(text, path))
          if (ledger) this.ledgers.set(agent, ledger)
          else this.ledgers.delete(agent)
          this.agentNames.add(agent)
          break
        }
        case KINDS.summary:
        case KINDS.session: {
          const agent = keys.agent as AgentName
          change.kinds.add('summaries').add('agents')
          this.agentNames.add(agent)
          if (text === null) break
          if (known.kind === KINDS.summary) {
            const summary = parseOrNull(() => parseSummary(text, path))
            if (summary && isNewest(this.latestSummaries.get(agent), summary.id)) this.latestSummaries.set(agent, summary)
          } else {
            const sessionEnd = parseOrNull(() => parseSessionEnd(text, path))
            if (sessionEnd) {
              if (isNewest(this.latestSessionEnds.get(agent), sessionEnd.id)) this.latestSessionEnds.set(agent, sessionEnd)
              if (sessionEnd.trajectory) change.trajectories.add(sessionEnd.trajectory)
            }
          }
          break
        }
        case KINDS.message: {
          change.kinds.add('messages').add('agents')
          const message = text === null ? null : parseOrNull(() => parseMessage(text, path))
          if (message) this.messages.set(message.id, message)
          else this.messages.delete(keys.id!)
          break
        }
        case KINDS.receipt: {
          const agent = keys.agent as AgentName
          change.kinds.add('messages').add('agents')
          const read = this.receipts.get(agent) ?? new Set<string>()
          if (next === null) read.delete(keys.message!)
          else read.add(keys.message!)
          this.receipts.set(agent, read)
          this.agentNames.add(agent)
          break
        }
        case KINDS.project:
          projectChanged = true
          break
        case KINDS.handoff:
          change.kinds.add('trajectories')
          break
        // A commit linked to a trajectory (the git hooks): what `trail why` answers for its lines changed.
        case KINDS.commitLink:
          change.kinds.add('trajectories')
          change.trajectories.add(keys.trajectory!)
          break
      }
    }
    for (const [id, time] of newEvents) {
      const isActive = [...this.active.values()].some((ids) => ids.includes(id))
      if (isActive && (this.eventTimes.get(id) ?? '') <= time) this.eventTimes.set(id, time)
    }
    // Active trajectories that arrived without their record in this diff (a marker written alone) are read now.
    const missing = [...this.active.values()].flat().filter((id) => !this.trajectories.has(id))
    this.tip = tip
    this.snapshot = snapshot
    if (missing.length > 0) for (const trajectory of await readTrajectories(snapshot, missing, () => {})) this.trajectories.set(trajectory.id, trajectory)
    if (projectChanged) {
      await this.readProjectFile(snapshot)
      change.kinds.add('projects').add('agents').add('messages')
      change.project = this.project
    }
    if (change.kinds.size > 0) change.kinds.add('projects')
    this.trimCache()
    return change
  }

  /** The trajectories with these ids, read through the cache (unknown and unreadable ones left out), in order. */
  async trajectoriesById(ids: readonly string[]): Promise<Trajectory[]> {
    const missing = ids.filter((id) => !this.trajectories.has(id))
    if (missing.length > 0 && this.snapshot) {
      for (const trajectory of await readTrajectories(this.snapshot, missing, () => {})) this.trajectories.set(trajectory.id, trajectory)
      this.trimCache()
    }
    return ids.flatMap((id) => {
      const trajectory = this.trajectories.get(id)
      return trajectory ? [trajectory] : []
    })
  }

  /** A trajectory already read, or undefined. */
  cachedTrajectory(id: string): Trajectory | undefined {
    return this.trajectories.get(id)
  }

  /** The recent trajectories (newest first) that are read: the newest RECENT_TRAJECTORIES. */
  recentTrajectories(): Trajectory[] {
    return this.trajectoryIds
      .slice(-RECENT_TRAJECTORIES)
      .reverse()
      .flatMap((id) => {
        const trajectory = this.trajectories.get(id)
        return trajectory ? [trajectory] : []
      })
  }

  hasTrajectory(id: string): boolean {
    return binarySearch(this.trajectoryIds, id) >= 0
  }

  /** The index range of trajectory ids made within [from, to] (milliseconds; either open). */
  idRange(from?: number, to?: number): [number, number] {
    const lower = from === undefined ? 0 : lowerBound(this.trajectoryIds, (id) => idTime(id).getTime() >= from)
    const upper = to === undefined ? this.trajectoryIds.length : lowerBound(this.trajectoryIds, (id) => idTime(id).getTime() > to)
    return [lower, Math.max(lower, upper)]
  }

  private needsContent(path: string): boolean {
    const known = kindOfPath(path)
    if (known?.kind === KINDS.trajectory) {
      // A new trajectory is read when it is among the recent ones (new ones are), or when it is cached already.
      const id = known.keys.id!
      return (
        this.trajectories.has(id) ||
        this.trajectoryIds.length < RECENT_TRAJECTORIES ||
        id > this.trajectoryIds[this.trajectoryIds.length - RECENT_TRAJECTORIES]!
      )
    }
    return known !== null && [KINDS.ledger, KINDS.summary, KINDS.session, KINDS.message].includes(known.kind)
  }

  private async readProjectFile(snapshot: Snapshot): Promise<void> {
    const text = await snapshot.readText(PROJECT_PATH)
    const parsed = text === null ? null : parseOrNull(() => parseProject(text, PROJECT_PATH))
    if (parsed) {
      this.project = parsed.id
      this.lead = parsed.lead
    } else {
      const {project} = await readProject(snapshot, this.fallbackProject).catch(() => ({
        project: {id: this.fallbackProject ?? ('project' as ProjectName), lead: undefined},
      }))
      this.project = project.id
      this.lead = project.lead
    }
  }

  /** The trajectory ids of one day folder, sorted (git lists a folder's entries sorted; ids sort as text). */
  private async listDay(snapshot: Snapshot, day: string): Promise<string[]> {
    return (await snapshot.listDirs(day)).filter((id) => isId(id, 'traj'))
  }

  /** Every message, from the day folders' listings (through the same `git cat-file`: no other process). */
  private async readAllMessages(snapshot: Snapshot): Promise<Message[]> {
    const days = await dayFolders(snapshot, MESSAGES_DIR)
    const listings = await Promise.all(days.map(async (day) => (await snapshot.list(day)).map((entry) => `${day}/${entry.name}`)))
    const paths = listings.flat().filter((path) => kindOfPath(path)?.kind === KINDS.message)
    const texts = await snapshot.readTexts(paths)
    return texts.flatMap((text, index) => {
      const message = text === null ? null : parseOrNull(() => parseMessage(text, paths[index]!))
      return message ? [message] : []
    })
  }

  private addTrajectoryId(id: string): void {
    const at = lowerBound(this.trajectoryIds, (other) => other >= id)
    if (this.trajectoryIds[at] !== id) this.trajectoryIds.splice(at, 0, id)
  }

  private removeTrajectoryId(id: string): void {
    const at = binarySearch(this.trajectoryIds, id)
    if (at >= 0) this.trajectoryIds.splice(at, 1)
  }

  /** Keeps the cache bounded: the oldest-read entries go first, never a recent or an active trajectory. */
  private trimCache(): void {
    if (this.trajectories.size <= CACHE_LIMIT + RECENT_TRAJECTORIES) return
    const keep = new Set([...this.trajectoryIds.slice(-RECENT_TRAJECTORIES), ...[...this.active.values()].flat()])
    for (const id of this.trajectories.keys()) {
      if (this.trajectories.size <= CACHE_LIMIT) break
      if (!keep.has(id)) this.trajectories.delete(id)
    }
  }

  private clear(): void {
    this.trajectoryIds = []
    this.trajectories.clear()
    this.active.clear()
    this.eventTimes.clear()
    this.ledgers.clear()
    this.latestSummaries.clear()
    this.latestSessionEnds.clear()
    this.receipts.clear()
    this.messages.clear()
    this.agentNames.clear()
  }
}

/** Whether a record with id `id` is at least as new as `current` (absent: yes). */
function isNewest(current: {id: string} | undefined, id: string): boolean {
  return current === undefined || current.id <= id
}

function parseOrNull<T>(parse: () => T): T | null {
  try {
    return parse()
  } catch {
    return null
  }
}

/** The first index whose element satisfies `isAtOrAfter` (which must be false, then true, along the array). */
export function lowerBound<T>(items: readonly T[], isAtOrAfter: (item: T) => boolean): number {
  let low = 0
  let high = items.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (isAtOrAfter(items[middle]!)) high = middle
    else low = middle + 1
  }
  return low
}

function binarySearch(items: readonly string[], wanted: string): number {
  const at = lowerBound(items, (item) => item >= wanted)
  return items[at] === wanted ? at : -1
}
