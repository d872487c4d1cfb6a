import {closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, type Dirent} from 'node:fs'
import {basename, dirname, join, relative, resolve} from 'node:path'
import {UsageError} from '../errors.js'
import type {FileChange} from '../git/repo.js'
import {fromAgentTrajectory, type MappedTrajectory} from '../model/agent-trajectories.js'
import {validateAgentTrajectory, type Json, type JsonObject} from '../model/agent-trajectories-schema.js'
import {idTime, isId} from '../model/ids.js'
import {activePath, eventPath, TRAJECTORIES_DIR, trajectoryPath} from '../model/layout.js'
import {counted} from '../model/names.js'
import {withRedactionMemo} from '../model/redact.js'
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

/** The trajectory files of the folders, listed (not yet read), with the trace and compaction files beside them. */
interface Listing {
  paths: string[]
  sidecars: Map<string, {trace?: string; compaction?: string}>
  /** What could not be listed (a folder), or is not followed (a symbolic link). */
  problems: UnreadableFile[]
}

/**
 * What one trajectory of the files comes to, by its old id: its records mapped and rendered as soon as its file is
 * read (so the file's parsed JSON is garbage at once), or, for one imported before, the file kept until the store's
 * records of it are read (all of them in one round trip), or nothing (a trajectory started here).
 */
type Slot = {time: number} & (
  | {kind: 'new'; change: {writes: FileChange[]; summary: ImportedTrajectory}}
  | {kind: 'known'; file: Found; ours: string}
  | {kind: 'ours'}
)

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
  const listing = listFolders(folders)
  const plan = async (snapshot: Snapshot) => {
    const known = await knownLegacyIds(snapshot)
    const unreadable = [...listing.problems]
    // The same short strings (agent names, statuses, phases, titles) are redacted again and again: once each.
    const memo = new Map<string, string>()
    const chunks = new ByteChunks()
    // One file at a time: read, checked, mapped and rendered before the next is read. When one trajectory has
    // several files (two layouts, two folders), the newest wins, as agent-trajectories decides; it keeps the place
    // of the first.
    const slots = new Map<string, Slot>()
    let duplicates = 0
    let index = 0
    for (const path of listing.paths) {
      input.progress?.('reading', ++index, listing.paths.length)
      const file = readTrajectoryFile(path, listing.sidecars, unreadable)
      if (file === undefined) continue
      const oldId = String(file.json.id)
      const time = timeOf(file.json)
      const other = slots.get(oldId)
      if (other) {
        duplicates++
        if (other.time >= time) continue
      }
      const ours = known.get(oldId)
      // A file of a trajectory started here (the TRAJECTORIES_DATA_DIR projection): the store is its origin.
      if (isId(oldId, 'traj') && (await snapshot.readText(trajectoryPath(oldId))) !== null) slots.set(oldId, {time, kind: 'ours'})
      else if (ours !== undefined) slots.set(oldId, {time, kind: 'known', file, ours})
      else slots.set(oldId, {time, kind: 'new', change: withRedactionMemo(memo, () => importNew(ctx, file, chunks))})
    }
    const updates = [...slots.values()].flatMap((slot) => (slot.kind === 'known' ? [slot.ours] : []))
    const existing = await readExisting(snapshot, updates)
    const writes: FileChange[] = []
    const imported: ImportedTrajectory[] = []
    let skipped = duplicates
    let done = 0
    for (const slot of slots.values()) {
      let change: {writes: FileChange[]; summary: ImportedTrajectory} | null = null
      if (slot.kind === 'new') change = slot.change
      else if (slot.kind === 'known') {
        input.progress?.('mapping', ++done, updates.length)
        change = withRedactionMemo(memo, () => updateImported(ctx, slot.file, existing.get(slot.ours), chunks))
      }
      if (change === null) {
        skipped++
        continue
      }
      for (const write of change.writes) writes.push(write)
      imported.push(change.summary)
    }
    return {writes, imported, skipped, unreadable}
  }

  if (input.dryRun) {
    const result = await plan(await store.snapshot())
    return {folders, imported: result.imported, alreadyThere: result.skipped, unreadable: result.unreadable, dryRun: true, commit: null, mirrorDeferred: false}
  }
  let outcome: Omit<Awaited<ReturnType<typeof plan>>, 'writes'> & {written: number}
  try {
    outcome = await store.transact(async (snapshot) => {
      const {writes, ...result} = await plan(snapshot)
      const events = result.imported.reduce((sum, t) => sum + t.events, 0)
      store.mirror.deferNextUpdate(writes.length > MIRROR_WRITE_LIMIT)
      return {
        writes,
        subject: `import ${counted(result.imported.length, 'trajectory').replace(/ys$/, 'ies')} (${counted(events, 'event')}) from agent-trajectories`,
        trailers: [['Trail-Import', 'agent-trajectories'] as const],
        // What the import found, without the rendered files (a transaction's result is redacted again on its way out).
        result: {...result, written: writes.length},
      }
    })
  } finally {
    store.mirror.deferNextUpdate(false)
  }
  const commit = outcome.written > 0 ? await store.repo.resolveRef(store.ref) : null
  const mirrorDeferred = commit !== null && store.mirror.hasWorkTree && outcome.written > MIRROR_WRITE_LIMIT
  // agent-relay's data folder shows what was imported too (the files it reads are derived from the records).
  if (outcome.imported.length > 0)
    await projectIfAsked(
      ctx,
      outcome.imported.map((t) => t.id),
    )
  return {folders, imported: outcome.imported, alreadyThere: outcome.skipped, unreadable: outcome.unreadable, dryRun: false, commit, mirrorDeferred}
}

