import {confidenceLevel} from '../model/confidence.js'
import type {Handoff} from '../model/handoff.js'
import type {AgentOverview} from '../model/presence.js'
import type {SessionEndRecord, SummaryRecord} from '../model/session-records.js'
import type {Trajectory} from '../model/trajectory.js'
import type {SearchJson} from './search.js'
import {messageJson, type MessageJson} from './messages.js'
import {trajectoryJson, type DecisionJson, type TrajectoryJson} from './trajectory.js'
import type {Message} from '../model/message.js'

// The JSON the dashboard's API answers with, and that `relay dashboard --export` writes: the documented shapes
// (fields are added, never renamed or dropped). The page reads only these types.

/** Which store a record comes from. */
export interface SourceJson {
  /** The project's id. */
  project: string
  /** The sibling's name in this repository's configuration, or null for this project. */
  sibling: string | null
}

export interface ProjectJson extends SourceJson {
  lead: string | null
  /** The store's commit, or null before its first record (or its first sync). */
  tip: string | null
  trajectories: number
  active: number
  messages: number
}

export interface OverviewJson {
  /** This project's id. */
  project: string
  projects: ProjectJson[]
  /** The change the data reflects: "<server instance>-<counter>" (see /api/events). */
  version: string
  generated: string
  /** Whether the send form is on (`--allow-send`). */
  allowSend: boolean
  /** Who sends from the page: the git identity, and the agent name it becomes. */
  sender: {name: string; email: string; agent: string} | null
  /** "live" (a server) or "static" (an export). */
  mode: 'live' | 'static'
  /** Trajectories in an export (the newest, up to its limit); null when live. */
  exportLimit: number | null
}

export interface AgentJson extends SourceJson {
  agent: string
  isLead: boolean
  presence: 'working' | 'idle' | 'gone'
  lastActivity: string | null
  lastSessionEnd: string | null
  hasActiveTrajectory: boolean
  active: {id: string; title: string}[]
  workingOn: string | null
  uncertain: string[]
  unread: number
}

export function agentJson(agent: AgentOverview): AgentJson {
  return {
    project: agent.project,
    sibling: agent.sibling,
    agent: agent.agent,
    isLead: agent.isLead,
    presence: agent.presence,
    lastActivity: agent.facts.lastActivity,
    lastSessionEnd: agent.facts.lastSessionEnd,
    hasActiveTrajectory: agent.facts.hasActiveTrajectory,
    active: agent.active,
    workingOn: agent.workingOn,
    uncertain: agent.uncertain,
    unread: agent.unread,
  }
}

/** A trajectory in the dashboard's lists: `project` is the store's project (the trajectory's own is not shown). */
export interface TrajectoryItemJson extends Omit<TrajectoryJson, 'project'>, SourceJson {}

export function trajectoryItemJson(trajectory: Trajectory, source: SourceJson): TrajectoryItemJson {
  return {...trajectoryJson(trajectory), project: source.project, sibling: source.sibling}
}

export interface TrajectoryPageJson {
  /** null when counting would mean reading every trajectory (a filtered list): see `more`. */
  total: number | null
  more: boolean
  page: number
  limit: number
  trajectories: TrajectoryItemJson[]
}

export interface HandoffJson {
  id: string
  agent: string
  created: string
  currentTask: string | null
  nextSteps: string[]
  uncertain: string[]
}

export function handoffJson(handoff: Handoff): HandoffJson {
  return {
    id: handoff.id,
    agent: handoff.agent,
    created: handoff.created,
    currentTask: handoff.currentTask ?? null,
    nextSteps: handoff.nextSteps ?? [],
    uncertain: handoff.uncertain ?? [],
  }
}

export interface SummaryJson {
  id: string
  agent: string
  created: string
  currentTask: string | null
  completedTasks: string[]
  context: string | null
  files: string[]
  /** Why the block could not be read as JSON (then `raw` holds it). */
  warning: string | null
  raw: string | null
}

export function summaryJson(summary: SummaryRecord): SummaryJson {
  return {
    id: summary.id,
    agent: summary.agent,
    created: summary.created,
    currentTask: summary.currentTask ?? null,
    completedTasks: summary.completedTasks,
    context: summary.context ?? null,
    files: summary.files,
    warning: summary.warning ?? null,
    raw: summary.warning ? summary.raw : null,
  }
}

export interface SessionEndJson {
  id: string
  agent: string
  created: string
  summary: string | null
  completedTasks: string[]
  trajectory: string | null
}

export function sessionEndJson(session: SessionEndRecord): SessionEndJson {
  return {
    id: session.id,
    agent: session.agent,
    created: session.created,
    summary: session.summary ?? null,
    completedTasks: session.completedTasks,
    trajectory: session.trajectory ?? null,
  }
}

export interface CommitJson {
  oid: string
  subject: string
  author: string
  date: string
}

/** A trajectory opened: its timeline (decisions with reasoning and alternatives), retrospective and links. */
export interface TrajectoryViewJson extends TrajectoryItemJson {
  /** Decisions, notes and reflections, oldest first. */
  events: DecisionJson[]
  handoffs: HandoffJson[]
  sessionEnds: SessionEndJson[]
  /** Commits on the user's branches with a `Trajectory: <id>` trailer, newest first. */
  commits: CommitJson[]
  /** The confidence rubric, as every output shows it. */
  rubric: {level: string; from: number}[]
}

export const CONFIDENCE_RUBRIC = [
  {level: confidenceLevel(0.9), from: 0.9},
  {level: confidenceLevel(0.7), from: 0.7},
  {level: confidenceLevel(0.5), from: 0.5},
  {level: confidenceLevel(0), from: 0},
]

export interface MessageItemJson extends MessageJson {
  /** The project whose store holds it (the sender's). */
  project: string
  sibling: string | null
  /** "project:agent" of every reader that marked it read, among the stores this project sees. */
  readBy: string[]
  /** Whether it is addressed to a project's lead (project:lead, or the lead by name). */
  toLead: boolean
  /** For a message to a lead: whether that lead has not answered it (see the README's rule). */
  unanswered: boolean
}

export function messageItemJson(message: Message, source: SourceJson, extra: {readBy: string[]; toLead: boolean; unanswered: boolean}): MessageItemJson {
  return {...messageJson(message), project: source.project, sibling: source.sibling, ...extra}
}

export interface MessagePageJson {
  total: number
  more: boolean
  page: number
  limit: number
  messages: MessageItemJson[]
  /** The threads among all messages that match, newest activity first. */
  threads: {thread: string; messages: number; last: string}[]
}

export interface AgentSummariesJson extends SourceJson {
  agent: string
  summary: SummaryJson | null
  sessionEnd: SessionEndJson | null
}

export type HistoryEntryJson = ({kind: 'summary'} & SummaryJson) | ({kind: 'session-end'} & SessionEndJson)

export interface HistoryPageJson extends SourceJson {
  agent: string
  page: number
  limit: number
  more: boolean
  entries: HistoryEntryJson[]
}

export type AttentionKind = 'low-confidence' | 'abandoned' | 'uncertain' | 'unanswered'

export interface AttentionJson {
  kind: AttentionKind
  project: string
  agent: string
  /** The trajectory or message it is about, when there is one. */
  id: string | null
  text: string
  at: string | null
}

export interface CoordinatorJson {
  projects: {project: string; sibling: string | null; lead: string | null; agents: AgentJson[]; attention: AttentionJson[]}[]
}

export type {SearchJson}
