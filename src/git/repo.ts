import {linkSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync} from 'node:fs'
import {isAbsolute, join} from 'node:path'
import {GitError, GitTimeoutError} from '../errors.js'
import {GitConfig} from './config.js'
import {grepArgs, parseGrepCounts, parseGrepFiles, parseGrepLines, type GrepLine, type GrepQuery} from './grep.js'
import {findRepository} from './discover.js'
import {readFileHistory, type FileHistoryEntry} from './file-history.js'
import {fingerprint, readCachedSettings, writeCachedSettings} from './settings-cache.js'
import {hasSharedPermissions, WarmCommitWriter} from './warm-commit.js'
import {ObjectCache} from './object-cache.js'
import {CARRIED_BYTES, CARRIED_FILES_PER_FOLDER, carriedStamp, loadCarriedObjects, saveCarriedObjects} from './carried-objects.js'
import {objectId} from './hash.js'
import {ObjectReader, type GitObject} from './object-reader.js'
import {finishRollup, packObjectCount, packsToRollUp, startRollup} from './pack-rollup.js'
import {isPushRace, readRefUpdateFailure} from './ref-races.js'
import {oidLength, type ObjectFormat, type Oid} from './objects.js'
import {checkoutFiles, type CheckoutFile} from './private-checkout.js'
import {readPackedRefs, readRefFile, readRefFiles, type RefFile} from './ref-files.js'
import {unquoteGitPath, type PatchIds} from './patch-ids.js'
import {commitPatchIds, diffPatchIds, treeChanges, unchangedLines, type TreeChange} from './diffs.js'
import {runGit, startGit, type Env, type GitResult, type RunningGit, type RunOptions} from './process.js'

/** Used when git has no identity configured, so that a record is never lost for want of a name. */
export const FALLBACK_IDENTITY = {name: 'relay-trail', email: 'relay-trail@localhost'}

export interface Identity {
  name: string
  email: string
  /** True when git has no usable identity and FALLBACK_IDENTITY stands in. */
  isFallback: boolean
}

/** What a write needs from git's configuration. */
export interface WriteSettings {
  author: Identity
  committer: Identity
  /** gc.auto: the loose objects git tolerates before `git gc --auto` packs them (0: never). */
  gcAuto: number
  /**
   * Where git runs hooks from, when the configuration lets a long-lived writer move a loose ref itself
   * (./loose-ref.ts); null when git must.
   */
  refHooksDir: string | null
}

/**
 * What a compare-and-swap of the ref came to: moved into place; 'stale' when another writer moved the ref first
 * (re-read and retry); 'locked' when git's own lock file on the ref is there (another git process is updating it
 * right now, or died doing so and left it: see GitRepo.refLock).
 */
export type CommitOutcome = {outcome: 'updated'; commit: Oid} | {outcome: 'stale'} | {outcome: 'locked'; lockPath: string}

/** A commit on its way (GitRepo.beginCommit): one fast-import (PendingCommit), or a warm writer's (./warm-commit.ts). */
export interface CommitInProgress {
  /** Commits `changes` on top of `parent` (and `mergeParents`), moving the ref only if it is still at `parent`. */
  commit(parent: Oid | null, changes: readonly FileChange[], message: string, when: Date, mergeParents?: readonly Oid[]): Promise<CommitOutcome>
  /** Gives up without committing anything. */
  cancel(): Promise<void>
}

/**
 * One commit through one `git fast-import`: git reads the parent's trees, writes the blobs, the trees on the
 * changed paths and the commit into one small pack, then updates the ref in a transaction whose old value it
 * checked, refusing anything but a fast-forward: a compare-and-swap. No hashing or compression code in Node
 * (loading node:crypto and node:zlib alone costs 7 ms). The pack is kept (fastimport.unpackLimit=0): letting
 * fast-import turn a small import into loose objects starts `git unpack-objects`, measured at 5.7 ms against
 * 2.6 ms; GitRepo.maintain rolls the small packs up. The stream ends with "done": if this process dies
 * mid-stream, git sees a truncated stream and changes nothing.
 */
export class PendingCommit implements CommitInProgress {
  private settled = false

  constructor(
    private readonly process: RunningGit,
    private readonly ref: string,
    private readonly settings: () => Promise<WriteSettings>,
  ) {}

  /**
   * Commits `changes` on top of `parent` (and, for a merge, with `mergeParents` as further parents: the changes
   * are then what turns the parent's tree into the merged one).
   */
  async commit(parent: Oid | null, changes: readonly FileChange[], message: string, when: Date, mergeParents: readonly Oid[] = []): Promise<CommitOutcome> {
    this.settled = true
    const {author, committer} = await this.settings()
    const parts: (string | Buffer)[] = [
      'feature done\n',
      `commit ${this.ref}\nmark :1\n`,
      `author ${signature(author, when)}\ncommitter ${signature(committer, when)}\n`,
      data(message),
      parent === null ? '' : `from ${parent}\n`,
      ...mergeParents.map((oid) => `merge ${oid}\n`),
    ]
    for (const change of changes) {
      if (change.content === null) parts.push(`D ${quotePath(change.path)}\n`)
      else parts.push(`M 100644 inline ${quotePath(change.path)}\n`, data(change.content))
    }
    parts.push('\nget-mark :1\ndone\n')
    const result = await this.process.finish(Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part))))
    if (result.exitCode === 0) return {outcome: 'updated', commit: result.stdout.toString('utf8').trim()}
    // The ref moved since `parent` was read, or git's lock on it is there (./ref-races.ts); anything else
    // (permissions, a refs/trail/records/ folder) is not a lost race and is reported as it is.
    const failure = readRefUpdateFailure(result.stderr)
    if (failure.kind === 'moved') return {outcome: 'stale'}
    if (failure.kind === 'locked') return {outcome: 'locked', lockPath: failure.lockPath}
    throw new GitError(['fast-import'], result.exitCode, result.stderr)
  }

  /** Ends the stream with nothing to commit: git exits without writing anything (and without a crash report). */
  async cancel(): Promise<void> {
    if (this.settled) return
    this.settled = true
    await this.process.finish('done\n').catch(() => {})
  }
}

/** How long `maintain` leaves a `git gc --auto` it started to finish before it starts another. */
const GC_INTERVAL_MS = 60_000

/** How many small packs may accumulate before `maintain` rolls them up. */
export const SMALL_PACK_LIMIT = 16
/** A pack smaller than this counts as small: what a few hundred records' writes leave. */
const SMALL_PACK_BYTES = 1024 * 1024

