import assert from 'node:assert/strict'
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {ok, runCli} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'

// The work-tree mirror never writes through a symbolic link it did not make, anywhere in .trail/ and .relay/: the
// record is committed, the link is left alone, the write says so, and `trail doctor` reports it. A first write on a
// clone does not build the whole mirror: it mirrors its own records, and `trail init` builds the rest.

const newRepo = useRepos()
const outside: string[] = []
after(() => {
  for (const dir of outside) rmSync(dir, {recursive: true, force: true})
})

/** A folder outside the repository, where nothing may ever be written. */
function elsewhere(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'relay-trail-test-elsewhere-')))
  outside.push(dir)
  return dir
}

function listAll(dir: string): string[] {
  return readdirSync(dir, {recursive: true}).map(String).sort()
}

type Doctor = {healthy: boolean; checks: {name: string; status: string; message: string; fix?: string}[]}

describe('the mirror and symbolic links', () => {
  it('never writes records through a symlinked .trail, says so, and doctor reports it', async () => {
    const repo = newRepo()
    const target = elsewhere()
    await ok(repo.dir, ['trail', 'start', 'Before the link'])
    rmSync(join(repo.dir, '.trail'), {recursive: true})
    symlinkSync(target, join(repo.dir, '.trail'))
    const decided = await runCli(repo.dir, ['trail', 'decision', 'Through the link?'])
    assert.equal(decided.code, 0, decided.stderr)
    assert.match(
      decided.stderr,
      /the record is committed, but tidying up after it failed: \.trail is a symbolic link or not a folder, and the mirror is never written through it/,
    )
    assert.deepEqual(listAll(target), [], 'nothing was written into the folder the link points to')
    assert.match(repo.git(['log', '-1', '--format=%s', 'refs/trail/records']), /decision "Through the link\?"/)

    const doctor = await runCli(repo.dir, ['trail', 'doctor', '--json'])
    assert.equal(doctor.code, 1)
    const link = (JSON.parse(doctor.stdout) as Doctor).checks.find((check) => check.name === 'mirror-link')!
    assert.equal(link.status, 'problem')
    assert.match(link.message, new RegExp(`^\\.trail is a symbolic link \\(to ${target.replace(/[/.]/g, '\\$&')}\\)`))
    assert.equal(link.fix, 'remove it (rm .trail), then: trail doctor --fix')
    assert.equal(
      (JSON.parse(doctor.stdout) as Doctor).checks.find((check) => check.name === 'mirror' && check.status === 'ok'),
      undefined,
      'no "the folders match the ref" beside the link',
    )

    await runCli(repo.dir, ['trail', 'doctor', '--fix'])
    assert.deepEqual(listAll(target), [], 'doctor --fix does not write through it either')
    assert.ok(lstatSync(join(repo.dir, '.trail')).isSymbolicLink(), 'the link is left where it is')
  })

  it('never writes through a symlinked folder deeper in the mirror (.relay/ledger, a day folder)', async () => {
    const repo = newRepo()
    const ledgers = elsewhere()
    const days = elsewhere()
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: first'])
    await ok(repo.dir, ['trail', 'start', 'Deep'])
    rmSync(join(repo.dir, '.relay', 'ledger'), {recursive: true})
    symlinkSync(ledgers, join(repo.dir, '.relay', 'ledger'))
    const year = readdirSync(join(repo.dir, '.trail', 'trajectories'))[0]!
    rmSync(join(repo.dir, '.trail', 'trajectories', year), {recursive: true})
    symlinkSync(days, join(repo.dir, '.trail', 'trajectories', year))

    const saved = await runCli(repo.dir, ['relay', 'continuity', 'save', 'Current task: second'])
    assert.equal(saved.code, 0, saved.stderr)
    assert.match(saved.stderr, /\.relay\/ledger is a symbolic link or not a folder/)
    await runCli(repo.dir, ['trail', 'decision', 'In a linked day folder'])
    await runCli(repo.dir, ['trail', 'doctor', '--fix'])
    assert.deepEqual(listAll(ledgers), [])
    assert.deepEqual(listAll(days), [])
    const doctor = (await runCli(repo.dir, ['trail', 'doctor', '--json'])).stdout
    const links = (JSON.parse(doctor) as Doctor).checks.filter((check) => check.name === 'mirror-link').map((check) => check.message)
    assert.equal(links.length, 2, doctor)
    assert.match(links.join('\n'), /\.relay\/ledger is a symbolic link/)
    assert.match(links.join('\n'), new RegExp(`\\.trail/trajectories/${year} is a symbolic link`))
  })

  it('replaces a link where a record file belongs, without writing to what it points at', async () => {
    const repo = newRepo()
    const target = join(elsewhere(), 'precious.txt')
    writeFileSync(target, 'not yours\n')
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: first'])
    rmSync(join(repo.dir, '.relay', 'ledger', 'default.md'))
    symlinkSync(target, join(repo.dir, '.relay', 'ledger', 'default.md'))
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: second'])
    assert.equal(readFileSync(target, 'utf8'), 'not yours\n')
    assert.ok(!lstatSync(join(repo.dir, '.relay', 'ledger', 'default.md')).isSymbolicLink())
    assert.match(readFileSync(join(repo.dir, '.relay', 'ledger', 'default.md'), 'utf8'), /currentTask: second/)
  })

  it('builds a whole mirror into new folders without following a link planted in one', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'One'])
    await ok(repo.dir, ['trail', 'decision', 'Two'])
    const target = elsewhere()
    rmSync(join(repo.dir, '.trail'), {recursive: true})
    rmSync(join(repo.dir, '.relay'), {recursive: true, force: true})
    mkdirSync(join(repo.dir, '.trail'))
    symlinkSync(target, join(repo.dir, '.trail', 'trajectories'))
    const fixed = await runCli(repo.dir, ['trail', 'doctor', '--fix'])
    assert.match(fixed.stdout, /\.trail\/trajectories is a symbolic link/)
    assert.deepEqual(listAll(target), [])
    assert.ok(existsSync(join(repo.dir, '.trail', 'format.yaml')), 'the rest is mirrored')
  })
})

