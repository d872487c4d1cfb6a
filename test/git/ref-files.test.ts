import assert from 'node:assert/strict'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {readRefFiles} from '../../src/git/ref-files.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'

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
