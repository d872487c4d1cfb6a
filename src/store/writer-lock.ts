import {closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync} from 'node:fs'
import {hostname} from 'node:os'
import {dirname, join} from 'node:path'

// A local writer lock in front of the compare-and-swap. Measured (DESIGN.md section 3): with 8 concurrent writers
// and no lock, most attempts lose the race and retry, again and again; with the lock they queue. The lock is an
// optimisation, never the guarantee: a writer that cannot get it within `waitMs` goes ahead, and the CAS on the ref
// still keeps every record. Synchronous file calls: they are a few microseconds each, the thread pool is not.

export const LOCK_FILE = 'trail/write.lock'

/** The line a writer puts in the lock file. */
export interface LockOwner {
  pid: number
  host: string
  since: Date
}

/** The outcome of acquireWriterLock. */
export interface HeldLock {
  /** False when the lock could not be taken in time and the writer went ahead without it. */
  held: boolean
  release(): Promise<void>
}

/** Where the writer lock of a repository lives: its common git dir, shared by all worktrees. */
export function lockPath(commonDir: string): string {
  return join(commonDir, LOCK_FILE)
}

/**
 * Takes the writer lock (an O_EXCL file holding "pid host time"), waiting up to `waitMs`. A lock left by a dead
 * process on this host is removed and taken over.
 *
 * @example
 * const lock = await acquireWriterLock(repo.commonDir)
 * try { ... } finally { await lock.release() }
 */
export async function acquireWriterLock(commonDir: string, waitMs = 30_000): Promise<HeldLock> {
  const path = lockPath(commonDir)
  const deadline = Date.now() + waitMs
  let pause = 1
  for (;;) {
    const outcome = tryCreate(path)
    if (outcome === 'created') return {held: true, release: async () => removeQuietly(path)}
    if (outcome === 'failed') return {held: false, release: async () => {}}
    if (isStale(path)) {
      removeQuietly(path)
      continue
    }
    if (Date.now() >= deadline) return {held: false, release: async () => {}}
    await sleep(pause + Math.random() * pause)
    pause = Math.min(pause * 2, 20)
  }
}

function tryCreate(path: string): 'created' | 'taken' | 'failed' {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644)
      try {
        writeSync(fd, `${process.pid} ${hostname()} ${new Date().toISOString()}\n`)
      } finally {
        closeSync(fd)
      }
      return 'created'
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return 'taken'
      if (code !== 'ENOENT' || attempt > 0) return 'failed'
      mkdirSync(dirname(path), {recursive: true})
    }
  }
  return 'failed'
}

/** Who holds the lock, or null when nobody does (or the file cannot be read). */
export function readLockOwner(commonDir: string): LockOwner | null {
  return readOwner(lockPath(commonDir))
}

/** A lock is stale when its owner was a process on this host that no longer runs. */
export function isOwnerGone(owner: LockOwner): boolean {
  if (owner.host !== hostname() || !(owner.pid > 0)) return false
  try {
    process.kill(owner.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

function readOwner(path: string): LockOwner | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return null
  }
  const [pid, host, since] = text.trim().split(' ')
  return {pid: Number(pid), host: host ?? '', since: new Date(since ?? 0)}
}

function isStale(path: string): boolean {
  const owner = readOwner(path)
  if (owner === null) return false
  // An empty lock file is one whose owner has not written its line yet: fresh, unless it has been empty for long
  // (its owner died between creating and writing it).
  if (Number.isNaN(owner.pid)) {
    try {
      return Date.now() - statSync(path).mtimeMs > 10_000
    } catch {
      return false
    }
  }
  return isOwnerGone(owner)
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // already gone
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
