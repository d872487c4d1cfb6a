import {NotFoundError, UsageError} from '../errors.js'
import {idTime, isId} from '../model/ids.js'
import {parseTarget, type Message} from '../model/message.js'
import type {AgentName} from '../model/names.js'
import {overviewOf, type AgentFacts} from '../model/presence.js'
import type {SearchKind} from '../model/kinds.js'
import type {Trajectory, TrajectoryStatus} from '../model/trajectory.js'
import {
  agentJson,
  CONFIDENCE_RUBRIC,
  handoffJson,
  messageItemJson,
  sessionEndJson,
  summaryJson,
  trajectoryItemJson,
  type AgentJson,
  type AgentSummariesJson,
  type AttentionJson,
  type CoordinatorJson,
  type HistoryPageJson,
  type MessageItemJson,
  type MessagePageJson,
  type OverviewJson,
  type TrajectoryItemJson,
  type TrajectoryPageJson,
  type TrajectoryViewJson,
} from '../render/dashboard.js'
import {messageJson, type MessageJson} from '../render/messages.js'
import {searchJson, type SearchJson} from '../render/search.js'
import {decisionJson} from '../render/trajectory.js'
import {unreadCount, type KnownMessage} from '../services/agents.js'
import type {Context} from '../services/context.js'
import {sendMessage} from '../services/messages.js'
import {searchEverywhere} from '../services/search.js'
import {readAllTrajectoryLinks, readSessionHistory, readTrajectoryLinks, type TrajectoryLinks} from '../services/summaries.js'
import {grepTrajectoryIds} from '../services/trajectories.js'
import {readDetail} from '../services/trajectory-records.js'
import type {CommitSummary} from '../git/repo.js'
import type {LiveIndex} from './live-index.js'
import type {StoreIndex} from './store-index.js'
import type {FileSuggestionsJson} from './file-suggestions.js'
import {suggestFiles, whyOfPage} from './why.js'
import type {WhyJson} from '../render/why.js'

// What the dashboard's API answers, computed from the live index (and, for what it does not keep, from the
// services over the store's current snapshot). The same functions write `relay dashboard --export`.

export interface TrajectoryQuery {
  project?: string
  agent?: AgentName
  status?: TrajectoryStatus
  /** Milliseconds since the epoch, inclusive. */
  since?: number
  until?: number
  page: number
  limit: number
}

export interface MessageQuery {
  project?: string
  /** Messages from this agent or addressed to it by name. */
  agent?: AgentName
  thread?: string
  /** Only messages to a lead that the lead has not answered. */
  unanswered?: boolean
  page: number
  limit: number
}

export interface SearchQueryInput {
  text: string
  regex: boolean
  kinds: SearchKind[]
  agent?: AgentName
  project?: string
  since?: Date
  limit: number
}

/** Who sends from the page: the person's git identity and the agent name it becomes. */
export interface Sender {
  name: string
  email: string
  agent: AgentName
}

/** The links of every trajectory, read once (see DashboardData.prefetchLinks). */
export interface PrefetchedLinks {
  links: Map<StoreIndex, Map<string, TrajectoryLinks>>
  commits: Map<string, CommitSummary[]>
}

/** Trajectories read per round trip while scanning for a filter. */
const SCAN_BATCH = 256
/** Past this many trajectories read without filling the page, one `git grep` per store finds the rest. */
const SCAN_BUDGET = 4096
/** What needs attention is looked for among the recent trajectories of the last this many days. */
const ATTENTION_DAYS = 14
/** Below this confidence a completed trajectory needs attention (the rubric's "some uncertainty" and under). */
const LOW_CONFIDENCE = 0.7
const ATTENTION_LIMIT = 50

interface MessageFacts {
  items: {
    message: Message
    store: StoreIndex
    toLead: boolean
    unanswered: boolean
    targetProject: string | null
    targetAgent: string | null
    readBy: string[]
  }[]
  known: KnownMessage[]
  newestFrom: Map<string, string>
}

export class DashboardData {
  private memo = new Map<string, {version: string; value: unknown}>()
  private greps = new Map<string, string[]>()

  constructor(
    readonly index: LiveIndex,
    private readonly ctx: Context,
    readonly options: {allowSend: boolean; sender: Sender | null; mode: 'live' | 'static'; exportLimit?: number},
  ) {}

