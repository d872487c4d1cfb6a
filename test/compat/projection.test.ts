import assert from 'node:assert/strict'
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {validateTrajectory} from 'agent-trajectories'
import {json, ok, runCli} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'

// The TRAJECTORIES_DATA_DIR projection: agent-trajectories' files derived from the records after each write,
// written only inside the folder, never through a symbolic link, and rebuilt from the ref on demand.

const makeRepo = useRepos()

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relay-trail-projection-'))
  after(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

describe('the agent-trajectories files kept in TRAJECTORIES_DATA_DIR', () => {
  it('follow each write: active while active, then completed, never both', async () => {
    const repo = makeRepo({dirty: true})
    const data = tempDir()
    const env = {TRAJECTORIES_DATA_DIR: data}
    const t = await json(repo.dir, ['trail', 'start', 'Work'], {env})
    const active = join(data, 'active', `${String(t.id)}.json`)
    assert.equal(JSON.parse(readFileSync(active, 'utf8')).status, 'active')
    await ok(repo.dir, ['trail', 'decision', 'Use JWT', '--reasoning', 'Stateless'], {env})
    assert.equal(JSON.parse(readFileSync(active, 'utf8')).chapters[0].events.length, 1)
    await ok(repo.dir, ['trail', 'abandon', '--reason', 'Blocked'], {env})
    assert.equal(existsSync(active), false)
    const [month] = readdirSync(join(data, 'completed'))
    const file = JSON.parse(readFileSync(join(data, 'completed', month!, `${String(t.id)}.json`), 'utf8'))
    assert.equal(file.status, 'abandoned')
    assert.deepEqual(file.chapters[0].events.at(-1), {ts: Date.parse(file.completedAt), type: 'note', content: 'Abandoned: Blocked', significance: 'high'})
    assert.equal(validateTrajectory(file).success, true)
    assert.deepEqual(readdirSync(data).sort(), ['active', 'completed', 'index.json'], 'no temporary file left behind')
  })

  it("never writes through a symbolic link: the record is committed, the link's target untouched, and a warning says why", async () => {
    const repo = makeRepo({dirty: true})
    const data = tempDir()
    const elsewhere = tempDir()
    symlinkSync(elsewhere, join(data, 'active'))
    const result = await runCli(repo.dir, ['trail', 'start', 'Work'], {env: {TRAJECTORIES_DATA_DIR: data}})
    assert.equal(result.code, 0)
    assert.match(result.stderr, /^warning: the record is committed, but the agent-trajectories files in .* were not updated: .*active is a symbolic link/)
    assert.deepEqual(readdirSync(elsewhere), [])
    assert.match(repo.git(['log', '--format=%s', 'refs/trail/records']), /trail: start/)
  })

  it('replaces a symbolic link at index.json instead of writing into its target', async () => {
    const repo = makeRepo({dirty: true})
    const data = tempDir()
    const outside = join(tempDir(), 'precious.json')
    writeFileSync(outside, '{"keep": true}')
    symlinkSync(outside, join(data, 'index.json'))
    await ok(repo.dir, ['trail', 'start', 'Work'], {env: {TRAJECTORIES_DATA_DIR: data}})
    assert.equal(readFileSync(outside, 'utf8'), '{"keep": true}')
    assert.equal(lstatSync(join(data, 'index.json')).isFile(), true)
  })

  it("is rebuilt from the ref by trail export --format agent-trajectories --all, keeping others' entries whose files exist", async () => {
    const repo = makeRepo({dirty: true})
    await ok(repo.dir, ['trail', 'start', 'One', '--agent', 'a'])
    await ok(repo.dir, ['trail', 'complete', '--summary', 'Done', '--agent', 'a'])
    await ok(repo.dir, ['trail', 'start', 'Two', '--agent', 'b'])
    const data = tempDir()
    mkdirSync(join(data, 'active'))
    writeFileSync(join(data, 'active', 'traj_foreign.json'), '{}')
    writeFileSync(
      join(data, 'index.json'),
      JSON.stringify({
        version: 1,
        trajectories: {traj_foreign: {path: join(data, 'active', 'traj_foreign.json')}, traj_gone: {path: join(data, 'nowhere.json')}},
      }),
    )
    const before = repo.userState()
    assert.match(
      await ok(repo.dir, ['trail', 'export', '--format', 'agent-trajectories', '--all', '--data-dir', data]),
      /^wrote 2 trajectories and index\.json into /,
    )
    const index = JSON.parse(readFileSync(join(data, 'index.json'), 'utf8'))
    assert.deepEqual(
      Object.values(index.trajectories)
        .map((entry) => (entry as {title?: string}).title ?? 'foreign')
        .sort(),
      ['One', 'Two', 'foreign'],
    )
    repo.assertUserStateUnchanged(before)
  })

  it('needs a folder to rebuild', async () => {
    const repo = makeRepo({dirty: true})
    const result = await runCli(repo.dir, ['trail', 'export', '--format', 'agent-trajectories', '--all'])
    assert.equal(result.code, 2)
    assert.match(
      result.stderr,
      /^error: --all writes into the agent-trajectories data folder, and none is set\nhint: name it: trail export --format agent-trajectories --all --data-dir <folder>/,
    )
  })
})
