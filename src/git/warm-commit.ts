import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {GitError} from '../errors.js'
import type {ObjectReader} from './object-reader.js'
import {compareNames, isTreeMode, oidLength, walkTree, type NameAt, type ObjectFormat, type Oid} from './objects.js'
import {gitEnv, gitExecutable, trace, type Env} from './process.js'
import type {CommitInProgress, CommitOutcome, FileChange, Identity, WriteSettings} from './repo.js'
import {swapLooseRef} from './loose-ref.js'
import {readRefUpdateFailure} from './ref-races.js'
import {writeSmallPack, type PackObject} from './small-pack.js'
import {objectId} from './hash.js'

// Commits made in this process, with no git process started per write: every commit of a long-lived process
// (relay mcp), and a command's write (GitRepo.commitInProcess). The blob, the trees on the changed paths and the
// commit are hashed by Node and written as one small pack (./small-pack.ts: two files, where loose objects took a
// file and a folder each); the trees they replace are read through the `git cat-file --batch`, or from its cache of
// what this process read and wrote and what the last command's write carried (./object-cache.ts,
// ./carried-objects.ts); the ref is moved in this process as git moves a loose ref (./loose-ref.ts) or, where git
// must do more, by a `git update-ref --stdin` kept running, one transaction per commit ("start", "update <ref> <new> <old>", "prepare", "commit"), whose "prepare" checks the old value under
// git's own ref lock: the same compare-and-swap as `git update-ref <ref> <new> <old>`.
//
// Objects are stored as git stores them at compression level 0: a zlib stream of stored (uncompressed) blocks,
// which needs no zlib context (deflateSync allocates about 256 KiB per object: most of a write's CPU), and costs
// nothing that matters for records of a kilobyte or two; the pack roll-up (./pack-rollup.ts) and `git gc`
// compress them later. No fsync, as git does not fsync by default. A crash before the ref moves leaves an
// unreachable pack, which gc prunes.

/** A folder of the tree being changed: its files to write (content) or remove (null), and its subfolders. */
interface FolderEdit {
  files: Map<string, string | Buffer | null>
  folders: Map<string, FolderEdit>
}

/** One entry of a tree, as raw bytes: what is kept needs no decoding, so any name round-trips exactly. */
interface RawEntry {
  name: Buffer
  isTree: boolean
  bytes: Buffer
}

const TREE_MODE = '40000'
const FILE_MODE = '100644'

/** How one compare-and-swap of the ref ended. */
type RefUpdate = 'updated' | 'stale' | 'unknown' | {locked: string}

export class WarmCommitWriter {
  private readonly updater: RefUpdater

  constructor(
    private readonly where: {cwd: string; commonDir: string; objectFormat: ObjectFormat; env: Env},
    private readonly reader: ObjectReader,
    private readonly settings: () => Promise<WriteSettings>,
  ) {
    this.updater = new RefUpdater(where.cwd, where.commonDir, where.env, where.objectFormat)
  }

  /** A commit of `ref` on its way; nothing is started until `commit`, so `cancel` has nothing to undo. */
  begin(ref: string): CommitInProgress {
    return {
      commit: (parent, changes, message, when, mergeParents = []) => this.commit(ref, parent, changes, message, when, mergeParents),
      cancel: async () => {},
    }
  }

