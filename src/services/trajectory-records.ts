import {NotFoundError, UsageError} from '../errors.js'
import {isId, parseIdPrefix} from '../model/ids.js'
import {ACTIVE_DIR, activeDir, eventsDir, TRAJECTORIES_DIR, trajectoryPath} from '../model/layout.js'
import type {AgentName} from '../model/names.js'
import {quoteInput} from '../model/text.js'
import {byNewest, parseTrajectory, type Trajectory, type TrajectoryEvent} from '../model/trajectory.js'
import type {Snapshot} from '../store/snapshot.js'
import {dayFolders} from './day-folders.js'
import type {TrajectoryDetail} from '../model/results.js'
import {readRecords, type SkipRecord} from './records.js'

// Reading trajectories from a snapshot: by id, by prefix, by agent. Shared by every trajectory use case.

/**
 * One trajectory by its full id, or null when it does not exist.
 *
 * @example const trajectory = await readTrajectory(snapshot, 'traj_01jd2k3m4n5p6q7r8s9t0v1w2x')
 */
export async function readTrajectory(snapshot: Snapshot, id: string): Promise<Trajectory | null> {
  const path = trajectoryPath(id)
  const text = await snapshot.readText(path)
  return text === null ? null : parseTrajectory(text, path)
}

/**
 * Several trajectories in one round trip, in the order of `ids`; missing ones are left out, and so are unreadable
 * ones when `skip` is given (it is told about each).
 */
export function readTrajectories(snapshot: Snapshot, ids: readonly string[], skip?: SkipRecord): Promise<Trajectory[]> {
  return readRecords(snapshot, 'trajectory', ids.map(trajectoryPath), skip)
}

/** A trajectory's events, oldest first. */
export async function readEvents(snapshot: Snapshot, trajectoryId: string): Promise<TrajectoryEvent[]> {
  const dir = eventsDir(trajectoryId)
  const names = (await snapshot.list(dir)).map((entry) => entry.name).filter((name) => name.endsWith('.md'))
  return (
    await readRecords(
      snapshot,
      'event',
      names.map((name) => `${dir}/${name}`),
    )
  ).sort((a, b) => -byNewest(a, b))
}

/** The number of events a trajectory has, without reading them. */
export async function countEvents(snapshot: Snapshot, trajectoryId: string): Promise<number> {
  return (await snapshot.list(eventsDir(trajectoryId))).length
}

/** A trajectory with its events, for show, status and export. */
export async function readDetail(snapshot: Snapshot, trajectory: Trajectory): Promise<TrajectoryDetail> {
  return {trajectory, events: await readEvents(snapshot, trajectory.id)}
}

/**
 * A trajectory with its latest `limit` events (by id, which carries the time), and how many it has: one listing
 * of its events folder and `limit` reads, whatever the number of events (status and load cost the same at 10
 * decisions and at 1,000).
 */
export async function readRecentDetail(snapshot: Snapshot, trajectory: Trajectory, limit: number): Promise<TrajectoryDetail> {
  const dir = eventsDir(trajectory.id)
  const names = (await snapshot.list(dir))
    .map((entry) => entry.name)
    .filter((name) => name.endsWith('.md'))
    .sort()
  const latest = names.slice(-limit)
  const events = (
    await readRecords(
      snapshot,
      'event',
      latest.map((name) => `${dir}/${name}`),
    )
  ).sort((a, b) => -byNewest(a, b))
  return names.length > latest.length ? {trajectory, events, eventCount: names.length} : {trajectory, events}
}

/** Ids of the agent's active trajectories, newest first (more than one only after two clones merged). */
export async function activeIds(snapshot: Snapshot, agent: AgentName): Promise<string[]> {
  return (await snapshot.list(activeDir(agent)))
    .map((entry) => entry.name.replace(/\.yaml$/, ''))
    .filter((name) => isId(name, 'traj'))
    .sort()
    .reverse()
}

/** Every agent with an active trajectory, and its ids (newest first). */
export async function allActive(snapshot: Snapshot): Promise<{agent: AgentName; ids: string[]}[]> {
  const agents = (await snapshot.listDirs(ACTIVE_DIR)) as AgentName[]
  const ids = await Promise.all(agents.map((agent) => activeIds(snapshot, agent)))
  return agents.map((agent, index) => ({agent, ids: ids[index]!})).filter((entry) => entry.ids.length > 0)
}

/** The agent's active trajectory, or null. */
export async function findActive(snapshot: Snapshot, agent: AgentName): Promise<Trajectory | null> {
  const [id] = await activeIds(snapshot, agent)
  return id === undefined ? null : readTrajectory(snapshot, id)
}

/**
 * Finds the trajectory a user named by its id or a unique prefix of it ("traj_01jd2k", "01jd2k"). Only the day
 * folders that ids with that prefix can live in are listed: the prefix fixes a time range.
 */
export async function resolveTrajectoryId(snapshot: Snapshot, raw: string): Promise<string> {
  const {ulidPrefix, from, to} = parseIdPrefix(raw, 'traj')
  const wanted = `traj_${ulidPrefix}`
  if (isId(wanted, 'traj')) {
    if ((await snapshot.readText(trajectoryPath(wanted))) !== null) return wanted
  } else {
    const days = await dayFolders(snapshot, TRAJECTORIES_DIR, {from, to})
    const listings = await Promise.all(days.map((day) => snapshot.listDirs(day)))
    const matches = listings.flat().filter((name) => name.startsWith(wanted))
    if (matches.length === 1) return matches[0]!
    if (matches.length > 1) {
      const shown = matches.slice(0, 5).join(', ')
      throw new UsageError(
        `'${quoteInput(raw)}' matches ${matches.length} trajectories: ${shown}${matches.length > 5 ? ', …' : ''}`,
        'give more characters of the id',
      )
    }
  }
  throw new NotFoundError(`no trajectory matches '${quoteInput(raw)}'`, 'list trajectories with: trail list')
}
