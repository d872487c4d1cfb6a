import {lstatSync, readdirSync, readFileSync, type Dirent} from 'node:fs'
import {basename, dirname, join, relative, resolve} from 'node:path'
import {UsageError} from '../errors.js'
import type {FileChange} from '../git/repo.js'
import {fromAgentTrajectory, type MappedTrajectory} from '../model/agent-trajectories.js'
import {validateAgentTrajectory, type Json, type JsonObject} from '../model/agent-trajectories-schema.js'
import {idTime, isId} from '../model/ids.js'
import {activePath, eventPath, TRAJECTORIES_DIR, trajectoryPath} from '../model/layout.js'
import {counted} from '../model/names.js'
import {renderActiveMarker, renderEvent, renderTrajectory, type Trajectory, type TrajectoryEvent} from '../model/trajectory.js'
import type {Snapshot} from '../store/snapshot.js'
import type {Context} from './context.js'
import {projectIfAsked} from './trajectories.js'
import {readEvents, readTrajectories} from './trajectory-records.js'

// `trail import`: the history agent-trajectories left in a repository (.trajectories/ of its 0.5 versions,
// .agentworkforce/trajectories/ of its 0.6 versions, any TRAJECTORIES_DATA_DIR) becomes records, in one commit.
// Every trajectory keeps its times (its id and day folder follow its start) and its old id (`legacy_id`, which
// `trail show` accepts); what does not map to a field is kept verbatim (model/agent-trajectories.ts). A second
// import adds only what the old tool wrote since. Files agent-trajectories' own schema refuses are reported, with
// its reason, never skipped in silence.

/** The folders agent-trajectories writes in a repository, relative to its top level. */
export const LEGACY_FOLDERS = ['.trajectories', '.agentworkforce/trajectories'] as const

/** A file is read whole: past this, it is reported instead. */
const MAX_FILE_BYTES = 32 * 1024 * 1024

/**
 * An import that writes more files than this leaves the work-tree mirror (.trail/, .relay/) to `trail init`:
 * creating 41,000 files in 25,000 folders (10,000 trajectories) took 7 to 15 s here, by git's checkout as by Node,
 * more than the rest of the import. Below it (about 1,000 trajectories) the mirror is written as by any write.
 */
export const MIRROR_WRITE_LIMIT = 5000

export interface ImportInput {
  /** Data folders (or repositories holding them); none: the repository's own and $TRAJECTORIES_* folders. */
  dirs: string[]
  dryRun: boolean
  /** Called as files are read, then as trajectories are mapped (a progress line on a terminal). */
  progress?: (step: 'reading' | 'mapping', done: number, total: number) => void
}

export interface ImportedTrajectory {
  id: string
  legacyId: string
  title: string
  status: string
  /** Events added by this import. */
  events: number
  /** True when it was imported before and this import added what the old tool wrote since. */
  updated: boolean
}

export interface UnreadableFile {
  path: string
  problem: string
}

export interface ImportResult {
  folders: string[]
  imported: ImportedTrajectory[]
  /** Trajectories found that the store already holds as they are. */
  alreadyThere: number
  unreadable: UnreadableFile[]
  dryRun: boolean
  /** The commit made, or null (a dry run, or nothing new). */
  commit: string | null
  /** True when the commit's files were too many to mirror now: `trail init` writes .trail/ and .relay/. */
  mirrorDeferred: boolean
}

/** One trajectory file found, read and checked. */
interface Found {
  path: string
  json: JsonObject
  trace?: Json
  compaction?: Json
}

/**
 * Imports agent-trajectories history from `input.dirs` (or the folders found by `findLegacyFolders`).
 *
 * @example const result = await importTrajectories(ctx, {dirs: [], dryRun: false})
 */