  overview(): OverviewJson {
    return {
      project: this.index.here.project,
      projects: this.index.stores.map((store) => ({
        project: store.project,
        sibling: store.sibling,
        lead: store.lead ?? null,
        tip: store.tip,
        trajectories: store.trajectoryIds.length,
        active: [...store.active.values()].reduce((sum, ids) => sum + ids.length, 0),
        messages: store.messages.size,
      })),
      version: this.index.version,
      generated: this.ctx.now().toISOString(),
      allowSend: this.options.allowSend,
      sender: this.options.allowSend && this.options.sender ? {...this.options.sender} : null,
      mode: this.options.mode,
      exportLimit: this.options.exportLimit ?? null,
    }
  }

  /** The stores a `project` parameter names (its id, or its sibling name), all without one; NotFoundError for none. */
  storesFor(project: string | undefined): StoreIndex[] {
    if (project === undefined || project === '') return this.index.stores
    const stores = this.index.stores.filter((store) => store.project === project || store.sibling === project)
    if (stores.length === 0) throw new NotFoundError(`no project '${project}' here`, 'the projects are listed in /api/overview')
    return stores
  }

  async agents(): Promise<AgentJson[]> {
    await this.index.ready()
    const now = this.ctx.now()
    return this.agentFacts().map(({store, facts}) =>
      agentJson(overviewOf({project: store.project, sibling: store.sibling, ...(store.lead ? {lead: store.lead} : {})}, facts, now)),
    )
  }

  private agentFacts(): {store: StoreIndex; facts: AgentFacts}[] {
    return this.memoised('agentFacts', () => {
      const messages = this.messageFacts()
      return this.index.stores.flatMap((store) => {
        const recent = store.recentTrajectories()
        const newestTrajectory = new Map<string, string>()
        for (const trajectory of recent) if (!newestTrajectory.has(trajectory.agent)) newestTrajectory.set(trajectory.agent, trajectory.updated)
        const senders = [...store.messages.values()].map((message) => message.from)
        const names = new Set<AgentName>([...store.agentNames, ...store.active.keys(), ...newestTrajectory.keys(), ...senders] as AgentName[])
        if (store.lead) names.add(store.lead)
        return [...names].sort().map((agent) => {
          const activeIds = store.active.get(agent) ?? []
          const active = activeIds.flatMap((id) => {
            const trajectory = store.cachedTrajectory(id)
            return trajectory ? [trajectory] : []
          })
          const ledger = store.ledgers.get(agent) ?? null
          const eventTimes = activeIds.map((id) => store.eventTimes.get(id)).filter((time): time is string => time !== undefined)
          const facts: AgentFacts = {
            agent,
            ledger,
            active,
            latestEventAt: eventTimes.sort().at(-1) ?? null,
            latestSummary: store.latestSummaries.get(agent) ?? null,
            latestSessionEnd: store.latestSessionEnds.get(agent) ?? null,
            otherActivity: [newestTrajectory.get(agent) ?? null, messages.newestFrom.get(`${store.project}:${agent}`) ?? null],
            unread: unreadCount(
              messages.known,
              {project: store.project, agent, ...(store.lead ? {lead: store.lead} : {})},
              store.receipts.get(agent) ?? new Set(),
            ),
          }
          return {store, facts}
        })
      })
    })
  }

