import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {GitError} from '../errors.js'
import type {ObjectCache} from './object-cache.js'
import {oidLength, type ObjectFormat, type ObjectType, type Oid} from './objects.js'
import {gitEnv, gitExecutable, spawnFailure, trace, type Env} from './process.js'
import {readTrailRef} from './ref-files.js'

/** An object as `git cat-file --batch` returns it. */
export interface GitObject {
  oid: Oid
  type: ObjectType
  /** Its content; empty from a reader made with `contents: false`. */
  data: Buffer
  /** The size of its content in bytes, as git reports it before the content. */
  size: number
}

/** Where the refs a reader names are read from (see ObjectReader's `refs`). */
export interface RefPlace {
  commonDir: string
  format: ObjectFormat
}

/** A revision that starts with a ref under refs/trail/: the ref, and the rest (`^{tree}`, `:<path>`). */
const TRAIL_REF_REVISION = /^(refs\/trail\/[\w./-]+)((?:\^\{tree\})?(?::.*)?)$/s

interface Pending {
  resolve: (object: GitObject | null) => void
  reject: (error: Error) => void
}

/**
 * One long-running `git cat-file --batch` that answers any number of reads, in order, over a pipe: a process per
 * object would cost about 1.5 ms each. Requests are pipelined, so reading a thousand objects is one round trip.
 *
 * @example
 * const reader = new ObjectReader(cwd, env)
 * const tip = await reader.read('refs/trail/records')   // null when missing
 * reader.close()
 */
export class ObjectReader {
  private child: ChildProcessWithoutNullStreams | undefined
  /** Reads waiting for their answer, oldest first, from `head` on (Array.shift is linear: 30,000 reads went quadratic). */
  private queue: Pending[] = []
  private head = 0
  private chunks: Buffer[] = []
  private buffered = 0
  private stderr = ''
  /** The object whose content is arriving: its header is read, its bytes are not all here yet. */
  private body: {oid: Oid; type: ObjectType; start: number; end: number} | undefined
  /** Objects already read or written, for a long-lived process (see useCache). */
  private cache: ObjectCache | undefined

  constructor(
    private readonly cwd: string,
    private readonly env: Env,
    /**
     * false: `git cat-file --batch-check`, which answers with each object's id, type and size, never its content:
     * what a record from another store is checked with before it is read (a 600 MB blob is never read whole).
     */
    private readonly contents = true,
    /**
     * Where to read the refs under refs/trail/ that revisions start with: each is read from git's files as the
     * read is asked for (./ref-files.ts: readTrailRef) and git is asked for its id, never for the ref by name. A
     * long-running `git cat-file` can hold an old packed-refs (see readTrailRef); the store's tip must be the real
     * one, or a write would build on an old tip and lose its compare-and-swap at every attempt.
     */
    private readonly refs?: RefPlace,
  ) {}

  /** Reads one object by any revision expression git accepts (`<oid>`, `<ref>`, `<commit>:<path>`). */
  read(revision: string): Promise<GitObject | null> {
    if (revision.includes('\n')) return Promise.reject(new Error(`revision with a newline: ${JSON.stringify(revision)}`))
    const known = this.cache?.answer(revision)
    if (known !== undefined) return Promise.resolve(cached(revision, known))
    return this.ask([revision])[0]!
  }

  /**
   * Reads several objects in one round trip (and one write to git's stdin); missing ones come back as null.
   * `purpose` 'commit': the folders a commit made here changes (./warm-commit.ts), traced apart from the records a
   * command reads ("commit-read", "commit-cached").
   */
  readMany(revisions: readonly string[], purpose: ReadPurpose = 'read'): Promise<(GitObject | null)[]> {
    if (revisions.some((revision) => revision.includes('\n'))) return Promise.all(revisions.map((revision) => this.read(revision)))
    const known = revisions.map((revision) => this.cache?.answer(revision))
    const answers = this.ask(
      revisions.filter((_, index) => known[index] === undefined),
      purpose,
    )
    let next = 0
    return Promise.all(
      revisions.map((revision, index) => (known[index] !== undefined ? Promise.resolve(cached(revision, known[index], purpose)) : answers[next++]!)),
    )
  }

  /**
   * Asks git for `revisions` in one write, and, with a cache, for the trees on their way that it lacks (see
   * ObjectCache.onTheWay): those answers only fill the cache.
   */
  private ask(revisions: readonly string[], purpose: ReadPurpose = 'read'): Promise<GitObject | null>[] {
    if (revisions.length === 0) return []
    const child = this.start()
    if (this.waiting === 0) this.setAwaited(true)
    const onTheWay = this.cache?.onTheWay(revisions) ?? []
    for (const _ of onTheWay) this.queue.push({resolve: () => {}, reject: () => {}})
    const answers = revisions.map(
      (revision) =>
        new Promise<GitObject | null>((resolve, reject) => this.queue.push({resolve: trace ? traced(revision, resolve, purpose) : resolve, reject})),
    )
    // Each ref is read once for the whole request: its reads all see one tip.
    const tips = new Map<string, Oid | 'absent' | null>()
    child.stdin.write(`${[...onTheWay, ...revisions].map((revision) => this.nameForGit(revision, tips)).join('\n')}\n`)
    return answers
  }

  /**
   * What git is asked for `revision`: with `refs`, a ref under refs/trail/ it starts with is replaced by its id as
   * git's files hold it now, or by the null id when they hold no such ref (git answers "missing" for it, as for the
   * ref, and is still the one that answers).
   */
  private nameForGit(revision: string, tips: Map<string, Oid | 'absent' | null>): string {
    const match = this.refs === undefined ? null : TRAIL_REF_REVISION.exec(revision)
    if (!match) return revision
    const ref = match[1]!
    let tip = tips.get(ref)
    if (tip === undefined) {
      tip = readTrailRef(this.refs!.commonDir, ref, this.refs!.format)
      tips.set(ref, tip)
    }
    if (tip === null) return revision
    return `${tip === 'absent' ? '0'.repeat(oidLength(this.refs!.format)) : tip}${match[2]}`
  }