export async function importTrajectories(ctx: Context, input: ImportInput): Promise<ImportResult> {
  const store = await ctx.store()
  const folders = input.dirs.length > 0 ? input.dirs.flatMap((dir) => dataFolders(resolve(ctx.cwd, dir))) : findLegacyFolders(ctx, store.repo.workTree)
  if (folders.length === 0) {
    throw new UsageError(
      input.dirs.length > 0 ? `no agent-trajectories folder in ${input.dirs.join(', ')}` : 'found no agent-trajectories history to import',
      input.dirs.length > 0
        ? 'name a folder that holds active/ or completed/ (a .trajectories or .agentworkforce/trajectories folder)'
        : `looked for ${LEGACY_FOLDERS.join(' and ')} in the repository and $TRAJECTORIES_DATA_DIR, $TRAJECTORIES_SEARCH_PATHS; name a folder: trail import <dir>`,
    )
  }
  const unreadable: UnreadableFile[] = []
  const found = readFolders(folders, unreadable, input.progress)
  let alreadyThere = found.duplicates
  const plan = async (snapshot: Snapshot) => {
    const known = await knownLegacyIds(snapshot)
    const writes: FileChange[] = []
    const imported: ImportedTrajectory[] = []
    let skipped = 0
    const existing = await readExisting(
      snapshot,
      [...found.files.values()].map((file) => known.get(String(file.json.id))).filter((id): id is string => id !== undefined),
    )
    let done = 0
    for (const file of found.files.values()) {
      input.progress?.('mapping', ++done, found.files.size)
      const oldId = String(file.json.id)
      // A file of a trajectory started here (the TRAJECTORIES_DATA_DIR projection): the store is its origin.
      if (isId(oldId, 'traj') && (await snapshot.readText(trajectoryPath(oldId))) !== null) {
        skipped++
        continue
      }
      const ours = known.get(oldId)
      const change = ours === undefined ? importNew(ctx, file) : updateImported(ctx, file, existing.get(ours))
      if (change === null) {
        skipped++
        continue
      }
      writes.push(...change.writes)
      imported.push(change.summary)
    }
    return {writes, imported, skipped}
  }

  if (input.dryRun) {
    const result = await plan(await store.snapshot())
    alreadyThere += result.skipped
    return {folders, imported: result.imported, alreadyThere, unreadable, dryRun: true, commit: null, mirrorDeferred: false}
  }
  let outcome: Awaited<ReturnType<typeof plan>>
  try {
    outcome = await store.transact(async (snapshot) => {
      const result = await plan(snapshot)
      const events = result.imported.reduce((sum, t) => sum + t.events, 0)
      store.mirror.deferNextUpdate(result.writes.length > MIRROR_WRITE_LIMIT)
      return {
        writes: result.writes,
        subject: `import ${counted(result.imported.length, 'trajectory').replace(/ys$/, 'ies')} (${counted(events, 'event')}) from agent-trajectories`,
        trailers: [['Trail-Import', 'agent-trajectories'] as const],
        result,
      }
    })
  } finally {
    store.mirror.deferNextUpdate(false)
  }
  alreadyThere += outcome.skipped
  const commit = outcome.writes.length > 0 ? await store.repo.resolveRef(store.ref) : null
  const mirrorDeferred = commit !== null && store.mirror.hasWorkTree && outcome.writes.length > MIRROR_WRITE_LIMIT
  // agent-relay's data folder shows what was imported too (the files it reads are derived from the records).
  if (outcome.imported.length > 0)
    await projectIfAsked(
      ctx,
      outcome.imported.map((t) => t.id),
    )
  return {folders, imported: outcome.imported, alreadyThere, unreadable, dryRun: false, commit, mirrorDeferred}
}

/** The records of a trajectory imported for the first time: the trajectory, its events, its active marker. */
function importNew(ctx: Context, file: Found): {writes: FileChange[]; summary: ImportedTrajectory} {
  const id = ctx.ids.next('traj', startOf(file.json))
  const mapped = fromAgentTrajectory(
    file.json,
    {trajectory: id, event: (at) => ctx.ids.next('ev', validTime(at, idTime(id)))},
    {trace: file.trace, compaction: file.compaction},
  )
  return {writes: recordWrites(mapped, mapped.events, true), summary: summaryOf(mapped, mapped.events.length, false)}
}

/**
 * A trajectory imported before: what the old tool added since (new events, a finished status). A trajectory
 * finished here is never reopened by an older file.
 */
