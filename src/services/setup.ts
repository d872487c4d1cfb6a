import {join} from 'node:path'
import {FALLBACK_IDENTITY} from '../git/repo.js'
import {kindOfPath, readRecordAt} from '../model/kinds.js'
import {ACTIVE_DIR, MIRRORED_DIRS, trajectoryPath} from '../model/layout.js'
import type {Store} from '../store/store.js'
import {isLeftBehind} from '../store/git-locks.js'
import {linkTarget} from '../store/mirror.js'
import {formatWrite} from '../store/transaction.js'
import {lockPath, readLockOwner, removeStaleLock, staleness} from '../store/writer-lock.js'
import {integrationChecks} from '../integrations/installers.js'
import type {Context} from './context.js'
import {hooksDir} from './repository-init.js'
import type {InitResult, Check, DoctorResult} from '../model/results.js'

// `trail init` (explicit set-up) and `trail doctor` (checks, and fixes on request).

/**
 * Sets the store up: the first commit (if there is none), the work-tree mirror, and the info/exclude entries.
 * Safe to run again: it changes nothing that is already in place. Every write command does the same silently.
 *
 * @example const {created} = await initStore(ctx)
 */
export async function initStore(ctx: Context): Promise<InitResult> {
  const store = await ctx.store()
  const created = await store.transact(async (snapshot) =>
    snapshot.tip === null ? {writes: [formatWrite()], subject: 'init', result: true} : {writes: [], subject: '', result: false},
  )
  const mirrored = await store.mirror.syncToRef(store.ref)
  if (store.mirror.hasWorkTree) await store.mirror.ensureExcluded()
  const snapshot = await store.snapshot()
  return {created, ref: store.ref, tip: snapshot.tip!, mirror: store.repo.workTree, mirrored, identity: (await store.repo.writeSettings()).author}
}

/**
 * Checks the store: git's own fsck of the ref's objects, every record parses, stale lock files, active markers
 * that point at finished work, a mirror that drifted from the ref, the info/exclude entries, the commit identity.
 * With `fix`, repairs what can be repaired without losing anything: removes stale locks and crash reports,
 * rewrites mirrored files that differ from the ref, adds the exclude entries. It never deletes a file in the
 * mirror folders that the ref does not have (it may be the user's), and never rewrites the ref.
 *
 * @example const {healthy} = await runDoctor(ctx, {fix: false})
 */
export async function runDoctor(ctx: Context, options: {fix: boolean}): Promise<DoctorResult> {
  const store = await ctx.store()
  const snapshot = await store.snapshot()
  const {author} = await store.repo.settings()
  const checks: Check[] = [
    author.isFallback
      ? {
          name: 'identity',
          status: 'warning',
          message: `git has no user.name/user.email here; records are committed as ${FALLBACK_IDENTITY.name} <${FALLBACK_IDENTITY.email}>`,
          fix: 'git config --global user.email "you@example.com" && git config --global user.name "Your Name"',
        }
      : {name: 'identity', status: 'ok', message: `records are committed as ${author.name} <${author.email}>`},
  ]
  if (snapshot.tip === null) {
    checks.push({name: 'store', status: 'ok', message: `no records yet (${store.ref} does not exist); the first write creates it`})
  } else {
    const complaints = await store.repo.fsck(store.ref)
    checks.push(
      complaints.length === 0
        ? {name: 'fsck', status: 'ok', message: `git fsck finds ${store.ref} and its objects sound`}
        : {name: 'fsck', status: 'problem', message: `git fsck: ${complaints.slice(0, 5).join('; ')}`, fix: `git fsck --full ${store.ref}`},
    )
    checks.push(...(await checkRecords(store)))
    checks.push(await checkActiveMarkers(store))
  }
  checks.push(checkWriterLock(store, options.fix), checkRefLock(store, options.fix), checkCrashReports(store, options.fix))
  if (store.mirror.hasWorkTree) checks.push(...(await checkMirror(store, snapshot.tip, options.fix)))
  if (store.repo.workTree !== null) {
    const root = {workTree: store.repo.workTree, gitDirs: [store.repo.gitDir, store.repo.commonDir], hooksDir: await hooksDir(store)}
    checks.push(...integrationChecks(root, ctx.env))
  }
  return {checks, healthy: checks.every((check) => check.status !== 'problem')}
}

/** Records read per round trip while checking every record (bounded memory at any store size). */
const CHECK_BATCH = 1000

