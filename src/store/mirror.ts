import {mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {hashBlob, type Oid} from '../git/objects.js'
import type {GitRepo} from '../git/repo.js'
import {FORMAT_PATH, MIRRORED_DIRS} from '../model/layout.js'
import {acquireWriterLock} from './writer-lock.js'
import type {FileChange} from '../git/repo.js'

// The work-tree mirror: `.trail/` and `.relay/` hold a copy of the ref's tree, so people and agents can read and
// grep records as files. The ref is the truth; the mirror follows it. A state file in this worktree's git dir
// remembers which commit the mirror shows, so a write updates only the files it changed, and a mirror that fell
// behind (another worktree wrote, a sync arrived) catches up by a diff, not by a rewrite.

const EXCLUDE_BLOCK = `# relay-trail: records mirrored from refs/trail/records (see trail doctor)\n${MIRRORED_DIRS.map((dir) => `/${dir}/`).join('\n')}\n`

/** What the state file in the worktree's git dir says. */
export interface MirrorState {
  /** The commit the mirror shows; null when it has never been written. */
  tip: Oid | null
  /** Why the mirror is off in this worktree (tracked files in the folders), or null. */
  disabled: string | null
}

/** How the mirror differs from the ref (trail doctor). */
export interface Drift {
  /** Files that differ from the ref, or are missing from the work tree. */
  changed: string[]
  /** Files in the mirror folders that the ref does not have. */
  extra: string[]
}

/**
 * The mirror of one worktree.
 *
 * @example await new Mirror(repo).syncTo(tip)   // the .trail/ and .relay/ folders now show `tip`
 */
export class Mirror {
  constructor(private readonly repo: GitRepo) {}

  /** Whether this checkout has a work tree to mirror into. */
  get hasWorkTree(): boolean {
    return this.repo.workTree !== null
  }

  private get statePath(): string {
    return join(this.repo.gitDir, 'trail', 'mirror')
  }

  async readState(): Promise<MirrorState> {
    const text = (readOptional(this.statePath)?.toString('utf8') ?? '').trim()
    if (text.startsWith('disabled ')) return {tip: null, disabled: text.slice('disabled '.length)}
    return {tip: text === '' ? null : text, disabled: null}
  }

  /**
   * Brings the mirror from `parent` to `tip` after this process committed `writes`. Runs under the writer lock,
   * so two writers in one worktree never interleave their updates. Falls back to `syncTo` when the mirror was not
   * at `parent` or has been deleted.
   */
  async update(parent: Oid | null, tip: Oid, writes: readonly FileChange[]): Promise<void> {
    if (!this.hasWorkTree) return
    const state = await this.readState()
    if (state.disabled !== null) return
    if (state.tip !== null && state.tip === parent && (await this.exists(FORMAT_PATH))) {
      for (const write of writes) await this.writeFile(write.path, write.content)
      await this.writeState(tip)
      return
    }
    await this.syncTo(tip)
  }

  /**
   * Brings a mirror that fell behind (it does not show `seenTip`) up to the ref, if no writer is busy (a writer
   * updates it anyway). Costs one small file read when the mirror is current, which is nearly always.
   */
  async catchUp(ref: string, seenTip: Oid): Promise<void> {
    if (!this.hasWorkTree) return
    const state = await this.readState()
    // A mirror never written is left to a write, `trail init` or a sync: building it can take a while.
    if (state.disabled !== null || state.tip === null || state.tip === seenTip) return
    const lock = await acquireWriterLock(this.repo.commonDir, 0)
    try {
      // Under the lock, the ref as it is now: `seenTip` may already be older, and the mirror must not go back.
      const current = lock.held ? await this.repo.reader.read(ref) : null
      if (current) await this.syncTo(current.oid)
    } finally {
      await lock.release()
    }
  }

  /**
   * Makes the mirror show `tip`: by a diff from the commit it shows, or by a full rebuild when it shows nothing
   * known or its files were deleted. Returns how many files were written or removed.
   */
  async syncTo(tip: Oid | null): Promise<number> {
    if (!this.hasWorkTree || tip === null) return 0
    const state = await this.readState()
    if (state.disabled !== null) return 0
    if (state.tip === tip && (await this.exists(FORMAT_PATH))) return 0
    const canDiff = state.tip !== null && (await this.exists(FORMAT_PATH)) && (await this.repo.reader.read(state.tip)) !== null
    const count = canDiff ? await this.applyDiff(state.tip!, tip) : await this.rebuild(tip)
    return count
  }

  /**
   * Rewrites the mirror from the tree at `tip`: writes every file that differs and removes files the ref does not
   * have. Refuses (and remembers the refusal) when the user's branch tracks files in the mirror folders: the
   * mirror must never change a tracked file.
   */
  async rebuild(tip: Oid): Promise<number> {
    if (!this.hasWorkTree) return 0
    const tracked = await this.repo.run(['ls-files', '-z', '--', ...MIRRORED_DIRS])
    if (tracked.stdout.length > 0) {
      await this.writeRawState(`disabled files under ${MIRRORED_DIRS.join(' or ')} are tracked by your branch`)
      return 0
    }
    await this.ensureExcluded()
    const wanted = await this.treeFiles(tip)
    // A first build writes into empty folders: no file there to compare with (a failed open per file is
    // hundreds of thousands of system calls at 100,000 trajectories).
    const fresh = MIRRORED_DIRS.every((dir) => !existsDir(join(this.repo.workTree!, dir)))
    const objects = await this.repo.reader.readMany([...wanted.values()])
    let count = 0
    let index = 0
    const made = new Set<string>()
    for (const path of wanted.keys()) {
      const content = objects[index++]!.data
      const current = fresh ? null : readOptional(join(this.repo.workTree!, path))
      if (current === null || !current.equals(content)) {
        // One mkdir per folder, not per file: a rebuild writes hundreds of thousands of files.
        const dir = dirname(join(this.repo.workTree!, path))
        if (!made.has(dir)) {
          mkdirSync(dir, {recursive: true})
          made.add(dir)
        }
        await this.writeFile(path, content)
        count++
      }
    }
    for (const path of await this.workTreeFiles()) {
      if (!wanted.has(path)) {
        await this.writeFile(path, null)
        count++
      }
    }
    await this.writeState(tip)
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
    const extra = (await this.workTreeFiles()).filter((path) => !wanted.has(path))
    return {changed, extra}
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

  private async applyDiff(from: Oid, to: Oid): Promise<number> {
    const diff = await this.repo.run(['diff-tree', '-r', '-z', '--no-renames', from, to])
    const fields = diff.stdout.toString('utf8').split('\0')
    const writes: {path: string; oid: Oid | null}[] = []
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const [, , , newOid, status] = fields[i]!.split(' ')
      const path = fields[i + 1]!
      if (isMirrorPath(path)) writes.push({path, oid: status === 'D' ? null : newOid!})
    }
    const objects = await this.repo.reader.readMany(writes.flatMap((write) => (write.oid ? [write.oid] : [])))
    let index = 0
    for (const write of writes) await this.writeFile(write.path, write.oid ? objects[index++]!.data : null)
    await this.writeState(to)
    return writes.length
  }

  /** Path → blob id of every regular file in the tree at `tip` that may be mirrored. */
  private async treeFiles(tip: Oid): Promise<Map<string, Oid>> {
    const listing = await this.repo.run(['ls-tree', '-r', '-z', '--full-tree', tip, '--', ...MIRRORED_DIRS])
    const files = new Map<string, Oid>()
    for (const line of listing.stdout.toString('utf8').split('\0')) {
      const tab = line.indexOf('\t')
      if (tab < 0) continue
      const [mode, type, oid] = line.slice(0, tab).split(' ')
      const path = line.slice(tab + 1)
      // Only regular files, only at safe paths: a tree fetched from elsewhere could hold a symlink or a ".."
      // entry (git does not check fetched trees unless transfer.fsckObjects is set).
      if (type === 'blob' && (mode === '100644' || mode === '100755') && isMirrorPath(path)) files.set(path, oid!)
    }
    return files
  }

  /** Every file under the mirror folders in the work tree, as store paths. */
  private async workTreeFiles(): Promise<string[]> {
    const found: string[] = []
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[] = []
      try {
        entries = readdirSync(join(this.repo.workTree!, dir), {withFileTypes: true})
      } catch {
        return
      }
      for (const entry of entries) {
        const path = `${dir}/${entry.name}`
        if (entry.isDirectory()) await walk(path)
        else found.push(path)
      }
    }
    for (const dir of MIRRORED_DIRS) await walk(dir)
    return found
  }

  private async exists(path: string): Promise<boolean> {
    return readOptional(join(this.repo.workTree!, path)) !== null
  }

  /** Writes (or, for null, removes) one mirror file; a removal also removes the folders it leaves empty. */
  private async writeFile(path: string, content: string | Buffer | null): Promise<void> {
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
    const temporary = `${full}.${process.pid}.tmp`
    try {
      writeFileSync(temporary, content)
    } catch {
      mkdirSync(dirname(full), {recursive: true})
      writeFileSync(temporary, content)
    }
    renameSync(temporary, full)
  }

  private writeState(tip: Oid): Promise<void> {
    return this.writeRawState(tip)
  }

  private async writeRawState(text: string): Promise<void> {
    mkdirSync(dirname(this.statePath), {recursive: true})
    writeFileSync(this.statePath, `${text}\n`)
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

function existsDir(path: string): boolean {
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
