import {LockedError} from '../errors.js'
import type {GitLock, GitRepo} from '../git/repo.js'
import {sleep} from './writer-lock.js'

// git's own lock files on the store's ref: `refs/trail/records.lock`, taken by every update of the ref, and
// packed-refs.lock (deleting a ref, `git pack-refs` inside `git gc`). git creates one, writes a line, and renames
// it onto the ref within milliseconds (it gives up on a busy lock after core.filesRefLockTimeout, 100 ms). A git
// process killed in between (OOM, kill -9, a power cut) leaves it, and git refuses every later update of the ref
// ("Unable to create '...lock': File exists") until someone removes it. The write path (./transaction.ts) and
// `trail doctor` (services/setup.ts) judge such a lock by the same rule, here.

/**
 * A git lock this old is left behind: no git process holds one for seconds. Not shorter: a git process on a loaded
 * machine (or a slow network file system) may take a moment, and removing a lock git still holds would let two
 * updates of the ref through.
 */
export const GIT_LOCK_STALE_MS = 5000

/** Whether git's lock file is old enough to have been left behind (GIT_LOCK_STALE_MS). */
export function isLeftBehind(lock: GitLock): boolean {
  return lock.ageMs >= GIT_LOCK_STALE_MS
}

/**
 * A write found git's lock on the ref (`lockPath`): waits until it is gone, or, once it is old enough to have been
 * left behind (GIT_LOCK_STALE_MS), removes it when this process holds the writer lock, so no writer of ours is
 * updating the ref; without the writer lock, throws LockedError naming the file and the command that removes it.
 * Returns at once when the lock is gone, so the write tries again.
 *
 * @example if (outcome.outcome === 'locked') await waitOutGitLock(repo, outcome.lockPath, lock.held, warn)
 */
export async function waitOutGitLock(repo: GitRepo, lockPath: string, holdsWriterLock: boolean, warn: (message: string) => void): Promise<void> {
  // A lock taken and released again and again by other git processes is a race like any other: after about the
  // stale age, the caller's next attempt takes its chance.
  const deadline = Date.now() + 2 * GIT_LOCK_STALE_MS
  while (Date.now() < deadline) {
    const lock = repo.gitLock(lockPath)
    if (lock === null) return
    if (isLeftBehind(lock)) {
      if (!holdsWriterLock) throw new LockedError(lock.path, lock.ageMs)
      if (repo.removeGitLock(lock))
        warn(`removed ${lock.path}, ${Math.round(lock.ageMs / 1000)} s old: git's lock on the ref, left by a git process that was killed`)
      return
    }
    await sleep(Math.min(50, GIT_LOCK_STALE_MS - lock.ageMs + 1))
  }
}
