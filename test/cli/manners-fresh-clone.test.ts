import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ok, runCli} from '../helpers/cli.js'
import {testEnv, TestRepo, useRepos, useTempDirs} from '../helpers/repo.js'

// A fresh clone of a repository whose remote holds records: `git clone` does not fetch refs/trail/*, so the first
// reads would show an empty store. They say instead, in one line on stderr, how to get origin's records. Knowing
// costs no network: the line is printed when this clone has no store at all and has a remote (of any name)
// (src/cli/fresh-clone.ts). A real bare remote, a real clone.

const newRepo = useRepos()
const tempDir = useTempDirs()

const NOTE = 'note: this clone has no records yet; if origin has records, get them with: trail sync'

/** A bare origin with a branch and records on refs/trail/records (pushed from a working repository). */
async function originWithRecords(): Promise<string> {
  const bare = join(tempDir('origin'), 'origin.git')
  execFileSync('git', ['init', '--quiet', '--bare', bare], {env: testEnv()})
  const work = newRepo({dirty: false})
  await ok(work.dir, ['trail', 'start', 'the work on origin', '--agent', 'alice'])
  await ok(work.dir, ['relay', 'send', 'bob', 'hello from origin', '--agent', 'alice'])
  work.git(['push', '--quiet', bare, 'main', 'refs/trail/records:refs/trail/records'])
  return bare
}

function clone(url: string, options: string[] = []): TestRepo {
  const dir = join(tempDir('clone'), 'clone')
  execFileSync('git', ['clone', '--quiet', ...options, url, dir], {env: testEnv()})
  const repo = new TestRepo(dir)
  // Dirty, as every test's repository: the reads must leave it as it is.
  repo.write('README.md', 'edited\n')
  repo.write('notes.txt', 'untracked\n')
  return repo
}

const FIRST_READS: ['trail' | 'relay', ...string[]][] = [
  ['trail', 'list'],
  ['trail', 'status', '--agent', 'alice'],
  ['trail', 'list', '--json'],
  ['relay', 'inbox', '--agent', 'bob'],
  ['relay', 'search', 'origin'],
]

describe('manners: a fresh clone of a repository whose remote has records', () => {
  it('the first reads say on stderr, in one line, how to get them: never a silent empty list', async () => {
    const repo = clone(await originWithRecords())
    const before = repo.userState()
    for (const argv of FIRST_READS) {
      const result = await runCli(repo.dir, argv)
      assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`)
      assert.equal(result.stderr.split('\n').filter((line) => line === NOTE).length, 1, `${argv.join(' ')}: ${result.stderr}`)
      assert.doesNotMatch(result.stdout, /note:/, 'the note is on stderr, never mixed with data')
    }
    // trail show of an id only origin knows: the error, then the note.
    const show = await runCli(repo.dir, ['trail', 'show', 'traj_01'])
    assert.equal(show.code, 3)
    assert.match(show.stderr, new RegExp(`^error: .*\\nhint: .*\\n${NOTE}\\n$`))
    repo.assertUserStateUnchanged(before)
  })

  it('every read of records says it, with or without an answer: export, why, review, thread, continuity', async () => {
    const repo = clone(await originWithRecords())
    repo.git(['commit', '--quiet', '-am', 'a commit to review'])
    const reads: ['trail' | 'relay', ...string[]][] = [
      ['trail', 'export'],
      ['trail', 'export', 'traj_01'],
      ['trail', 'why', 'README.md'],
      ['trail', 'review'],
      ['relay', 'thread', 'msg_01'],
      ['relay', 'continuity', 'load', '--agent', 'claude'],
      ['relay', 'continuity', 'search', 'origin'],
    ]
    const before = repo.userState()
    for (const argv of reads) {
      const result = await runCli(repo.dir, argv)
      assert.equal(result.stderr.split('\n').filter((line) => line === NOTE).length, 1, `${argv.join(' ')}: ${result.stderr}`)
    }
    repo.assertUserStateUnchanged(before)
  })

  it('a remote of any name gets the note, naming it: git clone -o upstream', async () => {
    const repo = clone(await originWithRecords(), ['-o', 'upstream'])
    const result = await runCli(repo.dir, ['trail', 'list'])
    assert.equal(result.stderr, 'note: this clone has no records yet; if upstream has records, get them with: trail sync upstream\n')
    repo.git(['fetch', '--quiet', 'upstream', 'refs/trail/records:refs/trail/remotes/upstream/records'])
    const fetched = await runCli(repo.dir, ['relay', 'inbox', '--agent', 'bob'])
    assert.equal(fetched.stderr, "note: upstream's records were fetched but are not in this clone's store yet; get them with: trail sync upstream\n")
  })

  it('after trail sync, the records are there and the note is gone', async () => {
    const repo = clone(await originWithRecords())
    await ok(repo.dir, ['trail', 'sync'])
    const list = await runCli(repo.dir, ['trail', 'list'])
    assert.match(list.stdout, /the work on origin/)
    assert.equal(list.stderr, '')
    const inbox = await runCli(repo.dir, ['relay', 'inbox', '--agent', 'bob'])
    assert.match(inbox.stdout, /hello from origin/)
    assert.equal(inbox.stderr, '')
  })

  it('records fetched by a plain git fetch but not adopted are named as such', async () => {
    const repo = clone(await originWithRecords())
    repo.git(['fetch', '--quiet', 'origin', 'refs/trail/records:refs/trail/remotes/origin/records'])
    const result = await runCli(repo.dir, ['trail', 'list'])
    assert.equal(result.stderr, "note: origin's records were fetched but are not in this clone's store yet; get them with: trail sync\n")
  })

  it('says nothing in a repository with its own store, without an origin, or for commands that write', async () => {
    const plain = newRepo()
    const before = plain.userState()
    for (const argv of FIRST_READS) assert.doesNotMatch((await runCli(plain.dir, argv)).stderr, /note:/, `no origin: ${argv.join(' ')}`)
    plain.assertUserStateUnchanged(before)
    const repo = clone(await originWithRecords())
    const start = await runCli(repo.dir, ['trail', 'start', 'local work', '--agent', 'carol'])
    assert.equal(start.code, 0)
    assert.doesNotMatch(start.stderr, /note:/)
    // The clone now has a store of its own: the reads say nothing more (sync merges origin's when asked).
    assert.doesNotMatch((await runCli(repo.dir, ['trail', 'list'])).stderr, /note:/)
  })
})
