import type {LeftOutEntry} from './foreign-entries.js'
import type {Handoff} from './handoff.js'
import type {Ledger} from './ledger.js'
import type {Message} from './message.js'
import type {AgentName, ProjectName} from './names.js'
import type {Project} from './project.js'
import type {Trajectory, TrajectoryEvent} from './trajectory.js'
import type {SearchKind} from './kinds.js'

// What the use cases return: plain data over the records, for render/ to turn into text, Markdown, HTML and JSON
// (services/ produce them, render/ and the commands read them; neither needs the other's code).

export interface TrajectoryDetail {
  trajectory: Trajectory
  /** Decisions and other events, oldest first: all of them, or the latest ones when `eventCount` is larger. */
  events: TrajectoryEvent[]
  /** How many events the trajectory has, when `events` holds only the latest of them (status, load). */
  eventCount?: number
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
  /** When the store has no trajectory at all: agent-trajectories folders found in the repository, to import. */
  legacyFolders?: string[]
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
  /** Unread messages for the agent, from this project and synced siblings, oldest first. */
  messages: InboxEntry[]
  /** The URL of the `relay dashboard` running for this repository, if one is. */
  dashboardUrl?: string
}

/** What `->continuity:search` and `relay continuity search` search: an agent's working memory, not messages. */
export const CONTINUITY_KINDS = ['ledger', 'handoff', 'summary', 'session', 'trajectory', 'decision'] as const satisfies readonly SearchKind[]

export interface SearchLine {
  line: number
  text: string
}

export interface SearchHit {
  /** The project whose store holds the record. */
  project: string
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

/** What `trail sync` did with one remote. */
export interface CloneSyncResult {
  remote: string
  /** What happened to the local store: adopted (a new clone), fast-forward, merged, or nothing to do. */
  action: 'adopted' | 'fast-forward' | 'merged' | 'up-to-date'
  /** Owner-written records both sides changed, merged by meaning. */
  merged: string[]
  /** Files both sides changed that could not be merged (ours kept). */
  kept: string[]
  pushed: boolean
  /** Rounds of fetch, merge and push it took. */
  rounds: number
  /** The local store's commit at the end. */
  tip: string | null
  /** Whether the remote had a store at all. */
  remoteHadStore: boolean
  /**
   * Entries of the remote's commits that do not fit this store (a symbolic link, a path outside the layout, a
   * record over the size limit), left out: its commits then never become part of this store's history.
   */
  leftOut: LeftOutEntry[]
  /**
   * True when this clone has records the remote lacks and they were not pushed, because a push would have to
   * carry the remote's commits that were left out (fast-forward only: it is never forced).
   */
  pushBlocked: boolean
}

/** A message as an inbox or a thread shows it. */
export interface InboxEntry {
  message: Message
  /** The project whose store holds it: the sender's. */
  project: ProjectName
  /** The sibling it came from, or null for this project. */
  sibling: string | null
  /** Whether the reading agent has marked it read. */
  read: boolean
}

/** What `relay sync` found at one sibling. */
export interface SiblingSyncReport {
  name: string
  url: string
  /** updated: new records arrived; unchanged; empty: the sibling has no store yet; failed: see `error`. */
  status: 'updated' | 'unchanged' | 'empty' | 'failed'
  error?: string
  /** The fetched store's commit. */
  tip: string | null
  /** Records that arrived. */
  records: number
  /** The messages among them that are for this project (by name, or to every project). */
  messages: Message[]
}

/** This project, as `relay project` shows it. */
export interface ProjectInfo {
  project: Project
  /** True when no project.yaml was written: the id is the repository folder's name. */
  isDefault: boolean
}

/** A sibling project, as configured and fetched. */
export interface Sibling {
  name: ProjectName
  url: string
  /** The lead given with `relay bridge add --lead`, for when the sibling's store names none. */
  lead?: AgentName
  /** Where its store is fetched to. */
  ref: string
  /** The fetched store's commit, or null before the first `relay sync`. */
  tip: string | null
}

/** What `trail init --push` configured. */
export interface PushSetup {
  remote: string
  /** Refspecs added to remote.<remote>.fetch and remote.<remote>.push (none when they were there). */
  added: string[]
}
