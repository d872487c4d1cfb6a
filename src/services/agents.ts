import {idTime, isId} from '../model/ids.js'
import {eventsDir, LEDGER_DIR, ledgerPath, MESSAGES_DIR, RECEIPTS_DIR, receiptsDir, TRAJECTORIES_DIR} from '../model/layout.js'
import {parseLedger, type Ledger} from '../model/ledger.js'
import {isAddressedTo, parseMessage, type Message} from '../model/message.js'
import {isValidName, type AgentName, type ProjectName} from '../model/names.js'
import {overviewOf, type AgentFacts, type AgentOverview} from '../model/presence.js'
import type {Trajectory} from '../model/trajectory.js'
import type {Snapshot} from '../store/snapshot.js'
import type {Context} from './context.js'
import {dayFolders} from './day-folders.js'
import {messageSources, type MessageSource} from './messages.js'
import {listSiblings} from './projects.js'
import {agentsWithSessionRecords, readLatestSessionRecords} from './summaries.js'
import {allActive, readTrajectories} from './trajectory-records.js'

// The agents of a project and of its synced siblings, and whether each is working, idle or gone (the rule is in
// model/presence.ts). An agent is known by its records: an active trajectory, a ledger, summaries and session
// ends, read receipts, a recent trajectory or message, or being its project's lead. Everything read here is small
// (folder listings, ledgers, the newest records), whatever the number of trajectories.

/** How many of the newest trajectories and messages of a store name agents and their last activity. */
export const RECENT_RECORDS = 200

/**
 * The names of the agents a store knows from its small folders: active markers, ledgers, summaries and session
 * ends, receipts; plus `also` (a lead, recent senders and trajectory owners). Names that are not valid are skipped.
 */
export async function agentNamesIn(snapshot: Snapshot, also: readonly string[] = []): Promise<AgentName[]> {
  const [active, ledgers, sessionRecords, receipts] = await Promise.all([
    allActive(snapshot),
    readLedgerNames(snapshot),
    agentsWithSessionRecords(snapshot),
    snapshot.listDirs(RECEIPTS_DIR),
  ])
  const names = [...active.map((entry) => entry.agent), ...ledgers, ...sessionRecords, ...receipts, ...also]
  return [...new Set(names)].filter(isValidName).sort() as AgentName[]
}

/** The newest RECENT_RECORDS trajectories and messages of a store: who owned and who sent them. */
async function readRecentRecords(snapshot: Snapshot): Promise<{trajectories: Trajectory[]; messages: Message[]}> {
  const [trajectories, messages] = await Promise.all([
    newestTrajectoryIds(snapshot, RECENT_RECORDS).then((ids) => readTrajectories(snapshot, ids, () => {})),
    newestMessages(snapshot, RECENT_RECORDS),
  ])
  return {trajectories, messages}
}

/** agentNamesIn, with the lead and the owners and senders of `recent` (a store's newest records). */
function agentNamesOf(snapshot: Snapshot, lead: AgentName | undefined, recent: {trajectories: readonly Trajectory[]; messages: readonly Message[]}) {
  return agentNamesIn(snapshot, [...(lead ? [lead] : []), ...recent.trajectories.map((t) => t.agent), ...recent.messages.map((m) => m.from)])
}

/**
 * The names of the agents a store knows, as `relay` lists them (listAgents): agentNamesIn's, its lead, and the
 * agents of its newest trajectories and messages (a finished trajectory leaves no marker, and not every agent
 * keeps a ledger). For completion.
 *
 * @example await knownAgentNames(snapshot, 'Architect')   // ['Architect', 'claude', 'codex']
 */
export async function knownAgentNames(snapshot: Snapshot, lead?: AgentName): Promise<AgentName[]> {
  return agentNamesOf(snapshot, lead, await readRecentRecords(snapshot))
}

/**
 * The agents `project:<agent>` can name: those of this project or of the synced sibling that goes by `project` (its
 * id, or its name in `relay bridge add`), as knownAgentNames finds them, and the lead that `relay bridge add --lead`
 * gave it. None for a project no sibling goes by.
 *
 * @example await agentsOfProject(ctx, 'frontend')   // ['Designer', 'Reviewer']
 */
export async function agentsOfProject(ctx: Context, project: string): Promise<AgentName[]> {
  const [{here, siblings}, bridges] = await Promise.all([messageSources(ctx), listSiblings(ctx)])
  const source = [here, ...siblings].find((one) => one.project === project || one.sibling === project)
  const bridge = bridges.find((one) => one.name === (source?.sibling ?? project))
  const names = source ? await knownAgentNames(source.snapshot, source.lead) : []
  return [...new Set([...names, ...(bridge?.lead ? [bridge.lead] : [])])].sort()
}

async function readLedgerNames(snapshot: Snapshot): Promise<AgentName[]> {
  return (await snapshot.list(LEDGER_DIR))
    .filter((entry) => entry.mode !== '40000' && entry.name.endsWith('.md'))
    .map((entry) => entry.name.slice(0, -3))
    .filter(isValidName) as AgentName[]
}

/** The ledgers of the agents named (missing or unreadable ones are left out). */
export async function readLedgers(snapshot: Snapshot, agents: readonly AgentName[]): Promise<Map<AgentName, Ledger>> {
  const texts = await snapshot.readTexts(agents.map(ledgerPath))
  const ledgers = new Map<AgentName, Ledger>()
  texts.forEach((text, index) => {
    if (text === null) return
    try {
      ledgers.set(agents[index]!, parseLedger(text, ledgerPath(agents[index]!)))
    } catch {
      // a sibling's unreadable ledger: trail doctor in that project reports it
    }
  })
  return ledgers
}

