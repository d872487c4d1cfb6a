import assert from 'node:assert/strict'
import {readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {inflateSync} from 'node:zlib'
import {hasSharedPermissions, storedZlib} from '../../src/git/warm-commit.js'
import {GitRepo, type FileChange} from '../../src/git/repo.js'
import {crc32, tableCrc32} from '../../src/git/small-pack.js'
import {testEnv, useRepos, type TestRepo} from '../helpers/repo.js'

// The warm write path of relay mcp (src/git/warm-commit.ts) builds trees in Node. Git's tree format leaves no
// room for taste: the same changes from the same parent must give the very trees `git fast-import` (the CLI's
// write path) gives, byte for byte, and git fsck must find nothing.

const REF = 'refs/trail/records'

function repos(repo: TestRepo): {cold: GitRepo; warm: GitRepo} {
  const cold = GitRepo.open(repo.dir, testEnv())
  const warm = GitRepo.open(repo.dir, testEnv())
  warm.keepCommitsWarm()
  return {cold, warm}
}

/** Commits `changes` on `parent` through both writers (to two scratch refs) and returns both commits' trees. */
async function bothWays(repo: TestRepo, parent: string | null, changes: FileChange[], step: number): Promise<[string, string]> {
  const {cold, warm} = repos(repo)
  try {
    const when = new Date(1_800_000_000_000 + step * 1000)
    // Both writers commit on a ref that is at the parent, as the store's ref is.
    if (parent !== null) for (const side of ['cold', 'warm']) repo.git(['update-ref', `refs/test/${side}-${step}`, parent])
    const viaFastImport = await cold.beginCommit(`refs/test/cold-${step}`).commit(parent, changes, `trail: step ${step}\n`, when)
    const viaWarm = await warm.beginCommit(`refs/test/warm-${step}`).commit(parent, changes, `trail: step ${step}\n`, when)
    assert.equal(viaFastImport.outcome, 'updated')
    assert.equal(viaWarm.outcome, 'updated')
    if (viaFastImport.outcome !== 'updated' || viaWarm.outcome !== 'updated') throw new Error('not committed')
    // Same author, committer, time, parent and message: the commits are equal too.
    assert.equal(viaWarm.commit, viaFastImport.commit, `step ${step}: the commits differ`)
    return [repo.git(['rev-parse', `${viaFastImport.commit}^{tree}`]).trim(), repo.git(['rev-parse', `${viaWarm.commit}^{tree}`]).trim()]
  } finally {
    cold.close()
    warm.close()
  }
}

describe('commits written without a git process (relay mcp)', () => {
  const makeRepo = useRepos()

  for (const format of ['sha1', 'sha256']) {
    it(`give the same trees and commits as git fast-import, for adds, replacements, removals and git's sort order (${format})`, async () => {
      const repo = makeRepo({init: [`--object-format=${format}`]})
      const steps: FileChange[][] = [
        [{path: '.trail/format.yaml', content: 'format: 1\n'}],
        [
          {path: '.trail/trajectories/2026/11/03/traj_a/trajectory.md', content: '---\nid: traj_a\n---\n'},
          {path: '.trail/active/claude/traj_a.yaml', content: 'trajectory: traj_a\n'},
        ],
        // Names whose order differs between "compare as written" and git's (a folder sorts as if it ended with "/").
        [
          {path: 'sort/a.b', content: '1\n'},
          {path: 'sort/a-b', content: '2\n'},
          {path: 'sort/a/inner', content: '3\n'},
          {path: 'sort/a0', content: '4\n'},
          {path: 'sort/ab', content: '5\n'},
          {path: 'sort/B', content: '6\n'},
          {path: 'sort/é', content: '7\n'},
          {path: 'sort/a.b.c/x', content: '8\n'},
        ],
        [{path: '.trail/trajectories/2026/11/03/traj_a/events/ev_1.md', content: Buffer.from([0, 1, 2, 255])}],
        // A replacement, and a removal that leaves folders empty (both writers drop them).
        [
          {path: '.trail/trajectories/2026/11/03/traj_a/trajectory.md', content: '---\nid: traj_a\nstatus: completed\n---\n'},
          {path: '.trail/active/claude/traj_a.yaml', content: null},
        ],
        [
          {path: 'sort/a/inner', content: null},
          {path: 'sort/é', content: null},
        ],
        // A file replaced by a folder of the same name, and a removal of something absent.
        [
          {path: 'sort/ab/now-a-folder', content: 'x\n'},
          {path: 'nothing/here', content: null},
        ],
        [{path: 'empty-file', content: ''}],
        // A folder of hundreds: new entries land between old ones (merged into the old tree's order), at both ends,
        // as files and as folders, while others go.
        Array.from({length: 300}, (_, n) => ({path: `many/f${(n * 7919) % 300}.md`, content: `${n}\n`})),
        [
          {path: 'many/f150-a.md', content: 'between\n'},
          {path: 'many/f150', content: 'a prefix of f150.md\n'},
          {path: 'many/f15/inner', content: 'a folder among files\n'},
          {path: 'many/a', content: 'first\n'},
          {path: 'many/z', content: 'last\n'},
          {path: 'many/f7.md', content: null},
          {path: 'many/f299.md', content: 'changed\n'},
        ],
      ]
      let parent: string | null = null
      for (const [step, changes] of steps.entries()) {
        const [cold, warm] = await bothWays(repo, parent, changes, step)
        assert.equal(warm, cold, `step ${step}: the trees differ`)
        parent = repo.git(['rev-parse', `refs/test/cold-${step}`]).trim()
      }
      repo.git(['fsck', '--strict', '--no-dangling', '--no-progress'])
    })
  }

  it("put the entries of a parent tree that is out of git's order (not written by git) in order", async () => {
    const repo = makeRepo()
    const blob = repo.git(['hash-object', '-w', '--stdin'], {input: 'x\n'}).trim()
    const raw = Buffer.concat(['b', 'a'].map((name) => Buffer.concat([Buffer.from(`100644 ${name}\0`), Buffer.from(blob, 'hex')])))
    const file = join(repo.dir, '.git', 'unsorted-tree')
    writeFileSync(file, raw)
    const tree = repo.git(['hash-object', '-t', 'tree', '-w', '--literally', file]).trim()
    const parent = repo.git(['commit-tree', tree, '-m', 'unsorted'], {input: ''}).trim()
    repo.git(['update-ref', REF, parent])
    const {warm} = repos(repo)
    try {
      const outcome = await warm.beginCommit(REF).commit(parent, [{path: 'c', content: 'y\n'}], 'trail: sorted\n', new Date())
      assert.equal(outcome.outcome, 'updated')
      const listing = repo.git(['ls-tree', 'refs/trail/records'])
      assert.deepEqual(
        listing
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split('\t')[1]),
        ['a', 'b', 'c'],
      )
      assert.equal(repo.git(['rev-parse', 'refs/trail/records^{tree}']).trim(), repo.git(['mktree'], {input: listing}).trim(), 'the tree git would write')
    } finally {
      warm.close()
    }
  })

  for (const format of ['sha1', 'sha256']) {
    it(`write each commit as one pack that holds exactly its objects, which git verifies (${format})`, async () => {
      const repo = makeRepo({init: [`--object-format=${format}`]})
      const packs = () => new Set(readdirSync(join(repo.dir, '.git', 'objects', 'pack')).filter((name) => name.endsWith('.idx')))
      const {warm} = repos(repo)
      try {
        // Sizes on each side of the entry header's byte boundaries (4 bits, then 7 per byte) and of a stored block.
        const sizes = [0, 15, 16, 2047, 2048, 65_535, 65_536, 262_143, 262_144, 300_001]
        const changes: FileChange[] = sizes.map((size, at) => ({path: `files/${at}/f${size}`, content: Buffer.alloc(size, at + 1)}))
        let parent: string | null = null
        for (const [step, batch] of [changes.slice(0, 5), changes.slice(5), [{path: 'files/0/f0', content: null}]].entries()) {
          const before = packs()
          const outcome = await warm.beginCommit(REF).commit(parent, batch, `trail: step ${step}\n`, new Date())
          assert.equal(outcome.outcome, 'updated')
          if (outcome.outcome !== 'updated') return
          parent = outcome.commit
          const added = [...packs()].filter((name) => !before.has(name))
          assert.equal(added.length, 1, `step ${step}: one new pack`)
          const listing = repo.git(['verify-pack', '-v', join(repo.dir, '.git', 'objects', 'pack', added[0]!)])
          const inPack = new Set(listing.split('\n').flatMap((line) => (/^[0-9a-f]{40,64} (commit|tree|blob) /.test(line) ? [line.split(' ')[0]] : [])))
          // Exactly the commit, the trees on the changed paths and the new blobs.
          const expected = new Set([
            outcome.commit,
            ...repo
              .git(['rev-parse', `${outcome.commit}^{tree}`, `${outcome.commit}:files`])
              .split('\n')
              .filter(Boolean),
            ...batch.flatMap((change) => (change.content === null ? [] : [repo.git(['rev-parse', `${outcome.commit}:${change.path}`]).trim()])),
            ...batch.flatMap((change) => {
              const folder = change.path.split('/').slice(0, -1).join('/')
              return change.content === null ? [] : [repo.git(['rev-parse', `${outcome.commit}:${folder}`]).trim()]
            }),
          ])
          assert.deepEqual(inPack, expected, `step ${step}: the pack's objects`)
        }
        for (const [at, size] of sizes.entries()) {
          if (at === 0) continue
          assert.equal(repo.git(['cat-file', '-s', `${REF}:files/${at}/f${size}`]).trim(), String(size))
        }
        repo.git(['fsck', '--strict', '--no-dangling', '--no-progress'])
      } finally {
        warm.close()
      }
    })
  }

  it('move the ref only when it is still at the parent read (compare-and-swap), and create it only when absent', async () => {
    const repo = makeRepo()
    const {warm} = repos(repo)
    try {
      const first = await warm.beginCommit(REF).commit(null, [{path: 'a', content: '1\n'}], 'trail: first\n', new Date())
      assert.equal(first.outcome, 'updated')
      const again = await warm.beginCommit(REF).commit(null, [{path: 'a', content: '2\n'}], 'trail: again\n', new Date())
      assert.equal(again.outcome, 'stale', 'a ref that exists is not created again')
      const tip = repo.git(['rev-parse', REF]).trim()
      const second = await warm.beginCommit(REF).commit(tip, [{path: 'b', content: '2\n'}], 'trail: second\n', new Date())
      assert.equal(second.outcome, 'updated')
      const late = await warm.beginCommit(REF).commit(tip, [{path: 'c', content: '3\n'}], 'trail: late\n', new Date())
      assert.equal(late.outcome, 'stale', 'the ref moved since its parent was read')
      assert.equal(repo.git(['log', '--format=%s', REF]).trim(), 'trail: second\ntrail: first')
      // The ref's lock held by another git process: not this write's turn (the transaction waits it out, or
      // recovers it when it was left behind: store/git-locks.ts), told apart from a lost race.
      const now = repo.git(['rev-parse', REF]).trim()
      writeFileSync(join(repo.dir, '.git', `${REF}.lock`), '')
      const locked = await warm.beginCommit(REF).commit(now, [{path: 'd', content: '4\n'}], 'trail: locked\n', new Date())
      assert.deepEqual(locked, {outcome: 'locked', lockPath: join(repo.dir, '.git', `${REF}.lock`)})
      repo.git(['update-ref', '-d', 'refs/test/none']) // harmless: git itself still works
      const {rmSync} = await import('node:fs')
      rmSync(join(repo.dir, '.git', `${REF}.lock`))
      const after = await warm.beginCommit(REF).commit(now, [{path: 'd', content: '4\n'}], 'trail: after the lock\n', new Date())
      assert.equal(after.outcome, 'updated', 'a new update-ref process takes over')
      repo.git(['fsck', '--strict', '--no-dangling', '--no-progress', REF])
    } finally {
      warm.close()
    }
  })
})

