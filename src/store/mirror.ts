import {isLeftoverTemporary, writeFileAtomic} from '../files.js'
import {mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {hashBlob, oidLength, type Oid} from '../git/objects.js'
import type {FileChange, GitRepo} from '../git/repo.js'
import {FORMAT_PATH, MIRRORED_DIRS} from '../model/layout.js'
import {acquireWriterLock} from './writer-lock.js'

// The work-tree mirror: `.trail/` and `.relay/` hold a copy of the ref's tree, so people and agents can read and
// grep records as files. The ref is the truth; the mirror follows it. A state file in this worktree's git dir
// remembers which commit the mirror shows, so a write updates only the files it changed, and a mirror that fell
// behind (another worktree wrote, a sync arrived) catches up by a diff, not by a rewrite.
//
// The mirror only ever removes files it wrote itself (those a diff between two mirrored commits removes): files of
// the user's in these folders are left alone. And it never writes while the user's branch tracks files there.

const EXCLUDE_BLOCK = `# relay-trail: records mirrored from refs/trail/records (see trail doctor)\n${MIRRORED_DIRS.map((dir) => `/${dir}/`).join('\n')}\n`

/** What the state file in the worktree's git dir says. */
export interface MirrorState {
  /** The commit the mirror shows; null when it has never been written. */
  tip: Oid | null
  /** Why the mirror is off in this worktree (tracked files in the folders), or null. */
  disabled: string | null
  /** The index file as it was when tracked files were last looked for ("size:mtime:inode"). */
  indexStamp: string | null
}

/** How the mirror differs from the ref (trail doctor). */
export interface Drift {
  /** Files that differ from the ref, or are missing from the work tree. */
  changed: string[]
  /** Files in the mirror folders that the ref does not have (left alone: they may be the user's). */
  extra: string[]
  /** Temporary files of ours that a killed process left behind (removed by `repair`). */
  leftovers: string[]
}

const NO_STATE: MirrorState = {tip: null, disabled: null, indexStamp: null}

/**
 * The mirror of one worktree.
 *
 * @example await new Mirror(repo).syncToRef('refs/trail/records')   // the folders now show the ref
 */
export class Mirror {
  constructor(private readonly repo: GitRepo) {}

  /** Whether this checkout has a work tree to mirror into. */
  get hasWorkTree(): boolean {
    return this.repo.workTree !== null
  }

  private get statePath(): string {
    return join(this.repo.gitDir, 'trail', 'mirror.json')
  }

  readState(): MirrorState {
    try {
      const state = JSON.parse(readFileSync(this.statePath, 'utf8')) as Partial<MirrorState>
      const tip = typeof state.tip === 'string' && new RegExp(`^[0-9a-f]{${oidLength(this.repo.objectFormat)}}$`).test(state.tip) ? state.tip : null
      return {tip, disabled: typeof state.disabled === 'string' ? state.disabled : null, indexStamp: typeof state.indexStamp === 'string' ? state.indexStamp : null}
    } catch {
      return NO_STATE
    }
  }

  /**
   * Brings the mirror from `parent` to `tip` after this process committed `writes` (null: the files are not known
   * here, a merge or an adopted store). Runs under the writer lock, so two writers in one worktree never interleave
   * their updates. Falls back to `syncTo` when the mirror was not at `parent` or has been deleted.
   */
  async update(parent: Oid | null, tip: Oid, writes: readonly FileChange[] | null): Promise<void> {
    const state = await this.checkTracked()
    if (state === null) return
    if (writes !== null && state.tip !== null && state.tip === parent && this.exists(FORMAT_PATH)) {
      for (const write of writes) this.writeFile(write.path, write.content)
      this.writeState({...state, tip})
      return
    }
    await this.syncTo(tip)
  }

  /**
   * Brings a mirror that fell behind (it does not show `seenTip`) up to the ref, if no writer is busy (a writer
   * updates it anyway). Costs one small file read when the mirror is current, which is nearly always. A mirror
   * never written is left to a write, `trail init` or a sync: building one can take a while.
   */
  async catchUp(ref: string, seenTip: Oid): Promise<void> {
    if (!this.hasWorkTree) return
    const state = this.readState()
    if (state.disabled !== null || state.tip === null || state.tip === seenTip) return
    await this.syncToRef(ref, 0)
  }

  /**
   * Takes the writer lock (waiting up to `waitMs`), reads the ref as it is under the lock, and makes the mirror
   * show it. Does nothing when the lock is busy past `waitMs`: the writer holding it updates the mirror. Returns
   * how many files were written or removed.
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
   * Makes the mirror show `tip`: by a diff from the commit it shows, or by writing every file when it shows
   * nothing known or was deleted. The caller holds the writer lock. Returns how many files were written or removed.
   */
  async syncTo(tip: Oid): Promise<number> {
    const state = await this.checkTracked()
    if (state === null) return 0
    if (state.tip === tip && this.exists(FORMAT_PATH)) return 0
    const known = state.tip !== null && this.exists(FORMAT_PATH) && (await this.repo.reader.read(state.tip))?.type === 'commit'
    const count = known ? await this.applyDiff(state.tip!, tip) : await this.writeAll(tip)
    this.writeState({...this.readState(), tip})
    return count
  }

  /** Writes every file of the tree at `tip` that is missing or differs; removes nothing. */
  private async writeAll(tip: Oid): Promise<number> {
    await this.ensureExcluded()
    const wanted = await this.treeFiles(tip)
    // A first build writes into empty folders: no file to compare with (a failed open per file is hundreds of
    // thousands of system calls at 100,000 trajectories).
    const fresh = MIRRORED_DIRS.every((dir) => !isDirectory(join(this.repo.workTree!, dir)))
    const objects = await this.repo.reader.readMany([...wanted.values()])
    let count = 0
    let index = 0
    const made = new Set<string>()
    for (const path of wanted.keys()) {
      const content = objects[index++]!.data
      const current = fresh ? null : readOptional(join(this.repo.workTree!, path))
      if (current === null || !current.equals(content)) {
        // One mkdir per folder, not per file.
        const dir = dirname(join(this.repo.workTree!, path))
        if (!made.has(dir)) {
          mkdirSync(dir, {recursive: true})
          made.add(dir)
        }
        this.writeFile(path, content)
        count++
      }
    }
    return count
  }

  /** Compares the mirror with the tree at `tip`, file by file, without changing anything. */
  async findDrift(tip: Oid): Promise<Drift> {
    const wanted = await this.treeFiles(tip)
    const changed: string[] = []
    for (const [path, oid] of wanted) {
      const current = readOptional(join(this.repo.workTree!, path))
      if (current === null || hashBlob(this.repo.objectFormat, current) !== oid) changed.push(path)
    }
    const others = this.workTreeFiles().filter((path) => !wanted.has(path))
    const leftovers = others.filter((path) => isLeftoverTemporary(basename(path)))
    return {changed, extra: others.filter((path) => !leftovers.includes(path)), leftovers}
  }

  /** Rewrites the files that differ from the tree at `tip` (trail doctor --fix), under the writer lock. */
  async repair(ref: string): Promise<number> {
    const lock = await acquireWriterLock(this.repo.commonDir, 10_000)
    try {
      if (!lock.held) return 0
      const current = await this.repo.reader.read(ref)
      if (current?.type !== 'commit') return 0
      const count = await this.writeAll(current.oid)
      this.writeState({...this.readState(), tip: current.oid})
      const leftovers = (await this.findDrift(current.oid)).leftovers
      for (const path of leftovers) rmSync(join(this.repo.workTree!, path), {force: true})
      return count + leftovers.length
    } finally {
      await lock.release()
    }
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
    for (const {mode, type, oid, path} of await this.repo.listTree(tip, MIRRORED_DIRS)) {
      // Only regular files, only at safe paths: a tree fetched from elsewhere could hold a symlink or a ".."
      // entry (git does not check fetched trees unless transfer.fsckObjects is set).
      if (type === 'blob' && isRegularFile(mode) && isMirrorPath(path)) files.set(path, oid)
    }
    return files
  }

  /** Every file under the mirror folders in the work tree, as store paths. */
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
        else found.push(path)
      }
    }
    for (const dir of MIRRORED_DIRS) walk(dir)
    return found
  }

  private exists(path: string): boolean {
    return readOptional(join(this.repo.workTree!, path)) !== null
  }

  /** Writes (or, for null, removes) one mirror file; a removal also removes the folders it leaves empty. */
  private writeFile(path: string, content: string | Buffer | null): void {
    if (!isMirrorPath(path)) return
    const full = join(this.repo.workTree!, path)
    if (content === null) {
      rmSync(full, {force: true})
      for (let dir = dirname(path); dir.includes('/'); dir = dirname(dir)) {
        try {
          rmdirSync(join(this.repo.workTree!, dir))
        } catch {
          break // not empty
        }
      }
      return
    }
    // Written beside and renamed into place: a reader never sees half a record.
    writeFileAtomic(full, content)
  }

  private writeState(state: MirrorState): void {
    writeFileAtomic(this.statePath, `${JSON.stringify(state)}\n`)
  }
}

/** True for a relative path inside a mirror folder with no ".", ".." or ".git" part. */
export function isMirrorPath(path: string): boolean {
  const parts = path.split('/')
  return (
    parts.length >= 2 &&
    (MIRRORED_DIRS as readonly string[]).includes(parts[0]!) &&
    parts.every((part) => part !== '' && part !== '.' && part !== '..' && part.toLowerCase() !== '.git' && !part.includes('\\'))
  )
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

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function readOptional(path: string): Buffer | null {
  try {
    return readFileSync(path)
  } catch {
    return null
  }
}
