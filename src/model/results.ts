import type {Handoff} from './handoff.js'
import type {Ledger} from './ledger.js'
import type {AgentName} from './names.js'
import type {Trajectory, TrajectoryEvent} from './trajectory.js'

// What the use cases return: plain data over the records, for render/ to turn into text, Markdown, HTML and JSON
// (services/ produce them, render/ and the commands read them; neither needs the other's code).

export interface TrajectoryDetail {
  trajectory: Trajectory
  /** Decisions and other events, oldest first. */
  events: TrajectoryEvent[]
}

export interface DecisionResult {
  trajectory: Trajectory
  decision: TrajectoryEvent
}

export interface FinishResult {
  trajectory: Trajectory
  /** How many decisions (and other events) the trajectory holds. */
  eventCount: number
}

export interface StatusResult {
  agent: AgentName
  /** The agent's active trajectory and its events, or null. */
  active: TrajectoryDetail | null
  /** Other active trajectories of this agent (only after a merge of two clones), newest first. */
  alsoActive: string[]
  /** Other agents that have an active trajectory in this repository. */
  otherAgents: {agent: AgentName; trajectory: string}[]
}

export interface ListResult {
  trajectories: Trajectory[]
  /** How many trajectories match, across all pages; null when finding out would mean reading them all. */
  total: number | null
  /** Whether more match after this page. */
  more: boolean
  page: number
  limit: number
}

export interface SaveResult {
  ledger: Ledger
  /** The handoff document written with `--handoff`, or null. */
  handoff: Handoff | null
}

/** Everything a new session of an agent should know, before it is trimmed to a budget (render/continuity.ts). */
export interface StartupContext {
  agent: AgentName
  ledger: Ledger | null
  /** The agent's newest handoff. */
  handoff: Handoff | null
  /** The agent's active trajectory and its decisions. */
  trajectory: TrajectoryDetail | null
}

export const SEARCH_KINDS = ['trajectory', 'decision', 'handoff', 'ledger', 'summary', 'session', 'message'] as const
export type SearchKind = (typeof SEARCH_KINDS)[number]

export interface SearchLine {
  line: number
  text: string
}

export interface SearchHit {
  kind: SearchKind
  path: string
  id: string
  title: string
  agent: string | null
  /** When the record was made (from its id), or, for a ledger, when it was last updated. */
  date: string | null
  matches: SearchLine[]
  score: number
}

export interface SearchResult {
  hits: SearchHit[]
  /** How many records matched, before the limit. */
  total: number
}

export interface InitResult {
  /** True when this call made the store's first commit. */
  created: boolean
  ref: string
  tip: string
  /** Where the records are mirrored, or null in a bare repository. */
  mirror: string | null
  /** Files the mirror wrote or removed to catch up. */
  mirrored: number
  /** Who commits the records; `isFallback` when git has no identity configured. */
  identity: {name: string; email: string; isFallback: boolean}
}

export type CheckStatus = 'ok' | 'warning' | 'problem' | 'fixed'

/** One line of the doctor's report. */
export interface Check {
  name: string
  status: CheckStatus
  message: string
  /** How to fix it (a command), when there is a problem. */
  fix?: string
}

export interface DoctorResult {
  checks: Check[]
  /** True when no check found a problem that is still there. */
  healthy: boolean
}

export interface IngestTally {
  events: number
  /** Events carried out. */
  done: number
  /** Events kept as raw text (malformed output). */
  raw: number
  /** Events that failed (an outbox file missing or invalid, a refused value): reported, not carried out. */
  failed: number
}

/** What a Claude Code hook passes on stdin (the fields used here). */
export interface HookInput {
  transcriptPath: string
  event: string
  /** True when this Stop hook already blocked once: it must not block again (Claude Code's loop guard). */
  stopHookActive: boolean
}