describe('a shared repository', () => {
  const makeRepo = useRepos()

  it("is recognised from its config file, and keeps the CLI's write path (git sets its objects' permissions)", async () => {
    for (const [shared, warm] of [
      ['group', false],
      ['0660', false],
      ['true', false],
      ['umask', true],
      ['false', true],
    ] as const) {
      const repo = makeRepo({init: [`--shared=${shared}`]})
      assert.equal(hasSharedPermissions(join(repo.dir, '.git')), !warm, shared)
    }
    const plain = makeRepo()
    assert.equal(hasSharedPermissions(join(plain.dir, '.git')), false)
    plain.git(['config', 'core.sharedRepository', 'all'])
    assert.equal(hasSharedPermissions(join(plain.dir, '.git')), true)
  })
})

describe('objects written uncompressed, as git writes them with core.looseCompression=0', () => {
  it('are zlib streams that inflate to their content, at any size (one stored block holds 65535 bytes)', () => {
    for (const size of [0, 1, 100, 65_535, 65_536, 200_001]) {
      const data = Buffer.from(Array.from({length: size}, (_, i) => (i * 7919 + (i >> 8)) & 0xff))
      assert.deepEqual(inflateSync(storedZlib(data)), data, `${size} bytes`)
    }
  })
})

describe("a pack entry's CRC-32", () => {
  it("is zlib's, whole or continued from a first part, with or without zlib's own", () => {
    const data = Buffer.from('123456789')
    for (const crc of [crc32, tableCrc32]) {
      assert.equal(crc(data), 0xcbf43926, 'the check value of CRC-32/ISO-HDLC')
      assert.equal(crc(Buffer.alloc(0)), 0)
      assert.equal(crc(data.subarray(4), crc(data.subarray(0, 4))), 0xcbf43926, 'continued')
    }
    const random = Buffer.from(Array.from({length: 70_000}, (_, i) => (i * 2654435761) >>> 24))
    assert.equal(tableCrc32(random), crc32(random))
  })
})
