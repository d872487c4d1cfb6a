import {isId} from '../model/ids.js'
import {agentRecordDir, agentRecordPath, HANDOFFS_DIR, LEDGER_DIR} from '../model/layout.js'
import {parseHandoff, type Handoff} from '../model/handoff.js'
import {isValidName, type AgentName} from '../model/names.js'
import {parseSessionEnd, parseSummary, type SessionEndRecord, type SummaryRecord} from '../model/session-records.js'
import type {Trajectory} from '../model/trajectory.js'
import {escapeExtended, type Snapshot} from '../store/snapshot.js'
import {dayFolders} from './day-folders.js'

// What agents printed at session checkpoints, read back: the latest [[SUMMARY]] and [[SESSION_END]] of an agent,
// their history (newest first, a page at a time, from the day folders), and the handoffs and session ends that
// belong to a trajectory. Every read lists folders and reads only the records it returns.

/** One entry of an agent's session history: a summary or a session end. */
export type SessionHistoryEntry = {kind: 'summary'; summary: SummaryRecord} | {kind: 'session-end'; sessionEnd: SessionEndRecord}

/** The agents that have summaries or session ends in a store (folder names that are valid agent names). */
export async function agentsWithSessionRecords(snapshot: Snapshot): Promise<AgentName[]> {
  const [summaries, sessions] = await Promise.all([snapshot.listDirs(`${LEDGER_DIR}/summaries`), snapshot.listDirs(`${LEDGER_DIR}/sessions`)])
  return [...new Set([...summaries, ...sessions])].filter(isValidName).sort() as AgentName[]
}

/**
 * The id of the agent's newest record in one of its folders (`summaries` or `sessions`), from the newest day
 * folder's listing, or null.
 */
export async function newestRecordId(snapshot: Snapshot, folder: 'summary' | 'session', agent: AgentName): Promise<string | null> {
  const kind = folder === 'summary' ? 'sum' : 'ses'
  for (const day of await dayFolders(snapshot, agentRecordDir(folder, agent))) {
    const ids = (await snapshot.list(day))
      .map((entry) => entry.name.replace(/\.md$/, ''))
      .filter((id) => isId(id, kind))
      .sort()
    if (ids.length > 0) return ids.at(-1)!
  }
  return null
}

/** Reads a summary by id; null when it is missing or cannot be read (a sibling's record is not ours to fix). */
export async function readSummary(snapshot: Snapshot, agent: AgentName, id: string): Promise<SummaryRecord | null> {
  const path = agentRecordPath('summary', agent, id)
  const text = await snapshot.readText(path)
  return text === null ? null : parseOrNull(() => parseSummary(text, path))
}

export async function readSessionEnd(snapshot: Snapshot, agent: AgentName, id: string): Promise<SessionEndRecord | null> {
  const path = agentRecordPath('session', agent, id)
  const text = await snapshot.readText(path)
  return text === null ? null : parseOrNull(() => parseSessionEnd(text, path))
}

/**
 * The agent's newest summary and newest session end.
 *
 * @example const {summary, sessionEnd} = await readLatestSessionRecords(snapshot, agent)
 */
export async function readLatestSessionRecords(
  snapshot: Snapshot,
  agent: AgentName,
): Promise<{summary: SummaryRecord | null; sessionEnd: SessionEndRecord | null}> {
  const [summaryId, sessionId] = await Promise.all([newestRecordId(snapshot, 'summary', agent), newestRecordId(snapshot, 'session', agent)])
  const [summary, sessionEnd] = await Promise.all([
    summaryId === null ? null : readSummary(snapshot, agent, summaryId),
    sessionId === null ? null : readSessionEnd(snapshot, agent, sessionId),
  ])
  return {summary, sessionEnd}
}

/**
 * The agent's summaries and session ends together, newest first, one page at a time: day folders are listed from
 * the newest until the page is full, and only the page's records are read.
 *
 * @example const {entries, more} = await readSessionHistory(snapshot, agent, {page: 1, limit: 20})
 */