  async commit(
    ref: string,
    parent: Oid | null,
    changes: readonly FileChange[],
    message: string,
    when: Date,
    mergeParents: readonly Oid[],
  ): Promise<CommitOutcome> {
    trace?.('commit', 'in-process', ref)
    const objects: PackObject[] = []
    const [{author, committer, refHooksDir}, tree] = await Promise.all([this.settings(), this.writeTree(parent, folderEdits(changes), objects)])
    const parents = [parent, ...mergeParents].filter((oid): oid is Oid => oid !== null)
    const body = [
      `tree ${tree}\n`,
      ...parents.map((oid) => `parent ${oid}\n`),
      `author ${signature(author, when)}\n`,
      `committer ${signature(committer, when)}\n`,
      '\n',
      message,
    ].join('')
    const commit = this.addObject(objects, 'commit', Buffer.from(body, 'utf8'))
    writeSmallPack(this.where.commonDir, this.where.objectFormat, objects, storedZlib)
    pauseForTests(this.where.env)
    let outcome = await this.updater.update(ref, commit, parent, refHooksDir, message.split('\n', 1)[0]!)
    // git died without saying (killed): the ref tells whether the commit landed. If it did not, the transaction
    // computes the change again on the tip, as after a lost race.
    if (outcome === 'unknown') outcome = (await this.reader.read(ref))?.oid === commit ? 'updated' : 'stale'
    trace?.('commit-end', 'in-process', typeof outcome === 'object' ? 'locked' : outcome)
    if (typeof outcome === 'object') return {outcome: 'locked', lockPath: outcome.locked}
    return outcome === 'updated' ? {outcome, commit} : {outcome: 'stale'}
  }

  close(): void {
    this.updater.close()
  }

  /** Writes the trees that `edit` changes in the tree of `parent` (null: an empty tree) and returns the new root tree. */
  private async writeTree(parent: Oid | null, edit: FolderEdit, objects: PackObject[]): Promise<Oid> {
    // Every folder on a changed path is read in one round trip: "<parent>^{tree}", "<parent>:<folder>" (from the
    // reader's cache, after this process's first write: ./object-cache.ts).
    const folders = folderPaths(edit, '')
    const trees =
      parent === null
        ? folders.map(() => null)
        : await this.reader.readMany(
            folders.map((path) => (path === '' ? `${parent}^{tree}` : `${parent}:${path}`)),
            'commit',
          )
    if (parent !== null && trees[0]?.type !== 'tree')
      throw new GitError(['cat-file', '--batch'], null, `the parent ${parent} is not a commit of this repository`)
    const existing = new Map(folders.map((path, index) => [path, trees[index]?.type === 'tree' ? trees[index].data : null]))
    return this.writeFolder('', edit, existing, objects) ?? this.addObject(objects, 'tree', Buffer.alloc(0))
  }

  /** The new tree of one folder, or null when it is left empty (git keeps no empty folders; neither does fast-import). */
  private writeFolder(path: string, edit: FolderEdit, existing: ReadonlyMap<string, Buffer | null>, objects: PackObject[]): Oid | null {
    // What the edit puts in (an entry) or takes out (null), by name: its bytes as latin1, so any name round-trips.
    const changed = new Map<string, RawEntry | null>()
    for (const [name, content] of edit.files) {
      const blob = content === null ? null : this.addObject(objects, 'blob', typeof content === 'string' ? Buffer.from(content, 'utf8') : content)
      changed.set(Buffer.from(name, 'utf8').toString('latin1'), blob === null ? null : entry(FILE_MODE, name, blob))
    }
    for (const [name, folder] of edit.folders) {
      const tree = this.writeFolder(path === '' ? name : `${path}/${name}`, folder, existing, objects)
      changed.set(Buffer.from(name, 'utf8').toString('latin1'), tree === null ? null : entry(TREE_MODE, name, tree))
    }
    const added = [...changed.values()].filter((each): each is RawEntry => each !== null).sort(compareEntries)
    const data = existing.get(path) ?? null
    const bytes = data === null ? Buffer.concat(added.map((each) => each.bytes)) : this.mergeIntoTree(data, changed, added)
    return bytes.length === 0 ? null : this.addObject(objects, 'tree', bytes)
  }