describe('the mirror of a clone', () => {
  it('mirrors only its own records on the first write after git fetch brought a store, says so, and trail init builds the rest', async () => {
    const origin = newRepo({dirty: false})
    await ok(origin.dir, ['trail', 'start', 'On the origin'])
    await ok(origin.dir, ['trail', 'decision', 'Made there'])
    const clone = newRepo({empty: true})
    clone.git(['remote', 'add', 'origin', origin.dir])
    clone.git(['fetch', '--quiet', 'origin', 'refs/trail/records:refs/trail/remotes/origin/records'])
    const before = clone.userState()
    const started = await runCli(clone.dir, ['trail', 'start', 'On the clone', '--agent', 'other'])
    assert.equal(started.code, 0, started.stderr)
    assert.match(started.stderr, /only new records are mirrored into \.trail\/ and \.relay\/ until: trail init/)
    const onRef = clone.git(['ls-tree', '-r', '--name-only', 'refs/trail/records']).trim().split('\n')
    const mirrored = onRef.filter((path) => existsSync(join(clone.dir, path)))
    assert.ok(
      mirrored.some((path) => path.includes('/trajectory.md')),
      'its own record is mirrored',
    )
    assert.ok(mirrored.length < onRef.length, 'the adopted records are not, yet')
    const doctor = (JSON.parse((await runCli(clone.dir, ['trail', 'doctor', '--json'])).stdout) as Doctor).checks.find((check) => check.name === 'mirror')!
    assert.equal(doctor.status, 'warning')
    assert.match(doctor.message, /the mirror holds only the records written here/)

    await ok(clone.dir, ['trail', 'init'])
    for (const path of onRef) assert.equal(clone.read(path), clone.git(['show', `refs/trail/records:${path}`]), path)
    clone.assertUserStateUnchanged(before)
    await ok(clone.dir, ['trail', 'decision', 'Now incremental', '--agent', 'other'])
    const healthy = await runCli(clone.dir, ['trail', 'doctor'])
    assert.equal(healthy.code, 0, healthy.stdout)
  })
})

describe('files the user names for output', () => {
  it('refuses to write trail export --output inside .git, by path or through a link, and leaves the file alone', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Exported'])
    const config = repo.read('.git/config')
    for (const output of ['.git/config', '.git/hooks/pre-commit', 'sub/../.git/config']) {
      const result = await runCli(repo.dir, ['trail', 'export', '--output', output])
      assert.equal(result.code, 2, output)
      assert.match(result.stderr, /^error: refusing to write .*: it is inside a git directory\nhint: /)
    }
    symlinkSync(join(repo.dir, '.git'), join(repo.dir, 'innocent'))
    assert.equal((await runCli(repo.dir, ['trail', 'export', '--output', 'innocent/config'])).code, 2)
    assert.equal(repo.read('.git/config'), config)
    assert.ok(!existsSync(join(repo.dir, '.git', 'hooks', 'pre-commit')))
  })

  it('does not follow a final symbolic link unless asked, and then only outside .git', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Exported'])
    const target = join(elsewhere(), 'target.md')
    writeFileSync(target, 'before\n')
    symlinkSync(target, join(repo.dir, 'report.md'))
    const refused = await runCli(repo.dir, ['trail', 'export', '--output', 'report.md'])
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /refusing to write report\.md: it is a symbolic link\nhint: .*--follow-symlinks/)
    assert.equal(readFileSync(target, 'utf8'), 'before\n')
    await ok(repo.dir, ['trail', 'export', '--output', 'report.md', '--follow-symlinks'])
    assert.match(readFileSync(target, 'utf8'), /^# Exported/)
    assert.ok(lstatSync(join(repo.dir, 'report.md')).isSymbolicLink(), 'the link itself is kept')
    symlinkSync(join(repo.dir, '.git', 'config'), join(repo.dir, 'config-link'))
    assert.equal((await runCli(repo.dir, ['trail', 'export', '--output', 'config-link', '--follow-symlinks'])).code, 2)
  })
})
