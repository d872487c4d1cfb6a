import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import type {CloneSyncResult, DoctorResult} from '../../src/model/results.js'
import {json, ok, runCli} from '../helpers/cli.js'
import {TestRepo, useRepos} from '../helpers/repo.js'

// Locks left behind by killed processes, and writers that meet at the same moment:
// - git's own lock on the ref (refs/trail/records.lock), left by a git process killed mid-update: the write path
//   recovers it once it is old enough to be left behind, or fails at once with the command that removes it; trail
//   doctor judges it by the same rule (and packed-refs.lock too);
// - our writer lock, created by a writer killed before it wrote its owner line: stale after a short grace, so the
//   next write takes it (and updates the mirror) instead of waiting 5 s and going around it;
// - two clones syncing into an empty remote at the same moment: the one whose push loses the race goes round again.

const REF = 'refs/trail/records'
const newRepo = useRepos()

/** A file made `ageMs` milliseconds ago (by its modification time). */
function placeAged(path: string, content: string, ageMs: number): void {
  mkdirSync(join(path, '..'), {recursive: true})
  writeFileSync(path, content)
  const when = new Date(Date.now() - ageMs)
  utimesSync(path, when, when)
}

const doctor = (repo: TestRepo, ...flags: string[]) =>
  runCli(repo.dir, ['trail', 'doctor', '--json', ...flags]).then((result) => JSON.parse(result.stdout) as DoctorResult)

describe("git's lock on the ref, left by a killed git process", () => {
  it('is reported by trail doctor, and the next write removes it, says so, and writes', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Before the crash', '--agent', 'a'])
    const lock = join(repo.dir, '.git', `${REF}.lock`)
    placeAged(lock, '', 30_000)
    const before = repo.userState()

    const checked = await doctor(repo)
    assert.equal(checked.healthy, false, 'not "No problems found"')
    const refLock = checked.checks.find((check) => check.name === 'ref-lock')!
    assert.equal(refLock.status, 'problem')
    assert.match(refLock.message, /records\.lock is \d+ s old: a killed git process left it, and it blocks every write/)

    const written = await runCli(repo.dir, ['trail', 'start', 'After the crash', '--agent', 'b', '--json'])
    assert.equal(written.code, 0, written.stderr)
    assert.match(written.stderr, /^warning: removed \S+records\.lock, \d+ s old: git's lock on the ref, left by a git process that was killed$/m)
    assert.ok(!existsSync(lock))
    const id = JSON.parse(written.stdout).id as string
    assert.ok(existsSync(join(repo.dir, '.trail', 'active', 'b', `${id}.yaml`)), 'the mirror was updated: the writer held its lock')
    assert.equal((await doctor(repo)).checks.find((check) => check.name === 'ref-lock')!.status, 'ok')
    repo.assertUserStateUnchanged(before)
  })

  it('is waited for while it could be a git process at work, and recovered once it is too old to be one', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Before the crash', '--agent', 'a'])
    const lock = join(repo.dir, '.git', `${REF}.lock`)
    placeAged(lock, '', 0)
    assert.equal((await doctor(repo)).checks.find((check) => check.name === 'ref-lock')!.status, 'ok', 'fresh: a git process may be updating the ref')
    const written = await runCli(repo.dir, ['trail', 'decision', 'Chosen after the crash', '--agent', 'a'])
    assert.equal(written.code, 0, written.stderr)
    assert.doesNotMatch(written.stderr, /attempts lost the race/)
    assert.match(written.stderr, /removed \S+records\.lock/)
  })

  it('makes a write fail at once with the command that removes it when another live writer holds the writer lock', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Before the crash', '--agent', 'a'])
    const lock = join(repo.dir, '.git', `${REF}.lock`)
    placeAged(lock, '', 30_000)
    // This test's own process, alive on this host, "holds" the writer lock: another writer of ours may be at work.
    placeAged(join(repo.dir, '.git', 'trail', 'write.lock'), `${process.pid} ${hostname()} ${new Date().toISOString()} test\n`, 0)
    try {
      const written = await runCli(repo.dir, ['trail', 'decision', 'Blocked', '--agent', 'a'])
      assert.equal(written.code, 4)
      assert.equal(
        written.stderr.replace(/ is \d+ s old:/, ' is N s old:'),
        `error: ${lock} is N s old: git holds that lock for milliseconds while it updates the ref, so a git process was killed and left it, and it blocks every write\n` +
          `hint: if no git command is running in this repository, remove it: rm '${lock}'   (or: trail doctor --fix)\n`,
      )
      assert.ok(existsSync(lock), 'left for whoever holds the writer lock, or for the user')
      const fixed = await doctor(repo, '--fix')
      assert.equal(fixed.checks.find((check) => check.name === 'ref-lock')!.status, 'fixed')
      assert.ok(!existsSync(lock))
    } finally {
      rmSync(join(repo.dir, '.git', 'trail', 'write.lock'), {force: true})
    }
    await ok(repo.dir, ['trail', 'decision', 'Unblocked', '--agent', 'a'])
  })

  it('packed-refs.lock left behind is a problem for trail doctor too, and --fix removes it', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Work', '--agent', 'a'])
    const lock = join(repo.dir, '.git', 'packed-refs.lock')
    placeAged(lock, '', 120_000)
    const checked = (await doctor(repo)).checks.find((check) => check.name === 'ref-lock')!
    assert.equal(checked.status, 'problem')
    assert.match(checked.message, /packed-refs\.lock is \d+ s old: .* it blocks deleting refs and git gc/)
    assert.equal((await doctor(repo, '--fix')).checks.find((check) => check.name === 'ref-lock')!.status, 'fixed')
    assert.ok(!existsSync(lock))
  })
})

