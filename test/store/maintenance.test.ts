import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {finishRollup, readPackIndex} from '../../src/git/pack-rollup.js'
import {SMALL_PACK_LIMIT} from '../../src/git/repo.js'
import {ok} from '../helpers/cli.js'
import {type TestRepo, testEnv, useRepos} from '../helpers/repo.js'
import {packFiles, settledPackBound} from '../helpers/packs.js'
import {runTraced} from '../helpers/trace.js'

// Maintenance never lands on a write's path (issue 14): every write leaves a small pack, and past SMALL_PACK_LIMIT
// of them to roll up (a geometric progression of packs stays: test/git/pack-rollup.test.ts) a detached `git
// pack-objects` rolls them into one (src/git/pack-rollup.ts); a later write deletes them
// once their objects are in the new pack. No write runs `git repack` or `git gc`, none waits for the packing, the
// pack count stays bounded, and nothing is deleted before its objects are known to be in another pack.

const REF = 'refs/trail/records'
const newRepo = useRepos()

const packDir = (repo: TestRepo) => join(repo.dir, '.git', 'objects', 'pack')
const packs = (repo: TestRepo) => packFiles(packDir(repo))
const place = (repo: TestRepo) => ({commonDir: join(repo.dir, '.git'), cwd: repo.dir, env: testEnv(), hashBytes: 20})
const statePath = (repo: TestRepo) => join(repo.dir, '.git', 'trail', 'pack-rollup')

/** Every object name in the store's packs. */
function packedObjects(repo: TestRepo): Set<string> {
  return new Set(packs(repo).flatMap((pack) => readPackIndex(join(packDir(repo), pack.replace(/\.pack$/, '.idx')), 20) ?? []))
}

describe('maintenance of the object store', () => {
  it('rolls the small packs up off the write path: no write runs git repack or gc, none waits for the packing, and the pack count stays bounded', async () => {
    const repo = newRepo()
    const before = repo.userState()
    await ok(repo.dir, ['trail', 'start', 'Many small writes', '--agent', 'a'])
    let writes = SMALL_PACK_LIMIT * 3
    let started = 0
    let most = 0
    for (let i = 0; i < writes; i++) {
      const result = await runTraced(repo.dir, ['trail', 'decision', `Decision ${i}`, '--agent', 'a'])
      assert.equal(result.code, 0, result.stderr)
      const started_ = result.trace.lines.filter((line) => line.kind === 'git' && line.fields[0] === 'pack-objects')
      for (const line of started_) assert.match(line.fields[1]!, /\(detached\)$/)
      started += started_.length
      assert.deepEqual(
        result.trace.processes.filter((name) => name === 'repack' || name === 'gc'),
        [],
        'no repack or gc inside a write',
      )
      assert.deepEqual(
        result.trace.lines.filter((line) => line.kind === 'git-exit' && line.fields[0] === 'pack-objects'),
        [],
        'the write exits without waiting for pack-objects',
      )
      most = Math.max(most, packs(repo).length)
    }
    assert.ok(started >= 2, `the small packs were rolled up (${started} roll-ups started)`)
    assert.ok(most > SMALL_PACK_LIMIT, `the writes made more than ${SMALL_PACK_LIMIT} packs, saw ${most}`)
    // How many packs pile up while a detached roll-up runs depends on the machine's load, so the bound required is
    // that they settle: with writes going on, back to at most the limit, one more and the geometric progression of
    // rolled-up packs, soon.
    const deadline = Date.now() + 60_000
    while (packs(repo).length > settledPackBound(packDir(repo))) {
      assert.ok(Date.now() < deadline, `the small packs were rolled up within a minute (${packs(repo).length} left)`)
      await ok(repo.dir, ['trail', 'decision', `Decision ${writes}`, '--agent', 'a'])
      writes++
    }
    await repo.fsck(REF)
    const decisions = repo
      .git(['ls-tree', '-r', '--name-only', REF])
      .split('\n')
      .filter((path) => /\/events\/ev_\w+\.md$/.test(path))
    assert.equal(decisions.length, writes, 'every decision is on the ref')
    repo.assertUserStateUnchanged(before)
  })

  it('takes up a roll-up that died (killed, or no git) once it is old, and rolls the packs up again', async () => {
    const repo = newRepo()
    const before = repo.userState()
    await ok(repo.dir, ['trail', 'start', 'A roll-up that died', '--agent', 'a'])
    for (let i = 0; i < SMALL_PACK_LIMIT - 1; i++) await ok(repo.dir, ['trail', 'decision', `Decision ${i}`, '--agent', 'a'])
    const small = packs(repo)
    assert.equal(small.length, SMALL_PACK_LIMIT, 'one pack a write, none rolled up yet')
    assert.ok(!existsSync(statePath(repo)))
    // A roll-up started ten minutes ago that never named its pack: killed, as far as anyone can tell.
    writeFileSync(statePath(repo), `relay-trail pack roll-up\nstarted ${Date.now() - 600_000}\n${small.map((pack) => `input ${pack}\n`).join('')}`)
    assert.equal(finishRollup(place(repo)), 'failed')
    assert.ok(!existsSync(statePath(repo)), 'its state is removed')
    assert.deepEqual(packs(repo).sort(), [...small].sort(), 'no pack was deleted')
    // The next write (one pack past the limit) starts a new roll-up.
    const result = await runTraced(repo.dir, ['trail', 'decision', 'After the dead roll-up', '--agent', 'a'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.trace.processes.filter((name) => name === 'pack-objects').length, 1)
    await repo.fsck(REF)
    repo.assertUserStateUnchanged(before)
  })

  it('keeps every input pack whose objects the new pack does not hold, and a roll-up still running is left alone', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'A roll-up that lies', '--agent', 'a'])
    for (let i = 0; i < 3; i++) await ok(repo.dir, ['trail', 'decision', `Decision ${i}`, '--agent', 'a'])
    const all = packs(repo)
    const objects = packedObjects(repo)
    const [result, ...inputs] = all
    const hash = result!.replace(/^pack-|\.pack$/g, '')
    // A recent roll-up with no result yet: running.
    writeFileSync(statePath(repo), `relay-trail pack roll-up\nstarted ${Date.now()}\n${inputs.map((pack) => `input ${pack}\n`).join('')}`)
    assert.equal(finishRollup(place(repo)), 'running')
    assert.ok(existsSync(statePath(repo)))
    // It "finished" naming a pack that holds none of the inputs' objects: the inputs stay.
    writeFileSync(statePath(repo), `${readFileSync(statePath(repo), 'utf8')}${hash}\n`)
    assert.equal(finishRollup(place(repo)), 'finished')
    assert.deepEqual(packs(repo).sort(), [...all].sort(), 'no pack was deleted')
    assert.deepEqual(packedObjects(repo), objects)
    await repo.fsck(REF)
  })
})