  /**
   * The old tree's bytes with the changed names taken out and `added` (in git's order) put in their places. The
   * old tree is in git's order already, so the entries it keeps are copied as runs of bytes between the places
   * where something goes in or out, without an object per entry (a folder of hundreds of decisions gets one more);
   * a tree out of order (not written by git) is sorted whole instead.
   */
  private mergeIntoTree(data: Buffer, changed: ReadonlyMap<string, RawEntry | null>, added: readonly RawEntry[]): Buffer {
    const format = this.where.objectFormat
    const hashBytes = oidLength(format) / 2
    const pieces: Buffer[] = []
    let run = 0 // where the bytes not yet copied begin
    let next = 0 // the next entry of `added`
    let previous: NameAt | null = null
    let ordered = true
    const addedNames = added.map(nameOf)
    walkTree(data, format, (at, space, nul, text) => {
      const name: NameAt = {bytes: text.slice(space + 1, nul), isTree: isTreeMode(data, at, space)}
      if (previous !== null && compareNames(previous, name) >= 0) ordered = false
      previous = name
      for (; next < added.length && compareNames(addedNames[next]!, name) < 0; next++) {
        pieces.push(data.subarray(run, at), added[next]!.bytes)
        run = at
      }
      if (changed.has(name.bytes)) {
        pieces.push(data.subarray(run, at))
        run = nul + 1 + hashBytes
      }
    })
    if (!ordered) {
      const kept: RawEntry[] = []
      walkTree(data, format, (at, space, nul, text) => {
        if (!changed.has(text.slice(space + 1, nul)))
          kept.push({name: data.subarray(space + 1, nul), isTree: isTreeMode(data, at, space), bytes: data.subarray(at, nul + 1 + hashBytes)})
      })
      return Buffer.concat([...kept, ...added].sort(compareEntries).map((each) => each.bytes))
    }
    pieces.push(data.subarray(run), ...added.slice(next).map((each) => each.bytes))
    return Buffer.concat(pieces)
  }

  /** Adds an object to the commit's pack and returns its id; the reader's cache keeps it for the next write. */
  private addObject(objects: PackObject[], type: PackObject['type'], content: Buffer): Oid {
    const oid = objectId(this.where.objectFormat, type, content)
    objects.push({oid, type, content})
    this.reader.remember({oid, type, data: content, size: content.length})
    return oid
  }
}

/**
 * Moves the ref: in this process where the configuration lets it (./loose-ref.ts), else with one
 * `git update-ref --stdin`, started when first needed and kept running between transactions. A transaction whose
 * "prepare" fails (the ref moved: a lost race; or its lock is held) makes git exit: the next one starts a new process.
 * git takes the reflog's message once, as `-m` when it starts (--stdin has no message per update): a commit with
 * another subject starts another process where the ref keeps a reflog, so each entry says what its write was.
 */