/**
 * Every file on the ref, checked against the registry of record kinds: it is a regular file at a path of some
 * kind, it parses as that kind, and it agrees with its path (model/kinds.ts readRecordAt).
 */
async function checkRecords(store: Store): Promise<Check[]> {
  const snapshot = await store.snapshot()
  const entries = await store.repo.listTree(snapshot.tip!, MIRRORED_DIRS)
  const broken: string[] = []
  const outside: string[] = []
  const files = entries.filter((entry) => {
    if (entry.type === 'blob' && (entry.mode === '100644' || entry.mode === '100755')) return true
    broken.push(`${entry.path}: a ${entry.mode === '120000' ? 'symbolic link' : entry.type} where a record file belongs`)
    return false
  })
  let count = 0
  for (let start = 0; start < files.length; start += CHECK_BATCH) {
    const batch = files.slice(start, start + CHECK_BATCH).filter((entry) => {
      if (kindOfPath(entry.path)) return true
      outside.push(entry.path)
      return false
    })
    const texts = await snapshot.readTexts(batch.map((entry) => entry.path))
    texts.forEach((text, index) => {
      const path = batch[index]!.path
      count++
      try {
        readRecordAt(path, text ?? '')
      } catch (error) {
        broken.push(`${path}: ${(error as Error).message.replace(/^cannot read record [^:]*: /, '')}`)
      }
    })
  }
  const checks: Check[] = [
    broken.length === 0
      ? {name: 'records', status: 'ok', message: `all ${count} records parse and agree with their paths`}
      : {
          name: 'records',
          status: 'problem',
          message: `${broken.length} of ${entries.length} records cannot be read: ${broken.slice(0, 3).join('; ')}${broken.length > 3 ? '; …' : ''}`,
          fix: `git show ${store.ref}:<path> to inspect; a later write of the record replaces it`,
        },
  ]
  if (outside.length > 0) {
    checks.push({
      name: 'layout',
      status: 'warning',
      message: `${outside.length} files on the ref are not records of any kind this version knows (${outside.slice(0, 3).join(', ')}${outside.length > 3 ? ', …' : ''}); a newer version may have written them`,
    })
  }
  return checks
}

async function checkActiveMarkers(store: Store): Promise<Check> {
  const snapshot = await store.snapshot()
  const agents = await snapshot.listDirs(ACTIVE_DIR)
  const markers = (
    await Promise.all(agents.map(async (agent) => (await snapshot.list(`${ACTIVE_DIR}/${agent}`)).map((entry) => entry.name.replace(/\.yaml$/, ''))))
  ).flat()
  const texts = await snapshot.readTexts(markers.map(trajectoryPath))
  const wrong = markers.filter((_, index) => !/^status: active$/m.test(texts[index] ?? ''))
  return wrong.length === 0
    ? {name: 'active', status: 'ok', message: `${markers.length} active trajectories, each marked once`}
    : {name: 'active', status: 'warning', message: `markers point at trajectories that are not active: ${wrong.slice(0, 3).join(', ')}`}
}

function checkWriterLock(store: Store, fix: boolean): Check {
  const owner = readLockOwner(store.repo.commonDir)
  if (owner === null) return {name: 'lock', status: 'ok', message: 'no writer holds the lock'}
  const stale = staleness(lockPath(store.repo.commonDir))
  if (stale === null) return {name: 'lock', status: 'ok', message: `process ${owner.pid} on ${owner.host} is writing (since ${owner.since.toISOString()})`}
  if (fix && removeStaleLock(store.repo.commonDir) !== null) return {name: 'lock', status: 'fixed', message: `removed a stale writer lock: ${stale}`}
  return {name: 'lock', status: 'warning', message: `the writer lock is stale (${stale}); the next write takes it over`, fix: 'trail doctor --fix'}
}

/**
 * git's own locks on the ref (refs/trail/records.lock, packed-refs.lock), left behind when a git process was
 * killed: judged as the write path judges them (store/git-locks.ts), so a lock that makes writes stop is a problem
 * here too.
 */
