import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {GitRepo} from '../../src/git/repo.js'
import {readRefFile, readRefFiles} from '../../src/git/ref-files.js'
import {testEnv, useRepos, type TestRepo} from '../helpers/repo.js'

// The refs under refs/trail/ read from git's files, without a process: always what `git for-each-ref` lists, or
// null (then git is asked), never another answer.

const newRepo = useRepos()

function forEachRef(repo: TestRepo, prefix: string): {name: string; oid: string}[] {
  return repo
    .git(['for-each-ref', '--format=%(refname) %(objectname)', prefix])
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, oid] = line.split(' ')
      return {name: name!, oid: oid!}
    })
}

describe("the refs read from git's files", () => {
  it('lists what git for-each-ref lists: loose refs, packed refs, loose over packed, deleted refs gone', () => {
    const repo = newRepo({dirty: false})
    const head = repo.git(['rev-parse', 'HEAD']).trim()
    const tree = repo.git(['rev-parse', 'HEAD^{tree}']).trim()
    const other = repo.git(['commit-tree', tree, '-m', 'other'], {input: ''}).trim()
    const common = join(repo.dir, '.git')
    const prefix = 'refs/trail/'
    assert.deepEqual(readRefFiles(common, prefix, 'sha1'), [], 'none yet')
    for (const name of ['records', 'siblings/web/records', 'remotes/origin/records', 'siblings/api/records'])
      repo.git(['update-ref', `refs/trail/${name}`, head])
    repo.git(['update-ref', 'refs/heads/elsewhere', head])
    assert.deepEqual(readRefFiles(common, prefix, 'sha1'), forEachRef(repo, prefix), 'loose')
    repo.git(['pack-refs', '--all'])
    assert.deepEqual(readRefFiles(common, prefix, 'sha1'), forEachRef(repo, prefix), 'packed')
    repo.git(['update-ref', 'refs/trail/siblings/web/records', other])
    repo.git(['update-ref', '-d', 'refs/trail/siblings/api/records'])
    repo.git(['update-ref', 'refs/trail/siblings/new/records', other])
    // A lock file left by a writer is not a ref.
    writeFileSync(join(common, 'refs', 'trail', 'records.lock'), `${other}\n`)
    const listed = readRefFiles(common, prefix, 'sha1')
    assert.deepEqual(listed, forEachRef(repo, prefix), 'loose over packed, one deleted')
    assert.deepEqual(
      listed?.map((ref) => ref.name),
      ['refs/trail/records', 'refs/trail/remotes/origin/records', 'refs/trail/siblings/new/records', 'refs/trail/siblings/web/records'],
    )
    assert.equal(listed?.find((ref) => ref.name === 'refs/trail/siblings/web/records')?.oid, other)
  })

  it('answers null, for git to be asked, where it cannot read a ref as git does', () => {
    const repo = newRepo({dirty: false})
    const common = join(repo.dir, '.git')
    const head = repo.git(['rev-parse', 'HEAD']).trim()
    repo.git(['update-ref', 'refs/trail/records', head])
    // A symbolic ref.
    repo.git(['symbolic-ref', 'refs/trail/alias', 'refs/trail/records'])
    assert.equal(readRefFiles(common, 'refs/trail/', 'sha1'), null, 'a symbolic ref')
    repo.git(['symbolic-ref', '--delete', 'refs/trail/alias'])
    assert.deepEqual(readRefFiles(common, 'refs/trail/', 'sha1'), forEachRef(repo, 'refs/trail/'))
    // A reftable repository keeps its refs in reftable/.
    mkdirSync(join(common, 'reftable'))
    assert.equal(readRefFiles(common, 'refs/trail/', 'sha1'), null, 'reftable')
  })
})