class RefUpdater {
  private child: ChildProcessWithoutNullStreams | undefined
  /** The reflog message the running `git update-ref` was started with. */
  private childMessage: string | undefined
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly cwd: string,
    private readonly commonDir: string,
    private readonly env: Env,
    private readonly format: ObjectFormat,
  ) {}

  /**
   * Moves `ref` to `next` if it is at `expected` (null: if it does not exist). 'stale' when it was not; 'unknown'
   * when git died without an answer; the lock file's path when git's lock on the ref is there (../ref-races.ts).
   * `hooksDir`: where git runs hooks from, when the ref may be moved in this process (null: by git). `message`:
   * for the reflog, one line.
   */
  update(ref: string, next: Oid, expected: Oid | null, hooksDir: string | null, message: string): Promise<RefUpdate> {
    const run = this.queue.then(() => {
      const swapped = hooksDir === null ? 'unsupported' : swapLooseRef({commonDir: this.commonDir, hooksDir, format: this.format}, ref, next, expected)
      if (swapped !== 'unsupported') return swapped
      // git keeps a reflog of the ref where it has one, and maybe where the configuration leaves the ref to git.
      const reflog = hooksDir === null || existsSync(join(this.commonDir, 'logs', ref))
      return this.transaction(ref, next, expected, reflog ? message : null)
    })
    this.queue = run.catch(() => {})
    return run
  }

  close(): void {
    this.child?.stdin.end()
    this.child = undefined
    this.childMessage = undefined
  }

  /** One transaction; `message`: the reflog's, when there may be one (null: any running process will do). */
  private transaction(ref: string, next: Oid, expected: Oid | null, message: string | null): Promise<RefUpdate> {
    if (message !== null && this.childMessage !== message) this.close()
    const child = this.start(message ?? '')
    setAwaited(child, true)
    return new Promise((resolve, reject) => {
      let stdout = ''
      let stderr = ''
      const onData = (chunk: Buffer) => {
        stdout += chunk.toString('utf8')
        if (stdout.includes('commit: ok\n')) finish(() => resolve('updated'))
      }
      const onError = (chunk: Buffer) => (stderr += chunk.toString('utf8'))
      const onClose = (code: number | null) => {
        if (this.child === child) this.child = undefined
        const failure = readRefUpdateFailure(stderr)
        if (failure.kind === 'moved') finish(() => resolve('stale'))
        else if (failure.kind === 'locked') finish(() => resolve({locked: failure.lockPath}))
        else if (stderr === '') finish(() => resolve('unknown'))
        else
          finish(() =>
            reject(new GitError(['update-ref', '--stdin'], code, stderr || `exited before the update was done (${stdout.trim().split('\n').at(-1) ?? ''})`)),
          )
      }
      const finish = (settle: () => void) => {
        setAwaited(child, false)
        child.stdout.off('data', onData)
        child.stderr.off('data', onError)
        child.off('close', onClose)
        settle()
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onError)
      child.on('close', onClose)
      child.stdin.write(`start\nupdate ${ref} ${next} ${expected ?? '0'.repeat(oidLength(this.format))}\nprepare\ncommit\n`)
    })
  }

  private start(message: string): ChildProcessWithoutNullStreams {
    if (this.child) return this.child
    const env = gitEnv(this.env)
    // Without the warning about a ref named like an object id, git takes the ids as given: no look-up of each as a
    // ref name in six places (a dozen file checks a transaction).
    const reason = message === '' ? [] : ['-m', message]
    const child = spawn(gitExecutable(env), ['-c', 'core.warnAmbiguousRefs=false', 'update-ref', ...reason, '--stdin'], {argv0: 'git', cwd: this.cwd, env})
    this.childMessage = message
    child.stdin.on('error', () => {})
    child.on('error', () => {}) // reported by 'close'
    // Killed between transactions: the next one starts a new process.
    child.once('close', () => {
      if (this.child === child) this.child = undefined
    })
    setAwaited(child, false)
    this.child = child
    return child
  }
}

/**
 * Whether the repository's config file sets core.sharedRepository (to anything but false/umask): git then gives
 * the objects and their folders group or world permissions, which this writer does not. Read from the file alone
 * (a shared repository is set up there by git init --shared).
 */
