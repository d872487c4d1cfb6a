import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ok, runCli} from '../helpers/cli.js'
import {useRepos, useTempDirs, type TestRepo} from '../helpers/repo.js'
import {runTraced, type Trace} from '../helpers/trace.js'

// A whole mirror built where there was none (a fresh clone's `trail sync`, `trail init`, `trail doctor --fix`) is
// written by git's own checkout into a private folder and renamed into place (src/git/private-checkout.ts). Its
// files are the blobs byte for byte whatever the user configured: line endings, attributes, filters.

const newRepo = useRepos()
const tempDir = useTempDirs()

function assertMirrorIsRef(repo: TestRepo): void {
  const files = repo.refFiles()
  assert.ok(files.size >= 4, 'the store holds records')
  for (const [path, bytes] of files) assert.ok(readFileSync(join(repo.dir, path)).equals(bytes), `${path} is the blob, byte for byte`)
}

/** Whether git's checkout built it: checkout-index ran and exited 0. */
function builtByGit(trace: Trace): boolean {
  return trace.lines.some((line) => line.kind === 'git-exit' && line.fields[0] === 'checkout-index' && line.fields[1] === '0')
}

async function storeWithRecords(options: Parameters<typeof newRepo>[0] = {}): Promise<TestRepo> {
  const repo = newRepo(options)
  await ok(repo.dir, ['trail', 'start', 'Build the mirror', '--agent', 'builder'])
  await ok(repo.dir, ['trail', 'decision', 'Use git checkout', '--agent', 'builder', '--reasoning', 'line one\nline two\n\ttabbed'])
  await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: mirror', '--agent', 'builder'])
  return repo
}

