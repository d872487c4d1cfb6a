import assert from 'node:assert/strict'
import {chmodSync, cpSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {start} from '../../src/cli/definitions/trail/start.js'
import type {CloneSyncResult} from '../../src/model/results.js'
import type {ListJson, StatusJson, TrajectoryDetailJson} from '../../src/render/trajectory.js'
import {json, ok, runCli} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'
import {TestRepo, type UserState, useTempDirs} from '../helpers/repo.js'

// One project, two clones and a bare origin: records written apart come together with trail sync (fetch, merge
// by union, push fast-forward only), the same trajectory changed on both sides keeps both changes, a new clone
// adopts the store, and trail init --push makes plain git fetch and git push carry the records. Each test works
// on a project of its own: a new one, or a copy of the project after the merge of the third test.

const RECORDS = 200

const tempDir = useTempDirs()

const sync = (repo: TestRepo, ...args: string[]) => json<CloneSyncResult>(repo.dir, ['trail', 'sync', ...args])
const tip = (repo: TestRepo) => repo.gitOrEmpty(['rev-parse', '--verify', '--quiet', 'refs/trail/records']).trim()
const trajectories = (repo: TestRepo) =>
  repo
    .git(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', '.trail/trajectories'])
    .split('\n')
    .filter((path) => path.endsWith('/trajectory.md'))
/** `count` trajectories, each by its own agent: written in this process, as the CLI would (faster than 200 spawns). */
const writeApart = async (repo: TestRepo, prefix: string, count: number) => {
  for (let i = 0; i < count; i++) {
    const result = await runInProcess(repo.dir, start, [`${prefix} task ${i}`, '--agent', `${prefix}${i}`])
    assert.equal(result.code, 0, result.stderr)
  }
}

/** A bare origin, clones a and b of it, and a maker of more clones. */
interface Project {
  root: string
  origin: TestRepo
  a: TestRepo
  b: TestRepo
  clone: (name: string) => TestRepo
}

/** The project at `root`: origin.git, a and b in it. */
function projectAt(root: string): Project {
  const origin = new TestRepo(join(root, 'origin.git'))
  const clone = (name: string) => {
    const repo = new TestRepo(join(root, name))
    repo.git(['clone', '--quiet', origin.dir, repo.dir], {cwd: root})
    return repo
  }
  return {root, origin, a: new TestRepo(join(root, 'a')), b: new TestRepo(join(root, 'b')), clone}
}

/** A new project: a bare origin with one commit on main, cloned as a and b; no records anywhere. */
function newProject(): Project {
  const root = tempDir('sync')
  const project = projectAt(root)
  project.origin.git(['init', '--quiet', '--bare', '--initial-branch=main', project.origin.dir], {cwd: root})
  const seed = new TestRepo(join(root, 'seed'))
  seed.git(['init', '--quiet', '--initial-branch=main', seed.dir], {cwd: root})
  seed.git(['remote', 'add', 'origin', project.origin.dir])
  seed.write('README.md', '# project\n')
  seed.git(['add', '.'])
  seed.git(['commit', '--quiet', '-m', 'initial'])
  seed.git(['push', '--quiet', 'origin', 'main'])
  project.clone('a')
  project.clone('b')
  return project
}

/** The first store: a starts "Shared work" (agent lead) and saves a ledger, syncs (a push); then b syncs (it adopts). */
async function pushFirstStore(project: Project): Promise<{shared: string; first: CloneSyncResult; adopted: CloneSyncResult}> {
  const {a, b} = project
  const shared = JSON.parse(await ok(a.dir, ['trail', 'start', 'Shared work', '--agent', 'lead', '--json'])).id as string
  await ok(a.dir, ['relay', 'continuity', 'save', '--agent', 'lead', 'Current task: Shared work'])
  const first = await sync(a)
  const adopted = await sync(b)
  return {shared, first, adopted}
}

/** The project after its clones wrote apart and synced together (the third test): built once, on first use. */
interface Merged extends Project {
  shared: string
  /** a's and b's user state before. */
  stateA: UserState
  stateB: UserState
  /** a's sync, b's sync (the merge) and a's second sync. */
  syncs: [CloneSyncResult, CloneSyncResult, CloneSyncResult]
}

let merging: Promise<Merged> | undefined
function mergedProject(): Promise<Merged> {
  merging ??= (async () => {
    const project = newProject()
    const {a, b} = project
    const {shared} = await pushFirstStore(project)
    const stateA = a.userState()
    const stateB = b.userState()
    await ok(a.dir, ['trail', 'complete', '--agent', 'lead', '--summary', 'Finished on clone A', '--confidence', '0.9'])
    await ok(b.dir, ['trail', 'decision', 'Chose the B approach', '--agent', 'lead', '--reasoning', 'decided on clone B'])
    // One ledger changed on both clones: merged field by field, not with conflict markers.
    await ok(a.dir, ['relay', 'continuity', 'save', '--agent', 'lead', 'Completed: the parser'])
    await ok(b.dir, ['relay', 'continuity', 'save', '--agent', 'lead', 'Next steps: write the docs'])
    await writeApart(a, 'a', RECORDS)
    await writeApart(b, 'b', RECORDS)
    const syncs: Merged['syncs'] = [await sync(a), await sync(b), await sync(a)]
    return {...project, shared, stateA, stateB, syncs}
  })()
  return merging
}

/** A copy of the merged project, its clones pointed at the copy's origin: for a test that writes. */
async function copyOfMergedProject(): Promise<Project & {shared: string}> {
  const merged = await mergedProject()
  const root = tempDir('sync-copy')
  cpSync(merged.root, root, {recursive: true})
  const project = projectAt(root)
  for (const repo of [project.a, project.b]) repo.git(['remote', 'set-url', 'origin', project.origin.dir])
  return {...project, shared: merged.shared}
}

describe('trail sync between clones of one project', () => {
  it('says so when neither side has records, and refuses a remote that is not one', async () => {
    const {a} = newProject()
    assert.equal(await ok(a.dir, ['trail', 'sync']), 'Neither this clone nor origin has records yet.\n')
    const bad = await runCli(a.dir, ['trail', 'sync', 'nowhere'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /^error: 'nowhere' is not a remote of this repository, nor a repository\nhint: /)
  })

  it('pushes a first store, and a new clone adopts it instead of starting a second one', async () => {
    const project = newProject()
    const {origin, a, b} = project
    const {shared, first, adopted} = await pushFirstStore(project)
    assert.deepEqual([first.action, first.pushed, first.remoteHadStore], ['up-to-date', true, false])
    assert.equal(origin.git(['rev-parse', 'refs/trail/records']).trim(), tip(a))
    assert.deepEqual([adopted.action, adopted.pushed], ['adopted', false])
    assert.equal(tip(b), tip(a))
    assert.equal((await json<TrajectoryDetailJson>(b.dir, ['trail', 'show', shared])).title, 'Shared work')
    assert.equal(b.read(`.trail/active/lead/${shared}.yaml`).length > 0, true, 'the mirror shows the adopted records')
  })

  it(`brings ${RECORDS} records written on each clone apart together, both changes to one trajectory kept`, async () => {
    const {origin, a, b, shared, stateA, stateB, syncs} = await mergedProject()
    const [fromA, merged, fastForward] = syncs
    assert.equal(fromA.action, 'up-to-date')
    assert.equal(merged.action, 'merged')
    assert.deepEqual(merged.merged, ['.relay/ledger/lead.md'])
    assert.deepEqual(merged.kept, [])
    assert.equal(merged.pushed, true)
    assert.equal(fastForward.action, 'fast-forward')

    assert.equal(tip(a), tip(b))
    assert.equal(origin.git(['rev-parse', 'refs/trail/records']).trim(), tip(a))
    assert.equal(trajectories(a).length, 2 * RECORDS + 1)
    for (const repo of [a, b]) {
      const detail = await json<TrajectoryDetailJson>(repo.dir, ['trail', 'show', shared])
      assert.equal(detail.status, 'completed', 'the completion from A')
      assert.equal(detail.summary, 'Finished on clone A')
      assert.deepEqual(
        detail.decisions.map((d) => d.title),
        ['Chose the B approach'],
        'the decision from B',
      )
      const ledger = repo.read('.relay/ledger/lead.md')
      for (const line of ['Shared work', 'the parser', 'write the docs']) assert.ok(ledger.includes(line), `${line} in\n${ledger}`)
      assert.doesNotMatch(ledger, /^(<<<<<<<|=======|>>>>>>>)/m)
      assert.equal((await json<ListJson>(repo.dir, ['trail', 'list', '--status', 'active', '--limit', '1000'])).trajectories.length, 2 * RECORDS)
    }
    a.assertUserStateUnchanged(stateA)
    b.assertUserStateUnchanged(stateB)
    await a.fsck('refs/trail/records')
    // A merge commit has both tips as parents: the history of each clone is kept, nothing rewritten.
    assert.equal(a.git(['rev-list', '--merges', '--count', 'refs/trail/records']).trim(), '1')
  })

  it('a third clone adopts the whole store', async () => {
    const {a, clone} = await copyOfMergedProject()
    const c = clone('c')
    assert.equal((await sync(c)).action, 'adopted')
    assert.equal(tip(c), tip(a))
    assert.equal(trajectories(c).length, 2 * RECORDS + 1)
    assert.match(await ok(c.dir, ['trail', 'sync']), /^Up to date with origin \(commit [0-9a-f]{12}\)\.\n$/)
  })

  it('trail init on a new clone adopts the store too', async () => {
    const {a, clone} = await copyOfMergedProject()
    const d = clone('d')
    assert.match(await ok(d.dir, ['trail', 'init']), /^Adopted the records of origin\.\n/)
    assert.equal(tip(d), tip(a))
  })

  it('merges two stores started apart (a clone that wrote before it synced), losing nothing', async () => {
    const {a, b, clone} = await copyOfMergedProject()
    const e = clone('e')
    await ok(e.dir, ['trail', 'start', 'Written before any sync', '--agent', 'early'])
    assert.equal(e.git(['rev-list', '--count', 'refs/trail/records']).trim(), '1', 'a root of its own')
    const merged = await sync(e)
    assert.deepEqual([merged.action, merged.pushed], ['merged', true])
    assert.equal(trajectories(e).length, 2 * RECORDS + 2)
    await sync(a)
    await sync(b)
    assert.equal(tip(a), tip(e))
    assert.equal(tip(b), tip(e))
    assert.equal(
      (await json<StatusJson>(a.dir, ['trail', 'status', '--agent', 'early'])).active?.title,
      'Written before any sync',
      'its work is active on every clone',
    )
    await e.fsck('refs/trail/records')
  })

  it('merges one trajectory finished differently on both clones field by field: the later change wins, the rest is kept', async () => {
    const {a, b} = await copyOfMergedProject()
    const id = JSON.parse(await ok(a.dir, ['trail', 'start', 'Pair work', '--agent', 'pair', '--json'])).id as string
    await sync(a)
    await sync(b)
    await ok(a.dir, ['trail', 'complete', '--agent', 'pair', '--summary', 'Finished on A', '--confidence', '0.8'])
    await new Promise((resolve) => setTimeout(resolve, 20))
    await ok(b.dir, ['trail', 'abandon', '--agent', 'pair', '--reason', 'Dropped on B'])
    await sync(a)
    const merged = await sync(b)
    assert.ok(
      merged.merged.some((path) => path.endsWith(`${id}/trajectory.md`)),
      JSON.stringify(merged),
    )
    await sync(a)
    for (const repo of [a, b]) {
      const detail = await json<TrajectoryDetailJson>(repo.dir, ['trail', 'show', id])
      assert.deepEqual([detail.status, detail.summary, detail.confidence, detail.reason], ['abandoned', 'Finished on A', 0.8, 'Dropped on B'])
    }
  })

  it('loses nothing when both clones sync at the same moment', async () => {
    const {a, b} = await copyOfMergedProject()
    const before = trajectories(a).length
    await writeApart(a, 'x', 20)
    await writeApart(b, 'y', 20)
    const [fromA, fromB] = await Promise.all([sync(a), sync(b)])
    assert.ok(fromA.pushed || fromB.pushed)
    await sync(a)
    await sync(b)
    await sync(a)
    assert.equal(tip(a), tip(b))
    assert.equal(before, 2 * RECORDS + 1)
    assert.equal(trajectories(b).length, before + 40)
  })

  it('with trail init --push, plain git push and git fetch carry the records', async () => {
    const {origin, a, b} = await copyOfMergedProject()
    const setup = await ok(a.dir, ['trail', 'init', '--push'])
    assert.match(setup, /^Configured origin so plain git fetch and git push carry the records:\n/m)
    assert.deepEqual(a.git(['config', '--get-all', 'remote.origin.push']).trim().split('\n'), ['HEAD', 'refs/trail/records*:refs/trail/records*'])
    assert.match(await ok(a.dir, ['trail', 'init', '--push']), /already carry the records/)
    assert.equal(a.git(['config', '--get-all', 'remote.origin.push']).trim().split('\n').length, 2, 'running it again adds nothing')

    await ok(a.dir, ['trail', 'start', 'Carried by plain git push', '--agent', 'pusher'])
    a.write('README.md', '# project, changed on main\n')
    a.git(['commit', '--quiet', '-am', 'a change on main'])
    a.git(['push', '--quiet'])
    assert.equal(origin.git(['rev-parse', 'refs/trail/records']).trim(), tip(a), 'the records went with git push')
    assert.equal(origin.git(['rev-parse', 'main']).trim(), a.git(['rev-parse', 'main']).trim(), 'and so did the branch')

    await ok(b.dir, ['trail', 'init', '--push'])
    b.git(['fetch', '--quiet'])
    assert.equal(b.git(['rev-parse', 'refs/trail/remotes/origin/records']).trim(), tip(a), 'git fetch brought the records')
    assert.equal((await sync(b)).action, 'fast-forward')
    assert.equal(tip(b), tip(a))

    const noRemote = await runCli(a.dir, ['trail', 'init', '--push', '--remote', 'upstream'])
    assert.equal(noRemote.code, 2)
    assert.match(noRemote.stderr, /^error: no remote named 'upstream'\n/)
  })
})

describe('trail sync and trail init --push with a remote that takes no records', () => {
  const setUp = (name: string) => {
    const root = tempDir('sync-remote')
    const origin = new TestRepo(join(root, `${name}.git`))
    origin.git(['init', '--quiet', '--bare', '--initial-branch=main', origin.dir], {cwd: root})
    const repo = new TestRepo(join(root, name))
    repo.git(['init', '--quiet', '--initial-branch=main', repo.dir], {cwd: root})
    repo.git(['remote', 'add', 'origin', origin.dir])
    repo.write('README.md', '# project\n')
    repo.git(['add', '.'])
    repo.git(['commit', '--quiet', '-m', 'initial'])
    return {origin, repo}
  }

  it('keeps plain git fetch and git push working while the remote has no records yet', async () => {
    const {origin, repo} = setUp('fresh')
    repo.git(['push', '--quiet', '-u', 'origin', 'main'])
    await ok(repo.dir, ['trail', 'init', '--push'])
    repo.git(['fetch', '--quiet'])
    repo.git(['pull', '--quiet'])
    repo.git(['push', '--quiet'])
    assert.equal(origin.git(['rev-parse', 'refs/trail/records']).trim(), repo.git(['rev-parse', 'refs/trail/records']).trim())
  })

  it('does not retry a push the remote refuses for good (a hook), and says how to see why', async () => {
    const {origin, repo} = setUp('guarded')
    origin.write(
      'hooks/pre-receive',
      '#!/bin/sh\nwhile read old new ref; do case "$ref" in refs/trail/*) echo "no records here" >&2; exit 1;; esac; done\nexit 0\n',
    )
    chmodSync(join(origin.dir, 'hooks', 'pre-receive'), 0o755)
    await ok(repo.dir, ['trail', 'start', 'Refused work'])
    const result = await runCli(repo.dir, ['trail', 'sync'])
    assert.equal(result.code, 1)
    assert.match(
      result.stderr,
      /^error: git push failed: .*no records here.*\nhint: see why with: git push origin refs\/trail\/records:refs\/trail\/records\n$/,
    )
    assert.equal(origin.gitOrEmpty(['rev-parse', '--verify', '--quiet', 'refs/trail/records']), '')
  })
})