export function hasSharedPermissions(commonDir: string): boolean {
  let text = ''
  try {
    text = readFileSync(join(commonDir, 'config'), 'utf8')
  } catch {
    return false
  }
  let inCore = false
  let value: string | undefined
  for (const line of text.split('\n')) {
    const header = /^\s*\[\s*([^\]\s"]+)\s*("[^"]*")?\s*\]/.exec(line)
    if (header) {
      inCore = header[1]!.toLowerCase() === 'core' && header[2] === undefined
      continue
    }
    if (!inCore) continue
    const setting = /^\s*sharedrepository\s*(?:=\s*"?([^";#]*?)"?\s*)?(?:[;#].*)?$/i.exec(line)
    if (setting) value = setting[1] ?? 'true'
  }
  return value !== undefined && !/^(false|umask|no|off|0)$/i.test(value)
}

/**
 * The time between a commit's pack and the move of the ref, made longer by RELAY_TRAIL_TEST_PAUSE_BEFORE_REF_MS (as
 * git's GIT_TEST_ variables do for its own tests): the test that kills writers needs some kills to land there, in
 * a window of a millisecond otherwise.
 */
function pauseForTests(env: Env): void {
  const ms = Number(env.RELAY_TRAIL_TEST_PAUSE_BEFORE_REF_MS ?? 0)
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(ms, 10_000))
}

/** Idle between transactions, git must not keep the process alive; waiting for an answer, it must (see ObjectReader). */
function setAwaited(child: ChildProcessWithoutNullStreams, awaited: boolean): void {
  for (const handle of [child, child.stdout, child.stderr, child.stdin] as unknown as {ref?: () => void; unref?: () => void}[]) {
    if (awaited) handle.ref?.()
    else handle.unref?.()
  }
}

/** The changes as a tree of folder edits. */
function folderEdits(changes: readonly FileChange[]): FolderEdit {
  const root: FolderEdit = {files: new Map(), folders: new Map()}
  for (const change of changes) {
    const parts = change.path.split('/')
    let folder = root
    for (const part of parts.slice(0, -1)) {
      let next = folder.folders.get(part)
      if (!next) {
        next = {files: new Map(), folders: new Map()}
        folder.folders.set(part, next)
      }
      folder = next
    }
    folder.files.set(parts.at(-1)!, change.content)
  }
  return root
}

/** The paths of every folder an edit touches, "" for the root. */
function folderPaths(edit: FolderEdit, path: string): string[] {
  return [path, ...[...edit.folders].flatMap(([name, folder]) => folderPaths(folder, path === '' ? name : `${path}/${name}`))]
}

function entry(mode: string, name: string, oid: Oid): RawEntry {
  const nameBytes = Buffer.from(name, 'utf8')
  return {
    name: nameBytes,
    isTree: mode === TREE_MODE,
    bytes: Buffer.concat([Buffer.from(`${mode} `, 'latin1'), nameBytes, Buffer.from([0]), Buffer.from(oid, 'hex')]),
  }
}

function nameOf(entry: RawEntry): NameAt {
  return {bytes: entry.name.toString('latin1'), isTree: entry.isTree}
}

function compareEntries(a: RawEntry, b: RawEntry): number {
  return compareNames(nameOf(a), nameOf(b))
}

/**
 * `data` as a zlib stream (RFC 1950) of stored deflate blocks (RFC 1951, BTYPE 00): what zlib writes at level 0.
 *
 * @example inflateSync(storedZlib(Buffer.from('hi'))).toString()   // 'hi'
 */
export function storedZlib(data: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / 0xffff))
  const out = Buffer.allocUnsafe(2 + blocks * 5 + data.length + 4)
  out[0] = 0x78 // deflate, 32 KiB window
  out[1] = 0x01 // no dictionary, fastest; (0x78 << 8 | 0x01) % 31 === 0
  let at = 2
  for (let block = 0; block < blocks; block++) {
    const start = block * 0xffff
    const length = Math.min(0xffff, data.length - start)
    out[at] = block === blocks - 1 ? 1 : 0 // BFINAL, BTYPE 00
    out.writeUInt16LE(length, at + 1)
    out.writeUInt16LE(~length & 0xffff, at + 3)
    data.copy(out, at + 5, start, start + length)
    at += 5 + length
  }
  out.writeUInt32BE(adler32(data), at)
  return out
}

function adler32(data: Buffer): number {
  let a = 1
  let b = 0
  // 5552 bytes is the most that can be summed before b could pass 2^32 (zlib's NMAX).
  for (let start = 0; start < data.length; start += 5552) {
    const end = Math.min(start + 5552, data.length)
    for (let i = start; i < end; i++) {
      a += data[i]!
      b += a
    }
    a %= 65521
    b %= 65521
  }
  return ((b << 16) | a) >>> 0
}

/** "Name <email> <seconds> <+hhmm>", in the local time zone, as git (and fast-import) write it. */
function signature(identity: Identity, when: Date): string {
  const offset = -when.getTimezoneOffset()
  const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}${String(Math.abs(offset) % 60).padStart(2, '0')}`
  return `${identity.name} <${identity.email}> ${Math.floor(when.getTime() / 1000)} ${zone}`
}
