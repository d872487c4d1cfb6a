import {closeSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {homedir} from 'node:os'
import {join, resolve} from 'node:path'
import {TrailError} from '../errors.js'
import {toAgentTrajectory, type TrajectoryLegacy} from '../model/agent-trajectories.js'
import type {Json, JsonObject} from '../model/agent-trajectories-schema.js'
import {TRAJECTORIES_DIR} from '../model/layout.js'
import type {TrajectoryDetail} from '../model/results.js'
import type {Snapshot} from '../store/snapshot.js'
import {acquireLock} from '../store/writer-lock.js'
import type {Context} from './context.js'
import {dayFolders} from './day-folders.js'
import {readEvents, readTrajectories} from './trajectory-records.js'

// The TRAJECTORIES_DATA_DIR projection: agent-relay's status and dashboard code never run `trail`, they read
// agent-trajectories' JSON files (index.json, active/<id>.json, completed/YYYY-MM/<id>.json: the layout of
// agent-trajectories 0.5, which its 0.6 no longer writes). When that folder is set, every write keeps those files
// for the trajectories it touched, derived from the records; the ref stays the truth, and
// `trail export --format agent-trajectories --all` rebuilds the folder from it. Files are written atomically
// (a temporary file renamed into place), never through a symbolic link, and only inside the folder.

/** What a projection wrote. */
export interface ProjectionResult {
  dir: string
  written: number
}

/** Trajectories read per round trip when the whole store is projected. */
const BATCH = 256

/**
 * Writes the files of the trajectories `ids` into the data folder `dir`, and their entries in its index.json.
 *
 * @example await projectTrajectories(ctx, process.env.TRAJECTORIES_DATA_DIR, [trajectory.id])
 */
export async function projectTrajectories(ctx: Context, dir: string, ids: readonly string[]): Promise<ProjectionResult> {
  const store = await ctx.store()
  const snapshot = await store.snapshot()
  const details = await readDetails(snapshot, ids)
  const root = dataDir(ctx, dir)
  const lock = await acquireLock(join(store.repo.commonDir, 'trail', 'projection.lock'), 5000)
  try {
    return writeProjection(root, details, ctx.now(), {rebuild: false})
  } finally {
    await lock.release()
  }
}

/**
 * Writes every trajectory of the store into the data folder `dir` and rebuilds its index.json (entries of
 * trajectories that are not in the store, and whose files are still there, are kept).
 */
export async function projectAll(ctx: Context, dir: string): Promise<ProjectionResult> {
  const store = await ctx.store()
  const snapshot = await store.snapshot()
  const ids: string[] = []
  for (const day of await dayFolders(snapshot, TRAJECTORIES_DIR, {})) ids.push(...(await snapshot.listDirs(day)))
  const root = dataDir(ctx, dir)
  const lock = await acquireLock(join(store.repo.commonDir, 'trail', 'projection.lock'), 5000)
  try {
    let written = 0
    const entries: [string, Json][] = []
    for (let start = 0; start < ids.length; start += BATCH) {
      const details = await readDetails(snapshot, ids.slice(start, start + BATCH))
      const result = writeFiles(root, details)
      written += result.entries.length
      entries.push(...result.entries)
    }
    writeIndex(root, entries, ctx.now(), true)
    return {dir: root, written}
  } finally {
    await lock.release()
  }
}

async function readDetails(snapshot: Snapshot, ids: readonly string[]): Promise<TrajectoryDetail[]> {
  const trajectories = await readTrajectories(snapshot, ids)
  const events = await Promise.all(trajectories.map((t) => readEvents(snapshot, t.id)))
  return trajectories.map((trajectory, index) => ({trajectory, events: events[index]!}))
}

/** The data folder as the user named it: `~` is their home, a relative path is from the current folder. */
function dataDir(ctx: Context, dir: string): string {
  const expanded = dir === '~' || dir.startsWith('~/') ? join(ctx.env.HOME ?? homedir(), dir.slice(1)) : dir
  const path = resolve(ctx.cwd, expanded)
  mkdirSync(path, {recursive: true})
  return realpathSync(path)
}

/** Writes the trajectories' files and their index entries. */
export function writeProjection(root: string, details: readonly TrajectoryDetail[], now: Date, options: {rebuild: boolean}): ProjectionResult {
  const {entries} = writeFiles(root, details)
  writeIndex(root, entries, now, options.rebuild)
  return {dir: root, written: entries.length}
}

function writeFiles(root: string, details: readonly TrajectoryDetail[]): {entries: [string, Json][]} {
  const entries: [string, Json][] = []
  for (const {trajectory, events} of details) {
    const json = toAgentTrajectory(trajectory, events)
    const id = String(json.id)
    // Ids become file names: only agent-trajectories' own id shape (traj_ and lower-case letters, digits, _).
    if (!/^traj_[a-z0-9_]{1,200}$/.test(id)) continue
    const finished = json.status !== 'active'
    const activeFile = join(root, 'active', `${id}.json`)
    let path = activeFile
    if (finished) {
      const month = monthOf(String(json.completedAt ?? json.startedAt))
      path = join(root, 'completed', month, `${id}.json`)
      ensureDirs(root, ['completed', month])
      const trace = (trajectory.legacy as TrajectoryLegacy | undefined)?.trace
      if (trace !== undefined) writeAtomically(join(root, 'completed', month, `${id}.trace.json`), `${JSON.stringify(trace, null, 2)}`)
      removeFile(activeFile)
    } else {
      ensureDirs(root, ['active'])
    }
    writeAtomically(path, JSON.stringify(json, null, 2))
    const task = json.task as JsonObject
    entries.push([
      id,
      Object.fromEntries(
        Object.entries({title: task.title, status: json.status, startedAt: json.startedAt, completedAt: json.completedAt, path}).filter(
          ([, v]) => v !== undefined,
        ),
      ) as Json,
    ])
  }
  return {entries}
}

/** "YYYY-MM" of a time, in UTC. */
function monthOf(iso: string): string {
  const time = new Date(iso)
  return Number.isNaN(time.getTime()) ? 'unknown' : time.toISOString().slice(0, 7)
}

/**
 * index.json as agent-trajectories 0.5 kept it ({version, lastUpdated, trajectories: {<id>: {title, status,
 * startedAt, completedAt, path}}}), with `entries` set. Entries of other trajectories are kept, unless
 * `rebuild` and their file is gone.
 */
function writeIndex(root: string, entries: readonly [string, Json][], now: Date, rebuild: boolean): void {
  const indexPath = join(root, 'index.json')
  let existing: [string, Json][] = []
  try {
    const parsed = JSON.parse(readFileSync(indexPath, 'utf8')) as JsonObject
    const trajectories = parsed.trajectories
    if (trajectories && typeof trajectories === 'object' && !Array.isArray(trajectories)) existing = Object.entries(trajectories)
  } catch {
    // no index yet, or one that cannot be read: it is rebuilt from the entries
  }
  const ours = new Set(entries.map(([id]) => id))
  const kept = existing.filter(([id, entry]) => !ours.has(id) && (!rebuild || isFile(String((entry as JsonObject | null)?.path ?? ''))))
  const index = {version: 1, lastUpdated: now.toISOString(), trajectories: Object.fromEntries([...kept, ...entries])}
  writeAtomically(indexPath, JSON.stringify(index, null, 2))
}

/** Creates `root/<segments...>` one folder at a time, refusing any that is a symbolic link or not a folder. */
function ensureDirs(root: string, segments: readonly string[]): void {
  let path = root
  for (const segment of segments) {
    path = join(path, segment)
    let stat: import('node:fs').Stats
    try {
      stat = lstatSync(path)
    } catch {
      mkdirSync(path)
      continue
    }
    if (stat.isSymbolicLink() || !stat.isDirectory()) {
      throw new TrailError(
        `${path} is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; no trajectory file is written through it`,
        'remove it, then rebuild the folder with: trail export --format agent-trajectories --all',
      )
    }
  }
}

/** Writes a file by renaming a new temporary file over it: a reader never sees half a file, and a symbolic link
 * at `path` is replaced, never followed. */
function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`
  const fd = openSync(temporary, 'wx', 0o644)
  try {
    writeSync(fd, content)
  } finally {
    closeSync(fd)
  }
  try {
    renameSync(temporary, path)
  } catch (error) {
    unlinkSync(temporary)
    throw error
  }
}

function removeFile(path: string): void {
  try {
    if (lstatSync(path).isFile()) unlinkSync(path)
  } catch {
    // not there
  }
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile()
  } catch {
    return false
  }
}