function updateImported(
  ctx: Context,
  file: Found,
  existing: {trajectory: Trajectory; events: TrajectoryEvent[]} | undefined,
): {writes: FileChange[]; summary: ImportedTrajectory} | null {
  if (!existing) return null
  const {trajectory, events} = existing
  if (trajectory.status !== 'active') return null
  const bySeq = new Map(events.filter((e) => e.seq !== undefined).map((e) => [e.seq!, e.id]))
  const start = idTime(trajectory.id)
  const mapped = fromAgentTrajectory(
    file.json,
    {trajectory: trajectory.id, event: (at, seq) => bySeq.get(seq) ?? ctx.ids.next('ev', validTime(at, start))},
    {trace: file.trace, compaction: file.compaction},
  )
  const added = mapped.events.filter((e) => !bySeq.has(e.seq!))
  if (added.length === 0 && mapped.trajectory.status === 'active') return null
  // What was recorded here since the first import stays: the phase, the branch.
  const kept: Trajectory = {
    ...mapped.trajectory,
    ...(trajectory.phase ? {phase: trajectory.phase} : {}),
    ...(trajectory.branch ? {branch: trajectory.branch} : {}),
  }
  return {writes: recordWrites({trajectory: kept, events: mapped.events}, added, false), summary: summaryOf(mapped, added.length, true)}
}

function recordWrites(mapped: MappedTrajectory, events: readonly TrajectoryEvent[], isNew: boolean): FileChange[] {
  const t = mapped.trajectory
  const writes: FileChange[] = [{path: trajectoryPath(t.id), content: renderTrajectory(t)}]
  for (const event of events) writes.push({path: eventPath(t.id, event.id), content: renderEvent(event)})
  // The agent's active marker: made for an active trajectory, removed when a second import finds it finished.
  if (t.status === 'active') writes.push({path: activePath(t.agent, t.id), content: renderActiveMarker({trajectory: t.id, agent: t.agent, started: t.started})})
  else if (!isNew) writes.push({path: activePath(t.agent, t.id), content: null})
  return writes
}

function summaryOf(mapped: MappedTrajectory, events: number, updated: boolean): ImportedTrajectory {
  const t = mapped.trajectory
  return {id: t.id, legacyId: t.legacyId!, title: t.title, status: t.status, events, updated}
}

function startOf(json: JsonObject): Date {
  return validTime(new Date(String(json.startedAt)), new Date(0))
}

function validTime(at: Date, fallback: Date): Date {
  const time = at.getTime()
  return time >= 0 && time <= 2 ** 48 - 1 ? at : fallback
}

/** Legacy id → our id, for every imported trajectory: one `git grep` over the trajectory files. */
async function knownLegacyIds(snapshot: Snapshot): Promise<Map<string, string>> {
  const hits = await snapshot.grepLines({patterns: ['^legacy_id: '], pathspecs: [`:(glob)${TRAJECTORIES_DIR}/**/trajectory.md`]})
  const known = new Map<string, string>()
  for (const [path, lines] of hits) {
    const id = /\/(traj_[0-9a-z]+)\/trajectory\.md$/.exec(path)?.[1]
    const legacy = lines[0]?.text.slice('legacy_id: '.length).replace(/^"(.*)"$/, '$1')
    if (id && legacy) known.set(legacy, id)
  }
  return known
}

async function readExisting(snapshot: Snapshot, ids: readonly string[]): Promise<Map<string, {trajectory: Trajectory; events: TrajectoryEvent[]}>> {
  const trajectories = (await readTrajectories(snapshot, ids)).filter((t) => t.status === 'active')
  const events = await Promise.all(trajectories.map((t) => readEvents(snapshot, t.id)))
  return new Map(trajectories.map((trajectory, index) => [trajectory.id, {trajectory, events: events[index]!}]))
}

// --- finding and reading the old files ------------------------------------------------------------------------

/**
 * The agent-trajectories folders of a repository that exist: .trajectories/ and .agentworkforce/trajectories/
 * at its top level, then $TRAJECTORIES_DATA_DIR and the folders of $TRAJECTORIES_SEARCH_PATHS.
 */
export function findLegacyFolders(ctx: Pick<Context, 'cwd' | 'env'>, workTree: string | null): string[] {
  const candidates = [
    ...(workTree === null ? [] : LEGACY_FOLDERS.map((folder) => join(workTree, folder))),
    ...[ctx.env.TRAJECTORIES_DATA_DIR, ...(ctx.env.TRAJECTORIES_SEARCH_PATHS ?? '').split(':')]
      .map((dir) => dir?.trim())
      .filter((dir): dir is string => dir !== undefined && dir !== '')
      .map((dir) => resolve(ctx.cwd, dir.startsWith('~') ? join(ctx.env.HOME ?? '', dir.slice(1)) : dir)),
  ]
  return [...new Set(candidates)].filter(isDataFolder)
}

