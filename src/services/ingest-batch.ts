import type {FileChange} from '../git/repo.js'
import {Snapshot} from '../store/snapshot.js'
import type {Store} from '../store/store.js'
import type {Draft} from '../store/transaction.js'
import type {Context} from './context.js'

// Many events of one ingest run, one commit. Each event of agent output is a write (a summary, a message, a
// ledger save) and each write is a transaction: a git process and 20-40 ms. Dense output (an event every 200 KB)
// spent nearly all its time committing. A batch runs the services as they are, but their transactions are
// deferred: each change function runs at once against the records as they will be (the last commit plus the
// batch's own writes), so a save after a save sees the first, and its result and errors come back at once. On
// flush, every deferred change runs again, in order, inside one real transaction (store.transact: re-run on a
// lost race, so nothing is lost), and one commit holds them all.
//
// What a batch does not change: the order of records (ids are made in order, and each change sees the ones before
// it), and answers: `relay ingest` flushes before every load or search, so an answer sees every event printed
// before it. A crash loses only what is not committed yet; the file reader saves its cursor only with a commit
// (see ingest-input.ts), so those events are read again.

/** A change deferred into a batch, with what a failure report needs. */
interface Deferred {
  change: (snapshot: Snapshot) => Promise<Draft<unknown>>
  /** What it gave on the batch's view, built on the commit `base`: still right if the ref has not moved since. */
  draft: Draft<unknown>
  base: string | null
  tag: BatchTag
}

/** Where a deferred change came from, for a report when it fails at the flush. */
export interface BatchTag {
  source: string
  line: number
  /** How the caller counted the event once it was deferred. */
  counted?: 'done' | 'raw'
}

/** Told what a flush commits: `prepare` inside the transaction (on each attempt), `committed` once it is in. */
export interface BatchCheckpoint {
  prepare(probe: CommitProbe): void
  committed(): void
}

/** One file of a commit and a hash of its content: enough to tell later whether that commit is on the ref. */
export interface CommitProbe {
  path: string
  hash: string
}

/** A read the batch's view of the records cannot answer while it holds writes under that path (a listing, a grep). */
class OverlayMiss extends Error {}

/** The deferred writes of one batch: at most this many changes, or bytes of records, before the batch flushes. */
export const MAX_BATCH_CHANGES = 2000
export const MAX_BATCH_BYTES = 16 * 1024 * 1024

/**
 * @example
 * const batch = new WriteBatch(ctx, (tag, error) => warn(`${tag.source} line ${tag.line}: ${error.message}`))
 * await recordSummary(batch.context, agent, data, raw)   // deferred
 * await batch.flush()                                      // one commit
 */
export class WriteBatch {
  /** The context to run services with: its store defers every transaction into this batch. */
  readonly context: Context
  /** Where the next deferred change comes from (set by the caller before it runs a service). */
  tag: BatchTag = {source: '', line: 0}
  private deferred: Deferred[] = []
  private writes = new Map<string, FileChange['content']>()
  private bytes = 0
  private base: Promise<Snapshot> | null = null
  private flushing: Promise<void> | null = null

  constructor(
    private readonly ctx: Context,
    /** A deferred change that failed when it was committed (after its caller was told it succeeded). */
    private readonly lateFailure: (tag: BatchTag, error: Error) => void,
  ) {
    let deferring: Promise<Store> | undefined
    this.context = {
      ...ctx,
      store: () =>
        (deferring ??= ctx.store().then((store) => {
          const batch = this
          return new Proxy(store, {
            get(target, property) {
              if (property === 'transact') return <T>(change: (snapshot: Snapshot) => Promise<Draft<T>>) => batch.defer(target, change)
              const value: unknown = Reflect.get(target, property, target)
              return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
            },
          })
        })),
    }
  }

  /** How many changes wait for the flush. */
  get size(): number {
    return this.deferred.length
  }

  /** Whether the batch is full enough to flush now. */
  get isFull(): boolean {
    return this.deferred.length >= MAX_BATCH_CHANGES || this.bytes >= MAX_BATCH_BYTES
  }

  private async defer<T>(store: Store, change: (snapshot: Snapshot) => Promise<Draft<T>>): Promise<T> {
    if (this.flushing) await this.flushing
    this.base ??= Snapshot.read(store.repo, store.ref)
    let draft: Draft<T>
    const base = await this.base
    try {
      draft = await change(overlay(base, this.writes))
    } catch (error) {
      if (!(error instanceof OverlayMiss)) throw error
      await this.flush()
      return store.transact(change)
    }
    if (draft.writes.length === 0) return draft.result
    for (const write of draft.writes) {
      this.writes.set(write.path, write.content)
      this.bytes += write.content?.length ?? 0
    }
    this.deferred.push({change: change as Deferred['change'], draft, base: base.tip, tag: this.tag})
    return draft.result
  }

