import {readdirSync, rmSync} from 'node:fs'
import {stat, unlink} from 'node:fs/promises'
import {join} from 'node:path'
import {FALLBACK_IDENTITY, type Identity} from '../git/repo.js'
import {ACTIVE_DIR, trajectoryPath, TRAJECTORIES_DIR} from '../model/layout.js'
import {parseEvent, parseTrajectory} from '../model/trajectory.js'
import {formatWrite} from '../store/transaction.js'
import {acquireWriterLock, isOwnerGone, lockPath, readLockOwner} from '../store/writer-lock.js'
import type {Context} from './context.js'

// `trail init` (explicit set-up) and `trail doctor` (checks, and fixes on request).

export interface InitResult {
  /** True when this call made the store's first commit. */
  created: boolean
  ref: string
  tip: string
  /** Where the records are mirrored, or null in a bare repository. */
  mirror: string | null
  /** Files the mirror wrote or removed to catch up. */
  mirrored: number
  identity: Identity
}

/**
 * Sets the store up: the first commit (if there is none), the work-tree mirror, and the info/exclude entries.
 * Safe to run again: it changes nothing that is already in place. Every write command does the same silently.
 */
export async function initStore(ctx: Context): Promise<InitResult> {
  const store = await ctx.store()
  const created = await store.transact(async (snapshot) =>
    snapshot.tip === null
      ? {writes: [formatWrite()], subject: 'init', result: true}
      : {writes: [], subject: '', result: false},
  )
  const snapshot = await store.snapshot()
  const mirrored = await store.mirror.syncTo(snapshot.tip)
  if (store.mirror.hasWorkTree) await store.mirror.ensureExcluded()
  return {
    created,
    ref: store.ref,
    tip: snapshot.tip!,
    mirror: store.repo.workTree,
    mirrored,
    identity: (await store.repo.settings()).author,
  }
}

export type CheckStatus = 'ok' | 'warning' | 'problem' | 'fixed'

export interface Check {
  name: string
  status: CheckStatus
  message: string
  /** How to fix it (a command), when there is a problem. */
  fix?: string
}

export interface DoctorResult {
  checks: Check[]
  /** True when no check found a problem that is still there. */
  healthy: boolean
}

/**
 * Checks the store: git's own fsck of the ref's objects, every record parses, stale lock files, active markers
 * that point at finished work, a mirror that drifted from the ref, the info/exclude entries, the commit identity.
 * With `fix`, repairs what can be repaired without losing anything: removes stale locks, rebuilds the mirror,
 * adds the exclude entries.
 */
export async function runDoctor(ctx: Context, options: {fix: boolean}): Promise<DoctorResult> {
  const store = await ctx.store()
  const repo = store.repo
  const checks: Check[] = []
  const snapshot = await store.snapshot()
  const {author} = await repo.settings()

  checks.push(
    author.isFallback
      ? {
          name: 'identity',
          status: 'warning',
          message: `git has no user.name/user.email here; records are committed as ${FALLBACK_IDENTITY.name} <${FALLBACK_IDENTITY.email}>`,
          fix: 'git config --global user.email "you@example.com" && git config --global user.name "Your Name"',
        }
      : {name: 'identity', status: 'ok', message: `records are committed as ${author.name} <${author.email}>`},
  )

  if (snapshot.tip === null) {
    checks.push({name: 'store', status: 'ok', message: `no records yet (${store.ref} does not exist); the first write creates it`})
  } else {
    const fsck = await repo.run(['fsck', '--no-progress', '--no-dangling', store.ref], {okExitCodes: [1, 2, 4, 8]})
    const complaints = `${fsck.stdout.toString('utf8')}${fsck.stderr}`.split('\n').filter((line) => line.trim() !== '')
    checks.push(
      fsck.exitCode === 0 && complaints.length === 0
        ? {name: 'fsck', status: 'ok', message: `git fsck finds ${store.ref} and its objects sound`}
        : {name: 'fsck', status: 'problem', message: `git fsck: ${complaints.slice(0, 5).join('; ')}`, fix: `git fsck --full ${store.ref}`},
    )
    checks.push(await checkRecords(ctx))
    checks.push(await checkActiveMarkers(ctx))
  }

  checks.push(await checkWriterLock(repo.commonDir, options.fix))
  checks.push(await checkRefLock(repo.refLockPath(store.ref), options.fix))
  checks.push(checkCrashReports([repo.gitDir, repo.commonDir], options.fix))

  if (store.mirror.hasWorkTree) {
    const state = await store.mirror.readState()
    if (state.disabled !== null) {
      checks.push({name: 'mirror', status: 'warning', message: `the mirror is off in this worktree: ${state.disabled}`})
    } else if (snapshot.tip !== null) {
      const drift = await store.mirror.findDrift(snapshot.tip)
      const count = drift.changed.length + drift.extra.length
      if (count === 0) checks.push({name: 'mirror', status: 'ok', message: 'the .trail/ and .relay/ folders match the ref'})
      else if (options.fix) {
        const lock = await acquireWriterLock(repo.commonDir)
        try {
          await store.mirror.rebuild(snapshot.tip)
        } finally {
          await lock.release()
        }
        checks.push({name: 'mirror', status: 'fixed', message: `rebuilt the mirror from the ref (${count} files differed)`})
      } else {
        const sample = [...drift.changed, ...drift.extra].slice(0, 3).join(', ')
        checks.push({
          name: 'mirror',
          status: 'problem',
          message: `${count} mirrored files differ from the ref (${sample}${count > 3 ? ', …' : ''}); the ref is the truth`,
          fix: 'trail doctor --fix',
        })
      }
    }
    if (await store.mirror.isExcluded()) checks.push({name: 'exclude', status: 'ok', message: '.trail/ and .relay/ are listed in info/exclude'})
    else if (options.fix || snapshot.tip === null) {
      if (options.fix) await store.mirror.ensureExcluded()
      checks.push({name: 'exclude', status: options.fix ? 'fixed' : 'ok', message: options.fix ? 'added .trail/ and .relay/ to info/exclude' : 'info/exclude is set on first write'})
    } else {
      checks.push({name: 'exclude', status: 'problem', message: '.trail/ and .relay/ are not in info/exclude, so git status shows them', fix: 'trail doctor --fix'})
    }
  }

  return {checks, healthy: checks.every((check) => check.status !== 'problem')}
}

