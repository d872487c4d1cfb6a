import {isValidName, type AgentName} from './names.js'

// Whether an agent is working, idle or gone, derived from its records alone (there is no heartbeat: an agent is
// known by what it writes). Pure, so the dashboard's server and its page apply the same rule, the page again as
// time passes.

export type Presence = 'working' | 'idle' | 'gone'

/** An agent with an active trajectory that wrote within this window is working. */
export const WORKING_WINDOW_MS = 30 * 60_000
/** An agent whose last record is older than this is gone. */
export const GONE_AFTER_MS = 24 * 60 * 60_000

export interface PresenceFacts {
  /** The time of the agent's newest record (ISO), or null when none is known. */
  lastActivity: string | null
  /** Whether it has an active trajectory. */
  hasActiveTrajectory: boolean
  /** The time of its newest [[SESSION_END]] (ISO), or null. */
  lastSessionEnd: string | null
}

/**
 * The rule:
 * - **gone** when nothing is known of it, when its newest record is older than 24 hours, or when that newest record
 *   is a session end (it said goodbye and wrote nothing since);
 * - **working** when it has an active trajectory and wrote something within the last 30 minutes;
 * - **idle** otherwise (it wrote within a day, but has no active trajectory or has been quiet for 30 minutes).
 *
 * @example presenceOf({lastActivity: '2026-11-21T10:00:00Z', hasActiveTrajectory: true, lastSessionEnd: null}, now)
 */
export function presenceOf(facts: PresenceFacts, now: Date): Presence {
  if (facts.lastActivity === null) return 'gone'
  const last = Date.parse(facts.lastActivity)
  const age = now.getTime() - last
  if (!(age <= GONE_AFTER_MS)) return 'gone'
  if (facts.lastSessionEnd !== null && Date.parse(facts.lastSessionEnd) >= last) return 'gone'
  if (facts.hasActiveTrajectory && age <= WORKING_WINDOW_MS) return 'working'
  return 'idle'
}

/**
 * The agent name a person sends messages as from the dashboard: their git user name, made a valid name (runs of
 * other characters become "-", at most 64 characters): "Ada Lovelace" → "Ada-Lovelace". "human" when nothing
 * of the name is left.
 *
 * @example agentNameOfPerson('Ada Lovelace') // 'Ada-Lovelace'
 */
export function agentNameOfPerson(gitName: string): AgentName {
  const cleaned = gitName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.\.+/g, '.')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64)
    .replace(/[.-]+$/, '')
  return (isValidName(cleaned) ? cleaned : 'human') as AgentName
}

/** One agent of one project, as the dashboard's Agents panel (and `listAgents`) shows it. */
export interface AgentOverview {
  project: string
  /** The sibling whose store holds its records, or null for this project. */
  sibling: string | null
  agent: AgentName
  isLead: boolean
  presence: Presence
  facts: PresenceFacts
  /** Its active trajectories, newest first. */
  active: {id: string; title: string}[]
  /** The active trajectory's title, else the ledger's current task, else the latest summary's; null when none. */
  workingOn: string | null
  /** Open uncertain items from its ledger. */
  uncertain: string[]
  /** Messages addressed to it that it has not marked read, among those this project can see. */
  unread: number
}

/** What is known of one agent in its store, from which its overview follows. */
export interface AgentFacts {
  agent: AgentName
  ledger: {updated: string; currentTask?: string; uncertain: string[]} | null
  active: {id: string; title: string; started: string; updated: string}[]
  /** The newest decision (or other event) in its active trajectories, ISO. */
  latestEventAt: string | null
  latestSummary: {created: string; currentTask?: string} | null
  latestSessionEnd: {created: string} | null
  /** Its newest trajectory's last update and its newest message's time, when known. */
  otherActivity: (string | null)[]
  unread: number
}

/**
 * An agent's overview from its facts, at `now`.
 *
 * @example overviewOf({project: 'backend', sibling: null, lead: 'Architect'}, facts, new Date())
 */
export function overviewOf(source: {project: string; sibling: string | null; lead?: string}, facts: AgentFacts, now: Date): AgentOverview {
  const times = [
    facts.ledger?.updated,
    facts.latestEventAt,
    facts.latestSummary?.created,
    facts.latestSessionEnd?.created,
    ...facts.active.flatMap((t) => [t.started, t.updated]),
    ...facts.otherActivity,
  ].filter((time): time is string => typeof time === 'string' && !Number.isNaN(Date.parse(time)))
  const lastActivity = times.length === 0 ? null : times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b))
  const presenceFacts: PresenceFacts = {lastActivity, hasActiveTrajectory: facts.active.length > 0, lastSessionEnd: facts.latestSessionEnd?.created ?? null}
  return {
    project: source.project,
    sibling: source.sibling,
    agent: facts.agent,
    isLead: source.lead === facts.agent,
    presence: presenceOf(presenceFacts, now),
    facts: presenceFacts,
    active: facts.active.map((t) => ({id: t.id, title: t.title})),
    workingOn: facts.active[0]?.title ?? facts.ledger?.currentTask ?? facts.latestSummary?.currentTask ?? null,
    uncertain: facts.ledger?.uncertain ?? [],
    unread: facts.unread,
  }
}