/** What fsck says of a pack a repack or a roll-up deleted while it ran. */
function isPackRace(line: string): boolean {
  return /cannot be accessed|index not opened/.test(line)
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

function listNames(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

export interface RepoSettings {
  /** False when `git var -l` failed (what it printed is used, but not cached). */
  complete: boolean
  /** Configuration as `git var -l` lists it: everything git itself sees. */
  config: GitConfig
  author: Identity
  committer: Identity
}

/**
 * A git repository as the store sees it: where its directories are, its configuration, and the few operations the
 * store needs, each named for its purpose. With ./process.ts and ./object-reader.ts, the only code that starts git;
 * every call is an argument array.
 *
 * @example
 * const repo = await GitRepo.open(process.cwd(), process.env)
 * const branch = await repo.currentBranch()
 */
export class GitRepo {
  private objectReader: ObjectReader | undefined
  private infoReader: ObjectReader | undefined
  private loadedSettings: Promise<RepoSettings> | undefined
  private loadedWriteSettings: Promise<WriteSettings> | undefined
  /** The writer of commits made in this process (./warm-commit.ts), made on first use. */
  private commitWriter: WarmCommitWriter | undefined
  /** Set by keepCommitsWarm: every commit is made in this process. */
  private warmCommits = false
  /** Set by commitInProcess: the objects carried from the last write and kept for the next. */
  private carried: ObjectCache | undefined
  /**
   * Set by keepCommitsWarm where commits are made in this process: the cache the reader and writer share, the
   * commit whose objects are to be carried to the next command once the write's answer is on its way, and which
   * carried file was last read from another process (see carriedStamp).
   */
  private warm: {cache: ObjectCache; toCarry: Oid | null; carriedSeen: string | null} | undefined
  private gcStartedMs = -Infinity
  /** Set by keepCommitsWarm: a long-lived process, which tidies after a write's answer rather than before it. */
  private longLived = false
  private maintenanceDue = false

  private constructor(
    /** This worktree's git directory (`.git`, or `.git/worktrees/<name>` for a linked worktree). */
    readonly gitDir: string,
    /** The directory shared by all worktrees: objects, refs, config, info/exclude. */
    readonly commonDir: string,
    /** The top of the work tree, or null in a bare repository. */
    readonly workTree: string | null,
    readonly objectFormat: ObjectFormat,
    readonly env: Env,
  ) {}

  /**
   * Finds the repository containing `cwd`, as git does, without starting a process (./discover.ts).
   * Throws RepositoryError outside a repository.
   */
  static open(cwd: string, env: Env): GitRepo {
    const found = findRepository(cwd, env)
    return new GitRepo(found.gitDir, found.commonDir, found.workTree, found.objectFormat, env)
  }

  /**
   * Configuration and identity, from one `git var -l`, started on first use.
   *
   * @example const gcAuto = (await repo.settings()).config.value('gc.auto')
   */
  settings(): Promise<RepoSettings> {
    this.loadedSettings ??= this.run(['var', '-l'], {okExitCodes: [128]}).then((result) => ({
      ...parseVarList(result.stdout.toString('utf8')),
      complete: result.exitCode === 0,
    }))
    return this.loadedSettings
  }

  /**
   * The identity and settings a write needs: from the cache in the git dir when git's configuration has not
   * changed since (./settings-cache.ts), else from `settings()`, then cached. Call early to overlap it.
   */
  writeSettings(): Promise<WriteSettings> {
    this.loadedWriteSettings ??= (async () => {
      const cached = readCachedSettings<WriteSettings>(this, this.env)
      // A cache written before refHooksDir was known does not say it: asked again, once.
      if (cached && cached.refHooksDir !== undefined) return cached
      const taken = fingerprint(this, this.env)
      const settings = await this.settings()
      const config = settings.config
      const forWrites: WriteSettings = {
        author: settings.author,
        committer: settings.committer,
        gcAuto: Number(config.value('gc.auto') ?? 6700),
        // What git would do beyond a loose ref's lock, write and rename, when it moves a ref: a reftable, a reflog
        // for every ref, refs synced to disk. Then the ref is left to git (./loose-ref.ts).
        refHooksDir:
          (config.value('extensions.refStorage') ?? 'files') === 'files' &&
          !/^always$/i.test(config.value('core.logAllRefUpdates') ?? '') &&
          config.value('core.fsync') === undefined &&
          config.value('core.fsyncRefFiles') === undefined
            ? hooksDirOf(this, config.value('core.hooksPath'))
            : null,
      }
      // Not cached: configurations with includes (their sources are open-ended), a failed `git var`, and the
      // fallback identity (git's guess depends on the host and the account, which the fingerprint does not hold).
      const hasIncludes = [...settings.config.keys()].some((key) => key.startsWith('include.') || key.startsWith('includeif.'))
      if (!hasIncludes && settings.complete && !settings.author.isFallback && !settings.committer.isFallback) writeCachedSettings(this, taken, forWrites)
      return forWrites
    })()
    return this.loadedWriteSettings
  }

  /**
   * Where git runs this repository's hooks from: core.hooksPath (relative to the work tree, `~/` for the home folder,
   * as git reads it), else the common git dir's hooks/ (shared by every worktree).
   */
  async hooksDir(): Promise<string> {
    return hooksDirOf(this, (await this.settings()).config.value('core.hooksPath'))
  }

  /**
   * Forgets the configuration and identity read so far, so the next write asks again: for a long-lived process
   * (relay mcp) once git's configuration changed under it (see settings-cache.ts `fingerprint`).
   */
  forgetSettings(): void {
    this.loadedSettings = undefined
    this.loadedWriteSettings = undefined
  }

  /** The directory git commands run in: the work tree, or the git directory of a bare repository. */
  get cwd(): string {
    return this.workTree ?? this.gitDir
  }

  /** The shared `git cat-file --batch` reader, started on first use. */
  get reader(): ObjectReader {
    this.objectReader ??= new ObjectReader(this.cwd, this.env, true, {commonDir: this.commonDir, format: this.objectFormat})
    return this.objectReader
  }

  /**
   * Each object's type and size, without its content (one long-running `git cat-file --batch-check`, started on
   * first use): what a record from another store is checked with before it is read. null for a missing one.
   *
   * @example const [info] = await repo.objectInfo([`${root}:.relay/messages/2026/01/02/msg_x.md`])   // {size: 629145600, ...}
   */
  objectInfo(revisions: readonly string[]): Promise<(GitObject | null)[]> {
    this.infoReader ??= new ObjectReader(this.cwd, this.env, false, {commonDir: this.commonDir, format: this.objectFormat})
    return this.infoReader.readMany(revisions)
  }

  /** Runs a git command in this repository: only this class does; callers get methods named for what they need. */
  private run(args: readonly string[], options: Omit<RunOptions, 'cwd' | 'env'> = {}): Promise<GitResult> {
    return runGit(args, {...options, cwd: this.cwd, env: this.env})
  }

  /**
   * Starts the `git fast-import` that will commit on top of a parent and move `ref` to the new commit, only if
   * the ref is still at that parent (compare-and-swap; see PendingCommit). Started before the caller reads the
   * store and computes its changes, so git starts up meanwhile. Call `commit` or `cancel` on the result.
   *
   * @example
   * const pending = repo.beginCommit('refs/trail/records')
   * const outcome = await pending.commit(tip, [{path: 'a.md', content: 'hi\n'}], 'trail: x', new Date())
   */
  beginCommit(ref: string): CommitInProgress {
    if (this.warmCommits) return this.warmCommit(ref)
    if (this.carried) return this.inProcessCommit(ref, this.carried)
    return this.fastImport(ref)
  }

  /**
   * Makes the writes of a command that writes and exits start no git process when they can (`trail decision`, `relay
   * continuity save`): each commit is made as relay mcp makes it (./warm-commit.ts: hashed here, written as one small
   * pack, the ref moved in this process with git's own lock), and the objects it read and wrote on the way are
   * carried to the next command's write (./carried-objects.ts), so that write reads the tip's trees and records
   * without `git cat-file`. git is still started for what is not carried (the first write, another agent's
   * folders: one `git cat-file`), a ref git must move (a reflog, a reference-transaction hook: one `git update-ref`),
   * and a large write (over CARRIED_BYTES of records: `git fast-import`, which compresses them). Not for a shared
   * repository (see keepCommitsWarm) nor a long-lived process, which keeps its objects in memory. Whether any
   * object was carried: if not, the caller may start `git cat-file` at once, as a read is sure to need it.
   */
  commitInProcess(): boolean {
    if (this.longLived || hasSharedPermissions(this.commonDir)) return false
    if (this.carried) return true
    // The cache relay mcp keeps (keepCommitsWarm, called after this, keeps this one): a long read (an export)
    // copies what it reads into it, and the oldest objects go first past its capacity.
    const cache = new ObjectCache(this.commonDir, this.objectFormat)
    const objects = loadCarriedObjects(this.commonDir, this.objectFormat)
    // Kept as views of the file's bytes, not copied: a command ends soon (relay mcp copies them: keepCommitsWarm).
    for (const object of objects) cache.putUnchecked(object, false)
    this.reader.useCache(cache)
    this.carried = cache
    return objects.length > 0
  }

  /**
   * Before a write reads what it builds on: each carried object is checked against its id at its first use
   * (./carried-objects.ts; a read trusts them as git trusts its own objects).
   */
  checkCarriedObjects(): void {
    this.carried?.checkWith(this.matchesId)
  }

  /** Whether an object's content hashes to the id it came with. */
  private readonly matchesId = (object: GitObject): boolean => objectId(this.objectFormat, object.type, object.data) === object.oid

  private inProcessCommit(ref: string, cache: ObjectCache): CommitInProgress {
    return {
      commit: async (parent, changes, message, when, mergeParents) => {
        const bytes = changes.reduce((sum, change) => sum + (change.content?.length ?? 0), 0)
        if (bytes > CARRIED_BYTES) return this.fastImport(ref).commit(parent, changes, message, when, mergeParents)
        const outcome = await this.inProcessWriter().commit(ref, parent, changes, message, when, mergeParents ?? [])
        if (outcome.outcome === 'updated') saveCarriedObjects(this.commonDir, cache.reachableFrom(outcome.commit, CARRIED_BYTES, CARRIED_FILES_PER_FOLDER))
        return outcome
      },
      cancel: async () => {},
    }
  }

  /**
   * A commit of a long-lived process: what it reads and makes is counted from here (ObjectCache.beginUse), and
   * carried once its answer is on its way (maintainAfterWrite), so a command's write after it (`trail decision`
   * beside relay mcp) starts no `git cat-file` either.
   */
  private warmCommit(ref: string): CommitInProgress {
    this.warm?.cache.beginUse()
    const pending = this.inProcessWriter().begin(ref)
    return {
      commit: async (parent, changes, message, when, mergeParents) => {
        const outcome = await pending.commit(parent, changes, message, when, mergeParents)
        if (outcome.outcome === 'updated' && this.warm) this.warm.toCarry = outcome.commit
        else this.warm?.cache.endUse() // nothing to carry: a retry counts again
        return outcome
      },
      cancel: () => {
        this.warm?.cache.endUse()
        return pending.cancel()
      },
    }
  }

  /**
   * What a command's write carried (./carried-objects.ts), when another process moved the ref: read only when the
   * file is not the one read last, and kept unchecked (each object is checked at its first use).
   */
  private newlyCarried(): GitObject[] {
    if (!this.warm) return []
    const stamp = carriedStamp(this.commonDir)
    if (stamp === null || stamp === this.warm.carriedSeen) return []
    this.warm.carriedSeen = stamp
    return loadCarriedObjects(this.commonDir, this.objectFormat)
  }

  /** Carries the objects of this process's last commit to the next command's write (see warmCommit). */
  private carryWarmCommit(): void {
    if (!this.warm || this.warm.toCarry === null) return
    saveCarriedObjects(this.commonDir, this.warm.cache.reachableFrom(this.warm.toCarry, CARRIED_BYTES))
    this.warm.cache.endUse() // the reads until the next write are not counted
    this.warm.toCarry = null
    this.warm.carriedSeen = carriedStamp(this.commonDir) // its own: never read back
  }

  private inProcessWriter(): WarmCommitWriter {
    this.commitWriter ??= new WarmCommitWriter({cwd: this.cwd, commonDir: this.commonDir, objectFormat: this.objectFormat, env: this.env}, this.reader, () =>
      this.writeSettings(),
    )
    return this.commitWriter
  }

  private fastImport(ref: string): PendingCommit {
    const process = startGit(['-c', 'fastimport.unpackLimit=0', 'fast-import', '--quiet', '--done', '--cat-blob-fd=1'], {
      cwd: this.cwd,
      env: this.env,
      // fast-import grows its heap in many small steps: committing 6,000 files cost 48,000 brk calls, 30 s on this
      // project's machines, against 0.4 s when glibc pads each growth by 64 MiB (a commit of one record makes four
      // either way). Measured with strace -c; the variable is glibc's, ignored elsewhere.
      extraEnv: {MALLOC_TOP_PAD_: this.env.MALLOC_TOP_PAD_ ?? String(64 * 1024 * 1024)},
      okExitCodes: [1],
    })
    return new PendingCommit(process, ref, () => this.writeSettings())
  }

  /**
   * Makes every commit of `beginCommit` in this process (./warm-commit.ts): for a long-lived process (relay mcp),
   * which keeps a `git update-ref --stdin` running where git must move the ref, and its objects in memory (a
   * command calls commitInProcess instead); it still reads what a command's write beside it carried, and carries
   * its own writes' objects to the next command (see warmCommit). Not for a shared repository
   * (core.sharedRepository: git sets the objects' permissions then), which keeps one fast-import per write.
   * Either way the reader keeps the objects it reads and the writer writes (./object-cache.ts), so a write reads
   * the trees the last one made without asking git. `close()` ends it.
   */
  keepCommitsWarm(): void {
    this.longLived = true
    // What was carried stays in the reader's cache; commits are the warm writer's.
    const cache = this.carried ?? new ObjectCache(this.commonDir, this.objectFormat)
    this.carried = undefined
    cache.ownViews() // a command's carried objects are views of the file's bytes (commitInProcess): this process keeps them
    cache.checkWith(this.matchesId)
    this.reader.useCache(cache)
    this.warmCommits = !hasSharedPermissions(this.commonDir)
    if (!this.warmCommits) return
    // Commands' writes beside it carry their objects to it, and it carries its own to them (see warmCommit).
    this.warm = {cache, toCarry: null, carriedSeen: carriedStamp(this.commonDir)}
    cache.refillWith(() => this.newlyCarried())
  }

  /**
   * The branch checked out in this worktree ("main"), or null on a detached HEAD. Read from the HEAD file (no
   * process); a reftable repository keeps a placeholder there, so git is asked instead.
   */
  async currentBranch(): Promise<string | null> {
    let head = ''
    try {
      head = readFileSync(join(this.gitDir, 'HEAD'), 'utf8')
    } catch {
      // an unreadable HEAD: treated as detached
    }
    const branch = /^ref: refs\/heads\/(.+)$/m.exec(head)?.[1] ?? null
    if (branch !== '.invalid') return branch
    const result = await this.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], {okExitCodes: [1]})
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : null
  }

  /**
   * Compare-and-swap of a ref without a new commit (adopting or fast-forwarding to a commit that exists): moves
   * `ref` to `next` only if it is at `expected` (null: only if it does not exist). 'stale' when it was not.
   *
   * @example await repo.updateRef('refs/trail/records', remoteTip, localTip)
   */
  async updateRef(ref: string, next: Oid, expected: Oid | null, reason: string): Promise<'updated' | 'stale'> {
    const outcome = await this.swapRef(ref, next, expected, reason)
    return outcome.outcome === 'updated' ? 'updated' : 'stale'
  }

  /**
   * updateRef, telling a ref that moved ('stale') from git's lock file on it ('locked', with the lock's path), as
   * a commit does (CommitOutcome).
   */
  async swapRef(ref: string, next: Oid, expected: Oid | null, reason: string): Promise<CommitOutcome> {
    const zero = '0'.repeat(oidLength(this.objectFormat))
    const result = await this.run(['update-ref', '-m', reason, ref, next, expected ?? zero], {okExitCodes: [128]})
    if (result.exitCode === 0) return {outcome: 'updated', commit: next}
    const failure = readRefUpdateFailure(result.stderr)
    if (failure.kind === 'moved') return {outcome: 'stale'}
    if (failure.kind === 'locked') return {outcome: 'locked', lockPath: failure.lockPath}
    throw new GitError(['update-ref'], result.exitCode, result.stderr)
  }

  /** Deletes a ref (no-op when it does not exist). */
  async deleteRef(ref: string): Promise<void> {
    await this.run(['update-ref', '-d', ref])
  }

  /** The commit a ref points to, or null. */
  async resolveRef(ref: string): Promise<Oid | null> {
    const object = await this.reader.read(ref)
    return object?.type === 'commit' ? object.oid : null
  }

  /**
   * The commit a ref of another store points to (a sibling's, a remote's tracking ref), or null, without reading
   * the commit: its message may be of any size (`git cat-file --batch-check`).
   */
  async resolveForeignRef(ref: string): Promise<Oid | null> {
    const [info] = await this.objectInfo([ref])
    return info?.type === 'commit' ? info.oid : null
  }

  /** The commits reachable from `tip` and from none of `known`, with their sizes in bytes (no content read). */
  async newCommits(tip: Oid, known: readonly Oid[]): Promise<{oid: Oid; size: number}[]> {
    const result = await this.run(['rev-list', tip, ...(known.length > 0 ? ['--not', ...known] : []), '--'], {stdoutToFile: true})
    const oids = result.stdout.toString('utf8').split('\n').filter(Boolean)
    const infos = await this.objectInfo(oids)
    return oids.map((oid, index) => ({oid, size: infos[index]?.size ?? 0}))
  }

  /** The best common ancestor of two commits, or null when they share none (two roots). */
  async mergeBase(a: Oid, b: Oid): Promise<Oid | null> {
    const result = await this.run(['merge-base', a, b], {okExitCodes: [1]})
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : null
  }

  /** Whether `ancestor` is `descendant` or one of its ancestors. */
  async isAncestor(ancestor: Oid, descendant: Oid): Promise<boolean> {
    const result = await this.run(['merge-base', '--is-ancestor', ancestor, descendant], {okExitCodes: [1]})
    return result.exitCode === 0
  }

  /**
   * Which of `commits` are not `base` nor one of its ancestors (a commit this repository lacks, or a name that is no
   * commit id, counts as not one), with one git process for any number: `git rev-list <commits> --not <base>` lists
   * exactly the commits reachable from them that `base` does not reach, each of them included if it is one.
   *
   * @example await repo.notAncestors([rebasedAway, merged], base)   // Set {rebasedAway}
   */
  async notAncestors(commits: readonly string[], base: Oid): Promise<Set<string>> {
    const hex = new RegExp(`^[0-9a-f]{${oidLength(this.objectFormat)}}$`)
    const ids = [...new Set(commits)].filter((commit) => hex.test(commit))
    const infos = await this.objectInfo(ids)
    const present = ids.filter((_, index) => infos[index]?.type === 'commit')
    const gone = new Set(commits.filter((commit) => !present.includes(commit)))
    if (present.length === 0) return gone
    const result = await this.run(['rev-list', '--stdin', '--'], {input: `${present.join('\n')}\n^${base}\n`, stdoutToFile: true})
    const listed = new Set(result.stdout.toString('latin1').split('\n'))
    for (const commit of present) if (listed.has(commit)) gone.add(commit)
    return gone
  }

  /**
   * The files that differ between two trees (or commits; null is the empty tree), under `paths`: path → [old blob,
   * new blob], null for a side where the file is absent.
   */
  async diffTrees(from: Oid | null, to: Oid, paths: readonly string[] = []): Promise<Map<string, [Oid | null, Oid | null]>> {
    return new Map((await this.treeChanges(from, to, paths)).map((change) => [change.path, [change.oldOid, change.newOid]]))
  }

  /** Like diffTrees, with each side's mode (./diffs.ts). */
  treeChanges(from: Oid | null, to: Oid, paths: readonly string[] = []): Promise<TreeChange[]> {
    return treeChanges(this, from, to, paths)
  }

  /**
   * Every entry under `paths` in the tree of `treeish` (recursively: files and symlinks, not folders), with its
   * mode, type and object id, by its path from the root.
   *
   * @example const files = await repo.listTree(tip, ['.trail', '.relay'])
   */
  async listTree(treeish: string, paths: readonly string[]): Promise<TreeListing[]> {
    const listing = await this.run(['ls-tree', '-r', '-z', '--full-tree', treeish, '--', ...paths])
    const entries: TreeListing[] = []
    for (const line of listing.stdout.toString('utf8').split('\0')) {
      const tab = line.indexOf('\t')
      if (tab < 0) continue
      const [mode, type, oid] = line.slice(0, tab).split(' ')
      entries.push({mode: mode!, type: type!, oid: oid!, path: line.slice(tab + 1)})
    }
    return entries
  }

  /**
   * Writes the blobs of `files` as files under `<scratch>/work/` with git's own checkout, untouched by the user's
   * configuration and attributes (./private-checkout.ts), and returns that folder. `scratch` must not exist; the
   * caller removes it.
   */
  checkoutFiles(scratch: string, files: readonly CheckoutFile[]): Promise<string> {
    return checkoutFiles({commonDir: this.commonDir, objectFormat: this.objectFormat, env: this.env}, scratch, files)
  }

  /** The refs under `prefix` ("refs/trail/"), with the object each points to. */
  async listRefs(prefix: string): Promise<{name: string; oid: Oid}[]> {
    // From git's files when they can be read as git reads them (./ref-files.ts): no process.
    const read = readRefFiles(this.commonDir, prefix, this.objectFormat)
    if (read !== null) return read
    const listing = await this.run(['for-each-ref', '--format=%(refname)%00%(objectname)', prefix])
    return listing.stdout
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, oid] = line.split('\0')
        return {name: name!, oid: oid!}
      })
  }

  /** The paths under `paths` that the user's index tracks (ls-files reads the index; it never writes it). */
  async trackedFiles(paths: readonly string[]): Promise<string[]> {
    const tracked = await this.run(['ls-files', '-z', '--', ...paths])
    return tracked.stdout.toString('utf8').split('\0').filter(Boolean)
  }

  /**
   * Every file entry that the commits reachable from `tip`, and not from any of `known`, add or change: what
   * moving a ref from `known` to `tip` (or merging `tip`) brings in, its whole history included. Each commit is
   * compared with its first parent (a root commit with the empty tree): every tree of those commits is its first
   * parent's plus these entries, so checking them checks every tree the commits bring (deletions bring nothing).
   * Files, symbolic links and submodules alike, with their mode; one `git log --raw`.
   *
   * @example const entries = await repo.introducedEntries(remoteTip, [localTip])
   */
  async introducedEntries(tip: Oid, known: readonly Oid[]): Promise<TreeListing[]> {
    // --root: a root commit's files too (log.showRoot=false would hide them); --no-renames: one path per entry.
    const args = [
      'log',
      '--raw',
      '-r',
      '-z',
      '--format=',
      '--no-abbrev',
      '--no-renames',
      '--root',
      '--no-show-signature',
      '--no-color',
      '--diff-merges=first-parent',
      tip,
    ]
    const result = await this.run(known.length > 0 ? [...args, '--not', ...known, '--'] : [...args, '--'], {stdoutToFile: true})
    const fields = result.stdout.toString('utf8').split('\0')
    const entries: TreeListing[] = []
    for (let i = 0; i < fields.length - 1; i++) {
      const header = /^\n*:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/.exec(fields[i]!)
      if (!header) continue
      const path = fields[++i]!
      if (header[5] === 'D') continue
      const mode = header[2]!
      entries.push({mode, type: mode === '160000' ? 'commit' : mode === '040000' ? 'tree' : 'blob', oid: header[4]!, path})
    }
    return entries
  }

  /**
   * `git grep` over the tree of `revision`: the paths of the matching files.
   *
   * @example await repo.grepFiles(tip, {patterns: ['^status: completed$'], pathspecs: ['.trail/trajectories']})
   */
  async grepFiles(revision: string, query: GrepQuery): Promise<string[]> {
    return parseGrepFiles(await this.grep(revision, query, '-l'), revision)
  }

  /** `git grep` over the tree of `revision`: each matching file's matching lines (number and text). */
  async grepLines(revision: string, query: GrepQuery): Promise<Map<string, GrepLine[]>> {
    return parseGrepLines(await this.grep(revision, query, '-n'), revision)
  }

  /** `git grep -c` over the tree of `revision`: each matching file and how many of its lines match. */
  async grepCounts(revision: string, query: GrepQuery): Promise<Map<string, number>> {
    return parseGrepCounts(await this.grep(revision, query, '-c'), revision)
  }

  /**
   * git's output goes through an unlinked temporary file, not a pipe: git writes once per file, and every pipe
   * write woke Node (12 MB took 2.5 s through a pipe, 2.1 s through a file).
   */
  private async grep(revision: string, query: GrepQuery, mode: '-l' | '-n' | '-c'): Promise<string> {
    if (query.patterns.length === 0) return ''
    const {timeoutMs, signal} = query
    const stops = {...(timeoutMs === undefined ? {} : {timeoutMs}), ...(signal === undefined ? {} : {signal})}
    return (await this.run(grepArgs(revision, query, mode), {okExitCodes: [1], stdoutToFile: true, ...stops})).stdout.toString('utf8')
  }

  /**
   * The commits of a range (`base..head`, or anything `git log` takes), newest first, with their parents,
   * subject, body and trailers ("Key: value" lines of the message's last paragraph, as git parses them).
   *
   * @example const commits = await repo.commitsInRange('main..HEAD')
   */
  async commitsInRange(range: string): Promise<CommitInfo[]> {
    return this.log([range, '--'])
  }

  /**
   * The commits named (any revision git takes), in the order given, read as commitsInRange reads them. A name that is
   * not a commit fails with GitError.
   *
   * @example const [head] = await repo.readCommits(['HEAD'])
   */
  async readCommits(revisions: readonly string[], signal?: AbortSignal): Promise<CommitInfo[]> {
    if (revisions.length === 0) return []
    return this.log(['--no-walk=unsorted', '--stdin'], `${revisions.join('\n')}\n`, signal)
  }

  private async log(args: readonly string[], input?: string, signal?: AbortSignal): Promise<CommitInfo[]> {
    // Fields end with NUL and a record with a byte that cannot occur in them; trailers as "key: value" lines.
    const format = ['%H', '%P', '%an <%ae>', '%aI', '%s', '%b', '%(trailers:only,unfold)'].join('%x00')
    const result = await this.run(['log', '--no-color', '--no-decorate', `--format=${format}%x00%x01`, ...args], {stdoutToFile: true, input, signal})
    return result.stdout
      .toString('utf8')
      .split('\x00\x01')
      .map((record) => record.replace(/^\n/, ''))
      .filter((record) => record !== '')
      .map((record) => {
        const [oid, parents, author, date, subject, body, trailers] = record.split('\0')
        return {
          oid: oid!,
          parents: parents ? parents.split(' ') : [],
          author: author!,
          date: date!,
          subject: subject!,
          body: body!.trimEnd(),
          trailers: (trailers ?? '')
            .split('\n')
            .map((line) => /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line))
            .filter((match): match is RegExpExecArray => match !== null)
            .map((match) => [match[1]!, match[2]!] as [string, string]),
        }
      })
  }

  /**
   * The commits on the user's branches, remote branches and tags (never the records' refs) whose message has the
   * line `<key>: <value>` (a trailer such as `Trajectory: traj_...`), newest first, at most `limit`.
   */
  async commitsWithTrailer(key: string, value: string, limit = 50): Promise<CommitSummary[]> {
    return (await this.commitsWithLine(key, escapeRegex(value), limit)).get(value) ?? []
  }

  /**
   * Every such commit for any value of `key`, by value (one `git log` for all: what an export of many trajectories
   * needs), newest first, at most `limit` commits in all.
   */
  commitsByTrailer(key: string, limit = 10_000): Promise<Map<string, CommitSummary[]>> {
    return this.commitsWithLine(key, '[^[:space:]]+', limit)
  }

  private async commitsWithLine(key: string, valuePattern: string, limit: number): Promise<Map<string, CommitSummary[]>> {
    const result = await this.run(
      [
        'log',
        '--branches',
        '--remotes',
        '--tags',
        '-E',
        `--grep=^${escapeRegex(key)}: ${valuePattern}$`,
        `--max-count=${limit}`,
        '-z',
        '--format=%H%x00%s%x00%an%x00%aI%x00%B',
        '--',
      ],
      {okExitCodes: [128]},
    )
    const byValue = new Map<string, CommitSummary[]>()
    if (result.exitCode !== 0) return byValue // an unborn branch: no commits at all
    const fields = result.stdout.toString('utf8').split('\0')
    const line = new RegExp(`^${escapeRegex(key)}: (\\S+)$`, 'gm')
    for (let i = 0; i + 4 < fields.length; i += 5) {
      const commit = {oid: fields[i]!.trim(), subject: fields[i + 1]!, author: fields[i + 2]!, date: fields[i + 3]!}
      for (const match of fields[i + 4]!.matchAll(line)) byValue.set(match[1]!, [...(byValue.get(match[1]!) ?? []), commit])
    }
    return byValue
  }

  /**
   * The commit a revision names (`HEAD`, a branch, `HEAD~3`, an id; a tag is peeled), or null when it names none.
   *
   * @example const head = await repo.resolveCommit('HEAD')
   */
  async resolveCommit(revision: string): Promise<Oid | null> {
    if (revision.startsWith('-') || revision.includes('\n')) return null
    const object = await this.reader.read(`${revision}^{commit}`)
    return object?.type === 'commit' ? object.oid : null
  }

  /** The patch ids of commits, whole and file by file (./diffs.ts). */
  commitPatchIds(commits: readonly Oid[], paths: readonly string[] = [], signal?: AbortSignal): Promise<Map<Oid, PatchIds>> {
    return commitPatchIds(this, commits, paths, signal)
  }

  /** The patch ids of the change between two commits, whole and file by file (./diffs.ts). */
  diffPatchIds(from: Oid | null, to: Oid, paths: readonly string[] = []): Promise<PatchIds> {
    return diffPatchIds(this, from, to, paths)
  }

  /** For lines of `path` in `to`, the same line in `from` when the diff between them leaves it unchanged (./diffs.ts). */
  unchangedLines(from: Oid, to: Oid, path: string, lines: readonly number[], signal?: AbortSignal): Promise<Map<number, number>> {
    return unchangedLines(this, from, to, path, lines, signal)
  }

  /**
   * Adds a trailer ("Trajectory: traj_...") to a commit message file, unless the message already has that exact
   * trailer: `git interpret-trailers --in-place --if-exists addIfDifferent`, which knows where trailers go (before
   * the comment lines of an editor template, after a Signed-off-by block).
   */
  async addTrailer(messageFile: string, key: string, value: string): Promise<void> {
    await this.run(['interpret-trailers', '--in-place', '--if-exists', 'addIfDifferent', '--trailer', `${key}: ${value}`, messageFile])
  }

  /**
   * The default branch, as this clone knows it: what origin/HEAD points to, else origin/main, origin/master, then
   * the local main or master. Null when there is none of them.
   */
  async defaultBranch(): Promise<{name: string; oid: Oid} | null> {
    const candidates = ['refs/remotes/origin/HEAD', 'refs/remotes/origin/main', 'refs/remotes/origin/master', 'refs/heads/main', 'refs/heads/master']
    const shown = (name: string) => name.replace(/^refs\/(heads|remotes)\//, '')
    // From git's files when they can be read as git reads them (no process); else from git.
    const packed = readPackedRefs(this.commonDir, this.objectFormat)
    const read = packed === null ? null : candidates.map((name) => readRefFile(this.commonDir, name, this.objectFormat, packed))
    if (read !== null && !read.includes(null)) {
      const index = read.findIndex((found) => found !== 'absent')
      const found = read[index] as RefFile | undefined
      return found === undefined ? null : {name: shown(found.symref ?? candidates[index]!), oid: found.oid}
    }
    const listing = await this.run(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(symref)', ...candidates])
    const found = new Map(
      listing.stdout
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [name, oid, symref] = line.split('\0')
          return [name!, {oid: oid!, symref: symref ?? ''}] as const
        }),
    )
    for (const name of candidates) {
      const entry = found.get(name)
      if (entry) return {name: shown(entry.symref || name), oid: entry.oid}
    }
    return null
  }

  /**
   * `git blame --porcelain -C -M` of line ranges of a file at `revision` (null: the work tree's committed HEAD), each
   * line with the commit it comes from and where it was in that commit (moves and copies followed, renames too).
   * Lines are the file's own: a textconv filter the user configured (which git blame applies) would number them
   * differently. `signal` stops git (a cancelled request).
   *
   * @example const lines = await repo.blame('src/app.js', [[10, 20]], 'HEAD')
   */
  async blame(path: string, ranges: readonly (readonly [number, number])[], revision: string | null, signal?: AbortSignal): Promise<BlameLine[]> {
    const args = ['blame', '--porcelain', '--no-textconv', '-C', '-M', ...ranges.flatMap(([start, end]) => ['-L', `${start},${end}`])]
    // blame takes a path, not a pathspec: no ":(literal)" here, and after "--" no name is an option.
    const result = await this.run([...args, revision ?? 'HEAD', '--', path], {stdoutToFile: true, signal})
    return parseBlamePorcelain(result.stdout.toString('utf8'))
  }

  /**
   * The id the work tree's file at `path` would get from `git add`: `git hash-object --path`, which applies what
   * the path's attributes and git's configuration ask (line endings, a clean filter). Null when there is no work
   * tree or git cannot read the file.
   *
   * @example (await repo.addedBlobId('src/app.js')) === committed.oid   // unchanged, whatever its line endings
   */
  async addedBlobId(path: string): Promise<Oid | null> {
    if (this.workTree === null) return null
    const result = await this.run(['hash-object', `--path=${path}`, '--', join(this.workTree, path)], {okExitCodes: [128]})
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : null
  }

  /**
   * The commits a shallow clone's history stops at (the ids in <common dir>/shallow): git sees no parent of theirs,
   * so blame and log credit them with every line and file they hold. Empty for a complete repository.
   *
   * @example if ((await repo.shallowCommits()).has(line.commit)) // the line's history is not here
   */
  shallowCommits(): Set<Oid> {
    try {
      return new Set(readFileSync(join(this.commonDir, 'shallow'), 'utf8').split('\n').filter(Boolean))
    } catch {
      return new Set()
    }
  }

  /**
   * The commits that changed a file, newest first, following renames (`git log --follow`), with the path the file had
   * in each; at most `limit`.
   */
  fileHistory(path: string, revision: string | null, limit: number, signal?: AbortSignal): Promise<FileHistoryEntry[]> {
    return readFileHistory({cwd: this.cwd, env: this.env, signal}, path, revision, limit)
  }

  /**
   * Fetches `refspec` from `remote` (a remote's name, a path or a URL) without touching FETCH_HEAD, tags or any
   * branch. `onProgress` receives git's progress output (only asked for when given). git's failures are read
   * here, once: the remote has no such ref, is not a repository, or something else went wrong (its first line).
   */
  async fetch(remote: string, refspec: string, onProgress?: (text: string) => void, options: {timeoutMs?: number} = {}): Promise<FetchOutcome> {
    const args = ['fetch', '--no-tags', '--no-write-fetch-head', onProgress ? '--progress' : '--quiet', '--', remote, refspec]
    let result: GitResult
    try {
      result = await this.run(args, {okExitCodes: [1, 128], onStderr: onProgress, ...(options.timeoutMs === undefined ? {} : {timeoutMs: options.timeoutMs})})
    } catch (error) {
      // Stopped with every process it started (git-remote-https, ssh): nothing was fetched, no ref moved.
      if (error instanceof GitTimeoutError) return {outcome: 'timed-out', timeoutMs: error.timeoutMs}
      throw error
    }
    if (result.exitCode === 0) return {outcome: 'fetched'}
    if (/couldn't find remote ref/i.test(result.stderr)) return {outcome: 'no-such-ref'}
    const error = new GitError(['fetch'], result.exitCode, result.stderr)
    if (/does not appear to be a git repository|not a git repository|No such remote/i.test(result.stderr)) return {outcome: 'not-a-repository', error}
    return {outcome: 'failed', error}
  }

  /**
   * Pushes `refspec` to `remote`, fast-forward only (never forced). --no-verify: the user's pre-push hook is about
   * their branches (it may run the test suite), not the records. 'moved': the remote's ref moved under the push
   * (rejected as not a fast-forward, or the remote's own compare-and-swap lost a race); 'refused': anything else
   * (a hook, permissions), which trying again would only repeat.
   */
  async push(remote: string, refspec: string, onProgress?: (text: string) => void): Promise<PushOutcome> {
    const result = await this.run(['push', '--porcelain', '--no-verify', onProgress ? '--progress' : '--quiet', '--', remote, refspec], {
      okExitCodes: [1, 128],
      onStderr: onProgress,
    })
    if (result.exitCode === 0) return {outcome: 'pushed'}
    const report = `${result.stdout.toString('utf8')}${result.stderr}`
    if (isPushRace(report)) return {outcome: 'moved'}
    return {outcome: 'refused', error: new GitError(['push'], result.exitCode, result.stderr || report)}
  }

  /**
   * This repository's own configuration file (.git/config), read without a process: for what relay-trail writes
   * there itself (siblings), which hot commands read. Everything else comes from git: settings().config.
   */
  localConfig(): GitConfig {
    try {
      return GitConfig.parseFile(readFileSync(join(this.commonDir, 'config'), 'utf8'))
    } catch {
      return GitConfig.parseFile('')
    }
  }

  /** Sets a key in this repository's own configuration (.git/config). */
  async configSet(key: string, value: string): Promise<void> {
    await this.run(['config', '--local', key, value])
    this.loadedSettings = undefined
  }

  /** Adds a value to a multi-valued key of this repository's configuration, unless it is there already. */
  async configAdd(key: string, value: string): Promise<boolean> {
    if (this.localConfig().values(key).includes(value)) return false
    await this.run(['config', '--local', '--add', key, value])
    this.loadedSettings = undefined
    return true
  }

  /** Removes a section of this repository's configuration; false when there was none. */
  async configRemoveSection(section: string): Promise<boolean> {
    const result = await this.run(['config', '--local', '--remove-section', section], {okExitCodes: [1, 128]})
    this.loadedSettings = undefined
    return result.exitCode === 0
  }

  /** The lock file git creates beside a loose ref while updating it; a killed git process leaves it behind. */
  refLockPath(ref: string): string {
    return join(this.commonDir, `${ref}.lock`)
  }

  /**
   * The lock files git takes to change the store's ref: the ref's own (`<ref>.lock`, taken by every update) and
   * packed-refs.lock (taken to delete a ref and by `git pack-refs`, which `git gc` runs), with their age; only
   * those that exist. git holds either for milliseconds; one that stays was left by a git process that was killed.
   */
  gitLocks(ref: string): GitLock[] {
    return [this.refLockPath(ref), join(this.commonDir, 'packed-refs.lock')].flatMap((path) => {
      const lock = this.gitLock(path)
      return lock ? [lock] : []
    })
  }

  /** The lock file at `path` as it is now, or null when there is none. */
  gitLock(path: string): GitLock | null {
    try {
      const stat = statSync(path)
      return {path, ageMs: Math.max(0, Date.now() - stat.mtimeMs), identity: `${stat.ino}:${stat.mtimeMs}:${stat.size}`}
    } catch {
      return null
    }
  }

  /**
   * Removes a lock file git left behind, only if it is still the one seen (`lock`): it is renamed away first, and
   * if what was renamed turns out to be a newer lock (taken by a git process since), it is put back. Returns
   * whether the lock seen is gone.
   */
  removeGitLock(lock: GitLock): boolean {
    const aside = `${lock.path}.stale-${process.pid}-${Date.now()}`
    try {
      renameSync(lock.path, aside)
    } catch {
      return this.gitLock(lock.path)?.identity !== lock.identity // gone already (or another process claimed it)
    }
    const renamed = this.gitLock(aside)
    if (renamed !== null && renamed.identity !== lock.identity) {
      try {
        linkSync(aside, lock.path)
      } catch {
        // the lock is taken again by a newer writer: the one renamed was the stale one after all
      }
    }
    try {
      unlinkSync(aside)
    } catch {
      // gone
    }
    return renamed === null || renamed.identity === lock.identity
  }

  /**
   * `git fsck` of the objects reachable from `ref`: the complaints git prints, [] when it finds none.
   *
   * @example const complaints = await repo.fsck('refs/trail/records')
   */
  async fsck(ref: string): Promise<string[]> {
    const packs = () =>
      listNames(join(this.commonDir, 'objects', 'pack'))
        .sort()
        .join('\n')
    for (let attempt = 1; ; attempt++) {
      const before = packs()
      // git fsck's exit code is a mask of what it found (1, 2, 4, 8 and their sums); 128 is git failing to run.
      const result = await this.run(['fsck', '--no-progress', '--no-dangling', ref], {okExitCodes: Array.from({length: 127}, (_, code) => code + 1)})
      const complaints = `${result.stdout.toString('utf8')}${result.stderr}`.split('\n').filter((line) => line.trim() !== '')
      // A repack or a roll-up of small packs running meanwhile removes packs fsck has listed (their objects are in
      // the new pack by then): a moment later they are gone from the list too, and fsck finds every object.
      const repacked = packs() !== before
      if (attempt < 5 && complaints.length > 0 && (repacked || complaints.every(isPackRace))) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        continue
      }
      // Writers kept rolling packs up through every attempt: what fsck said was missing then, git finds now.
      if (repacked && complaints.length > 0 && (await this.onlyPacksMoved(complaints))) return []
      return result.exitCode === 0 ? complaints : complaints.length > 0 ? complaints : [`git fsck exited ${result.exitCode}`]
    }
  }

  /**
   * Whether `complaints` of a fsck that packs were rolled up under are all about packs it could not open and objects
   * it could not find, and git finds every object they name now.
   */
  private async onlyPacksMoved(complaints: readonly string[]): Promise<boolean> {
    if (!complaints.every((line) => isPackRace(line) || /object missing|^missing |^broken link from|^\s+to /.test(line))) return false
    const objects = complaints.filter((line) => !isPackRace(line)) // a pack's line names the pack, not an object
    const named = [...new Set(objects.flatMap((line) => line.match(new RegExp(`\\b[0-9a-f]{${oidLength(this.objectFormat)}}\\b`, 'g')) ?? []))]
    return (await this.objectInfo(named)).every((info) => info !== null)
  }

  /**
   * The crash reports `git fast-import` writes into the git dir when its input ends early (a writer killed
   * mid-commit; nothing was committed).
   */
  crashReports(): string[] {
    return [...new Set([this.gitDir, this.commonDir])].flatMap((dir) =>
      listNames(dir)
        .filter((name) => name.startsWith('fast_import_crash_'))
        .map((name) => join(dir, name)),
    )
  }

  removeCrashReports(): void {
    for (const report of this.crashReports()) rmSync(report, {force: true})
  }

  /**
   * Keeps the object store tidy after writes, at the cost of a readdir or two in the common case, never waiting for
   * git's work:
   * - every write adds one small pack; past SMALL_PACK_LIMIT small packs to roll up (a geometric progression of
   *   the packs stays), a detached `git pack-objects` rolls them into one, and a later write deletes them once
   *   their objects are in it (./pack-rollup.ts): the cost on a write is a few small files read, whatever the size
   *   of the store;
   * - loose objects (from fetches) are judged the way git judges them, the fill of objects/17 against
   *   gc.auto / 256, and left to `git gc --auto` (which detaches itself: gc.autoDetach).
   * Returns what it started.
   *
   * @example await repo.maintain()   // 'none' nearly always
   */
  async maintain(): Promise<'none' | 'rollup' | 'gc'> {
    const place = {commonDir: this.commonDir, cwd: this.cwd, env: this.env, hashBytes: this.objectFormat === 'sha256' ? 32 : 20}
    const rollup = finishRollup(place)
    const packDir = join(this.commonDir, 'objects', 'pack')
    const names = new Set(listNames(packDir))
    // Small packs not kept (.keep): the ones to roll up. Their paths joined as strings: path.join normalises each,
    // which ran in the interpreter for a millisecond or two on every write (CPU profile of trail decision).
    const small = [...names].filter(
      (name) => name.endsWith('.pack') && !names.has(name.replace(/\.pack$/, '.keep')) && fileSize(`${packDir}/${name}`) < SMALL_PACK_BYTES,
    )
    // Their object counts (an index's header each) only when there may be enough of them to roll up.
    if (rollup !== 'running' && small.length > SMALL_PACK_LIMIT) {
      const counted = small.flatMap((name) => {
        const objects = packObjectCount(join(packDir, name.replace(/\.pack$/, '.idx')))
        return objects === null ? [] : [{name, objects}]
      })
      if (startRollup(place, packsToRollUp(counted, SMALL_PACK_LIMIT))) return 'rollup'
    }
    const limit = (await this.writeSettings()).gcAuto
    if (!(limit > 0) || listNames(join(this.commonDir, 'objects', '17')).length <= Math.ceil(limit / 256)) return 'none'
    // git gc --auto packs in the background (gc.autoDetach); until it is done, every write would start another
    // that finds it busy. A long-lived writer (relay mcp) asks again a minute later at the soonest.
    if (Date.now() - this.gcStartedMs < GC_INTERVAL_MS) return 'none'
    this.gcStartedMs = Date.now()
    await this.run(['gc', '--auto', '--quiet'])
    return 'gc'
  }

  /**
   * `maintain` after a write: at once for a command, which exits next; for a long-lived process (keepCommitsWarm),
   * once the write's answer is on its way, as starting a roll-up forks the process (tens of milliseconds for a
   * large heap) and would land on one call in sixteen; the write's objects are carried to the next command then
   * too (carryWarmCommit). A failure there is left to the next write's maintenance, which tries the same again.
   */
  async maintainAfterWrite(): Promise<void> {
    if (!this.longLived) {
      await this.maintain()
      return
    }
    if (this.maintenanceDue) return
    this.maintenanceDue = true
    setImmediate(() => {
      this.maintenanceDue = false
      this.carryWarmCommit()
      this.maintain().catch(() => {})
    })
  }

  close(): void {
    this.objectReader?.close()
    this.objectReader = undefined
    this.commitWriter?.close()
    this.commitWriter = undefined
    this.warmCommits = false
    this.infoReader?.close()
    this.infoReader = undefined
  }
}