  /**
   * Commits every deferred change as one commit. Should that fail (a change that now throws, a store that stays
   * busy), each change is committed on its own, and each one that fails is reported through `lateFailure`.
   */
  async flush(checkpoint?: BatchCheckpoint): Promise<void> {
    while (this.flushing) await this.flushing
    if (this.deferred.length === 0) return
    const deferred = this.deferred
    this.deferred = []
    this.writes = new Map()
    this.bytes = 0
    this.base = null
    this.flushing = this.commit(deferred, checkpoint)
    try {
      await this.flushing
    } finally {
      this.flushing = null
    }
  }

  private async commit(deferred: Deferred[], checkpoint: BatchCheckpoint | undefined): Promise<void> {
    const store = await this.ctx.store()
    try {
      await store.transact(async (snapshot) => {
        const writes = new Map<string, FileChange['content']>()
        const view = overlay(snapshot, writes)
        const subjects: string[] = []
        const trailers = new Map<string, readonly [string, string]>()
        // On the commit the batch was built on, the drafts made then are the drafts (rendering every record a
        // second time cost a third of a dense ingest); after another writer moved the ref, every change runs again.
        const unmoved = deferred.every((item) => item.base === snapshot.tip)
        for (const item of deferred) {
          const draft = unmoved ? item.draft : await item.change(view)
          for (const write of draft.writes) {
            writes.delete(write.path) // keeps the order of last writes
            writes.set(write.path, write.content)
          }
          subjects.push(draft.subject)
          for (const trailer of draft.trailers ?? []) trailers.set(trailer.join('\n'), trailer)
        }
        const files = [...writes].map(([path, content]) => ({path, content}))
        checkpoint?.prepare(probeOf(files))
        return {
          writes: files,
          subject: subjects.length === 1 ? subjects[0]! : `${subjects.length} changes from agent output: ${subjects[0]}, …`,
          trailers: [...trailers.values()],
          result: undefined,
        }
      })
    } catch {
      for (const {change, tag} of deferred) {
        try {
          await store.transact(change)
        } catch (error) {
          this.lateFailure(tag, error as Error)
        }
      }
    }
    checkpoint?.committed()
  }
}

/**
 * The records as `base` shows them with `writes` on top. Reading a file sees the writes; a listing or a grep that
 * could see a written path throws OverlayMiss (the batch then flushes and runs that change on its own).
 */
function overlay(base: Snapshot, writes: Map<string, FileChange['content']>): Snapshot {
  const text = (content: FileChange['content']) => (content === null ? null : content.toString())
  return new Proxy(base, {
    get(target, property) {
      if (property === 'readText') return async (path: string) => (writes.has(path) ? text(writes.get(path)!) : target.readText(path))
      if (property === 'readTexts') {
        return async (paths: readonly string[]) => {
          const read = await target.readTexts(paths.filter((path) => !writes.has(path)))
          let at = 0
          return paths.map((path) => (writes.has(path) ? text(writes.get(path)!) : read[at++]!))
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (writes.size > 0 && args.some((arg) => touches(writes, arg))) throw new OverlayMiss(String(property))
        return (value as (...args: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

/** Whether a read with this argument could see one of the written paths. */
function touches(writes: Map<string, unknown>, arg: unknown): boolean {
  if (typeof arg === 'string') {
    const dir = arg.replace(/\/+$/, '')
    for (const path of writes.keys()) if (dir === '' || path === dir || path.startsWith(`${dir}/`)) return true
    return false
  }
  if (Array.isArray(arg)) return arg.some((item) => touches(writes, item))
  if (arg !== null && typeof arg === 'object') {
    const pathspecs = (arg as {pathspecs?: unknown}).pathspecs
    return Array.isArray(pathspecs) ? touches(writes, pathspecs) : true
  }
  return false
}

/** A file of the commit that names it best: a new record (its path holds a unique id) rather than a ledger. */
function probeOf(files: readonly FileChange[]): CommitProbe {
  const chosen = files.find((file) => !/^\.relay\/ledger\/[^/]+\.md$/.test(file.path)) ?? files[0]!
  return {path: chosen.path, hash: contentHash(chosen.content)}
}

/** FNV-1a of a record's text: tells one version of a file from another (not a security measure). */
export function contentHash(content: FileChange['content'] | string): string {
  const text = content === null ? '' : content.toString()
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0
  return `${text.length}-${hash.toString(16).padStart(8, '0')}`
}
