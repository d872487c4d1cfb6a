import {
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {isLeftoverTemporary, lstatOptional, readOptional, writeFileAtomic} from '../files.js'
import {objectId} from '../git/hash.js'
import type {Oid} from '../git/objects.js'
import type {FileChange, GitRepo, TreeListing} from '../git/repo.js'
import {kindOfPath} from '../model/kinds.js'
import {FORMAT_PATH, MIRRORED_DIRS} from '../model/layout.js'
import {mirrorShows, mirrorStatePath, readMirrorState, type MirrorState} from './mirror-read.js'
import {acquireWriterLock} from './writer-lock.js'

// The work-tree mirror: `.trail/` and `.relay/` hold a copy of the ref's tree, so people and agents can read and
// grep records as files. The ref is the truth; the mirror follows it. A state file in this worktree's git dir
// remembers which commit the mirror shows, so a write updates only the files it changed, and a mirror that fell
// behind (another worktree wrote, a sync arrived) catches up by a diff, not by a rewrite.
//
// What the mirror never does:
// - write through a symbolic link it did not make: every folder on the way to a file is checked with lstat (a link
//   there stops the write of that file, and `trail doctor` reports it), files are created with O_EXCL|O_NOFOLLOW
//   or renamed into place (a rename replaces a link, it never writes through it);
// - remove a file it did not write (only those a diff between two mirrored commits removes): files of the user's
//   in these folders are left alone;
// - write while the user's branch tracks files there;
// - build the whole mirror inside the first record write of a clone (a write that adopts the store `git fetch`
//   brought): that write costs what any write costs, mirrors its own records, and the state says the mirror is
//   partial. `trail init`, `trail sync` and `trail doctor --fix` build it whole, at the cost of a checkout.

const EXCLUDE_BLOCK = `# relay-trail: records mirrored from refs/trail/records (see trail doctor)\n${MIRRORED_DIRS.map((dir) => `/${dir}/`).join('\n')}\n`

/** Blobs read per round trip while building a whole mirror: bounded memory at any store size. */
const BUILD_BATCH = 2000

/** How the mirror differs from the ref (trail doctor). */
export interface Drift {
  /** Files that differ from the ref, or are missing from the work tree. */
  changed: string[]
  /** Files in the mirror folders that the ref does not have (left alone: they may be the user's). */
  extra: string[]
  /** Temporary files of ours that a killed process left behind (removed by `repair`). */
  leftovers: string[]
  /** Symbolic links (or other non-folders) where the mirror needs a folder or a file: never written through. */
  links: string[]
}

/** A place in the mirror that cannot be written without following a link (or replacing something that is not ours). */
class BlockedPath extends Error {
  constructor(readonly path: string) {
    super(`${path} is a symbolic link or not a folder`)
  }
}

/**
 * The mirror of one worktree.
 *
 * @example await new Mirror(repo).syncToRef('refs/trail/records')   // the folders now show the ref
 */
export class Mirror {
  /**
   * Folders known to be real folders of the work tree (checked with lstat, or made here) in the operation under
   * way. Forgotten at the start of each (`forgetCheckedFolders`): a long-lived process (relay mcp) keeps its Mirror, and a folder
   * can be replaced by a symbolic link between two of its calls.
   */
  private readonly folders = new Set<string>()
  /** Places the last operation could not write, because of a link or a non-folder there. */
  readonly blocked = new Set<string>()

  /** Set for one commit whose files are too many to write now (a large `trail import`): see `deferNextUpdate`. */
  private deferred = false

  constructor(private readonly repo: GitRepo) {}

  /**
   * Whether the next `update` leaves the commit's files out of the mirror and marks it partial, as a clone's first
   * write does: `trail init`, `trail sync` or `trail doctor --fix` then build it whole (with git's checkout where
   * there is none). For a write of tens of thousands of files, whose creation alone costs seconds to tens of seconds
   * on a slow file system; the records are on the ref either way.
   */
  deferNextUpdate(deferred: boolean): void {
    this.deferred = deferred
  }

  /** Whether this checkout has a work tree to mirror into. */
  get hasWorkTree(): boolean {
    return this.repo.workTree !== null
  }

  /** Whether the mirror's files show the commit `tip`, whole (./mirror-read.ts). */
  shows(tip: Oid | null): boolean {
    return mirrorShows(this.repo, tip)
  }

  private get statePath(): string {
    return mirrorStatePath(this.repo.gitDir)
  }

  readState(): MirrorState {
    return readMirrorState(this.repo)
  }

  /**
   * Brings the mirror from `parent` to `tip` after this process committed `writes` (null: the files are not known
   * here, a merge or an adopted store). Runs under the writer lock, so two writers in one worktree never interleave
   * their updates. A mirror at another commit catches up by a diff; one never built (or deleted) is built, unless
   * `adopted` (the write built on a store fetched from elsewhere: see the top of this file).
   */
  async update(parent: Oid | null, tip: Oid, writes: readonly FileChange[] | null, options: {adopted?: boolean} = {}): Promise<void> {
    this.forgetCheckedFolders()
    const deferred = this.deferred
    this.deferred = false
    const state = await this.checkTracked()
    if (state === null) return
    if (deferred) {
      await this.ensureExcluded()
      this.writeState({...state, tip, partial: true})
      return
    }
    if (writes !== null && state.tip !== null && state.tip === parent && this.exists(FORMAT_PATH)) {
      for (const write of writes) this.writeFile(write.path, write.content)
      this.writeState({...state, tip})
      return
    }
    if (writes !== null && parent === null && state.tip === null) {
      // The store's first commit (an import, the first record of a new store): its tree is exactly these writes,
      // which are in memory; reading them back from git would cost a second pass over every file.
      await this.ensureExcluded()
      const fresh = this.isFresh()
      for (const write of writes) {
        if (write.content !== null) this.putBuilt(write.path, typeof write.content === 'string' ? Buffer.from(write.content, 'utf8') : write.content, fresh)
      }
      this.writeState({...state, tip, partial: false})
      return
    }
    if (writes !== null && (options.adopted || state.partial) && !this.isBuilt(state)) {
      await this.ensureExcluded()
      for (const write of writes) this.writeFile(write.path, write.content)
      this.writeState({...state, tip, partial: true})
      return
    }
    await this.syncTo(tip)
  }

  /** Whether the mirror was built from the ref once, and its files are there. */
  private isBuilt(state: MirrorState): boolean {
    return state.tip !== null && !state.partial && this.exists(FORMAT_PATH)
  }

  /**
   * Brings a mirror that fell behind (it does not show `seenTip`) up to the ref, if no writer is busy (a writer
   * updates it anyway). Costs one small file read when the mirror is current, which is nearly always. A mirror
   * never built is left to `trail init`, a sync or `trail doctor --fix`: building one costs a checkout.
   */
  async catchUp(ref: string, seenTip: Oid): Promise<void> {
    if (this.isBehind(seenTip)) await this.syncToRef(ref, 0)
  }

  /** Whether the mirror shows a commit it was built for whole, but not `tip`: a read catches it up (catchUp). */
  private isBehind(tip: Oid): boolean {
    if (!this.hasWorkTree) return false
    const state = this.readState()
    return state.disabled === null && state.tip !== null && !state.partial && state.tip !== tip
  }

  /**
   * Takes the writer lock (waiting up to `waitMs`), reads the ref as it is under the lock, and makes the mirror
   * show it (building it whole when it never was). Does nothing when the lock is busy past `waitMs`: the writer
   * holding it updates the mirror. Returns how many files were written or removed.
   */
  async syncToRef(ref: string, waitMs = 10_000): Promise<number> {
    if (!this.hasWorkTree) return 0
    const lock = await acquireWriterLock(this.repo.commonDir, waitMs)
    try {
      if (!lock.held) return 0
      // Read under the lock: a tip read before waiting may be older than the mirror, which must not go back.
      const current = await this.repo.reader.read(ref)
      return current?.type === 'commit' ? await this.syncTo(current.oid) : 0
    } finally {
      await lock.release()
    }
  }

  /**
   * Makes the mirror show `tip`: by a diff from the commit it shows, or by writing every file when it shows nothing
   * known, is partial or was deleted. The caller holds the writer lock. Returns how many files were written or
   * removed.
   */
  async syncTo(tip: Oid): Promise<number> {
    this.forgetCheckedFolders()
    const state = await this.checkTracked()
    if (state === null) return 0
    if (state.tip === tip && this.isBuilt(state)) return 0
    const known = this.isBuilt(state) && (await this.repo.reader.read(state.tip!))?.type === 'commit'
    const count = known ? await this.applyDiff(state.tip!, tip) : await this.writeAll(tip)
    this.writeState({...this.readState(), tip, partial: false})
    return count
  }

  /**
   * Writes every file of the tree at `tip` that is missing or differs; removes nothing. Streams: the tree is listed
   * once, blobs are read BUILD_BATCH at a time. Into folders that do not exist yet (a first build), files are
   * created directly, without comparing or renaming: the cost of a checkout.
   */
  private async writeAll(tip: Oid): Promise<number> {
    await this.ensureExcluded()
    const wanted = [...(await this.treeFiles(tip))]
    if (this.isFresh()) {
      const built = await this.buildWithGit(wanted)
      if (built !== null) return built
    }
    const fresh = this.isFresh()
    let count = 0
    for (let start = 0; start < wanted.length; start += BUILD_BATCH) {
      const batch = wanted.slice(start, start + BUILD_BATCH)
      const objects = await this.repo.reader.readMany(batch.map(([, oid]) => oid))
      batch.forEach(([path], index) => {
        if (this.putBuilt(path, objects[index]!.data, fresh)) count++
      })
    }
    return count
  }

  /**
   * Builds a whole mirror where neither folder exists yet, with git's own checkout (a third of the time Node's
   * file-by-file writes take: bench clone): into a private folder of this worktree's git dir, then each mirror
   * folder is renamed into the work tree, so a reader sees no mirror, then all of it. Returns how many files were
   * written, or null when it could not (the git dir on another file system, git refused a path, a folder appeared
   * meanwhile): the caller then writes file by file, comparing with what is there.
   */
  private async buildWithGit(wanted: readonly (readonly [string, Oid])[]): Promise<number | null> {
    const scratch = join(this.repo.gitDir, 'trail', 'checkout')
    // One a killed build left: builds run under the writer lock, so no other is running.
    rmSync(scratch, {recursive: true, force: true})
    try {
      mkdirSync(dirname(scratch), {recursive: true})
      const work = await this.repo.checkoutFiles(
        scratch,
        wanted.map(([path, oid]) => ({path, oid})),
      )
      // rename(2) replaces an empty folder made meanwhile; a link or a folder with files stops it (ENOTDIR, ENOTEMPTY).
      for (const dir of MIRRORED_DIRS) if (exists(join(work, dir))) renameSync(join(work, dir), join(this.repo.workTree!, dir))
      return wanted.length
    } catch {
      return null
    } finally {
      rmSync(scratch, {recursive: true, force: true})
    }
  }

  /** Compares the mirror with the tree at `tip`, file by file, without changing anything. */
  async findDrift(tip: Oid): Promise<Drift> {
    this.forgetCheckedFolders()
    const wanted = await this.treeFiles(tip)
    const changed: string[] = []
    const links = new Set<string>()
    for (const [path, oid] of wanted) {
      const blocked = this.blockedAt(path)
      if (blocked !== null) {
        links.add(blocked)
        continue
      }
      const current = this.readMirrorFile(path)
      if (current === null || objectId(this.repo.objectFormat, 'blob', current) !== oid) changed.push(path)
    }
    for (const dir of MIRRORED_DIRS) if (isLink(join(this.repo.workTree!, dir))) links.add(dir)
    const others = this.workTreeFiles().filter((path) => !wanted.has(path))
    const leftovers = others.filter((path) => isLeftoverTemporary(basename(path)))
    return {changed, extra: others.filter((path) => !leftovers.includes(path)), leftovers, links: [...links].sort()}
  }

  /**
   * What of `drift` (found against a tip while writers may have been at work) is still there in a still moment:
   * under the writer lock, against the ref's tip then. Every writer of ours moves the ref and then the mirror
   * holding that lock, so a record written between the ref's read and the mirror's, or a mirror file caught in the
   * middle of its write, is no longer drift then; a mirror left behind by another worktree's writes is caught up
   * first, as a read does. Only the paths found are looked at again (the lock is held for milliseconds, whatever
   * the store's size, but for a catch-up); when the lock cannot be had in time, `drift` as it was found.
   */
  async confirmDrift(drift: Drift, ref: string): Promise<Drift> {
    if (drift.changed.length === 0 && drift.extra.length === 0 && drift.leftovers.length === 0) return drift
    this.forgetCheckedFolders()
    const lock = await acquireWriterLock(this.repo.commonDir, 10_000)
    try {
      if (!lock.held) return drift
      const tip = (await this.repo.reader.read(ref))?.oid
      if (tip === undefined) return drift
      // Another worktree's writes leave this mirror behind until a read here catches it up, as any read does.
      if (this.isBehind(tip)) await this.syncTo(tip)
      const paths = [...drift.changed, ...drift.extra]
      const objects = await this.repo.reader.readMany(paths.map((path) => `${tip}:${path}`))
      const onRef = new Map(paths.map((path, index) => [path, objects[index]?.type === 'blob' ? objects[index].oid : null]))
      const differs = (path: string) => {
        const current = this.readMirrorFile(path)
        const oid = onRef.get(path) ?? null
        return oid !== null && (current === null || objectId(this.repo.objectFormat, 'blob', current) !== oid)
      }
      return {
        changed: drift.changed.filter(differs),
        extra: drift.extra.filter((path) => onRef.get(path) === null && this.exists(path)),
        leftovers: drift.leftovers.filter((path) => this.exists(path)),
        links: drift.links,
      }
    } finally {
      await lock.release()
    }
  }

  /**
   * Rewrites the files that differ from the tree at `tip` and removes the temporary files a killed write left
   * (trail doctor --fix), under the writer lock. Links stay where they are: they are reported, never followed.
   */
  async repair(ref: string): Promise<number> {
    this.forgetCheckedFolders()
    const lock = await acquireWriterLock(this.repo.commonDir, 10_000)
    try {
      if (!lock.held) return 0
      const current = await this.repo.reader.read(ref)
      if (current?.type !== 'commit') return 0
      const count = await this.writeAll(current.oid)
      this.writeState({...this.readState(), tip: current.oid, partial: false})
      const leftovers = (await this.findDrift(current.oid)).leftovers
      for (const path of leftovers) this.removeFile(path)
      return count + leftovers.length
    } finally {
      await lock.release()
    }
  }

  /** Starts an operation: nothing on the way to a file is taken as checked from before (see `folders`). */
  private forgetCheckedFolders(): void {
    this.folders.clear()
  }

  /** Whether info/exclude lists the mirror folders, so they never show in `git status`. */
  async isExcluded(): Promise<boolean> {
    const text = readOptional(join(this.repo.commonDir, 'info', 'exclude'))?.toString('utf8') ?? ''
    const lines = new Set(text.split('\n').map((line) => line.trim()))
    return MIRRORED_DIRS.every((dir) => lines.has(`/${dir}/`))
  }

  async ensureExcluded(): Promise<void> {
    if (await this.isExcluded()) return
    const path = join(this.repo.commonDir, 'info', 'exclude')
    const text = readOptional(path)?.toString('utf8') ?? ''
    mkdirSync(dirname(path), {recursive: true})
    writeFileSync(path, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${EXCLUDE_BLOCK}`)
  }

  /**
   * The mirror state, or null when the mirror must not be written here: no work tree, or files in the mirror
   * folders are tracked by the user's branch (writing them would change the user's work). The (rare) check with
   * `git ls-files` runs only when the index file changed since the last one, and lifts the stop once the tracked
   * files are gone.
   */
  private async checkTracked(): Promise<MirrorState | null> {
    if (!this.hasWorkTree) return null
    const state = this.readState()
    const stamp = indexStamp(this.repo.gitDir)
    if (stamp === state.indexStamp) return state.disabled === null ? state : null
    const tracked = await this.repo.trackedFiles(MIRRORED_DIRS)
    const disabled = tracked.length > 0 ? `files under ${MIRRORED_DIRS.join(' or ')} are tracked by your branch` : null
    const next = {...state, indexStamp: stamp, disabled}
    this.writeState(next)
    return disabled === null ? next : null
  }

  private async applyDiff(from: Oid, to: Oid): Promise<number> {
    const writes: {path: string; oid: Oid | null}[] = []
    for (const change of await this.repo.treeChanges(from, to, MIRRORED_DIRS)) {
      if (!isMirrorPath(change.path)) continue
      writes.push({path: change.path, oid: change.newOid !== null && isRegularFile(change.newMode) ? change.newOid : null})
    }
    const objects = await this.repo.reader.readMany(writes.flatMap((write) => (write.oid ? [write.oid] : [])))
    let index = 0
    for (const write of writes) this.writeFile(write.path, write.oid ? objects[index++]!.data : null)
    return writes.length
  }

  /** Path → blob id of every regular file in the tree at `tip` that may be mirrored. */
  private async treeFiles(tip: Oid): Promise<Map<string, Oid>> {
    const files = new Map<string, Oid>()
    for (const entry of await this.repo.listTree(tip, MIRRORED_DIRS)) if (isMirrorEntry(entry)) files.set(entry.path, entry.oid)
    return files
  }

  /** Every file under the mirror folders in the work tree, as store paths (links are not followed). */
  private workTreeFiles(): string[] {
    const found: string[] = []
    const walk = (dir: string): void => {
      let entries: import('node:fs').Dirent[]
      try {
        entries = readdirSync(join(this.repo.workTree!, dir), {withFileTypes: true})
      } catch {
        return
      }
      for (const entry of entries) {
        const path = `${dir}/${entry.name}`
        if (entry.isDirectory()) walk(path)
        else if (!entry.isSymbolicLink()) found.push(path)
      }
    }
    for (const dir of MIRRORED_DIRS) if (!isLink(join(this.repo.workTree!, dir))) walk(dir)
    return found
  }

  private exists(path: string): boolean {
    return this.blockedAt(path) === null && exists(join(this.repo.workTree!, path))
  }

  /** A mirror file's bytes, or null when it is missing (or a link: never read through one either). */
  private readMirrorFile(path: string): Buffer | null {
    if (this.blockedAt(path) !== null) return null
    try {
      const fd = openSync(join(this.repo.workTree!, path), constants.O_RDONLY | constants.O_NOFOLLOW)
      try {
        return readFileSync(fd)
      } finally {
        closeSync(fd)
      }
    } catch {
      return null
    }
  }

  /** The first folder on the way to `path` that is a link or not a folder, or null when the way is clear. */
  private blockedAt(path: string): string | null {
    try {
      this.folder(dirname(path), false)
      return null
    } catch (error) {
      if (error instanceof BlockedPath) return error.path
      throw error
    }
  }

  /**
   * Checks (and, with `create`, makes) every folder from the mirror's root down to `dir`, with lstat: a link or a
   * file where a folder belongs throws BlockedPath. A folder missing without `create` is not an error.
   */
  private folder(dir: string, create: boolean): void {
    if (dir === '.' || this.folders.has(dir)) return
    this.folder(dirname(dir), create)
    const full = join(this.repo.workTree!, dir)
    let info = lstatOptional(full)
    if (info === null) {
      if (!create) return
      try {
        mkdirSync(full)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      info = lstatOptional(full)
    }
    if (info === null || !info.isDirectory()) throw new BlockedPath(dir)
    this.folders.add(dir)
  }

  /** Whether neither mirror folder exists yet: a build then creates its files without comparing or renaming. */
  private isFresh(): boolean {
    return MIRRORED_DIRS.every((dir) => !exists(join(this.repo.workTree!, dir)))
  }

  /** Writes one file of a whole build: created directly into new folders, else only when it differs. */
  private putBuilt(path: string, content: Buffer, fresh: boolean): boolean {
    if (fresh) return this.createFile(path, content)
    const current = this.readMirrorFile(path)
    if (current?.equals(content)) return false
    this.writeFile(path, content)
    return true
  }

  /** Creates a file in a folder this build is creating: O_EXCL and O_NOFOLLOW, no rename needed. */
  private createFile(path: string, content: Buffer): boolean {
    if (!isMirrorPath(path)) return false
    try {
      this.folder(dirname(path), true)
      const fd = openSync(join(this.repo.workTree!, path), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644)
      try {
        for (let written = 0; written < content.length; ) written += writeSync(fd, content, written, content.length - written)
      } finally {
        closeSync(fd)
      }
      return true
    } catch (error) {
      if (error instanceof BlockedPath) {
        this.blocked.add(error.path)
        return false
      }
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' || (error as NodeJS.ErrnoException).code === 'ELOOP') {
        // Someone made it meanwhile: compare and replace, as in an existing mirror.
        this.writeFile(path, content)
        return true
      }
      throw error
    }
  }

  /**
   * Writes (or, for null, removes) one mirror file; a removal also removes the folders it leaves empty. Written
   * beside and renamed into place: a reader never sees half a record, and a link at the file's place is replaced,
   * not written through. A link on the way stops it (see `blocked`).
   */
  private writeFile(path: string, content: string | Buffer | null): void {
    if (!isMirrorPath(path)) return
    try {
      if (content === null) {
        this.removeFile(path)
        return
      }
      this.folder(dirname(path), true)
      writeFileAtomic(join(this.repo.workTree!, path), content, {mkdir: false})
    } catch (error) {
      if (!(error instanceof BlockedPath)) throw error
      this.blocked.add(error.path)
    }
  }

  private removeFile(path: string): void {
    this.folder(dirname(path), false)
    if (this.blockedAt(path) !== null) return
    rmSync(join(this.repo.workTree!, path), {force: true})
    for (let dir = dirname(path); dir.includes('/'); dir = dirname(dir)) {
      try {
        rmdirSync(join(this.repo.workTree!, dir))
        this.folders.delete(dir)
      } catch {
        break // not empty
      }
    }
  }

  /**
   * Written on every record write, so it may vanish for a moment (see `mayVanish`): missing, it reads as a mirror
   * never written, which a reader leaves alone and the next write (or trail init) builds whole.
   */
  private writeState(state: MirrorState): void {
    writeFileAtomic(this.statePath, `${JSON.stringify(state)}\n`, {mayVanish: true})
  }
}

/**
 * True for a relative path inside a mirror folder with no ".", ".." or ".git" part, that the registry of record
 * kinds knows: the mirror holds records, nothing else a tree may carry.
 */
export function isMirrorPath(path: string): boolean {
  const parts = path.split('/')
  return (
    parts.length >= 2 &&
    (MIRRORED_DIRS as readonly string[]).includes(parts[0]!) &&
    parts.every((part) => part !== '' && part !== '.' && part !== '..' && part.toLowerCase() !== '.git' && !part.includes('\\')) &&
    kindOfPath(path) !== null
  )
}

/** A tree entry the mirror writes: a regular file at a record's path. */
function isMirrorEntry(entry: TreeListing): boolean {
  // Only regular files, only at record paths: a tree fetched from elsewhere could hold a symlink or a ".." entry
  // (git does not check fetched trees unless transfer.fsckObjects is set).
  return entry.type === 'blob' && isRegularFile(entry.mode) && isMirrorPath(entry.path)
}

function isRegularFile(mode: string | undefined): boolean {
  return mode === '100644' || mode === '100755'
}

function indexStamp(gitDir: string): string {
  try {
    const info = statSync(join(gitDir, 'index'))
    return `${info.size}:${info.mtimeMs}:${info.ino}`
  } catch {
    return 'none'
  }
}

function exists(path: string): boolean {
  return lstatOptional(path) !== null
}

function isLink(path: string): boolean {
  return lstatOptional(path)?.isSymbolicLink() === true
}

/** Where a link in the mirror points, for a report (null when it is not a link). */
export function linkTarget(path: string): string | null {
  try {
    return readlinkSync(path)
  } catch {
    return null
  }
}
