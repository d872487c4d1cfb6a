import {ConflictError, GitError, UsageError} from '../errors.js'
import type {Oid} from '../git/objects.js'
import type {GitRepo} from '../git/repo.js'
import {describeLeftOut, recordByteLimit, type LeftOutEntry} from '../model/foreign-entries.js'
import {mergeRecordText} from '../model/kinds.js'
import {withoutCredentials} from '../model/redact.js'
import type {CloneSyncResult, PushSetup} from '../model/results.js'
import {inspectIncoming} from '../store/incoming.js'
import {planMerge} from '../store/merge.js'
import {checkIncomingFormat} from '../store/snapshot.js'
import type {Store} from '../store/store.js'
import type {Draft} from '../store/transaction.js'
import {sleep} from '../store/writer-lock.js'
import type {Context} from './context.js'

// `trail sync`: the records of one project, carried between its clones through an ordinary remote (DESIGN.md
// section 4). Fetch the remote's ref into refs/trail/remotes/<remote>/records; adopt it (a new clone), fast-forward
// to it, or merge it by union; push fast-forward only (never forced), and go round again when the remote moved
// meanwhile.
//
// A remote's commits are someone else's: before any becomes ours, everything they bring is checked (store/
// incoming.ts: paths, modes, sizes, their whole history). When something does not fit, their commit is neither
// adopted nor fast-forwarded to, nor made a parent of a merge: a commit of our own takes what fits, so nothing
// refused is reachable from our ref, and `git push` of our ref never carries it on (nor trips a server's
// receive.fsckObjects over a ".git" entry). The cost: our ref cannot be pushed to that remote (a push would be no
// fast-forward, and it is never forced) until the remote is repaired; the warning says how.

/** Rounds of fetch, merge and push before giving up on a remote that keeps moving. */
const SYNC_ROUNDS = 5

/**
 * A remote as a ref name component: its name, or a path or URL made safe, without the user name and password a
 * URL may carry (`https://user:ghp_...@host/repo` → refs/trail/remotes/https-host-repo/records).
 */
export function trackingRef(remote: string): string {
  const name =
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote) && !remote.includes('..')
      ? remote
      : withoutCredentials(remote)
          .replace(/[^A-Za-z0-9._-]+/g, '-')
          .replace(/^[-.]+|[-.]+$/g, '')
          .replace(/\.\.+/g, '.') || 'remote'
  return `refs/trail/remotes/${name}/records`
}

/**
 * Brings this clone's records and the remote's together: both end at the same commit, which holds every record of
 * both. On a new clone, adopts the remote's store instead of starting a second one.
 *
 * @example const result = await syncWithRemote(ctx, 'origin')
 */
