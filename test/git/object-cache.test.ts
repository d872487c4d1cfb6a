import assert from 'node:assert/strict'
import {closeSync, openSync, readFileSync, utimesSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ObjectCache} from '../../src/git/object-cache.js'
import {ObjectReader, type GitObject} from '../../src/git/object-reader.js'
import {commitOnRef, testEnv, useRepos, type TestRepo} from '../helpers/repo.js'

// A long-lived process's reader keeps what it reads by id and answers from it: never another answer than
// `git cat-file --batch` gives for the same revision, whatever kind of revision it is, and never a stale one when a
// ref moves.

const newRepo = useRepos()

/** What each reader answers for `revisions`, as comparable values. */
async function answers(reader: ObjectReader, revisions: readonly string[]): Promise<unknown[]> {
  const objects = await reader.readMany(revisions)
  return objects.map((object: GitObject | null) => (object === null ? null : {oid: object.oid, type: object.type, data: object.data.toString('latin1')}))
}

function storeWithHistory(repo: TestRepo): {first: string; second: string} {
  const first = commitOnRef(repo, 'refs/trail/records', [
    {path: '.trail/format.yaml', content: 'format: 1\n'},
    {path: '.trail/trajectories/2026/12/02/traj_a/trajectory.md', content: '---\nid: traj_a\n---\n'},
    {path: '.trail/trajectories/2026/12/02/traj_a/events/ev_1.md', content: 'one\n'},
    {path: '.relay/ledger/ünïcode name.md', content: 'ledger\n'},
  ])
  const second = commitOnRef(repo, 'refs/trail/records', [
    {path: '.trail/format.yaml', content: 'format: 1\n'},
    {path: '.trail/trajectories/2026/12/02/traj_a/trajectory.md', content: '---\nid: traj_a\nstatus: completed\n---\n'},
    {path: '.trail/trajectories/2026/12/02/traj_a/events/ev_1.md', content: 'one\n'},
    {path: '.trail/trajectories/2026/12/02/traj_a/events/ev_2.md', content: 'two\n'},
  ])
  return {first, second}
}

