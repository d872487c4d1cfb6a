import {dayPath, idTime} from './ids.js'
import type {AgentName} from './names.js'

// Where each record lives in the tree of refs/trail/records (and in the work-tree mirror). DESIGN.md section 2.
// Day folders (YYYY/MM/DD, from the record's id) keep every folder that is written to small: a write rewrites only
// the trees on its path, so their size is what a write costs.

export const TRAIL_DIR = '.trail'
export const RELAY_DIR = '.relay'
/** The folders mirrored into the work tree; everything on the ref lives below one of them. */
export const MIRRORED_DIRS = [TRAIL_DIR, RELAY_DIR] as const

export const FORMAT_PATH = `${TRAIL_DIR}/format.yaml`
/** The store format this version writes and reads. Bump only with a migration. */
export const FORMAT_VERSION = 1

export const TRAJECTORIES_DIR = `${TRAIL_DIR}/trajectories`
/** One small file per agent and active trajectory: how "the agent's active trajectory" is found without a scan. */
export const ACTIVE_DIR = `${TRAIL_DIR}/active`

export function trajectoryDir(trajectoryId: string): string {
  return `${TRAJECTORIES_DIR}/${dayPath(idTime(trajectoryId))}/${trajectoryId}`
}

export function trajectoryPath(trajectoryId: string): string {
  return `${trajectoryDir(trajectoryId)}/trajectory.md`
}

export function eventsDir(trajectoryId: string): string {
  return `${trajectoryDir(trajectoryId)}/events`
}

export function eventPath(trajectoryId: string, eventId: string): string {
  return `${eventsDir(trajectoryId)}/${eventId}.md`
}

export function activeDir(agent: AgentName): string {
  return `${ACTIVE_DIR}/${agent}`
}

export function activePath(agent: AgentName, trajectoryId: string): string {
  return `${activeDir(agent)}/${trajectoryId}.yaml`
}

export const PROJECT_PATH = `${RELAY_DIR}/project.yaml`
export const LEDGER_DIR = `${RELAY_DIR}/ledger`
export const HANDOFFS_DIR = `${LEDGER_DIR}/handoffs`
export const MESSAGES_DIR = `${RELAY_DIR}/messages`

export function ledgerPath(agent: AgentName): string {
  return `${LEDGER_DIR}/${agent}.md`
}

export function handoffPath(handoffId: string): string {
  return `${HANDOFFS_DIR}/${dayPath(idTime(handoffId))}/${handoffId}.md`
}

/** Per-agent record folders under the ledger: summaries, session ends, unreadable output. */
export type AgentRecordFolder = 'summaries' | 'sessions' | 'raw'

export function agentRecordDir(folder: AgentRecordFolder, agent: AgentName): string {
  return `${LEDGER_DIR}/${folder}/${agent}`
}

export function agentRecordPath(folder: AgentRecordFolder, agent: AgentName, id: string): string {
  return `${agentRecordDir(folder, agent)}/${dayPath(idTime(id))}/${id}.md`
}

export function messagePath(messageId: string): string {
  return `${MESSAGES_DIR}/${dayPath(idTime(messageId))}/${messageId}.md`
}

export const RECEIPTS_DIR = `${RELAY_DIR}/receipts`

export function receiptsDir(agent: AgentName): string {
  return `${RECEIPTS_DIR}/${agent}`
}

export function receiptPath(agent: AgentName, messageId: string): string {
  return `${receiptsDir(agent)}/${messageId}.yaml`
}