export async function syncWithRemote(ctx: Context, remote: string, progress?: (text: string) => void): Promise<CloneSyncResult> {
  const onProgress = progress && ((text: string) => progress(withoutCredentials(text)))
  const store = await ctx.store()
  const tracking = trackingRef(remote)
  const shown = withoutCredentials(remote)
  const result: CloneSyncResult = {
    remote: shown,
    action: 'up-to-date',
    merged: [],
    kept: [],
    pushed: false,
    rounds: 0,
    tip: null,
    remoteHadStore: false,
    leftOut: [],
    pushBlocked: false,
  }
  const maxRecordBytes = recordByteLimit(ctx.env)
  for (let round = 1; round <= SYNC_ROUNDS; round++) {
    result.rounds = round
    const theirs = await fetchStore(store, remote, tracking, onProgress)
    result.remoteHadStore ||= theirs !== null
    const outcome = await bringTogether(store, theirs, maxRecordBytes, `the store of ${shown}`)
    if (outcome.action !== 'up-to-date') result.action = outcome.action
    result.merged.push(...outcome.merged)
    result.kept.push(...outcome.kept)
    const ours = await store.repo.resolveRef(store.ref)
    result.tip = ours
    if (outcome.leftOut.length > 0) {
      result.leftOut = outcome.leftOut
      const count = outcome.leftOut.length
      ctx.warn(
        `${shown} holds ${count} ${count === 1 ? 'entry that does' : 'entries that do'} not fit this store, left out: ${describeLeftOut(outcome.leftOut)}`,
      )
    }
    if (ours === null || ours === theirs) return result
    if (outcome.leftOut.length > 0) {
      // Their commits are not ours, so a push of ours is no fast-forward there: blocked, if we have anything to push
      // (a file of ours the remote's tip lacks, or has otherwise).
      result.pushBlocked = theirs !== null && [...(await store.repo.diffTrees(theirs, ours)).values()].some(([, now]) => now !== null)
      if (result.pushBlocked) {
        ctx.warn(
          `nothing was pushed to ${shown}: a push would have to carry its commits that hold those entries. Once nobody writes there, ` +
            `replace its records with this clone's (which hold everything of it that fits): git push --force-with-lease=${store.ref}:${theirs} ${shown} ${store.ref}:${store.ref}`,
        )
      }
      return result
    }
    const pushed = await store.repo.push(remote, `${store.ref}:${store.ref}`, onProgress)
    if (pushed.outcome === 'pushed') {
      result.pushed = true
      await store.repo.updateRef(tracking, ours, theirs, 'trail sync: pushed').catch(() => 'stale')
      return result
    }
    if (pushed.outcome === 'refused')
      throw new GitError(
        pushed.error.args,
        pushed.error.gitExitCode,
        withoutCredentials(pushed.error.stderr),
        `see why with: git push ${shown} ${store.ref}:${store.ref}`,
      )
    await sleep(Math.random() * 200 * round)
  }
  throw new ConflictError(`${shown} kept moving: ${SYNC_ROUNDS} rounds of fetch, merge and push were not enough`, 'run trail sync again')
}

/**
 * On a clone with no records yet, fetches the remote's store (when the remote exists and has one), so that the
 * first write adopts it instead of starting a second root. Returns whether there is one to adopt now. A remote that
 * cannot be reached is a warning: `trail sync` merges the two roots later, losing nothing.
 *
 * @example if (await fetchRemoteStoreIfNew(ctx, 'origin')) ...
 */
export async function fetchRemoteStoreIfNew(ctx: Context, remote: string): Promise<boolean> {
  const store = await ctx.store()
  if ((await store.repo.resolveRef(store.ref)) !== null) return false
  if (!(await hasRemote(store.repo, remote))) return false
  try {
    return (await fetchStore(store, remote, trackingRef(remote))) !== null
  } catch (error) {
    ctx.warn(
      `could not look for the records of ${withoutCredentials(remote)}: ${withoutCredentials((error as Error).message)}; trail sync brings them together later`,
    )
    return false
  }
}

/** Whether `remote` names a configured remote of this repository (not a path or URL). */
async function hasRemote(repo: GitRepo, remote: string): Promise<boolean> {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote) && (await repo.settings()).config.value(`remote.${remote}.url`) !== undefined
}

/** Fetches the remote's store into the tracking ref; the remote's tip, or null when it has no store yet. */
async function fetchStore(store: Store, remote: string, tracking: string, onProgress?: (text: string) => void): Promise<Oid | null> {
  const fetched = await store.repo.fetch(remote, `+${store.ref}:${tracking}`, onProgress)
  // git leaves the password out of the URLs it prints, mostly; what it echoes, and the remote, are shown without.
  const shown = withoutCredentials(remote)
  if (fetched.outcome === 'no-such-ref') return null
  if (fetched.outcome === 'not-a-repository') {
    throw new UsageError(
      `'${shown}' is not a remote of this repository, nor a repository`,
      'name a remote (git remote -v lists them), a path or a URL',
      'E_REMOTE',
    )
  }
  if (fetched.outcome === 'failed')
    throw new GitError(
      fetched.error.args,
      fetched.error.gitExitCode,
      withoutCredentials(fetched.error.stderr),
      `check that this machine reaches it: git fetch ${shown}`,
    )
  return store.repo.resolveForeignRef(tracking)
}

/** What bringing the two stores together did. */
type Together = Pick<CloneSyncResult, 'action' | 'merged' | 'kept'> & {leftOut: LeftOutEntry[]}