  async trajectories(query: TrajectoryQuery): Promise<TrajectoryPageJson> {
    const stores = this.storesFor(query.project)
    const start = (query.page - 1) * query.limit
    const inRange = (id: string) =>
      (query.since === undefined || idTime(id).getTime() >= query.since) && (query.until === undefined || idTime(id).getTime() <= query.until)
    const page = async (entries: {store: StoreIndex; id: string}[], total: number | null, more: boolean): Promise<TrajectoryPageJson> => ({
      total,
      more,
      page: query.page,
      limit: query.limit,
      trajectories: await this.readItems(entries.slice(start, start + query.limit)),
    })

    if (query.status === 'active') {
      const entries = stores
        .flatMap((store) => [...store.active].filter(([agent]) => !query.agent || agent === query.agent).flatMap(([, ids]) => ids.map((id) => ({store, id}))))
        .filter((entry) => inRange(entry.id))
        .sort((a, b) => (a.id < b.id ? 1 : -1))
      return page(entries, entries.length, entries.length > start + query.limit)
    }
    // The first page of the unfiltered list needs only the newest ids, which every store knows from its start; any
    // other page or filter waits for the older day folders' listings (read in the background at start-up).
    const isFirstPage = query.page === 1 && !query.agent && !query.status && query.since === undefined && query.until === undefined
    if (!isFirstPage) await Promise.all(stores.map((store) => store.allIds()))
    const ranges = stores.map((store) => ({store, range: store.idRange(query.since, query.until)}))
    if (!query.agent && !query.status) {
      const complete = stores.every((store) => store.idsComplete)
      const total = ranges.reduce((sum, {range}) => sum + range[1] - range[0], 0)
      const entries = [...take(newestFirst(ranges), start + query.limit)]
      return page(entries, complete ? total : null, complete ? total > start + query.limit : true)
    }
    const wanted = start + query.limit + 1
    const matches: {store: StoreIndex; id: string}[] = []
    const matchesQuery = (t: Trajectory) => (!query.status || t.status === query.status) && (!query.agent || t.agent === query.agent)
    let scanned = 0
    let batch: {store: StoreIndex; id: string}[] = []
    let exhausted = true
    const flush = async () => {
      const read = await this.readTrajectories(batch)
      matches.push(...read.filter(({trajectory}) => matchesQuery(trajectory)).map(({store, trajectory}) => ({store, id: trajectory.id})))
      scanned += batch.length
      batch = []
    }
    for (const entry of newestFirst(ranges)) {
      batch.push(entry)
      if (batch.length < SCAN_BATCH) continue
      await flush()
      if (matches.length >= wanted) {
        exhausted = false
        break
      }
      if (scanned >= SCAN_BUDGET) {
        const found = (await Promise.all(stores.map(async (store) => (await this.grepIds(store, query)).filter(inRange).map((id) => ({store, id})))))
          .flat()
          .sort((a, b) => (a.id < b.id ? 1 : -1))
        return page(found, found.length, found.length > start + query.limit)
      }
    }
    if (exhausted && batch.length > 0) await flush()
    return page(matches, exhausted ? matches.length : null, matches.length > start + query.limit)
  }

  async trajectory(project: string, id: string, prefetched?: PrefetchedLinks): Promise<TrajectoryViewJson> {
    if (!isId(id, 'traj')) throw new UsageError(`'${id.slice(0, 40)}' is not a trajectory id`, 'ids look like traj_01jd2k3m4n5p6q7r8s9t0v1w2x')
    const stores = this.storesFor(project)
    if (!stores.some((candidate) => candidate.hasTrajectory(id))) await Promise.all(stores.map((candidate) => candidate.allIds()))
    const store = stores.find((candidate) => candidate.hasTrajectory(id))
    const [trajectory] = store ? await store.trajectoriesById([id]) : []
    if (!store || !trajectory || !store.snapshot) throw new NotFoundError(`no trajectory ${id} in ${project}`, 'pick one from the list')
    const [detail, links, commits] = await Promise.all([
      readDetail(store.snapshot, trajectory),
      prefetched ? (prefetched.links.get(store)?.get(id) ?? {handoffs: [], sessionEnds: []}) : readTrajectoryLinks(store.snapshot, trajectory, this.ctx.now()),
      // Commits are in this repository only: a sibling's commits are in its own.
      store.sibling !== null ? [] : prefetched ? (prefetched.commits.get(id) ?? []) : store.repo.commitsWithTrailer('Trajectory', id),
    ])
    return {
      ...trajectoryItemJson(trajectory, store.source),
      events: detail.events.map(decisionJson),
      handoffs: links.handoffs.map(handoffJson),
      sessionEnds: links.sessionEnds.map(sessionEndJson),
      commits,
      rubric: CONFIDENCE_RUBRIC,
    }
  }

  /** What many trajectory views need, read once for all (an export): every store's links, this repository's commits. */
  async prefetchLinks(): Promise<PrefetchedLinks> {
    const stores = this.index.stores.filter((store) => store.snapshot !== null)
    const [links, commits] = await Promise.all([
      Promise.all(stores.map(async (store) => [store, await readAllTrajectoryLinks(store.snapshot!)] as const)),
      this.index.here.repo.commitsByTrailer('Trajectory'),
    ])
    return {links: new Map(links), commits}
  }

