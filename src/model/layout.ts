import {KIND_PATHS as KINDS, pathOf} from './kind-paths.js'
import type {AgentName} from './names.js'

// Where each record lives in the tree of refs/trail/records (and in the work-tree mirror), for the callers that
// build paths: every path here is made from the path shapes of the record kinds (./kind-paths.ts). The
// folders below are what listings start from. DESIGN.md section 2.

/** The ref that holds every record of a project. Not under refs/heads: no branch, never checked out. */
export const STORE_REF = 'refs/trail/records'

export const TRAIL_DIR = '.trail'
export const RELAY_DIR = '.relay'
/** The folders mirrored into the work tree; everything on the ref lives below one of them. */
export const MIRRORED_DIRS = [TRAIL_DIR, RELAY_DIR] as const

export const FORMAT_PATH = KINDS.format.path
export const PROJECT_PATH = KINDS.project.path

/** Where trajectories are filed, by day. */
export const TRAJECTORIES_DIR = `${TRAIL_DIR}/trajectories`
/** One small file per agent and active trajectory: how "the agent's active trajectory" is found without a scan. */
export const ACTIVE_DIR = `${TRAIL_DIR}/active`
export const LEDGER_DIR = `${RELAY_DIR}/ledger`
export const HANDOFFS_DIR = `${LEDGER_DIR}/handoffs`
export const MESSAGES_DIR = `${RELAY_DIR}/messages`
export const RECEIPTS_DIR = `${RELAY_DIR}/receipts`

export function trajectoryPath(trajectoryId: string): string {
  return pathOf(KINDS.trajectory, {id: trajectoryId})
}

export function eventPath(trajectoryId: string, eventId: string): string {
  return pathOf(KINDS.event, {id: eventId, trajectory: trajectoryId})
}

/** The folder of a trajectory's events. */
export function eventsDir(trajectoryId: string): string {
  return eventPath(trajectoryId, `ev_${'0'.repeat(26)}`).replace(/\/[^/]+$/, '')
}

export function activeDir(agent: AgentName): string {
  return `${ACTIVE_DIR}/${agent}`
}

export function activePath(agent: AgentName, trajectoryId: string): string {
  return pathOf(KINDS.activeMarker, {agent, trajectory: trajectoryId})
}

export function ledgerPath(agent: AgentName): string {
  return pathOf(KINDS.ledger, {agent})
}

export function handoffPath(handoffId: string): string {
  return pathOf(KINDS.handoff, {id: handoffId})
}

/** The per-agent kinds filed under the ledger folder: summaries, session ends, unreadable output. */
export type AgentRecordKind = 'summary' | 'session' | 'raw'

/** The folder of an agent's records of one of those kinds. */
export function agentRecordDir(kind: AgentRecordKind, agent: AgentName): string {
  return KINDS[kind].path.slice(0, KINDS[kind].path.indexOf('{agent}')) + agent
}

export function agentRecordPath(kind: AgentRecordKind, agent: AgentName, id: string): string {
  return pathOf(KINDS[kind], {agent, id})
}

export function messagePath(messageId: string): string {
  return pathOf(KINDS.message, {id: messageId})
}

export function receiptsDir(agent: AgentName): string {
  return `${RECEIPTS_DIR}/${agent}`
}

export function receiptPath(agent: AgentName, messageId: string): string {
  return pathOf(KINDS.receipt, {agent, message: messageId})
}

export function commitLinkPath(trajectoryId: string, commit: string): string {
  return pathOf(KINDS.commitLink, {trajectory: trajectoryId, commit})
}

/** The folder of a trajectory's commit links. */
export function commitsDir(trajectoryId: string): string {
  return commitLinkPath(trajectoryId, '0'.repeat(40)).replace(/\/[^/]+$/, '')
}

/** A link key (./commit-link.ts): `.trail/links/ab/cd/<key>/<trajectory>.yaml`. */
export function linkKeyPath(key: string, trajectoryId: string): string {
  return pathOf(KINDS.linkKey, {key, trajectory: trajectoryId})
}

/** The folder holding a key's entries, one per trajectory that has it. */
export function linkKeyDir(key: string): string {
  return linkKeyPath(key, `traj_${'0'.repeat(26)}`).replace(/\/[^/]+$/, '')
}