/**
 * Moves the local store to include `theirs`: adopt, fast-forward or merge, as one transaction (the same writer
 * lock, compare-and-swap, retry, mirror update and maintenance as every write). When their commits bring anything
 * that does not fit (see the top of this file), a commit of our own takes what fits instead.
 */
async function bringTogether(store: Store, theirs: Oid | null, maxRecordBytes: number, whose: string): Promise<Together> {
  const none: Together = {action: 'up-to-date', merged: [], kept: [], leftOut: []}
  if (theirs === null) return none
  const repo = store.repo
  return store.transact(
    async (snapshot): Promise<Draft<Together>> => {
      const ours = snapshot.tip
      if (ours !== null && (ours === theirs || (await repo.isAncestor(theirs, ours)))) return {writes: [], subject: '', result: none}
      // A newer format is neither adopted nor merged: this version would misread it.
      await checkIncomingFormat(repo, theirs, maxRecordBytes, whose)
      const inspection = await inspectIncoming(repo, theirs, ours === null ? [] : [ours], maxRecordBytes)
      if (inspection.leftOut.length === 0) {
        if (ours === null) return {writes: [], moveTo: theirs, subject: 'sync: adopt the remote store', result: {...none, action: 'adopted'}}
        if (await repo.isAncestor(ours, theirs)) return {writes: [], moveTo: theirs, subject: 'sync: fast-forward', result: {...none, action: 'fast-forward'}}
      }
      const plan = await planMerge(repo, ours, theirs, mergeRecordText, inspection.admits)
      const merged = {merged: plan.merged, kept: plan.kept, leftOut: inspection.leftOut}
      if (inspection.leftOut.length === 0) {
        return {
          writes: plan.changes,
          mergeParents: [theirs],
          subject: `merge the records of ${theirs.slice(0, 12)} (trail sync)`,
          trailers: [['Trail-Merged', `${plan.merged.length} records merged by meaning`]],
          result: {action: 'merged', ...merged},
        }
      }
      // Their commit is not a parent: nothing that was left out becomes reachable from our ref.
      return {
        writes: plan.changes,
        subject: `take the records of ${theirs.slice(0, 12)} that fit this store (trail sync)`,
        trailers: [
          ['Trail-Merged', `${plan.merged.length} records merged by meaning`],
          ['Trail-Left-Out', `${inspection.leftOut.length} entries of ${theirs} that do not fit`],
        ],
        result: {action: plan.changes.length === 0 ? 'up-to-date' : ours === null ? 'adopted' : 'merged', ...merged},
      }
    },
    {adoptFetched: false},
  )
}

/**
 * Makes plain `git fetch` and `git push` carry the records too: a fetch refspec into the tracking ref, and push
 * refspecs. A remote with no push refspec yet also gets "HEAD", so `git push` still pushes the current branch
 * (as push.default=current would) besides the records.
 *
 * @example await configurePush(ctx, 'origin')
 */
export async function configurePush(ctx: Context, remote: string): Promise<PushSetup> {
  const repo = (await ctx.store()).repo
  if (!(await hasRemote(repo, remote))) {
    throw new UsageError(
      `no remote named '${remote}'`,
      'add one with: git remote add origin <url>, or name another: trail init --push --remote <name>',
      'E_REMOTE',
    )
  }
  const added: string[] = []
  // Patterns, not plain refspecs: git fetch and git push skip a pattern that matches nothing, where a plain refspec
  // for a ref the remote (or this clone) lacks would make every git fetch, git pull and git push fail.
  const fetch = `+refs/trail/records*:${trackingRef(remote)}*`
  if (await repo.configAdd(`remote.${remote}.fetch`, fetch)) added.push(fetch)
  const pushes = (await repo.settings()).config.values(`remote.${remote}.push`)
  if (pushes.length === 0 && (await repo.configAdd(`remote.${remote}.push`, 'HEAD'))) added.push('HEAD')
  if (await repo.configAdd(`remote.${remote}.push`, 'refs/trail/records*:refs/trail/records*')) added.push('refs/trail/records*:refs/trail/records*')
  return {remote, added}
}