/** The records of a trajectory imported for the first time: the trajectory, its events, its active marker. */
function importNew(ctx: Context, file: Found, chunks: ByteChunks): {writes: FileChange[]; summary: ImportedTrajectory} {
  const id = ctx.ids.next('traj', startOf(file.json))
  const mapped = fromAgentTrajectory(
    file.json,
    {trajectory: id, event: (at) => ctx.ids.next('ev', validTime(at, idTime(id)))},
    {trace: file.trace, compaction: file.compaction},
  )
  return {writes: recordWrites(mapped, mapped.events, true, chunks), summary: summaryOf(mapped, mapped.events.length, false)}
}

/**
 * A trajectory imported before: what the old tool added since (new events, a finished status). A trajectory
 * finished here is never reopened by an older file.
 */
function updateImported(
  ctx: Context,
  file: Found,
  existing: {trajectory: Trajectory; events: TrajectoryEvent[]} | undefined,
  chunks: ByteChunks,
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
  return {writes: recordWrites({trajectory: kept, events: mapped.events}, added, false, chunks), summary: summaryOf(mapped, added.length, true)}
}

/**
 * The files of a trajectory, as bytes: held until the commit, they live outside the JavaScript heap (a rendered
 * string, made of many pieces, would be copied by every garbage collection until then), and they are the bytes
 * the commit writes anyway. Written into large shared chunks (ByteChunks): a Buffer of its own for each of 41,000
 * files cost more than the encoding.
 */
function recordWrites(mapped: MappedTrajectory, events: readonly TrajectoryEvent[], isNew: boolean, chunks: ByteChunks): FileChange[] {
  const t = mapped.trajectory
  const bytesOf = (text: string) => chunks.bytesOf(text)
  const writes: FileChange[] = [{path: trajectoryPath(t.id), content: bytesOf(renderTrajectory(t))}]
  for (const event of events) writes.push({path: eventPath(t.id, event.id), content: bytesOf(renderEvent(event))})
  // The agent's active marker: made for an active trajectory, removed when a second import finds it finished.
  if (t.status === 'active')
    writes.push({path: activePath(t.agent, t.id), content: bytesOf(renderActiveMarker({trajectory: t.id, agent: t.agent, started: t.started}))})
  else if (!isNew) writes.push({path: activePath(t.agent, t.id), content: null})
  return writes
}

const CHUNK_BYTES = 1024 * 1024

/** UTF-8 bytes of many texts in large shared chunks (a chunk is freed with the last of its texts); one per import. */
class ByteChunks {
  private chunk = Buffer.alloc(0)
  private used = 0

  bytesOf(text: string): Buffer {
    const length = Buffer.byteLength(text, 'utf8')
    if (this.used + length > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, length))
      this.used = 0
    }
    const start = this.used
    this.used += this.chunk.write(text, start, 'utf8')
    return this.chunk.subarray(start, this.used)
  }
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
 * Lists the trajectory files of the folders (active/ and completed/, any depth, as agent-trajectories does), with
 * the trace and compaction files beside them.
 */
function listFolders(folders: readonly string[]): Listing {
  const listing: Listing = {paths: [], sidecars: new Map(), problems: []}
  const sidecar = (id: string) => listing.sidecars.get(id) ?? listing.sidecars.set(id, {}).get(id)!
  for (const folder of folders) {
    for (const sub of ['active', 'completed']) {
      walk(
        join(folder, sub),
        (path, name) => {
          if (name.endsWith('.trace.json')) sidecar(name.slice(0, -'.trace.json'.length)).trace = path
          else if (name === 'compaction.json') sidecar(basename(dirname(path))).compaction = path
          else if (name.endsWith('.compaction.json')) sidecar(name.slice(0, -'.compaction.json'.length)).compaction = path
          else if (name.endsWith('.json') && name !== 'index.json') listing.paths.push(path)
        },
        listing.problems,
      )
    }
  }
  return listing
}

/** A trajectory file read and checked by agent-trajectories' schema, with its trace and compaction files. */
function readTrajectoryFile(path: string, sidecars: Listing['sidecars'], unreadable: UnreadableFile[]): Found | undefined {
  const json = readJson(path, unreadable)
  if (json === undefined) return undefined
  const verdict = validateAgentTrajectory(json)
  if (!verdict.ok) {
    unreadable.push({path, problem: `agent-trajectories' schema refuses it: ${verdict.problem}`})
    return undefined
  }
  const extra = sidecars.get(String(verdict.trajectory.id))
  const found: Found = {path, json: verdict.trajectory}
  if (extra?.trace) found.trace = readJson(extra.trace, unreadable)
  if (extra?.compaction) found.compaction = readJson(extra.compaction, unreadable)
  return found
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

/**
 * A JSON file, opened once: never through a symbolic link (O_NOFOLLOW: one put in its place since the listing is
 * refused too), never blocking on a FIFO, its size checked on the open file before it is read.
 */
function readJson(path: string, unreadable: UnreadableFile[]): Json | undefined {
  let text: string
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    unreadable.push({path, problem: code === 'ELOOP' ? 'a symbolic link: not followed' : `cannot read it: ${(error as Error).message}`})
    return undefined
  }
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile()) {
      unreadable.push({path, problem: 'not a regular file'})
      return undefined
    }
    if (stats.size > MAX_FILE_BYTES) {
      unreadable.push({path, problem: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`})
      return undefined
    }
    text = readFileSync(fd, 'utf8')
  } catch (error) {
    unreadable.push({path, problem: `cannot read it: ${(error as Error).message}`})
    return undefined
  } finally {
    closeSync(fd)
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