  async messages(query: MessageQuery): Promise<MessagePageJson> {
    await this.index.ready()
    // A project's messages: those its store holds (it sent them) and those addressed to it.
    const stores = new Set(this.storesFor(query.project))
    const projects = new Set<string>([...stores].map((store) => store.project))
    const matching = this.messageFacts()
      .items.filter((item) => query.project === undefined || stores.has(item.store) || (item.targetProject !== null && projects.has(item.targetProject)))
      .filter((item) => !query.agent || item.message.from === query.agent || item.targetAgent === query.agent)
      .filter((item) => !query.thread || item.message.thread === query.thread)
      .filter((item) => !query.unanswered || item.unanswered)
    const newest = [...matching].reverse()
    const start = (query.page - 1) * query.limit
    const threads = new Map<string, {thread: string; messages: number; last: string}>()
    for (const {message} of matching) {
      if (!message.thread) continue
      const entry = threads.get(message.thread) ?? {thread: message.thread, messages: 0, last: message.created}
      entry.messages++
      if (message.created > entry.last) entry.last = message.created
      threads.set(message.thread, entry)
    }
    return {
      total: newest.length,
      more: newest.length > start + query.limit,
      page: query.page,
      limit: query.limit,
      messages: newest.slice(start, start + query.limit).map((item) => this.messageItem(item)),
      threads: [...threads.values()].sort((a, b) => (a.last < b.last ? 1 : -1)),
    }
  }

  /** A thread, oldest first, across every store. */
  async thread(thread: string): Promise<MessageItemJson[]> {
    await this.index.ready()
    const items = this.messageFacts().items.filter((item) => item.message.thread === thread)
    if (items.length === 0) throw new NotFoundError(`no thread '${thread.slice(0, 64)}'`, 'threads are listed with the messages')
    return items.map((item) => this.messageItem(item))
  }

  async summaries(): Promise<AgentSummariesJson[]> {
    await this.index.ready()
    return this.index.stores
      .flatMap((store) =>
        [...new Set([...store.latestSummaries.keys(), ...store.latestSessionEnds.keys()])].map((agent) => {
          const summary = store.latestSummaries.get(agent)
          const sessionEnd = store.latestSessionEnds.get(agent)
          return {...store.source, agent, summary: summary ? summaryJson(summary) : null, sessionEnd: sessionEnd ? sessionEndJson(sessionEnd) : null}
        }),
      )
      .sort((a, b) => (latestOf(a) < latestOf(b) ? 1 : -1))
  }

  async history(project: string, agent: AgentName, page: number, limit: number): Promise<HistoryPageJson> {
    const store = this.storesFor(project)[0]!
    if (!store.snapshot) return {...store.source, agent, page, limit, more: false, entries: []}
    const {entries, more} = await readSessionHistory(store.snapshot, agent, {page, limit})
    return {
      ...store.source,
      agent,
      page,
      limit,
      more,
      entries: entries.map((entry) =>
        entry.kind === 'summary'
          ? {kind: 'summary' as const, ...summaryJson(entry.summary)}
          : {kind: 'session-end' as const, ...sessionEndJson(entry.sessionEnd)},
      ),
    }
  }

  async coordinator(): Promise<CoordinatorJson> {
    const agents = await this.agents()
    const since = this.ctx.now().getTime() - ATTENTION_DAYS * 86_400_000
    const unanswered = this.messageFacts().items.filter((item) => item.unanswered)
    return {
      projects: this.index.stores.map((store) => {
        const attention: AttentionJson[] = []
        for (const t of store.recentTrajectories()) {
          if (Date.parse(t.updated) < since) continue
          if (t.status === 'abandoned')
            attention.push({
              kind: 'abandoned',
              project: store.project,
              agent: t.agent,
              id: t.id,
              text: `${t.title}${t.reason ? `: ${t.reason}` : ''}`,
              at: t.ended ?? t.updated,
            })
          else if (t.status === 'completed' && t.confidence !== undefined && t.confidence < LOW_CONFIDENCE) {
            attention.push({kind: 'low-confidence', project: store.project, agent: t.agent, id: t.id, text: t.title, at: t.ended ?? t.updated})
          }
        }
        for (const [agent, ledger] of store.ledgers)
          for (const item of ledger.uncertain) attention.push({kind: 'uncertain', project: store.project, agent, id: null, text: item, at: ledger.updated})
        for (const item of unanswered) {
          if (item.targetProject !== store.project) continue
          attention.push({
            kind: 'unanswered',
            project: store.project,
            agent: item.targetAgent === 'lead' ? (store.lead ?? 'lead') : (item.targetAgent ?? ''),
            id: item.message.id,
            text: `${item.store.project}:${item.message.from}: ${item.message.body}`,
            at: item.message.created,
          })
        }
        attention.sort((a, b) => ((a.at ?? '') < (b.at ?? '') ? 1 : -1))
        return {
          project: store.project,
          sibling: store.sibling,
          lead: store.lead ?? null,
          agents: agents.filter((agent) => agent.project === store.project && agent.sibling === store.sibling),
          attention: attention.slice(0, ATTENTION_LIMIT),
        }
      }),
    }
  }

