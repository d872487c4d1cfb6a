import {ConflictError} from '../errors.js'
import type {Oid} from '../git/objects.js'
import type {CommitOutcome, FileChange} from '../git/repo.js'
import {describeLeftOut, recordByteLimit} from '../model/foreign-entries.js'
import {FORMAT_VERSION, renderFormat} from '../model/format.js'
import {FORMAT_PATH} from '../model/layout.js'
import {clip, oneLine} from '../model/text.js'
import {redact, redactText} from '../model/redact.js'
import {waitOutGitLock} from './git-locks.js'
import {inspectIncoming} from './incoming.js'
import {checkIncomingFormat, Snapshot} from './snapshot.js'
import type {Store} from './store.js'
import {acquireWriterLock, sleep} from './writer-lock.js'

/**
 * What a change function returns: the files to write, how to describe the commit, and its own result. Three shapes
 * of change, one transaction:
 * - a commit of `writes` on the tip (every record write);
 * - with `mergeParents`, a merge commit: `writes` turn the tip's tree into the merged one (trail sync);
 * - with `moveTo`, no commit at all: the ref moves to a commit that exists (adopting a remote's store on a new
 *   clone, a fast-forward), by the same compare-and-swap.
 */
export interface Draft<T> {
  writes: FileChange[]
  /** The commit subject after "trail: ", for example `decision "Chose JWT" in traj_01jd...`. */
  subject: string
  /** Trailers such as Trail-Record: <id>, in order. */
  trailers?: readonly (readonly [string, string])[]
  /**
   * What the write gives its caller, redacted as the records are (a command prints it, an MCP tool returns it):
   * what an agent is told it recorded is what was recorded.
   */
  result: T
  /** Further parents of the commit: a merge. */
  mergeParents?: readonly Oid[]
  /** Move the ref to this commit instead of committing. */
  moveTo?: Oid
}

/** Attempts before a write gives up (about 3 s of lost races, with the backoff below). */
export const MAX_ATTEMPTS = 60

/**
 * Runs `change` against the tip of the store and commits what it returns as one commit, moved into place by a
 * compare-and-swap of the ref (GitRepo.beginCommit). When another writer moved the ref first, the tip is re-read and `change` runs
 * again on it, so its writes are recomputed from the current records and nothing is lost. A draft with no writes
 * commits nothing. A crash at any point leaves the ref at the old commit or the new one; objects written before
 * a crash are unreachable and harmless.
 *
 * @example
 * const id = await transact(store, async (snapshot) => ({
 *   writes: [{path: '.trail/notes/x.md', content: 'hello\n'}], subject: 'note x', result: 'x',
 * }))
 */
export interface TransactOptions {
  /**
   * Whether a store with no commit yet first adopts a remote's store fetched by plain `git fetch` (default true).
   * `trail sync` adopts what it fetched itself, and says so.
   */
  adoptFetched?: boolean
}