describe('the object cache of a long-lived reader', () => {
  it('answers every kind of revision exactly as git cat-file does, before and after the objects are cached', async () => {
    const repo = newRepo({dirty: false})
    const {first, second} = storeWithHistory(repo)
    const head = repo.git(['rev-parse', 'HEAD']).trim()
    repo.git(['tag', '-a', 'v1', '-m', 'a tag', head])
    const tag = repo.git(['rev-parse', 'v1']).trim()
    const revisions = [
      'refs/trail/records',
      'refs/trail/records^{tree}',
      'refs/trail/records:',
      'refs/trail/records:.trail/format.yaml',
      'refs/trail/records:.trail/trajectories/2026/12/02/traj_a',
      'refs/trail/records:.trail/trajectories/2026/12/02/traj_a/events/ev_2.md',
      'refs/trail/records:.trail/trajectories/2026/12/02/traj_a/events/ev_9.md', // missing file
      'refs/trail/records:.trail/format.yaml/below', // a path through a file
      'refs/trail/records:.trail//format.yaml',
      'refs/trail/records:./.trail/format.yaml',
      'refs/trail/records:.trail/../.trail/format.yaml',
      'refs/trail/nothing',
      'refs/trail/nothing:.trail',
      first,
      `${first}^{tree}`,
      `${first}:.relay/ledger/ünïcode name.md`,
      `${first}:.trail/trajectories/2026/12/02/traj_a/events/ev_2.md`, // not there yet
      `${second}:.trail/trajectories/2026/12/02/traj_a/events`,
      second.slice(0, 12), // abbreviated
      `${second.slice(0, 12)}:.trail/format.yaml`,
      tag,
      `${tag}^{tree}`,
      `${tag}:README.md`,
      '0'.repeat(40),
      `${'0'.repeat(40)}:x`,
    ]
    const plain = new ObjectReader(repo.dir, testEnv())
    const caching = new ObjectReader(repo.dir, testEnv())
    caching.useCache(new ObjectCache(join(repo.dir, '.git'), 'sha1'))
    try {
      const expected = await answers(plain, revisions)
      assert.deepEqual(await answers(caching, revisions), expected, 'first read (from git)')
      assert.deepEqual(await answers(caching, revisions), expected, 'second read (from the cache where it can)')
      for (const [index, revision] of revisions.entries()) assert.deepEqual(await answers(caching, [revision]), [expected[index]], revision)
    } finally {
      plain.close()
      caching.close()
    }
  })

  it('answers paths in a folder large enough to be indexed exactly as git does, whatever the names', async () => {
    const repo = newRepo({dirty: false})
    const names = [
      ...Array.from({length: 300}, (_, i) => `ev_${String(i).padStart(4, '0')}.md`),
      'a',
      'a.b',
      'a-b',
      'ä',
      'ünïcode name.md',
      '日本語.md',
      'x y',
      'sub',
      'sub.md',
    ]
    const files = names.map((name) => ({path: `big/${name}`, content: `${name}\n`}))
    files.push({path: 'big/sub/inner.md', content: 'inner\n'}, {path: 'big/sub-dir/inner.md', content: 'inner too\n'})
    const tip = commitOnRef(
      repo,
      'refs/trail/records',
      files.filter((file) => file.path !== 'big/sub'),
    )
    const asked = [...names, 'sub/inner.md', 'sub-dir/inner.md', 'missing', 'ev_0300.md', 'a.', 'ev_0001', 'sub/missing'].map((name) => `${tip}:big/${name}`)
    const plain = new ObjectReader(repo.dir, testEnv())
    const caching = new ObjectReader(repo.dir, testEnv())
    caching.useCache(new ObjectCache(join(repo.dir, '.git'), 'sha1'))
    try {
      const expected = await answers(plain, asked)
      await caching.readMany([tip, `${tip}^{tree}`, `${tip}:big`, `${tip}:big/sub`]) // the folders, kept
      assert.ok((await caching.readMany([`${tip}:big`]))[0]!.data.length >= 4096, 'the folder is one the cache indexes')
      for (const [index, revision] of asked.entries()) assert.deepEqual(await answers(caching, [revision]), [expected[index]], revision)
    } finally {
      plain.close()
      caching.close()
    }
  })

  it('reads a moved ref again: a write by another process is seen at once, loose or packed', async () => {
    const repo = newRepo({dirty: false})
    const {second} = storeWithHistory(repo)
    const caching = new ObjectReader(repo.dir, testEnv())
    caching.useCache(new ObjectCache(join(repo.dir, '.git'), 'sha1'))
    try {
      assert.equal((await caching.read('refs/trail/records'))?.oid, second)
      assert.equal(await caching.read('refs/trail/records:.trail/new.md'), null)
      const third = commitOnRef(repo, 'refs/trail/records', [{path: '.trail/new.md', content: 'new\n'}], 'another process')
      assert.equal((await caching.read('refs/trail/records'))?.oid, third, 'a loose ref moved')
      assert.equal((await caching.read('refs/trail/records:.trail/new.md'))?.data.toString(), 'new\n', "the new tip's file")
      repo.git(['pack-refs', '--all'])
      const fourth = commitOnRef(repo, 'refs/trail/records', [{path: '.trail/x.md', content: 'x\n'}], 'then packed')
      repo.git(['pack-refs', '--all'])
      assert.equal((await caching.read('refs/trail/records'))?.oid, fourth, 'a packed ref')
      repo.git(['symbolic-ref', 'refs/trail/alias', 'refs/trail/records'])
      assert.equal((await caching.read('refs/trail/alias'))?.oid, fourth, 'a symbolic ref')
      repo.git(['update-ref', '-d', 'refs/trail/records'])
      assert.equal(await caching.read('refs/trail/records'), null, 'a deleted ref')
    } finally {
      caching.close()
    }
  })

  it('reads a packed ref from packed-refs at each read, even after a rewrite in place that a running git does not see', async () => {
    const repo = newRepo({dirty: false})
    const {first, second} = storeWithHistory(repo)
    repo.git(['config', 'core.trustctime', 'false']) // git then looks at the size and mtime alone
    repo.git(['pack-refs', '--all'])
    const packedRefs = join(repo.dir, '.git', 'packed-refs')
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000)
    utimesSync(packedRefs, mtime, mtime)
    const place = {commonDir: join(repo.dir, '.git'), format: 'sha1' as const}
    const readers = {
      byName: new ObjectReader(repo.dir, testEnv()), // git resolves the ref: what `git cat-file` remembers
      plain: new ObjectReader(repo.dir, testEnv(), true, place),
      caching: new ObjectReader(repo.dir, testEnv(), true, place),
      info: new ObjectReader(repo.dir, testEnv(), false, place),
    }
    readers.caching.useCache(new ObjectCache(place.commonDir, 'sha1'))
    try {
      for (const reader of Object.values(readers)) assert.equal((await reader.read('refs/trail/records'))?.oid, second)
      const text = readFileSync(packedRefs, 'latin1')
      const fd = openSync(packedRefs, 'r+')
      writeSync(fd, text.replace(second, first), 0)
      closeSync(fd)
      utimesSync(packedRefs, mtime, mtime)
      assert.equal((await readers.byName.read('refs/trail/records'))?.oid, second, 'the running git did not see it')
      for (const reader of [readers.plain, readers.caching, readers.info]) {
        assert.equal((await reader.read('refs/trail/records'))?.oid, first)
        assert.deepEqual(
          (await reader.readMany(['refs/trail/records^{tree}', 'refs/trail/records:.relay/ledger/ünïcode name.md'])).map((object) => object?.type ?? null),
          ['tree', 'blob'],
          "the old tip's files",
        )
      }
      repo.git(['update-ref', '-d', 'refs/trail/records'])
      for (const reader of [readers.plain, readers.caching, readers.info])
        assert.equal(await reader.read('refs/trail/records:.trail/format.yaml'), null, 'deleted')
    } finally {
      for (const reader of Object.values(readers)) reader.close()
    }
  })

  it('never answers from a loose ref file that is not one git would read', async () => {
    const repo = newRepo({dirty: false})
    const {second} = storeWithHistory(repo)
    const caching = new ObjectReader(repo.dir, testEnv())
    caching.useCache(new ObjectCache(join(repo.dir, '.git'), 'sha1'))
    try {
      await caching.readMany([second, `${second}^{tree}`])
      // A file git itself refuses: git's answer (missing), never the cache's reading of it.
      writeFileSync(join(repo.dir, '.git', 'refs', 'trail', 'odd'), `${second}junk\n`)
      // Files that hold an id but are no ref git reads: a lock, a name git refuses, a path out of refs/trail/.
      writeFileSync(join(repo.dir, '.git', 'refs', 'trail', 'records.lock'), `${second}\n`)
      writeFileSync(join(repo.dir, '.git', 'refs', 'trail', 'a..b'), `${second}\n`)
      writeFileSync(join(repo.dir, '.git', 'refs', 'trail', '.hidden'), `${second}\n`)
      writeFileSync(join(repo.dir, '.git', 'outside'), `${second}\n`)
      const revisions = [
        'refs/trail/odd',
        'refs/trail/odd^{tree}',
        'refs/trail/records.lock',
        'refs/trail/a..b',
        'refs/trail/.hidden',
        'refs/trail/../../outside',
      ]
      const plain = new ObjectReader(repo.dir, testEnv())
      try {
        assert.deepEqual(await answers(caching, revisions), await answers(plain, revisions))
      } finally {
        plain.close()
      }
    } finally {
      caching.close()
    }
  })

  it('keeps at most its capacity, dropping the least recently used first', async () => {
    const repo = newRepo({dirty: false})
    const {first, second} = storeWithHistory(repo)
    const plain = new ObjectReader(repo.dir, testEnv())
    const [a, b] = await plain.readMany([first, second])
    plain.close()
    const cache = new ObjectCache(join(repo.dir, '.git'), 'sha1', a!.size + b!.size)
    const reader = new ObjectReader(repo.dir, testEnv())
    reader.useCache(cache)
    try {
      await reader.readMany([first, second])
      assert.ok(cache.answer(second) && cache.answer(first), 'both fit (and the first is now the most recently used)')
      const format = await reader.read(`${first}:.trail/format.yaml`)
      assert.equal(format?.size, 10)
      assert.equal(cache.answer(second), undefined, 'the least recently used went to make room')
      assert.ok(cache.answer(first), 'the most recently used stayed')
      assert.equal(cache.answer(format!.oid)?.data.toString(), 'format: 1\n')
    } finally {
      reader.close()
    }
  })

  it('carries, once told to count, only what was used since: every tree on a path walked, even one walked before', async () => {
    const repo = newRepo({dirty: false})
    const {second} = storeWithHistory(repo)
    const cache = new ObjectCache(join(repo.dir, '.git'), 'sha1')
    const reader = new ObjectReader(repo.dir, testEnv())
    reader.useCache(cache)
    try {
      const path = '.trail/trajectories/2026/12/02/traj_a/events/ev_2.md'
      // Everything read once: the whole store is kept, and carried while nothing is counted.
      await reader.readMany([second, `${second}:.trail/format.yaml`, `${second}:${path}`, `${second}:.trail/trajectories/2026/12/02/traj_a/events/ev_1.md`])
      const all = cache.reachableFrom(second, 1024 * 1024).map((object) => object.oid)
      assert.ok(all.includes(cache.answer(`${second}:.trail/format.yaml`)!.oid))
      assert.ok(cache.answer(`${second}:${path}`), 'the path is walked in the cache, and its way remembered')

      cache.beginUse()
      // The same path again: answered from the paths walked before, and still every tree on its way is counted.
      assert.equal((await reader.read(`${second}:${path}`))?.data.toString(), 'two\n')
      const carried = cache.reachableFrom(second, 1024 * 1024)
      const folders = ['', '.trail', '.trail/trajectories', '.trail/trajectories/2026/12/02', '.trail/trajectories/2026/12/02/traj_a/events']
      for (const folder of folders) {
        const tree = repo.git(['rev-parse', `${second}:${folder}`]).trim()
        assert.ok(
          carried.some((object) => object.oid === tree),
          `the tree of '${folder}' is carried`,
        )
      }
      assert.deepEqual(
        carried.filter((object) => object.type === 'blob').map((object) => object.data.toString()),
        ['two\n'],
        'only the file used since is carried, not format.yaml nor ev_1.md',
      )
    } finally {
      reader.close()
    }
  })
})