/** A lock file of git's (GitRepo.gitLocks): where, how old, and what tells it from a later lock at the same path. */
export interface GitLock {
  path: string
  ageMs: number
  /** Its inode, modification time and size: a lock taken again since has another. */
  identity: string
}

/** What a fetch came to (GitRepo.fetch). */
export type FetchOutcome =
  | {outcome: 'fetched'}
  | {outcome: 'no-such-ref'}
  | {outcome: 'not-a-repository' | 'failed'; error: GitError}
  | {outcome: 'timed-out'; timeoutMs: number}

/** What a push came to (GitRepo.push). */
export type PushOutcome = {outcome: 'pushed'} | {outcome: 'moved'} | {outcome: 'refused'; error: GitError}

/** One entry of a recursive tree listing. */
export interface TreeListing {
  mode: string
  type: string
  oid: Oid
  path: string
}

/** A commit as `commitsInRange` reads it. */
export interface CommitInfo {
  oid: Oid
  parents: Oid[]
  /** "Name <email>". */
  author: string
  /** Author date, ISO 8601. */
  date: string
  subject: string
  body: string
  /** The trailers of its message, in order: [["Trajectory", "traj_..."], ...]. */
  trailers: [string, string][]
}

/** A commit as lists of linked commits show it. */
export interface CommitSummary {
  oid: Oid
  subject: string
  author: string
  date: string
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')
}