  async search(query: SearchQueryInput): Promise<SearchJson> {
    const result = await searchEverywhere(this.ctx, {
      text: query.text,
      regex: query.regex,
      kinds: query.kinds,
      limit: query.limit,
      ...(query.agent ? {agent: query.agent} : {}),
      ...(query.project ? {project: query.project} : {}),
      ...(query.since ? {since: query.since} : {}),
    })
    return searchJson(query.text, result)
  }

  /** `trail why --json` of a path of the repository (`path[:line[-line]]`), for the file view (./why.ts). */
  why(target: string, rev: string | undefined): Promise<WhyJson> {
    return whyOfPage(this.ctx, target, rev)
  }

  /** The tracked files that complete a typed path, for the file view's suggestions. */
  files(query: string, limit: number): Promise<FileSuggestionsJson> {
    return suggestFiles(this.ctx, query, limit)
  }

  /**
   * Sends a message as the person running the dashboard, through the same service as `relay send`. Warnings
   * (no such sibling yet, no lead) come back with it.
   */
  async send(input: {to: string; body: string; thread: string | null}): Promise<{message: MessageJson; warnings: string[]}> {
    if (!this.options.allowSend || !this.options.sender) throw new UsageError('sending is off', 'start the dashboard with --allow-send')
    const warnings: string[] = []
    const ctx: Context = {...this.ctx, warn: (message) => void warnings.push(message)}
    const message = await sendMessage(ctx, {from: this.options.sender.agent, to: input.to, thread: input.thread, body: input.body})
    await this.index.refresh()
    return {message: messageJson(message), warnings}
  }

  private messageItem(item: MessageFacts['items'][number]): MessageItemJson {
    return messageItemJson(item.message, item.store.source, {readBy: item.readBy, toLead: item.toLead, unanswered: item.unanswered})
  }

  /**
   * Every message of every store once (this project's copy first), oldest first, with who read it, whether it is
   * to a lead and whether that lead answered. A message to a lead is answered by a later message from that lead
   * (from the project it leads) in the same thread, or, for a message without a thread, addressed to its sender.
   */
  private messageFacts(): MessageFacts {
    return this.memoised('messages', () => {
      const seen = new Set<string>()
      const held: {message: Message; store: StoreIndex}[] = []
      for (const store of this.index.stores) {
        for (const message of store.messages.values()) {
          if (seen.has(message.id)) continue
          seen.add(message.id)
          held.push({message, store})
        }
      }
      held.sort((a, b) => (a.message.id < b.message.id ? -1 : 1))
      const readers = new Map<string, string[]>()
      for (const store of this.index.stores) {
        for (const [agent, ids] of store.receipts) for (const id of ids) readers.set(id, [...(readers.get(id) ?? []), `${store.project}:${agent}`])
      }
      const leadOf = new Map<string, string | undefined>()
      for (const store of [...this.index.stores].reverse()) leadOf.set(store.project, store.lead)
      const byProjectAndSender = new Map<string, {message: Message; store: StoreIndex}[]>()
      const newestFrom = new Map<string, string>()
      for (const entry of held) {
        const key = `${entry.store.project}:${entry.message.from}`
        byProjectAndSender.set(key, [...(byProjectAndSender.get(key) ?? []), entry])
        newestFrom.set(key, entry.message.created)
      }
      const items = held.map(({message, store}) => {
        let targetProject: string | null = null
        let targetAgent: string | null = null
        try {
          const target = parseTarget(message.to)
          targetProject = target.project === '*' ? null : (target.project ?? store.project)
          targetAgent = target.agent
        } catch {
          // an invalid target reaches nobody
        }
        const lead = targetProject === null ? undefined : leadOf.get(targetProject)
        const toLead = targetProject !== null && (targetAgent === 'lead' || (lead !== undefined && targetAgent === lead))
        let unanswered = false
        if (toLead) {
          const candidates = lead === undefined ? [] : (byProjectAndSender.get(`${targetProject}:${lead}`) ?? [])
          unanswered = !candidates.some(({message: reply, store: replyStore}) => {
            if (reply.id <= message.id) return false
            if (message.thread) return reply.thread === message.thread
            try {
              const to = parseTarget(reply.to)
              return to.agent === message.from && (to.project ?? replyStore.project) === store.project
            } catch {
              return false
            }
          })
        }
        return {message, store, toLead, unanswered, targetProject, targetAgent, readBy: readers.get(message.id) ?? []}
      })
      return {items, known: held.map(({message, store}) => ({message, project: store.project})), newestFrom}
    })
  }