describe('our writer lock, created by a writer killed before it wrote its owner line', () => {
  it('is taken by the next write, which updates the mirror', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'First', '--agent', 'a'])
    const lockPath = join(repo.dir, '.git', 'trail', 'write.lock')
    // A writer killed right after creating the lock file: open with O_EXCL, then SIGKILL before the write.
    const killed = spawnSync(process.execPath, ['-e', `require('node:fs').openSync(${JSON.stringify(lockPath)}, 'wx'); process.kill(process.pid, 'SIGKILL')`])
    assert.equal(killed.signal, 'SIGKILL')
    assert.equal(readFileSync(lockPath, 'utf8'), '', 'an empty lock file, as the killed writer left it')

    const written = await runCli(repo.dir, ['trail', 'start', 'Second', '--agent', 'b', '--json'])
    assert.equal(written.code, 0, written.stderr)
    const id = JSON.parse(written.stdout).id as string
    assert.ok(existsSync(join(repo.dir, '.trail', 'active', 'b', `${id}.yaml`)), 'the mirror was updated: the lock was taken, not gone around')
    assert.ok(!existsSync(lockPath), 'and released')
    assert.equal(written.stderr, '')
  })
})

describe('two clones syncing into an empty remote at the same moment', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'first-syncs-')))
  after(() => rmSync(root, {recursive: true, force: true}))
  let round = 0

  /** An empty bare remote and two clones, each with a record of its own (two stores started apart). */
  const clones = async () => {
    const dir = join(root, String(++round))
    const origin = new TestRepo(join(dir, 'origin.git'))
    origin.git(['init', '--quiet', '--bare', '--initial-branch=main', origin.dir], {cwd: root})
    const made: TestRepo[] = []
    for (const name of ['a', 'b']) {
      const repo = new TestRepo(join(dir, name))
      repo.git(['init', '--quiet', '--initial-branch=main', repo.dir], {cwd: root})
      repo.git(['remote', 'add', 'origin', origin.dir])
      await ok(repo.dir, ['trail', 'start', `Work of ${name}`, '--agent', name])
      made.push(repo)
    }
    return {origin, a: made[0]!, b: made[1]!}
  }
  const trajectories = (repo: TestRepo) =>
    repo
      .git(['ls-tree', '-r', '--name-only', REF, '--', '.trail/trajectories'])
      .split('\n')
      .filter((path) => path.endsWith('/trajectory.md'))

  it('both succeed, and the remote holds the records of both (many times over)', async (t) => {
    // Four races: the moment the pushes meet is the scheduler's; the next test makes them meet every time.
    const TIMES = 4
    let raced = 0
    for (let time = 0; time < TIMES; time++) {
      const {origin, a, b} = await clones()
      const results = await Promise.all([a, b].map((repo) => runCli(repo.dir, ['trail', 'sync', '--json'])))
      for (const result of results) assert.equal(result.code, 0, `time ${time}: ${result.stderr}`)
      const [fromA, fromB] = results.map((result) => JSON.parse(result.stdout) as CloneSyncResult)
      if (fromA!.rounds > 1 || fromB!.rounds > 1) raced++
      assert.ok(fromA!.pushed || fromB!.pushed)
      assert.equal(trajectories(origin).length, 2, `time ${time}: the remote holds both`)
    }
    // How often the pushes met: reported, not required (the moment is the scheduler's).
    t.diagnostic(`first syncs that met at the remote: ${raced} of ${TIMES}`)
  })

  it('the push that finds the remote ref created under it ("reference already exists") goes round again', async () => {
    const {origin, a, b} = await clones()
    await ok(b.dir, ['trail', 'sync'])
    const theirs = origin.git(['rev-parse', REF]).trim()
    origin.git(['update-ref', '-d', REF])
    // The other clone's push lands between this clone's look at the remote (no ref) and its own update: a hook that
    // runs once, when the push arrives, and creates the ref.
    const hook = join(origin.dir, 'hooks', 'pre-receive')
    writeFileSync(
      hook,
      `#!/bin/sh\nrm -f "$0"\nenv -u GIT_QUARANTINE_PATH -u GIT_OBJECT_DIRECTORY -u GIT_ALTERNATE_OBJECT_DIRECTORIES git update-ref ${REF} ${theirs}\n`,
    )
    chmodSync(hook, 0o755)
    const synced = await json<CloneSyncResult>(a.dir, ['trail', 'sync'])
    assert.deepEqual([synced.pushed, synced.rounds, synced.action], [true, 2, 'merged'])
    assert.equal(trajectories(origin).length, 2)
    assert.ok(!existsSync(hook))
  })
})
