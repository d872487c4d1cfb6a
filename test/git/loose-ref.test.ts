import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {swapLooseRef} from '../../src/git/loose-ref.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'

// relay mcp moves refs/trail/records itself, with git's own lock protocol (src/git/loose-ref.ts): the outcome of
// each swap must be the one `git update-ref <ref> <new> <old>` gives, and anything git would do more (a reflog, a
// hook, a symbolic ref) must be left to git, untouched.

const newRepo = useRepos()
const REF = 'refs/trail/records'

function setUp(format: 'sha1' | 'sha256' = 'sha1'): {
  repo: TestRepo
  place: {commonDir: string; hooksDir: string; format: 'sha1' | 'sha256'}
  commits: string[]
} {
  const repo = newRepo({dirty: false, init: [`--object-format=${format}`]})
  const tree = repo.git(['rev-parse', 'HEAD^{tree}']).trim()
  const commits = ['one', 'two', 'three'].map((message) => repo.git(['commit-tree', tree, '-m', message], {input: ''}).trim())
  const commonDir = join(repo.dir, '.git')
  return {repo, place: {commonDir, hooksDir: join(commonDir, 'hooks'), format}, commits}
}

const tip = (repo: TestRepo) => repo.gitOrEmpty(['rev-parse', '--verify', '--quiet', REF]).trim()

describe('a loose ref moved in this process', () => {
  for (const format of ['sha1', 'sha256'] as const) {
    it(`is created, moved and refused exactly as git update-ref would (${format})`, () => {
      const {repo, place, commits} = setUp(format)
      const [one, two, three] = commits as [string, string, string]
      assert.equal(swapLooseRef(place, REF, one, two), 'stale', 'no ref yet, and one was expected')
      assert.equal(tip(repo), '')
      assert.equal(swapLooseRef(place, REF, one, null), 'updated', 'created')
      assert.equal(tip(repo), one)
      assert.equal(swapLooseRef(place, REF, two, null), 'stale', 'there is one now')
      assert.equal(swapLooseRef(place, REF, two, three), 'stale', 'at another commit')
      assert.equal(swapLooseRef(place, REF, two, one), 'updated')
      assert.equal(tip(repo), two)
      // Packed by git: read from packed-refs, then written loose, as git does.
      repo.git(['pack-refs', '--all'])
      assert.equal(swapLooseRef(place, REF, three, one), 'stale')
      assert.equal(swapLooseRef(place, REF, three, two), 'updated')
      assert.equal(tip(repo), three)
      assert.equal(repo.git(['for-each-ref', '--format=%(objectname)', REF]).trim(), three)
      assert.deepEqual(repo.git(['fsck', '--no-progress', '--no-dangling']).trim(), '')
    })
  }

  it("waits its turn behind git's lock on the ref, and leaves that lock alone", () => {
    const {repo, place, commits} = setUp()
    const [one, two] = commits as [string, string]
    repo.git(['update-ref', REF, one])
    const lock = join(place.commonDir, `${REF}.lock`)
    writeFileSync(lock, '')
    assert.deepEqual(swapLooseRef(place, REF, two, one), {locked: lock})
    assert.equal(tip(repo), one)
    assert.equal(readFileSync(lock, 'utf8'), '', "git's lock is as it was")
    rmSync(lock)
    assert.equal(swapLooseRef(place, REF, two, one), 'updated', 'once git is done')
    assert.equal(tip(repo), two)
    assert.ok(!existsSync(lock), 'and no lock is left behind')
  })

  it('leaves to git what git would do more: a reflog, a reference-transaction hook, a symbolic or linked ref, a ref that is a folder', () => {
    const cases: [string, (repo: TestRepo, commonDir: string, one: string) => void][] = [
      ['a reflog', (_repo, commonDir) => mkdirSync(join(commonDir, 'logs', 'refs', 'trail', 'records'), {recursive: true})],
      ['a hook', (_repo, commonDir) => writeFileSync(join(commonDir, 'hooks', 'reference-transaction'), '#!/bin/sh\n', {mode: 0o755})],
      ['a symbolic ref', (repo) => repo.git(['symbolic-ref', REF, 'refs/heads/main'])],
      [
        'a linked ref',
        (_repo, commonDir, one) => {
          writeFileSync(join(commonDir, 'elsewhere'), `${one}\n`)
          mkdirSync(join(commonDir, 'refs', 'trail'), {recursive: true})
          symlinkSync(join(commonDir, 'elsewhere'), join(commonDir, REF))
        },
      ],
      ['a folder', (_repo, commonDir) => mkdirSync(join(commonDir, REF, 'inside'), {recursive: true})],
    ]
    for (const [what, make] of cases) {
      const {repo, place, commits} = setUp()
      const [one, two] = commits as [string, string]
      if (what !== 'a symbolic ref' && what !== 'a linked ref' && what !== 'a folder') repo.git(['update-ref', REF, one])
      mkdirSync(place.hooksDir, {recursive: true})
      make(repo, place.commonDir, one)
      const before = repo.gitOrEmpty(['for-each-ref', '--format=%(refname) %(objectname) %(symref)'])
      assert.equal(swapLooseRef(place, REF, two, one), 'unsupported', what)
      assert.equal(repo.gitOrEmpty(['for-each-ref', '--format=%(refname) %(objectname) %(symref)']), before, `${what}: nothing moved`)
      assert.equal(swapLooseRef(place, 'refs/trail/../heads/main', two, one), 'unsupported', 'a name outside refs/trail/')
    }
  })
})
