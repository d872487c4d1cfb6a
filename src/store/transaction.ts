import {ConflictError} from '../errors.js'
import type {FileChange} from '../git/repo.js'
import {FORMAT_PATH, FORMAT_VERSION} from '../model/layout.js'
import {renderYaml} from '../model/front-matter.js'
import {oneLine} from '../model/record.js'
import {redactText} from '../model/redact.js'
import {Snapshot} from './snapshot.js'
import type {Store} from './store.js'
import {acquireWriterLock, sleep} from './writer-lock.js'

/** What a change function returns: the files to write, how to describe the commit, and its own result. */
export interface Draft<T> {
  writes: FileChange[]
  /** The commit subject after "trail: ", for example `decision "Chose JWT" in traj_01jd...`. */
  subject: string
  /** Trailers such as Trail-Record: <id>, in order. */
  trailers?: readonly (readonly [string, string])[]
  result: T
}

/** Attempts before a write gives up (about 3 s of lost races, with the backoff below). */
const MAX_ATTEMPTS = 60

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
export async function transact<T>(store: Store, change: (snapshot: Snapshot) => Promise<Draft<T>>): Promise<T> {
  const {repo, ref} = store
  repo.writeSettings().catch(() => {}) // the identity for the commit: ask git now (if not cached), alongside the reads
  const lock = await acquireWriterLock(repo.commonDir)
  try {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      // Started first, so git starts up while the records are read and the change is computed.
      const pending = repo.beginCommit(ref)
      let snapshot: Snapshot
      let draft: Draft<T>
      try {
        snapshot = await Snapshot.read(repo, ref)
        // A new clone whose remote's store was fetched (git fetch with the refspec of trail init --push) builds on
        // that store instead of starting a second one (DESIGN.md section 4).
        if (snapshot.tip === null && (await adoptFetchedStore(store))) snapshot = await Snapshot.read(repo, ref)
        draft = await change(snapshot)
      } catch (error) {
        await pending.cancel()
        throw error
      }
      if (draft.writes.length === 0) {
        await pending.cancel()
        return draft.result
      }
      const writes = snapshot.tip === null ? [formatWrite(), ...draft.writes.filter((write) => write.path !== FORMAT_PATH)] : draft.writes
      const committed = await pending.commit(snapshot.tip, writes, commitMessage(draft), store.now())
      if (committed.outcome === 'updated') {
        // The record is committed: from here on, a failure is a warning. Reporting it as the command's failure
        // would make an agent retry a write that already happened.
        try {
          // Without the lock another writer may be updating this worktree's mirror right now; it catches up later.
          if (lock.held) await store.mirror.update(snapshot.tip, committed.commit, writes)
          await repo.maintain()
        } catch (error) {
          store.warn(`the record is committed, but tidying up after it failed: ${(error as Error).message.split('\n')[0]} (trail doctor checks the store)`)
        }
        return draft.result
      }
      await sleep(Math.random() * Math.min(2 ** attempt, 50))
    }
  } finally {
    await lock.release()
  }
  throw new ConflictError(
    `could not write to ${ref}: ${MAX_ATTEMPTS} attempts lost the race with other writers`,
    'retry the command; if it keeps failing, look for a lock left by a killed process with: trail doctor',
  )
}

/** Points the store at a remote's fetched store (refs/trail/remotes/<remote>/records, origin first), if any. */
async function adoptFetchedStore(store: Store): Promise<boolean> {
  const listing = await store.repo.run(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/trail/remotes/'])
  const fetched = listing.stdout
    .toString('utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([name]) => name?.endsWith('/records'))
    .sort(([a], [b]) => Number(b === 'refs/trail/remotes/origin/records') - Number(a === 'refs/trail/remotes/origin/records'))
  const oid = fetched[0]?.[1]
  if (!oid) return false
  await store.repo.updateRef(store.ref, oid, null, `trail: adopt ${fetched[0]![0]}`)
  return true
}

/** The file that marks a store and its format; the first commit of every store has it. */
export function formatWrite(): FileChange {
  return {path: FORMAT_PATH, content: renderYaml({format: FORMAT_VERSION})}
}

/** "trail: <subject>", then the trailers. One line of subject, redacted, at most 100 characters; trailers redacted too. */
export function commitMessage(draft: Pick<Draft<unknown>, 'subject' | 'trailers'>): string {
  const subject = oneLine(redactText(draft.subject)).replace(/[\u0000-\u001f\u007f]/g, ' ')
  const short = [...subject].length > 100 ? `${[...subject].slice(0, 99).join('')}…` : subject
  const trailers = (draft.trailers ?? []).map(([key, value]) => `${key}: ${oneLine(redactText(value)).replace(/[\u0000-\u001f\u007f]/g, ' ')}`)
  return `trail: ${short}\n${trailers.length > 0 ? `\n${trailers.join('\n')}\n` : ''}`
}
