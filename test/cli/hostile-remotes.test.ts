import assert from 'node:assert/strict'
import {existsSync, lstatSync, mkdtempSync, readdirSync, realpathSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import type {CloneSyncResult} from '../../src/model/results.js'
import {ok, runCli} from '../helpers/cli.js'
import {craftCommit, entriesOf, type CraftEntry} from '../helpers/craft.js'
import {TestRepo} from '../helpers/repo.js'

// trail sync with a remote whose commits were made by a broken or hostile clone: tree entries named "..", ".git",
// with control characters or backslashes, symbolic links, submodules, folders where record files belong, paths
// outside .trail/ and .relay/, records over the size limit. None of it enters our ref, our history or the work
// tree; what fits is taken; every entry left out is named in a warning with the remote; the remote's commits never
// become ours (adopted, fast-forwarded to, or a parent), so our push never carries them on.

const REF = 'refs/trail/records'
const ESC = '\u001b'

/** Entries no store may take, each with a word of why (matched against the reason given). */
const HOSTILE: (CraftEntry & {why: RegExp})[] = [
  {path: '.relay/../escaped.md', content: 'x\n', why: /not plain/},
  {path: '.git/hooks/post-checkout', mode: '100755', content: '#!/bin/sh\necho owned\n', why: /outside/},
  {path: '.trail/.git/config', content: '[core]\n', why: /not plain/},
  {path: '.relay/messages/2026/01/02/msg_01kdyfk3r0aaaaaaaaaaaaaaaa.md', mode: '120000', content: '/etc/passwd', why: /symbolic link/},
  {path: '.relay/receipts', mode: '120000', content: '/tmp', why: /symbolic link/},
  {path: `.trail/notes/red${ESC}[31mtext.md`, content: 'x\n', why: /not plain/},
  {path: '.trail/notes/a\\..\\b.md', content: 'x\n', why: /not plain/},
  {path: '.trail/notes/line\nbreak.md', content: 'x\n', why: /not plain/},
  {path: 'src/evil.js', content: 'process.exit(1)\n', why: /outside/},
  {path: '.trail/vendor', mode: '160000', oid: '1'.repeat(40), why: /submodule/},
  {path: '.relay/ledger/alice.md/inside.md', content: 'x\n', why: /in \.relay\/ledger\//},
  {path: '.relay/project.yaml/inside.yaml', content: 'x\n', why: /folder where the record/},
  {path: '.relay/messages/junk.md', content: 'x\n', why: /not at the path/},
]

describe('trail sync with a remote whose commits do not fit a store', () => {
  const roots: string[] = []
  after(() => {
    for (const root of roots) rmSync(root, {recursive: true, force: true})
  })

  /**
   * A bare origin holding a store with one message (pushed by `seed`), and `ours`, a clone that has synced it.
   * `seed` keeps writing records (relay send) that a crafted commit then carries.
   */
  const world = async (options: {ours?: 'synced' | 'new'} = {}) => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'hostile-remote-')))
    roots.push(root)
    const origin = new TestRepo(join(root, 'origin.git'))
    origin.git(['init', '--quiet', '--bare', '--initial-branch=main', origin.dir], {cwd: root})
    const seed = new TestRepo(join(root, 'seed'))
    seed.git(['init', '--quiet', '--initial-branch=main', seed.dir], {cwd: root})
    seed.git(['remote', 'add', 'origin', origin.dir])
    seed.write('README.md', '# project\n')
    seed.git(['add', '.'])
    seed.git(['commit', '--quiet', '-m', 'initial'])
    seed.git(['push', '--quiet', 'origin', 'main'])
    await ok(seed.dir, ['relay', 'project', '--id', 'app'])
    await ok(seed.dir, ['relay', 'send', 'Reviewer', 'First message', '--agent', 'seed'])
    await ok(seed.dir, ['trail', 'sync'])
    const ours = new TestRepo(join(root, 'ours'))
    ours.git(['clone', '--quiet', origin.dir, ours.dir], {cwd: root})
    ours.write('notes.txt', 'work in progress\n')
    ours.git(['add', 'notes.txt'])
    if ((options.ours ?? 'synced') === 'synced') await ok(ours.dir, ['trail', 'sync'])
    /** A new valid record written in seed (not pushed): its entries, on top of the store pushed so far. */
    const validRecords = async (body: string) => {
      await ok(seed.dir, ['relay', 'send', 'Reviewer', body, '--agent', 'seed'])
      return entriesOf(seed, REF)
    }
    /** Puts a crafted commit at origin's ref (as a hostile clone's push would), returns it. */
    const pushCrafted = (entries: CraftEntry[], parents: string[], message?: string) => {
      const commit = craftCommit(seed, entries, parents, message)
      seed.git(['push', '--quiet', '--force', 'origin', `${commit}:${REF}`])
      return commit
    }
    const tipOf = (repo: TestRepo) => repo.gitOrEmpty(['rev-parse', '--verify', '--quiet', REF]).trim()
    const paths = (repo: TestRepo) => repo.git(['ls-tree', '-r', '-z', '--name-only', REF]).split('\0').filter(Boolean)
    return {origin, seed, ours, validRecords, pushCrafted, tipOf, paths}
  }

  const isAncestor = (repo: TestRepo, commit: string) => {
    try {
      repo.git(['merge-base', '--is-ancestor', commit, REF])
      return true
    } catch {
      return false
    }
  }

  /** What a sync left in the work tree: no link, nothing outside the mirror folders, no hook. */
  const assertWorkTreeClean = (repo: TestRepo) => {
    assert.ok(!existsSync(join(repo.dir, '.git', 'hooks', 'post-checkout')), 'no hook written')
    assert.ok(!existsSync(join(repo.dir, 'src', 'evil.js')), 'nothing outside .trail/ and .relay/')
    assert.ok(!existsSync(join(repo.dir, 'escaped.md')) && !existsSync(join(repo.dir, '.relay', '..', 'escaped.md')))
    const walk = (dir: string): string[] =>
      existsSync(dir)
        ? readdirSync(dir, {withFileTypes: true}).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]))
        : []
    for (const file of [...walk(join(repo.dir, '.trail')), ...walk(join(repo.dir, '.relay'))]) assert.ok(!lstatSync(file).isSymbolicLink(), `${file} is a link`)
  }

  /**
   * What our ref reaches is sound: a fetch of it that checks every object (as a server with receive.fsckObjects
   * does a push) takes it. (git fsck of the repository would list the remote's objects too: fetched, not ours.)
   */
  const assertPassesFsck = (repo: TestRepo) => {
    const check = new TestRepo(mkdtempSync(join(tmpdir(), 'hostile-check-')))
    roots.push(check.dir)
    check.git(['init', '--quiet', '--bare'])
    check.git(['-c', 'fetch.fsckObjects=true', 'fetch', '--quiet', repo.dir, `${REF}:${REF}`])
  }

  const syncJson = async (repo: TestRepo, env: Record<string, string> = {}) => {
    const result = await runCli(repo.dir, ['trail', 'sync', '--json'], {env})
    return {...result, json: JSON.parse(result.stdout) as CloneSyncResult}
  }

  it('takes the records that fit from a remote commit on top of ours, names every entry left out, and never makes that commit ours', async () => {
    const {ours, validRecords, pushCrafted, tipOf, paths, origin} = await world()
    const before = ours.userState()
    const base = tipOf(ours)
    const valid = await validRecords('Second message, carried by a hostile commit')
    const hostile = pushCrafted([...valid, ...HOSTILE], [base])

    const result = await syncJson(ours)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.json.pushBlocked, false, 'the remote has every record of ours: nothing to push')
    assert.deepEqual(new Set(result.json.leftOut.map((entry) => entry.path)), new Set(HOSTILE.map((entry) => entry.path)))
    for (const entry of HOSTILE) assert.match(result.json.leftOut.find((left) => left.path === entry.path)!.reason, entry.why, entry.path)
    assert.deepEqual(paths(ours).sort(), valid.map((entry) => entry.path).sort(), 'every valid record, nothing else')
    assert.ok(!isAncestor(ours, hostile), 'their commit is not in our history')
    assert.ok(isAncestor(ours, base))
    // The warning names the remote and each entry, escaped: no control byte reaches the terminal.
    assert.match(result.stderr, /^warning: origin holds 13 entries that do not fit this store, left out: /m)
    assert.ok(result.stderr.includes('.relay/../escaped.md (a name that is not plain'), result.stderr)
    assert.ok(result.stderr.includes('and 8 more'), result.stderr)
    assert.ok(!result.stderr.includes(ESC) && !result.json.leftOut.some((entry) => entry.reason.includes(ESC)))
    assert.match(await ok(ours.dir, ['relay', 'inbox', '--agent', 'Reviewer']), /Second message, carried by a hostile commit/)
    assertWorkTreeClean(ours)
    ours.assertUserStateUnchanged(before)
    assertPassesFsck(ours)
    // Syncing again changes nothing and says the same.
    const again = await syncJson(ours)
    assert.equal(again.json.leftOut.length, HOSTILE.length)
    assert.equal(tipOf(ours), result.json.tip)
    assert.equal(origin.git(['rev-parse', REF]).trim(), hostile, 'the remote was not touched')
  })

  it('never adopts a remote store holding entries that do not fit: a new clone takes what fits in a root of its own', async () => {
    const {ours, validRecords, pushCrafted, tipOf, paths, seed} = await world({ours: 'new'})
    const valid = await validRecords('Adopted message')
    const hostile = pushCrafted([...valid, ...HOSTILE.slice(0, 4)], [tipOf(seed)])

    const result = await syncJson(ours)
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual([result.json.action, result.json.leftOut.length, result.json.pushBlocked], ['adopted', 4, false])
    assert.deepEqual(paths(ours).sort(), valid.map((entry) => entry.path).sort())
    assert.equal(ours.git(['rev-list', '--count', REF]).trim(), '1', 'a root of its own: none of their history')
    assert.ok(!isAncestor(ours, hostile))
    assertWorkTreeClean(ours)
  })

  it('never adopts a store fetched by plain git fetch that holds entries that do not fit; the first write starts its own', async () => {
    const {ours, validRecords, pushCrafted, tipOf, seed} = await world({ours: 'new'})
    const hostile = pushCrafted([...(await validRecords('Fetched message')), ...HOSTILE.slice(3, 5)], [tipOf(seed)])
    ours.git(['fetch', '--quiet', 'origin', `+${REF}:refs/trail/remotes/origin/records`])
    const started = await runCli(ours.dir, ['trail', 'start', 'Own work', '--agent', 'worker'])
    assert.equal(started.code, 0, started.stderr)
    assert.match(
      started.stderr,
      /^warning: the records fetched into refs\/trail\/remotes\/origin\/records hold entries that do not fit this store, so they are not adopted \(trail sync takes what fits\): \.relay\/messages\/.*symbolic link/m,
    )
    assert.ok(!isAncestor(ours, hostile))
    assert.equal(ours.git(['rev-list', '--count', REF]).trim(), '1')
  })

  it('merges what fits of a diverged remote without its commit as a parent, pushes nothing, and the command it gives repairs the remote', async () => {
    const {ours, validRecords, pushCrafted, tipOf, paths, origin, seed} = await world()
    await ok(ours.dir, ['trail', 'start', 'Written on our clone', '--agent', 'worker'])
    const valid = await validRecords('A message from the other side')
    const hostile = pushCrafted([...valid, ...HOSTILE.slice(0, 2)], [tipOf(seed)])

    const result = await syncJson(ours)
    assert.equal(result.code, 1, 'our records could not be pushed')
    assert.deepEqual([result.json.action, result.json.pushed, result.json.pushBlocked], ['merged', false, true])
    assert.equal(ours.git(['rev-list', '--merges', '--count', REF]).trim(), '0', 'no merge commit: their commit is no parent')
    assert.ok(!isAncestor(ours, hostile))
    for (const entry of valid) assert.ok(paths(ours).includes(entry.path), entry.path)
    assert.ok(
      paths(ours).some((path) => path.endsWith('/trajectory.md')),
      'and ours',
    )
    const repair = /git push --force-with-lease=\S+ origin refs\/trail\/records:refs\/trail\/records/.exec(result.stderr)?.[0]
    assert.ok(repair, result.stderr)
    assert.equal(origin.git(['rev-parse', REF]).trim(), hostile)

    // The repair, as the warning gives it: then the remote holds this clone's records, and syncs are clean again.
    ours.git([...repair.split(' ').slice(1), '--quiet'])
    const clean = await syncJson(ours)
    assert.deepEqual([clean.code, clean.json.leftOut.length, clean.json.action], [0, 0, 'up-to-date'])
    assert.equal(origin.git(['rev-parse', REF]).trim(), tipOf(ours))
    const other = await syncJson(seed)
    assert.equal(other.code, 0, other.stderr)
    assert.deepEqual(other.json.leftOut, [])
  })

  it('checks the whole history a remote brings, not only its tip: an entry added and removed again is left out with its commits', async () => {
    const {ours, validRecords, pushCrafted, tipOf, paths} = await world()
    const base = tipOf(ours)
    const valid = await validRecords('After a symbolic link came and went')
    const link = {path: '.relay/ledger/seed.md', mode: '120000', content: '../../../../etc/passwd'}
    const withLink = pushCrafted([...valid, link], [base])
    const without = pushCrafted(valid, [withLink])

    const result = await syncJson(ours)
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(
      result.json.leftOut.map((entry) => entry.path),
      ['.relay/ledger/seed.md'],
    )
    assert.match(result.json.leftOut[0]!.reason, /symbolic link/)
    assert.ok(!isAncestor(ours, withLink) && !isAncestor(ours, without), 'neither commit is in our history')
    assert.deepEqual(paths(ours).sort(), valid.map((entry) => entry.path).sort())
  })

  it("takes a newer version's records in folders of their own, and fast-forwards as before", async () => {
    const {ours, validRecords, pushCrafted, tipOf, paths} = await world()
    const newer = [
      {path: '.trail/notes/2026/01/02/note_01kdyfk3r0aaaaaaaaaaaaaaaa.md', content: '---\nid: note_01kdyfk3r0aaaaaaaaaaaaaaaa\n---\n'},
      {path: '.relay/schedules.yaml', content: 'every: day\n'},
    ]
    const commit = pushCrafted([...(await validRecords('Beside a newer kind')), ...newer], [tipOf(ours)])
    const result = await syncJson(ours)
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual([result.json.action, result.json.leftOut], ['fast-forward', []])
    assert.equal(tipOf(ours), commit)
    for (const entry of newer) assert.ok(paths(ours).includes(entry.path))
  })

  it('leaves out a remote record, and a remote commit, over the size limit without reading them', async () => {
    const {ours, validRecords, pushCrafted, tipOf, paths} = await world()
    const valid = await validRecords('Small enough')
    const big = {path: '.relay/ledger/huge.md', content: `---\nagent: huge\n---\n${'x'.repeat(64 * 1024)}\n`}
    const first = pushCrafted([...valid, big], [tipOf(ours)])
    const limit = {RELAY_TRAIL_MAX_RECORD_BYTES: String(32 * 1024)}
    const result = await syncJson(ours, limit)
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(
      result.json.leftOut.map((entry) => [entry.path, entry.reason]),
      [['.relay/ledger/huge.md', '64.0 KiB, over the limit of 32.0 KiB for a record']],
    )
    assert.ok(!paths(ours).includes(big.path))
    assert.ok(paths(ours).includes(valid.at(-1)!.path))
    // A commit whose message is over the limit: every command reads the tip commit whole, so it never becomes ours.
    const heavy = pushCrafted(valid, [first], `heavy\n\n${'m'.repeat(48 * 1024)}\n`)
    const again = await syncJson(ours, limit)
    assert.equal(again.code, 0, again.stderr)
    assert.ok(
      again.json.leftOut.some((entry) => entry.path === `commit ${heavy}` && /^a commit of 48\.\d KiB, over the limit of 32\.0 KiB/.test(entry.reason)),
      JSON.stringify(again.json.leftOut),
    )
    assert.ok(!isAncestor(ours, heavy))
  })

  it('trail init on a new clone does not say it adopted a remote store it refused', async () => {
    const {ours, validRecords, pushCrafted, tipOf, seed} = await world({ours: 'new'})
    pushCrafted([...(await validRecords('Refused store')), ...HOSTILE.slice(1, 2)], [tipOf(seed)])
    const init = await runCli(ours.dir, ['trail', 'init'])
    assert.equal(init.code, 0, init.stderr)
    assert.doesNotMatch(init.stdout, /Adopted/)
    assert.match(init.stderr, /not adopted \(trail sync takes what fits\): \.git\/hooks\/post-checkout \(outside/)
  })
})