describe('a whole mirror built by git', () => {
  it("is the ref's blobs byte for byte in a fresh clone, whatever the clone's line-ending, attribute and filter settings", async () => {
    const origin = await storeWithRecords({dirty: false})
    // Settings that would change every file if they reached the checkout: attributes in the work tree (committed)
    // and in info/attributes, a smudge filter, autocrlf.
    origin.write('.gitattributes', '* text eol=crlf\n')
    origin.git(['add', '.gitattributes'])
    origin.git(['commit', '--quiet', '-m', 'attributes'])
    const clone = newRepo({empty: true})
    clone.git(['remote', 'add', 'origin', origin.dir])
    clone.git(['fetch', '--quiet', 'origin', 'main'])
    clone.git(['checkout', '--quiet', '-b', 'main', 'origin/main'])
    mkdirSync(join(clone.dir, '.git', 'info'), {recursive: true})
    writeFileSync(join(clone.dir, '.git', 'info', 'attributes'), '* filter=shout\n')
    clone.git(['config', 'filter.shout.smudge', 'tr a-z A-Z'])
    clone.git(['config', 'core.autocrlf', 'true'])
    clone.write('src/app.js', 'changed\n')
    clone.git(['add', 'src/app.js'])
    const before = clone.userState()

    const synced = await runTraced(clone.dir, ['trail', 'sync'])
    assert.equal(synced.code, 0, synced.stderr)
    assert.ok(builtByGit(synced.trace), `git's checkout built the mirror: ${synced.trace.processes.join(' ')}`)
    assertMirrorIsRef(clone)
    clone.assertUserStateUnchanged(before)
    assert.ok(!existsSync(join(clone.dir, '.git', 'trail', 'checkout')), 'the private checkout is removed')
    const doctor = await runCli(clone.dir, ['trail', 'doctor'])
    assert.equal(doctor.code, 0, doctor.stdout)
    assert.match(doctor.stdout, /the \.trail\/ and \.relay\/ folders match the ref/)
  })

  it('in a SHA-256 repository too', async () => {
    const repo = await storeWithRecords({init: ['--object-format=sha256']})
    rmSync(join(repo.dir, '.trail'), {recursive: true})
    rmSync(join(repo.dir, '.relay'), {recursive: true})
    const fixed = await runTraced(repo.dir, ['trail', 'doctor', '--fix'])
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr)
    assert.ok(builtByGit(fixed.trace), `git's checkout built the mirror: ${fixed.trace.processes.join(' ')}`)
    assertMirrorIsRef(repo)
  })

  it('removes what a killed build left, and never follows a link planted where the private checkout goes', async () => {
    const repo = await storeWithRecords()
    const elsewhere = tempDir('elsewhere')
    writeFileSync(join(elsewhere, 'keep.txt'), 'not yours\n')
    const before = repo.userState()

    // A killed build: its private folder, half written.
    rmSync(join(repo.dir, '.trail'), {recursive: true})
    rmSync(join(repo.dir, '.relay'), {recursive: true})
    mkdirSync(join(repo.dir, '.git', 'trail', 'checkout', 'work', '.trail', 'stale'), {recursive: true})
    writeFileSync(join(repo.dir, '.git', 'trail', 'checkout', 'work', '.trail', 'stale', 'half.md'), 'half')
    const rebuilt = await runTraced(repo.dir, ['trail', 'init'])
    assert.equal(rebuilt.code, 0, rebuilt.stderr)
    assert.ok(builtByGit(rebuilt.trace))
    assertMirrorIsRef(repo)
    assert.ok(!existsSync(join(repo.dir, '.trail', 'stale')), 'nothing of the killed build reaches the mirror')
    assert.ok(!existsSync(join(repo.dir, '.git', 'trail', 'checkout')))

    // A link where the private folder goes.
    rmSync(join(repo.dir, '.trail'), {recursive: true})
    rmSync(join(repo.dir, '.relay'), {recursive: true})
    symlinkSync(elsewhere, join(repo.dir, '.git', 'trail', 'checkout'))
    const linked = await runCli(repo.dir, ['trail', 'doctor', '--fix'])
    assert.equal(linked.code, 0, linked.stdout + linked.stderr)
    assertMirrorIsRef(repo)
    assert.deepEqual(readdirSync(elsewhere), ['keep.txt'], 'nothing written through the link')
    assert.equal(readFileSync(join(elsewhere, 'keep.txt'), 'utf8'), 'not yours\n')
    repo.assertUserStateUnchanged(before)
  })

  it('builds into the work tree of a linked worktree', async () => {
    const repo = await storeWithRecords()
    const worktree = join(tempDir('worktree'), 'linked')
    repo.git(['worktree', 'add', '--quiet', '--detach', worktree])
    const linked = {...repo, dir: worktree} as TestRepo
    const built = await runTraced(worktree, ['trail', 'init'])
    assert.equal(built.code, 0, built.stderr)
    assert.ok(builtByGit(built.trace))
    const files = repo.refFiles()
    for (const [path, bytes] of files) assert.ok(readFileSync(join(linked.dir, path)).equals(bytes), path)
    repo.git(['worktree', 'remove', '--force', worktree])
  })
})

// The mirror's state file is replaced by removing the old one first (src/files.ts, mayVanish): a crash between the
// two leaves none, which must cost a rebuild at the next write and nothing else.
describe('a mirror whose state file is gone (a crash as it was replaced)', () => {
  it('is read around meanwhile, and rebuilt whole by the next write', async () => {
    const repo = await storeWithRecords()
    const state = join(repo.dir, '.git', 'trail', 'mirror.json')
    assert.ok(existsSync(state))
    const ledger = '.relay/ledger/builder.md'
    const before = repo.userState()
    rmSync(state)
    writeFileSync(join(repo.dir, ledger), 'stale text a reader must not be given\n')
    const shown = await ok(repo.dir, ['relay', 'continuity', 'load', '--agent', 'builder'])
    assert.match(shown, /\*\*Current task:\*\* mirror/)
    assert.doesNotMatch(shown, /stale text/, 'the ledger came from the ref, not from the mirror')
    await ok(repo.dir, ['trail', 'decision', 'After the crash', '--agent', 'builder'])
    assertMirrorIsRef(repo)
    const tip = repo.git(['rev-parse', 'refs/trail/records']).trim()
    assert.equal((JSON.parse(readFileSync(state, 'utf8')) as {tip: string; partial: boolean}).tip, tip)
    repo.assertUserStateUnchanged(before)
  })
})