/** The ids each agent has marked read (its receipts). */
export async function readReceiptSets(snapshot: Snapshot, agents: readonly AgentName[]): Promise<Map<AgentName, Set<string>>> {
  const listings = await Promise.all(agents.map((agent) => snapshot.list(receiptsDir(agent))))
  return new Map(
    agents.map((agent, index) => [agent, new Set(listings[index]!.map((entry) => entry.name.replace(/\.yaml$/, '')).filter((id) => isId(id, 'msg')))]),
  )
}

/** The time of the newest event of a trajectory (from its folder listing), or null when it has none. */
export async function newestEventAt(snapshot: Snapshot, trajectoryId: string): Promise<string | null> {
  const ids = (await snapshot.list(eventsDir(trajectoryId)))
    .map((entry) => entry.name.replace(/\.md$/, ''))
    .filter((id) => isId(id, 'ev'))
    .sort()
  return ids.length === 0 ? null : idTime(ids.at(-1)!).toISOString()
}

/** The newest `count` trajectory ids of a store, newest first, from the day folders' listings. */
export async function newestTrajectoryIds(snapshot: Snapshot, count: number): Promise<string[]> {
  const ids: string[] = []
  for (const day of await dayFolders(snapshot, TRAJECTORIES_DIR)) {
    ids.push(...(await snapshot.listDirs(day)).filter((id) => isId(id, 'traj')).reverse())
    if (ids.length >= count) break
  }
  return ids.slice(0, count)
}

/** The newest `count` messages of a store, newest first (unreadable ones left out). */
export async function newestMessages(snapshot: Snapshot, count: number): Promise<Message[]> {
  const paths: string[] = []
  for (const day of await dayFolders(snapshot, MESSAGES_DIR)) {
    paths.push(
      ...(await snapshot.list(day))
        .map((entry) => `${day}/${entry.name}`)
        .filter((path) => path.endsWith('.md'))
        .reverse(),
    )
    if (paths.length >= count) break
  }
  const texts = await snapshot.readTexts(paths.slice(0, count))
  return texts.flatMap((text, index) => {
    try {
      return text === null ? [] : [parseMessage(text, paths[index]!)]
    } catch {
      return []
    }
  })
}

/** A message and the project whose store holds it (null: the reader's own store). */
export interface KnownMessage {
  message: Message
  /** The id of the project whose store holds it. */
  project: string
}

/**
 * How many of `messages` are for the agent `agent` of project `project` (whose lead is `lead`) and not in `read`.
 * `project`'s own messages are those held by its store (origin null for isAddressedTo).
 */
export function unreadCount(
  messages: Iterable<KnownMessage>,
  reader: {project: string; agent: AgentName; lead?: AgentName},
  read: ReadonlySet<string>,
): number {
  let count = 0
  const who = {project: reader.project as ProjectName, agent: reader.agent, ...(reader.lead ? {lead: reader.lead} : {})}
  for (const {message, project} of messages) {
    if (read.has(message.id)) continue
    if (isAddressedTo(message, project === reader.project ? null : (project as ProjectName), who)) count++
  }
  return count
}

/**
 * Every agent of this project and of each synced sibling, with its presence, what it works on, its open uncertain
 * items and its unread messages (among the messages this project can see). For the MCP server and the CLI; the
 * dashboard keeps the same facts up to date from the changes between two tips.
 *
 * @example const agents = await listAgents(ctx)   // [{project: 'backend', agent: 'Architect', presence: 'working', ...}]
 */
export async function listAgents(ctx: Context): Promise<AgentOverview[]> {
  const {here, siblings} = await messageSources(ctx)
  const sources = [here, ...siblings]
  const recent = await Promise.all(sources.map((source) => readRecentRecords(source.snapshot)))
  const known: KnownMessage[] = sources.flatMap((source, index) => recent[index]!.messages.map((message) => ({message, project: source.project})))
  const now = ctx.now()
  const perSource = await Promise.all(sources.map((source, index) => agentsOf(source, recent[index]!.trajectories, recent[index]!.messages, known, now)))
  return perSource.flat()
}

async function agentsOf(source: MessageSource, trajectories: Trajectory[], messages: Message[], known: KnownMessage[], now: Date): Promise<AgentOverview[]> {
  const {snapshot} = source
  const agents = await agentNamesOf(snapshot, source.lead, {trajectories, messages})
  const [ledgers, receipts, active] = await Promise.all([readLedgers(snapshot, agents), readReceiptSets(snapshot, agents), allActive(snapshot)])
  return Promise.all(
    agents.map(async (agent) => {
      const activeIds = active.find((entry) => entry.agent === agent)?.ids ?? []
      const [activeTrajectories, latest, eventTimes] = await Promise.all([
        readTrajectories(snapshot, activeIds, () => {}),
        readLatestSessionRecords(snapshot, agent),
        Promise.all(activeIds.map((id) => newestEventAt(snapshot, id))),
      ])
      const ledger = ledgers.get(agent) ?? null
      const facts: AgentFacts = {
        agent,
        ledger,
        active: activeTrajectories,
        latestEventAt:
          eventTimes
            .filter((time): time is string => time !== null)
            .sort()
            .at(-1) ?? null,
        latestSummary: latest.summary,
        latestSessionEnd: latest.sessionEnd,
        otherActivity: [trajectories.find((t) => t.agent === agent)?.updated ?? null, messages.find((m) => m.from === agent)?.created ?? null],
        unread: unreadCount(known, {project: source.project, agent, ...(source.lead ? {lead: source.lead} : {})}, receipts.get(agent) ?? new Set()),
      }
      return overviewOf({project: source.project, sibling: source.sibling, ...(source.lead ? {lead: source.lead} : {})}, facts, now)
    }),
  )
}