/** One ref as git resolves it: its id and its symbolic target, or 'absent'. */
function gitRef(repo: TestRepo, name: string): {oid: string; symref: string | null} | 'absent' {
  const line = repo
    .git(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(symref)', name])
    .split('\n')
    .find((each) => each.startsWith(`${name}\0`))
  if (line === undefined) return 'absent'
  const [, oid, symref] = line.split('\0')
  return {oid: oid!, symref: symref || null}
}

describe("one ref read from git's files", () => {
  it('is what git resolves: loose, packed, loose over packed, symbolic (to a loose or a packed ref), dangling, missing', () => {
    const repo = newRepo({dirty: false})
    const common = join(repo.dir, '.git')
    const head = repo.git(['rev-parse', 'HEAD']).trim()
    const tree = repo.git(['rev-parse', 'HEAD^{tree}']).trim()
    const other = repo.git(['commit-tree', tree, '-m', 'other'], {input: ''}).trim()
    const names = [
      'refs/remotes/origin/HEAD',
      'refs/remotes/origin/main',
      'refs/remotes/origin/master',
      'refs/heads/main',
      'refs/heads/master',
      'refs/heads/none',
    ]
    const same = (label: string) => {
      for (const name of names) assert.deepEqual(readRefFile(common, name, 'sha1'), gitRef(repo, name), `${label}: ${name}`)
    }
    same('a new repository')
    repo.git(['update-ref', 'refs/remotes/origin/main', head])
    repo.git(['symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main'])
    same('loose, and a symbolic ref to it')
    repo.git(['pack-refs', '--all'])
    same('packed, and a symbolic ref to a packed ref')
    repo.git(['update-ref', 'refs/remotes/origin/main', other])
    same('loose over packed')
    repo.git(['symbolic-ref', 'refs/remotes/origin/alias', 'refs/remotes/origin/main'])
    repo.git(['symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/alias'])
    same('a chain of symbolic refs, named by its last')
    repo.git(['symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/gone'])
    same('a symbolic ref to nothing')
    assert.equal(readRefFile(common, 'refs/remotes/origin/HEAD', 'sha1'), 'absent')
  })

  it('answers null, for git to be asked, for what it cannot read as git does', () => {
    const repo = newRepo({dirty: false})
    const common = join(repo.dir, '.git')
    writeFileSync(join(common, 'refs', 'heads', 'odd'), 'not an id\n')
    assert.equal(readRefFile(common, 'refs/heads/odd', 'sha1'), null, 'content that is no id')
    writeFileSync(join(common, 'refs', 'heads', 'loop1'), 'ref: refs/heads/loop2\n')
    writeFileSync(join(common, 'refs', 'heads', 'loop2'), 'ref: refs/heads/loop1\n')
    assert.equal(readRefFile(common, 'refs/heads/loop1', 'sha1'), null, 'a loop')
    assert.equal(readRefFile(common, 'refs/heads/../../config', 'sha1'), null, 'a name out of refs/')
    mkdirSync(join(common, 'reftable'))
    assert.equal(readRefFile(common, 'refs/heads/main', 'sha1'), null, 'reftable')
  })
})

describe('the default branch', () => {
  it("is found from git's files as git finds it: origin/HEAD's target first, then origin's main or master, then a local one", async () => {
    const repo = newRepo({dirty: false})
    const open = () => GitRepo.open(repo.dir, testEnv())
    const head = repo.git(['rev-parse', 'HEAD']).trim()
    const branch = repo.git(['symbolic-ref', '--short', 'HEAD']).trim()
    assert.deepEqual(await open().defaultBranch(), branch === 'main' || branch === 'master' ? {name: branch, oid: head} : null)
    repo.git(['update-ref', 'refs/remotes/origin/master', head])
    assert.deepEqual(await open().defaultBranch(), {name: 'origin/master', oid: head})
    repo.git(['update-ref', 'refs/remotes/origin/trunk', head])
    repo.git(['symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk'])
    assert.deepEqual(await open().defaultBranch(), {name: 'origin/trunk', oid: head})
    repo.git(['pack-refs', '--all'])
    assert.deepEqual(await open().defaultBranch(), {name: 'origin/trunk', oid: head}, 'packed')
    // Where the files are not read (a reftable folder: this git still keeps files), git answers, the same.
    mkdirSync(join(repo.dir, '.git', 'reftable'))
    assert.deepEqual(await open().defaultBranch(), {name: 'origin/trunk', oid: head}, 'asked git')
  })
})