export async function readSessionHistory(
  snapshot: Snapshot,
  agent: AgentName,
  query: {page: number; limit: number},
): Promise<{entries: SessionHistoryEntry[]; more: boolean}> {
  const bases = {summaries: agentRecordDir('summary', agent), sessions: agentRecordDir('session', agent)}
  const [summaryDays, sessionDays] = await Promise.all([dayFolders(snapshot, bases.summaries), dayFolders(snapshot, bases.sessions)])
  const relative = (base: string) => (day: string) => day.slice(base.length + 1)
  const days = [...new Set([...summaryDays.map(relative(bases.summaries)), ...sessionDays.map(relative(bases.sessions))])].sort().reverse()
  const wanted = query.page * query.limit + 1
  const found: {id: string; folder: 'summary' | 'session'}[] = []
  for (const day of days) {
    const [summaries, sessions] = await Promise.all([snapshot.list(`${bases.summaries}/${day}`), snapshot.list(`${bases.sessions}/${day}`)])
    const ids = [
      ...summaries.map((entry) => ({id: entry.name.replace(/\.md$/, ''), folder: 'summary' as const})).filter((e) => isId(e.id, 'sum')),
      ...sessions.map((entry) => ({id: entry.name.replace(/\.md$/, ''), folder: 'session' as const})).filter((e) => isId(e.id, 'ses')),
    ]
    // Within a day, by time (the part of the id after its kind), newest first.
    found.push(...ids.sort((a, b) => (timePart(a.id) < timePart(b.id) ? 1 : -1)))
    if (found.length >= wanted) break
  }
  const start = (query.page - 1) * query.limit
  const page = found.slice(start, start + query.limit)
  const entries = await Promise.all(
    page.map(async ({id, folder}): Promise<SessionHistoryEntry | null> => {
      if (folder === 'summary') {
        const summary = await readSummary(snapshot, agent, id)
        return summary && {kind: 'summary', summary}
      }
      const sessionEnd = await readSessionEnd(snapshot, agent, id)
      return sessionEnd && {kind: 'session-end', sessionEnd}
    }),
  )
  return {entries: entries.filter((entry): entry is SessionHistoryEntry => entry !== null), more: found.length > start + query.limit}
}

/** Past this many months of a trajectory's life, its links are looked for in every folder. */
const LINK_MONTHS = 24

/** The handoffs and session ends that name a trajectory. */
export interface TrajectoryLinks {
  handoffs: Handoff[]
  sessionEnds: SessionEndRecord[]
}

/**
 * The handoffs and session ends written while a trajectory was active (they name it in their `trajectory:`
 * line), by one `git grep` over the handoff folders of the months it ran and its agent's session folder.
 *
 * @example const {handoffs, sessionEnds} = await readTrajectoryLinks(snapshot, trajectory, new Date())
 */
export async function readTrajectoryLinks(snapshot: Snapshot, trajectory: Trajectory, now: Date): Promise<TrajectoryLinks> {
  const from = Date.parse(trajectory.started)
  const to = trajectory.ended ? Date.parse(trajectory.ended) : now.getTime()
  const months: string[] = []
  for (
    let at = new Date(Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(), 1));
    at.getTime() <= to && months.length <= LINK_MONTHS;
    at.setUTCMonth(at.getUTCMonth() + 1)
  ) {
    months.push(`${HANDOFFS_DIR}/${at.toISOString().slice(0, 4)}/${at.toISOString().slice(5, 7)}/`)
  }
  const pathspecs = [...(Number.isNaN(from) || months.length > LINK_MONTHS ? [`${HANDOFFS_DIR}/`] : months), `${agentRecordDir('session', trajectory.agent)}/`]
  const paths = await snapshot.grepFiles({patterns: [`^trajectory: "?${escapeExtended(trajectory.id)}"?$`], pathspecs})
  return (await readLinks(snapshot, paths)).get(trajectory.id) ?? {handoffs: [], sessionEnds: []}
}

/**
 * Every trajectory's handoffs and session ends, by trajectory id, from one `git grep` over all of them (for an
 * export of many trajectories).
 */
export async function readAllTrajectoryLinks(snapshot: Snapshot): Promise<Map<string, TrajectoryLinks>> {
  const paths = await snapshot.grepFiles({patterns: ['^trajectory: "?traj_[0-9a-z]+"?$'], pathspecs: [`${HANDOFFS_DIR}/`, `${LEDGER_DIR}/sessions/`]})
  return readLinks(snapshot, paths)
}

async function readLinks(snapshot: Snapshot, paths: string[]): Promise<Map<string, TrajectoryLinks>> {
  const texts = await snapshot.readTexts(paths)
  const links = new Map<string, TrajectoryLinks>()
  const of = (id: string) => {
    let entry = links.get(id)
    if (!entry) {
      entry = {handoffs: [], sessionEnds: []}
      links.set(id, entry)
    }
    return entry
  }
  texts.forEach((text, index) => {
    const path = paths[index]!
    if (text === null) return
    if (path.startsWith(`${HANDOFFS_DIR}/`)) {
      const handoff = parseOrNull(() => parseHandoff(text, path))
      if (handoff?.trajectory) of(handoff.trajectory.id).handoffs.push(handoff)
    } else {
      const sessionEnd = parseOrNull(() => parseSessionEnd(text, path))
      if (sessionEnd?.trajectory) of(sessionEnd.trajectory).sessionEnds.push(sessionEnd)
    }
  })
  const byId = (a: {id: string}, b: {id: string}) => (a.id < b.id ? -1 : 1)
  for (const entry of links.values()) {
    entry.handoffs.sort(byId)
    entry.sessionEnds.sort(byId)
  }
  return links
}

function timePart(id: string): string {
  return id.slice(id.indexOf('_') + 1)
}

function parseOrNull<T>(parse: () => T): T | null {
  try {
    return parse()
  } catch {
    return null
  }
}