  /**
   * Keeps what this reader reads in `cache` and answers from it what it can (./object-cache.ts): for a long-lived
   * process, whose writes read the trees their last write made.
   */
  useCache(cache: ObjectCache): void {
    if (this.contents) this.cache ??= cache
  }

  /** An object this process wrote (warm-commit.ts), for the cache: the next write reads the trees this one made. */
  remember(object: GitObject): void {
    this.cache?.put(object)
  }

  close(): void {
    this.child?.stdin.end()
    this.child = undefined
  }

  /** Starts the `git cat-file` process now rather than on the first read. */
  start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child
    const env = gitEnv(this.env)
    const child = spawn(gitExecutable(env), ['cat-file', this.contents ? '--batch' : '--batch-check'], {argv0: 'git', cwd: this.cwd, env})
    this.stderr = ''
    trace?.('git', 'cat-file', `cat-file ${this.contents ? '--batch' : '--batch-check'}`)
    child.stdout.on('data', (chunk: Buffer) => this.receive(chunk))
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')))
    child.stdin.on('error', () => {})
    // A process that dies (killed, a fatal error, git missing) fails the reads waiting on it, and the next read
    // starts a new one: a long-lived reader (relay mcp) outlives any one `git cat-file`.
    child.on('error', (error) => this.fail(child, spawnFailure(['cat-file'], error)))
    child.on('close', (code) => {
      trace?.('git-exit', 'cat-file', String(code))
      this.fail(child, new GitError(['cat-file', '--batch'], code, this.stderr || 'exited early'))
    })
    this.child = child
    this.setAwaited(false)
    return child
  }

  /**
   * An idle reader must not keep the process alive (a forgotten close() would hang the CLI), but a reader with
   * answers pending must, or Node exits before they arrive.
   */
  private setAwaited(awaited: boolean): void {
    const child = this.child
    if (!child) return
    for (const handle of [child, child.stdout, child.stderr, child.stdin] as unknown as {ref?: () => void; unref?: () => void}[]) {
      if (awaited) handle.ref?.()
      else handle.unref?.()
    }
  }

  /** `child` is gone: the reads waiting on it fail, and the next read starts a new process. */
  private fail(child: ChildProcessWithoutNullStreams, error: Error): void {
    if (this.child !== undefined && this.child !== child) return // an earlier process, closed and replaced since
    this.child = undefined
    if (this.waiting === 0) return
    const waiting = this.queue.slice(this.head)
    this.queue = []
    this.head = 0
    this.chunks = []
    this.buffered = 0
    this.body = undefined
    for (const pending of waiting) pending.reject(error)
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    for (;;) {
      const pending = this.queue[this.head]
      if (!pending) return
      // Joining chunks only once enough bytes are here keeps a large object's arrival linear, not quadratic.
      if (this.body && this.buffered < this.body.end + 1) return
      const buffer = this.join()
      if (!this.body) {
        const newline = buffer.indexOf(0x0a)
        if (newline < 0) return
        const header = buffer.toString('utf8', 0, newline)
        // "<rev> missing" or "<rev> ambiguous": no content follows.
        if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
          this.consume(newline + 1)
          this.answered()
          pending.resolve(null)
          continue
        }
        const [oid, type, size] = header.split(' ')
        if (!this.contents) {
          this.consume(newline + 1)
          this.answered()
          pending.resolve({oid: oid!, type: type as ObjectType, data: Buffer.alloc(0), size: Number(size)})
          continue
        }
        this.body = {oid: oid!, type: type as ObjectType, start: newline + 1, end: newline + 1 + Number(size)}
        if (this.buffered < this.body.end + 1) return
      }
      const {oid, type, start, end} = this.body
      // A view, not a copy: reading 100,000 small objects, the copies were most of the garbage collector's work.
      const data = buffer.subarray(start, end)
      this.body = undefined
      this.consume(end + 1) // the content is followed by a newline
      this.answered()
      const object = {oid, type, data, size: end - start}
      this.cache?.put(object)
      pending.resolve(object)
    }
  }

  private get waiting(): number {
    return this.queue.length - this.head
  }

  /** The oldest read has its answer: move past it, and let go of the process when nothing is left to wait for. */
  private answered(): void {
    this.head++
    if (this.waiting === 0) {
      this.queue = []
      this.head = 0
      this.setAwaited(false)
    }
  }

  private join(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)]
    return this.chunks[0]!
  }

  private consume(bytes: number): void {
    const rest = this.join().subarray(bytes)
    this.chunks = rest.length > 0 ? [rest] : []
    this.buffered = rest.length
  }
}

/** What a read is for: a command's own, or a commit's look at the folders it changes (traced apart). */
type ReadPurpose = 'read' | 'commit'

/** An answer from the cache; RELAY_TRAIL_TRACE says so ("cached" rather than "read"). */
function cached(revision: string, object: GitObject | null, purpose: ReadPurpose = 'read'): GitObject | null {
  trace?.(purpose === 'read' ? 'cached' : 'commit-cached', object?.type ?? 'missing', revision)
  return object
}

/** A resolver that first writes the object's type and the name it was asked for to the trace (RELAY_TRAIL_TRACE). */
function traced(revision: string, resolve: Pending['resolve'], purpose: ReadPurpose = 'read'): Pending['resolve'] {
  return (object) => {
    trace?.(purpose === 'read' ? 'read' : 'commit-read', object?.type ?? 'missing', revision)
    resolve(object)
  }
}