async function checkRecords(ctx: Context): Promise<Check> {
  const store = await ctx.store()
  const snapshot = await store.snapshot()
  const listing = await store.repo.run(['ls-tree', '-r', '--name-only', '-z', snapshot.tip!, '--', TRAJECTORIES_DIR])
  const paths = listing.stdout.toString('utf8').split('\0').filter((path) => path.endsWith('.md'))
  const texts = await snapshot.readTexts(paths)
  const broken: string[] = []
  texts.forEach((text, index) => {
    const path = paths[index]!
    try {
      if (path.endsWith('/trajectory.md')) parseTrajectory(text ?? '', path)
      else parseEvent(text ?? '', path)
    } catch (error) {
      broken.push(`${path}: ${(error as Error).message.replace(/^cannot read record [^:]*: /, '')}`)
    }
  })
  return broken.length === 0
    ? {name: 'records', status: 'ok', message: `all ${paths.length} trajectory records parse`}
    : {
        name: 'records',
        status: 'problem',
        message: `${broken.length} of ${paths.length} records cannot be read: ${broken.slice(0, 3).join('; ')}`,
        fix: `git show ${store.ref}:<path> to inspect; a later write of the record replaces it`,
      }
}

async function checkActiveMarkers(ctx: Context): Promise<Check> {
  const snapshot = await (await ctx.store()).snapshot()
  const agents = await snapshot.listDirs(ACTIVE_DIR)
  const markers = (await Promise.all(agents.map(async (agent) => (await snapshot.list(`${ACTIVE_DIR}/${agent}`)).map((entry) => entry.name.replace(/\.yaml$/, ''))))).flat()
  const texts = await snapshot.readTexts(markers.map(trajectoryPath))
  const wrong = markers.filter((id, index) => !/^status: active$/m.test(texts[index] ?? ''))
  return wrong.length === 0
    ? {name: 'active', status: 'ok', message: `${markers.length} active trajectories, each marked once`}
    : {name: 'active', status: 'warning', message: `markers point at trajectories that are not active: ${wrong.slice(0, 3).join(', ')}`}
}

async function checkWriterLock(commonDir: string, fix: boolean): Promise<Check> {
  const owner = readLockOwner(commonDir)
  if (owner === null) return {name: 'lock', status: 'ok', message: 'no writer holds the lock'}
  if (!isOwnerGone(owner)) {
    return {name: 'lock', status: 'ok', message: `process ${owner.pid} on ${owner.host} is writing (since ${owner.since.toISOString()})`}
  }
  if (fix) {
    await unlink(lockPath(commonDir)).catch(() => {})
    return {name: 'lock', status: 'fixed', message: `removed the writer lock left by process ${owner.pid}, which is gone`}
  }
  return {
    name: 'lock',
    status: 'warning',
    message: `a writer lock was left by process ${owner.pid}, which is gone (the next write removes it)`,
    fix: 'trail doctor --fix',
  }
}

/** git's own lock on the ref (refs/trail/records.lock), left behind when update-ref was killed. */
async function checkRefLock(path: string, fix: boolean): Promise<Check> {
  const info = await stat(path).catch(() => null)
  if (!info) return {name: 'ref-lock', status: 'ok', message: 'no ref lock left behind'}
  const ageMs = Date.now() - info.mtimeMs
  if (ageMs < 60_000) return {name: 'ref-lock', status: 'ok', message: `${path} is fresh: a write is in progress`}
  if (fix) {
    await unlink(path).catch(() => {})
    return {name: 'ref-lock', status: 'fixed', message: `removed ${path}, left by a git process that was killed`}
  }
  return {
    name: 'ref-lock',
    status: 'problem',
    message: `${path} is ${Math.round(ageMs / 1000)} s old: a killed git process left it, and it blocks every write`,
    fix: 'trail doctor --fix',
  }
}


/**
 * `git fast-import` writes a crash report into the git dir when its input ends early, which is what happens when
 * a writer is killed mid-commit (the commit is then not made: nothing is lost). The reports are only clutter.
 */
function checkCrashReports(dirs: readonly string[], fix: boolean): Check {
  const reports = [...new Set(dirs)].flatMap((dir) => {
    try {
      return readdirSync(dir).filter((name) => name.startsWith('fast_import_crash_')).map((name) => join(dir, name))
    } catch {
      return []
    }
  })
  if (reports.length === 0) return {name: 'leftovers', status: 'ok', message: 'no crash reports from interrupted writes'}
  if (fix) {
    for (const report of reports) rmSync(report, {force: true})
    return {name: 'leftovers', status: 'fixed', message: `removed ${reports.length} fast-import crash reports left by interrupted writes`}
  }
  return {
    name: 'leftovers',
    status: 'warning',
    message: `${reports.length} fast-import crash reports from interrupted writes (harmless; no record was half-written)`,
    fix: 'trail doctor --fix',
  }
}