/** A folder named on the command line: a data folder, or a repository (or any folder) holding the known ones. */
function dataFolders(dir: string): string[] {
  if (isDataFolder(dir)) return [dir]
  return LEGACY_FOLDERS.map((folder) => join(dir, folder)).filter(isDataFolder)
}

function isDataFolder(dir: string): boolean {
  return ['active', 'completed', 'index.json'].some((entry) => exists(join(dir, entry)))
}

function exists(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

/**
 * Reads every trajectory file of the folders (active/ and completed/, any depth, as agent-trajectories does),
 * with the trace and compaction files beside them. When one trajectory has several files (two layouts, two
 * folders), the newest wins, as agent-trajectories decides.
 */
function readFolders(
  folders: readonly string[],
  unreadable: UnreadableFile[],
  progress?: ImportInput['progress'],
): {files: Map<string, Found>; duplicates: number} {
  const paths: string[] = []
  const sidecars = new Map<string, {trace?: string; compaction?: string}>()
  const sidecar = (id: string) => sidecars.get(id) ?? sidecars.set(id, {}).get(id)!
  for (const folder of folders) {
    for (const sub of ['active', 'completed']) {
      walk(
        join(folder, sub),
        (path, name) => {
          if (name.endsWith('.trace.json')) sidecar(name.slice(0, -'.trace.json'.length)).trace = path
          else if (name === 'compaction.json') sidecar(basename(dirname(path))).compaction = path
          else if (name.endsWith('.compaction.json')) sidecar(name.slice(0, -'.compaction.json'.length)).compaction = path
          else if (name.endsWith('.json') && name !== 'index.json') paths.push(path)
        },
        unreadable,
      )
    }
  }
  const files = new Map<string, Found>()
  let duplicates = 0
  paths.forEach((path, index) => {
    progress?.('reading', index + 1, paths.length)
    const json = readJson(path, unreadable)
    if (json === undefined) return
    const verdict = validateAgentTrajectory(json)
    if (!verdict.ok) {
      unreadable.push({path, problem: `agent-trajectories' schema refuses it: ${verdict.problem}`})
      return
    }
    const id = String(verdict.trajectory.id)
    const extra = sidecars.get(id)
    const found: Found = {path, json: verdict.trajectory}
    if (extra?.trace) found.trace = readJson(extra.trace, unreadable)
    if (extra?.compaction) found.compaction = readJson(extra.compaction, unreadable)
    const other = files.get(id)
    if (other) {
      duplicates++
      if (timeOf(other.json) >= timeOf(found.json)) return
    }
    files.set(id, found)
  })
  return {files, duplicates}
}

function timeOf(json: JsonObject): number {
  return Date.parse(String(json.completedAt ?? json.startedAt))
}

/** Calls `visit` for every regular file under `dir`; symbolic links are reported, never followed. */
function walk(dir: string, visit: (path: string, name: string) => void, unreadable: UnreadableFile[]): void {
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, {withFileTypes: true})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.push({path: dir, problem: `cannot list it: ${(error as Error).message}`})
    return
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name)
    if (entry.isSymbolicLink()) {
      if (entry.name.endsWith('.json') || !entry.name.includes('.')) unreadable.push({path, problem: 'a symbolic link: not followed'})
    } else if (entry.isDirectory()) {
      walk(path, visit, unreadable)
    } else if (entry.isFile() && entry.name.endsWith('.json')) {
      visit(path, entry.name)
    }
  }
}

function readJson(path: string, unreadable: UnreadableFile[]): Json | undefined {
  let text: string
  try {
    if (lstatSync(path).size > MAX_FILE_BYTES) {
      unreadable.push({path, problem: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`})
      return undefined
    }
    text = readFileSync(path, 'utf8')
  } catch (error) {
    unreadable.push({path, problem: `cannot read it: ${(error as Error).message}`})
    return undefined
  }
  try {
    return JSON.parse(text) as Json
  } catch (error) {
    unreadable.push({path, problem: `not JSON: ${(error as Error).message}`})
    return undefined
  }
}

/** A path as shown to the user: relative to the current folder when inside it. */
export function shownPath(cwd: string, path: string): string {
  const rel = relative(cwd, path)
  return rel !== '' && !rel.startsWith('..') ? rel : path
}