/** A file to add or replace (content) or remove (null), by its path from the root of the tree. */
export interface FileChange {
  path: string
  content: string | Buffer | null
}

/** fast-import's "data <byte count>" followed by the bytes and a newline. */
function data(content: string | Buffer): Buffer {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  return Buffer.concat([Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n')])
}

/** A path as fast-import reads it: C-style quoted when it holds a quote, a backslash, a control byte or LF. */
export function quotePath(path: string): string {
  if (!/["\\\u0000-\u001f\u007f]/.test(path) && !path.startsWith('"')) return path
  return `"${path.replace(/["\\]/g, (char) => `\\${char}`).replace(/[\u0000-\u001f\u007f]/g, (char) => `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`
}

/** "Name <email> <seconds> <+hhmm>", in the local time zone, as git writes it (TZ applies to both alike). */
function signature(identity: Identity, when: Date): string {
  const offset = -when.getTimezoneOffset()
  const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}${String(Math.abs(offset) % 60).padStart(2, '0')}`
  return `${identity.name} <${identity.email}> ${Math.floor(when.getTime() / 1000)} ${zone}`
}

/**
 * Parses `git var -l`: configuration lines "key=value" and the GIT_AUTHOR_IDENT / GIT_COMMITTER_IDENT logical
 * variables. `-l` never fails for a missing identity: it prints a guess like "root <root@host.(none)>", which
 * `git commit` would refuse; such a guess, or an empty name, means "no identity", and the fallback is used.
 */
export function parseVarList(text: string): RepoSettings {
  const pairs: [string, string][] = []
  const idents: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=')
    if (equals <= 0) continue
    const key = line.slice(0, equals)
    const value = line.slice(equals + 1)
    if (key === 'GIT_AUTHOR_IDENT' || key === 'GIT_COMMITTER_IDENT') idents[key] = value
    else if (/^[a-z0-9-]+\./i.test(key)) pairs.push([key, value])
  }
  return {complete: true, config: GitConfig.fromPairs(pairs), author: parseIdent(idents.GIT_AUTHOR_IDENT), committer: parseIdent(idents.GIT_COMMITTER_IDENT)}
}

function parseIdent(value: string | undefined): Identity {
  const match = /^(.*) <(.*)> \d+ [+-]\d{4}$/.exec(value ?? '')
  if (!match || match[1]!.trim() === '' || match[2]!.endsWith('(none)') || match[2] === '') return {...FALLBACK_IDENTITY, isFallback: true}
  return {name: match[1]!, email: match[2]!, isFallback: false}
}

/** One line of `git blame --porcelain` output. */
export interface BlameLine {
  /** The line's number in the file blamed. */
  line: number
  /** The commit the line comes from (all zeros: not committed yet). */
  commit: Oid
  /** The file's path in that commit (another path when it moved or was renamed). */
  path: string
  /** The line's number in that commit's version of the file. */
  originalLine: number
  /** The commit's author and summary, as blame reports them. */
  author: string
  summary: string
  /** The boundary commit of the blamed range (a shallow clone's first commit). */
  boundary: boolean
  text: string
}

/**
 * Parses `git blame --porcelain`: for each line a header "<commit> <original line> <final line> [<count>]", the
 * commit's fields the first time it appears (author, summary, filename, ...), `filename` again whenever it
 * changes, then the line itself after a tab.
 */
export function parseBlamePorcelain(output: string): BlameLine[] {
  const lines: BlameLine[] = []
  const commits = new Map<string, {author: string; summary: string; path: string; boundary: boolean}>()
  let header: {commit: string; originalLine: number; line: number} | null = null
  for (const raw of output.split('\n')) {
    if (header === null) {
      const match = /^([0-9a-f]{40,64}) (\d+) (\d+)/.exec(raw)
      if (!match) continue
      header = {commit: match[1]!, originalLine: Number(match[2]), line: Number(match[3])}
      if (!commits.has(header.commit)) commits.set(header.commit, {author: '', summary: '', path: '', boundary: false})
      continue
    }
    const info = commits.get(header.commit)!
    if (raw.startsWith('\t')) {
      lines.push({...header, path: info.path, author: info.author, summary: info.summary, boundary: info.boundary, text: raw.slice(1)})
      header = null
    } else if (raw.startsWith('author ')) info.author = raw.slice(7)
    else if (raw.startsWith('summary ')) info.summary = raw.slice(8)
    else if (raw.startsWith('filename ')) info.path = unquoteGitPath(raw.slice(9))
    else if (raw === 'boundary') info.boundary = true
  }
  return lines
}

/** core.hooksPath as git reads it (relative to the work tree, `~/` for the home folder), else <common dir>/hooks. */
function hooksDirOf(repo: Pick<GitRepo, 'commonDir' | 'workTree' | 'gitDir' | 'env'>, configured: string | undefined): string {
  if (configured === undefined || configured === '') return join(repo.commonDir, 'hooks')
  if (configured.startsWith('~/')) return join(repo.env.HOME ?? '', configured.slice(2))
  return isAbsolute(configured) ? configured : join(repo.workTree ?? repo.gitDir, configured)
}