export async function transact<T>(store: Store, change: (snapshot: Snapshot) => Promise<Draft<T>>, options: TransactOptions = {}): Promise<T> {
  const {repo, ref} = store
  repo.checkCarriedObjects() // what the write builds on is checked against its ids
  repo.writeSettings().catch(() => {}) // the identity for the commit: ask git now (if not cached), alongside the reads
  const lock = await acquireWriterLock(repo.commonDir)
  try {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      // Started first, so git starts up while the records are read and the change is computed.
      const pending = repo.beginCommit(ref)
      let snapshot: Snapshot
      let draft: Draft<T>
      let adopted = false
      try {
        snapshot = await Snapshot.read(repo, ref)
        // A new clone whose remote's store was fetched (git fetch with the refspec of trail init --push) builds on
        // that store instead of starting a second one (DESIGN.md section 4).
        adopted = snapshot.tip === null && options.adoptFetched !== false && (await adoptFetchedStore(store))
        if (adopted) snapshot = await Snapshot.read(repo, ref)
        draft = await change(snapshot)
      } catch (error) {
        await pending.cancel()
        throw error
      }
      const isMerge = (draft.mergeParents?.length ?? 0) > 0
      if (draft.moveTo === undefined && draft.writes.length === 0 && !isMerge) {
        await pending.cancel()
        return redact(draft.result)
      }
      let moved: {commit: Oid; writes: readonly FileChange[] | null} | null
      let outcome: CommitOutcome
      if (draft.moveTo !== undefined) {
        await pending.cancel()
        outcome = await repo.swapRef(ref, draft.moveTo, snapshot.tip, `trail: ${draft.subject}`)
        moved = outcome.outcome === 'updated' ? {commit: draft.moveTo, writes: null} : null
      } else {
        const writes = snapshot.tip === null ? [formatWrite(), ...draft.writes.filter((write) => write.path !== FORMAT_PATH)] : draft.writes
        outcome = await pending.commit(snapshot.tip, writes, commitMessage(draft), store.now(), draft.mergeParents)
        // A merge brings in files this process did not write: the mirror follows by a diff.
        moved = outcome.outcome === 'updated' ? {commit: outcome.commit, writes: isMerge ? null : writes} : null
      }
      if (moved) {
        // The record is committed: from here on, a failure is a warning. Reporting it as the command's failure
        // would make an agent retry a write that already happened.
        const tidyingFailed = (problem: string) =>
          store.warn(`the record is committed, but tidying up after it failed: ${problem} (trail doctor checks the store)`)
        try {
          // Without the lock another writer may be updating this worktree's mirror right now; it catches up later.
          if (lock.held) await store.mirror.update(snapshot.tip, moved.commit, moved.writes, {adopted})
          if (adopted) store.warn('adopted the records fetched from the remote; only new records are mirrored into .trail/ and .relay/ until: trail init')
          await repo.maintainAfterWrite()
        } catch (error) {
          tidyingFailed((error as Error).message.split('\n')[0]!)
        }
        if (store.mirror.blocked.size > 0) {
          tidyingFailed(`${[...store.mirror.blocked].join(', ')} is a symbolic link or not a folder, and the mirror is never written through it`)
          store.mirror.blocked.clear()
        }
        return redact(draft.result)
      }
      // git's lock on the ref: wait for it to go, or recover it once it is known to be left behind (./git-locks.ts);
      // never 60 attempts against a lock nobody will release.
      if (outcome.outcome === 'locked') await waitOutGitLock(repo, outcome.lockPath, lock.held, store.warn)
      else await sleep(Math.random() * Math.min(2 ** attempt, 50))
    }
  } finally {
    await lock.release()
  }
  throw new ConflictError(
    `could not write to ${ref}: ${MAX_ATTEMPTS} attempts lost the race with other writers`,
    'retry the command; if it keeps failing, look for a lock left by a killed process with: trail doctor',
  )
}

/**
 * Points the store at a remote's fetched store (refs/trail/remotes/<remote>/records, origin first), if any, once
 * everything its commits hold is checked (./incoming.ts): a fetched store with entries that do not fit is not
 * adopted, and `trail sync` takes what fits of it.
 */
async function adoptFetchedStore(store: Store): Promise<boolean> {
  const fetched = (await store.repo.listRefs('refs/trail/remotes/'))
    .filter(({name}) => name.endsWith('/records'))
    .sort((a, b) => Number(b.name === 'refs/trail/remotes/origin/records') - Number(a.name === 'refs/trail/remotes/origin/records'))
  const first = fetched[0]
  if (!first) return false
  const {leftOut} = await inspectIncoming(store.repo, first.oid, [], recordByteLimit(store.repo.env))
  await checkIncomingFormat(store.repo, first.oid, recordByteLimit(store.repo.env), `the store fetched into ${first.name}`)
  if (leftOut.length > 0) {
    store.warn(
      `the records fetched into ${first.name} hold entries that do not fit this store, so they are not adopted (trail sync takes what fits): ${describeLeftOut(leftOut, 3)}`,
    )
    return false
  }
  await store.repo.updateRef(store.ref, first.oid, null, `trail: adopt ${first.name}`)
  return true
}

/** The file that marks a store and its format; the first commit of every store has it. */
export function formatWrite(): FileChange {
  return {path: FORMAT_PATH, content: renderFormat({format: FORMAT_VERSION})}
}

/** "trail: <subject>", then the trailers. One line of subject, redacted, at most 100 characters; trailers redacted too. */
export function commitMessage(draft: Pick<Draft<unknown>, 'subject' | 'trailers'>): string {
  const short = clip(oneLine(redactText(draft.subject)).replace(/[\u0000-\u001f\u007f]/g, ' '), 100)
  const trailers = (draft.trailers ?? []).map(([key, value]) => `${key}: ${oneLine(redactText(value)).replace(/[\u0000-\u001f\u007f]/g, ' ')}`)
  return `trail: ${short}\n${trailers.length > 0 ? `\n${trailers.join('\n')}\n` : ''}`
}