function checkRefLock(store: Store, fix: boolean): Check {
  const locks = store.repo.gitLocks(store.ref)
  const left = locks.filter(isLeftBehind)
  if (locks.length === 0) return {name: 'ref-lock', status: 'ok', message: 'no ref lock left behind'}
  if (left.length === 0)
    return {name: 'ref-lock', status: 'ok', message: `${locks.map((lock) => lock.path).join(', ')}: fresh, a git process is updating refs right now`}
  if (fix) {
    const removed = left.filter((lock) => store.repo.removeGitLock(lock))
    return {name: 'ref-lock', status: 'fixed', message: `removed ${removed.map((lock) => lock.path).join(', ')}, left by a git process that was killed`}
  }
  const blocks = (path: string) => (path.endsWith('packed-refs.lock') ? 'it blocks deleting refs and git gc' : 'it blocks every write')
  return {
    name: 'ref-lock',
    status: 'problem',
    message: left.map((lock) => `${lock.path} is ${Math.round(lock.ageMs / 1000)} s old: a killed git process left it, and ${blocks(lock.path)}`).join('; '),
    fix: 'trail doctor --fix',
  }
}

function checkCrashReports(store: Store, fix: boolean): Check {
  const reports = store.repo.crashReports()
  if (reports.length === 0) return {name: 'leftovers', status: 'ok', message: 'no crash reports from interrupted writes'}
  if (fix) {
    store.repo.removeCrashReports()
    return {name: 'leftovers', status: 'fixed', message: `removed ${reports.length} fast-import crash reports left by interrupted writes`}
  }
  return {
    name: 'leftovers',
    status: 'warning',
    message: `${reports.length} fast-import crash reports from interrupted writes (harmless; nothing was half-written)`,
    fix: 'trail doctor --fix',
  }
}

async function checkMirror(store: Store, tip: string | null, fix: boolean): Promise<Check[]> {
  const checks: Check[] = []
  const state = store.mirror.readState()
  if (state.disabled !== null) {
    checks.push({name: 'mirror', status: 'warning', message: `the mirror is off in this worktree: ${state.disabled}`})
  } else if (tip !== null) {
    const drift = await store.mirror.confirmDrift(await store.mirror.findDrift(tip), store.ref)
    for (const link of drift.links) {
      const target = linkTarget(join(store.repo.workTree!, link))
      checks.push({
        name: 'mirror-link',
        status: 'problem',
        message: `${link} is ${target === null ? 'not a folder' : `a symbolic link (to ${target})`}: the mirror is never written through it, so the records under it are not mirrored`,
        fix: `remove it (rm ${link}), then: trail doctor --fix`,
      })
    }
    if (state.partial && !fix) {
      checks.push({
        name: 'mirror',
        status: 'warning',
        message: 'the mirror holds only the records written here since a fetched store was adopted or a large import: it was never built from the whole ref',
        fix: 'trail doctor --fix (or trail init) mirrors every record',
      })
    } else if (drift.changed.length === 0 && drift.leftovers.length === 0) {
      // Under a link nothing was compared: the mirror-link problem above says so, and no "ok" contradicts it.
      if (drift.links.length === 0) checks.push({name: 'mirror', status: 'ok', message: 'the .trail/ and .relay/ folders match the ref'})
    } else if (fix) {
      const count = await store.mirror.repair(store.ref)
      checks.push({name: 'mirror', status: 'fixed', message: `rewrote ${count} mirrored files from the ref`})
    } else {
      const sample = drift.changed.slice(0, 3).join(', ')
      checks.push({
        name: 'mirror',
        status: 'problem',
        message:
          drift.changed.length > 0
            ? `${drift.changed.length} mirrored files differ from the ref or are missing (${sample}${drift.changed.length > 3 ? ', …' : ''}); the ref is the truth`
            : `${drift.leftovers.length} temporary files left by an interrupted write (${drift.leftovers.slice(0, 3).join(', ')})`,
        fix: 'trail doctor --fix',
      })
    }
    if (drift.extra.length > 0) {
      checks.push({
        name: 'extra',
        status: 'warning',
        message: `${drift.extra.length} files in the mirror folders are not on the ref, and are left alone (${drift.extra.slice(0, 3).join(', ')}${drift.extra.length > 3 ? ', …' : ''})`,
        fix: 'remove them if they are not yours',
      })
    }
  }
  if (state.disabled !== null) return checks
  if (await store.mirror.isExcluded()) checks.push({name: 'exclude', status: 'ok', message: '.trail/ and .relay/ are listed in info/exclude'})
  else if (fix) {
    await store.mirror.ensureExcluded()
    checks.push({name: 'exclude', status: 'fixed', message: 'added .trail/ and .relay/ to info/exclude'})
  } else if (tip === null) checks.push({name: 'exclude', status: 'ok', message: 'info/exclude is set up on the first write'})
  else
    checks.push({
      name: 'exclude',
      status: 'problem',
      message: '.trail/ and .relay/ are not in info/exclude, so git status shows them',
      fix: 'trail doctor --fix',
    })
  return checks
}