  private async readItems(entries: {store: StoreIndex; id: string}[]): Promise<TrajectoryItemJson[]> {
    return (await this.readTrajectories(entries)).map(({store, trajectory}) => trajectoryItemJson(trajectory, store.source))
  }

  /** Reads trajectories of several stores, one round trip per store, keeping the entries' order. */
  private async readTrajectories(entries: {store: StoreIndex; id: string}[]): Promise<{store: StoreIndex; trajectory: Trajectory}[]> {
    const byStore = new Map<StoreIndex, string[]>()
    for (const {store, id} of entries) byStore.set(store, [...(byStore.get(store) ?? []), id])
    await Promise.all([...byStore].map(([store, ids]) => store.trajectoriesById(ids)))
    return entries.flatMap(({store, id}) => {
      const trajectory = store.cachedTrajectory(id)
      return trajectory ? [{store, trajectory}] : []
    })
  }

  /** `git grep` for a filter over one store, remembered for its tip. */
  private async grepIds(store: StoreIndex, query: TrajectoryQuery): Promise<string[]> {
    if (!store.snapshot) return []
    const key = `${store.tip}|${query.status ?? ''}|${query.agent ?? ''}|${query.since ?? ''}`
    let ids = this.greps.get(key)
    if (!ids) {
      ids = await grepTrajectoryIds(store.snapshot, {
        ...(query.status ? {status: query.status} : {}),
        ...(query.agent ? {agent: query.agent} : {}),
        ...(query.since !== undefined ? {since: new Date(query.since)} : {}),
      })
      if (this.greps.size > 32) this.greps.clear()
      this.greps.set(key, ids)
    }
    return ids
  }

  private memoised<T>(key: string, compute: () => T): T {
    const kept = this.memo.get(key)
    if (kept && kept.version === this.index.version) return kept.value as T
    const value = compute()
    this.memo.set(key, {version: this.index.version, value})
    return value
  }
}

function latestOf(entry: AgentSummariesJson): string {
  return [entry.summary?.created ?? '', entry.sessionEnd?.created ?? ''].sort().at(-1)!
}

/** The ids of several stores' ranges, newest first (an id held by two stores comes once, from the first). */
function* newestFirst(ranges: {store: StoreIndex; range: [number, number]}[]): Generator<{store: StoreIndex; id: string}> {
  const cursors = ranges.map(({store, range}) => ({store, low: range[0], next: range[1] - 1}))
  let last: string | undefined
  for (;;) {
    let best: (typeof cursors)[number] | undefined
    for (const cursor of cursors) {
      if (cursor.next < cursor.low) continue
      if (!best || cursor.store.trajectoryIds[cursor.next]! > best.store.trajectoryIds[best.next]!) best = cursor
    }
    if (!best) return
    const id = best.store.trajectoryIds[best.next--]!
    if (id === last) continue
    last = id
    yield {store: best.store, id}
  }
}

function* take<T>(items: Iterable<T>, count: number): Generator<T> {
  if (count <= 0) return
  let taken = 0
  for (const item of items) {
    yield item
    if (++taken >= count) return
  }
}
