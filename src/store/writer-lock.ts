import {closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync} from 'node:fs'
import {hostname} from 'node:os'
import {dirname, join} from 'node:path'

// A local writer lock in front of the compare-and-swap. Measured (DESIGN.md section 3): with 8 concurrent writers
// and no lock, most attempts lose the race and retry, again and again; with the lock they queue. The lock is an
// optimisation, never the guarantee: a writer that cannot get it within `waitMs` goes ahead, and the CAS on the ref
// still keeps every record. Synchronous file calls: they are a few microseconds each, the thread pool is not.

export const LOCK_FILE = 'trail/write.lock'

/** How long writers wait for a busy lock before going ahead without it. */
export const WRITER_WAIT_MS = 5000
/** A lock whose owner cannot be checked (another host, a reused pid) is stale after this long. */
export const STALE_AFTER_MS = 10 * 60_000
/**
 * A lock file that never got its owner line: its owner writes the line microseconds after creating the file, so
 * one without it for longer died in between (killed right after `open`). Stale after this short grace, not after
 * the wait of WRITER_WAIT_MS: the next writer would otherwise wait it out and go ahead without the lock, skipping
 * the mirror update.
 */
export const EMPTY_STALE_AFTER_MS = 1000

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

const NOT_HELD: HeldLock = {held: false, release: async () => {}}

/** Where the writer lock of a repository lives: its common git dir, shared by all worktrees. */
export function lockPath(commonDir: string): string {
  return join(commonDir, LOCK_FILE)
}

/**
 * Takes the writer lock (an O_EXCL file holding "pid host time"), waiting up to `waitMs`. A stale lock (see
 * `staleness`) is claimed by renaming it away, so two waiters cannot both take it over; the lock is released
 * only if it is still the file this process created.
 *
 * @example
 * const lock = await acquireWriterLock(repo.commonDir)
 * try { ... } finally { await lock.release() }
 */
export function acquireWriterLock(commonDir: string, waitMs = WRITER_WAIT_MS): Promise<HeldLock> {
  return acquireLock(lockPath(commonDir), waitMs)
}

/**
 * Takes the lock file at `path` (the writer lock, or another lock of the same kind: one per ingested file).
 *
 * @example const lock = await acquireLock(join(gitDir, 'trail', 'ingest', `${key}.lock`), 30_000)
 */
export async function acquireLock(path: string, waitMs: number): Promise<HeldLock> {
  const deadline = Date.now() + waitMs
  let pause = 1
  for (;;) {
    const created = tryCreate(path)
    if (created === 'failed') return NOT_HELD
    if (typeof created === 'string' && created !== 'taken') return {held: true, release: async () => releaseIfOurs(path, created)}
    if (staleness(path) !== null) claimStale(path)
    if (Date.now() >= deadline) return NOT_HELD
    await sleep(pause + Math.random() * pause)
    pause = Math.min(pause * 2, 20)
  }
}

/**
 * Creates the lock file; returns the line written into it (which, with the time to the millisecond, tells this
 * lock from any later one), 'taken' when another process holds it, 'failed' when it cannot be created.
 */
function tryCreate(path: string): string | 'taken' | 'failed' {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644)
      try {
        const line = `${process.pid} ${hostname()} ${new Date().toISOString()} ${Math.random().toString(36).slice(2, 10)}\n`
        writeSync(fd, line)
        return line
      } finally {
        closeSync(fd)
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return 'taken'
      if (code !== 'ENOENT' || attempt > 0) return 'failed'
      mkdirSync(dirname(path), {recursive: true})
    }
  }
  return 'failed'
}

/** Removes the lock only if it still holds our line: a lock taken over as stale and re-taken is not ours. */
function releaseIfOurs(path: string, line: string): void {
  try {
    if (readFileSync(path, 'utf8') === line) unlinkSync(path)
  } catch {
    // already gone
  }
}

/**
 * Moves a stale lock out of the way. Renaming is atomic: of several waiters that found the same stale lock, one
 * claims it. If what was renamed turns out to be a fresh lock (taken by another writer since), it is put back.
 */
function claimStale(path: string): void {
  const seen = readText(path)
  const aside = `${path}.stale.${process.pid}.${Date.now()}`
  try {
    renameSync(path, aside)
  } catch {
    return // claimed by another waiter, or not ours to move: wait, and go ahead without the lock in the end
  }
  if (readText(aside) !== seen) {
    try {
      linkSync(aside, path)
    } catch {
      // a newer lock is already there: the one renamed was its predecessor
    }
  }
  try {
    unlinkSync(aside)
  } catch {
    // gone
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/** Who holds the lock, or null when nobody does (or the file cannot be read). */
export function readLockOwner(commonDir: string): LockOwner | null {
  const text = readText(lockPath(commonDir))
  if (text === null) return null
  const [pid, host, since] = text.trim().split(' ')
  return {pid: /^\d+$/.test(pid ?? '') ? Number(pid) : 0, host: host ?? '', since: new Date(since ?? 0)}
}

/**
 * Why the lock is stale, or null when it is not (or there is none): its owner was a process on this host that no
 * longer runs; it has no owner line and is older than EMPTY_STALE_AFTER_MS (1 s); or it is older than STALE_AFTER_MS (an owner on another
 * host, or a pid reused since).
 *
 * @example staleness(lockPath(repo.commonDir)) // 'process 4242 on this host is gone'
 */
export function staleness(path: string): string | null {
  let ageMs: number
  try {
    ageMs = Date.now() - statSync(path).mtimeMs
  } catch {
    return null
  }
  const text = readText(path) ?? ''
  const [pid, host] = text.trim().split(' ')
  const validPid = /^\d+$/.test(pid ?? '') && Number(pid) > 0
  if (!validPid) return ageMs > EMPTY_STALE_AFTER_MS ? 'it names no owner' : null
  if (host === hostname() && !isRunning(Number(pid))) return `process ${pid} on this host is gone`
  if (ageMs > STALE_AFTER_MS) return `it is ${Math.round(ageMs / 60_000)} minutes old`
  return null
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

/** Removes a stale lock (trail doctor --fix); returns why it was stale, or null when it was not. */
export function removeStaleLock(commonDir: string): string | null {
  const reason = staleness(lockPath(commonDir))
  if (reason !== null) claimStale(lockPath(commonDir))
  return reason
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
