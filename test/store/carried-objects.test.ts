import assert from 'node:assert/strict'
import {existsSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {json, ok} from '../helpers/cli.js'
import {useRepos, useTempDirs, type TestRepo} from '../helpers/repo.js'
import {runTraced} from '../helpers/trace.js'
import type {TrajectoryDetailJson} from '../../src/render/trajectory.js'

// A command's write carries the objects it read and wrote to the next (src/git/carried-objects.ts), which then
// starts no git process. The file is private state, never trusted for a write: each object is checked against its
// id before a write builds on it. A file damaged in any way costs a git process, never a record, and the ref only
// ever holds what git itself would have committed.

const REF = 'refs/trail/records'

function carriedFile(repo: TestRepo): string {
  return join(repo.dir, '.git', 'trail', 'carried-objects')
}

/** The entries of the carried file: where each object's content starts, its type, size and id. */
function entries(data: Buffer): {type: string; size: number; oid: string; start: number}[] {
  const found: {type: string; size: number; oid: string; start: number}[] = []
  let at = data.indexOf(0x0a) + 1
  while (at < data.length) {
    const newline = data.indexOf(0x0a, at)
    const [type, size, oid] = data.toString('latin1', at, newline).split(' ')
    found.push({type: type!, size: Number(size), oid: oid!, start: newline + 1})
    at = newline + 1 + Number(size) + 1
  }
  return found
}

/** Every file on the ref and its blob id, for comparing two stores. */
function files(repo: TestRepo, rev = REF): string[] {
  return repo
    .git(['ls-tree', '-r', rev])
    .trim()
    .split('\n')
    .map((line) => line.split(/\s+/).slice(2).join(' '))
    .sort()
}

async function decisions(repo: TestRepo): Promise<string[]> {
  const status = await json<{active: TrajectoryDetailJson}>(repo.dir, ['trail', 'status'])
  return status.active.decisions.map((decision) => decision.title).sort()
}

describe('the objects a write carries to the next', () => {
  const repos = useRepos()
  const temps = useTempDirs()

  it('let the next write of the same agent start no git process, and its commit is the one git would make', async () => {
    const repo = repos()
    await ok(repo.dir, ['trail', 'start', 'Carried'])
    await ok(repo.dir, ['trail', 'decision', 'First'])
    const result = await runTraced(repo.dir, ['trail', 'decision', 'Second'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(result.trace.processes, [])
    assert.ok(result.trace.lines.some((line) => line.kind === 'cached'))
    // Trees in git's order and format (fsck --strict; test/git/warm-commit.test.ts compares them with fast-import's).
    await repo.fsck(REF)
    assert.deepEqual(await decisions(repo), ['First', 'Second'])
  })

  it('are the newest records of a folder, not all of them: the file does not grow with the trajectory', async () => {
    // Each write once carried every object it was handed: the decisions of a long trajectory piled up in the file,
    // which every later write read, checked and wrote out again.
    const repo = repos()
    await ok(repo.dir, ['trail', 'start', 'Long'])
    for (let i = 0; i < 40; i++) await ok(repo.dir, ['trail', 'decision', `Decision ${String(i).padStart(2, '0')}`])
    const carried = entries(readFileSync(carriedFile(repo)))
    const eventsDir = repo
      .git(['ls-tree', '-r', '-d', '--name-only', REF])
      .split('\n')
      .find((path) => path.endsWith('/events'))
    const eventBlobs = new Set(
      repo
        .git(['ls-tree', `${REF}:${eventsDir}`])
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/)[2]),
    )
    assert.equal(eventBlobs.size, 40)
    const carriedEvents = carried.filter((entry) => eventBlobs.has(entry.oid))
    // The newest 24 decisions (CARRIED_FILES_PER_FOLDER), the last write's own among them, as `trail status` reads them.
    assert.equal(carriedEvents.length, 24, `${carriedEvents.length} decisions carried`)
    // The next write and a status still start no git process.
    const write = await runTraced(repo.dir, ['trail', 'decision', 'Decision 40'])
    assert.equal(write.code, 0, write.stderr)
    assert.deepEqual(write.trace.processes, [])
    const status = await runTraced(repo.dir, ['trail', 'status', '--json'])
    assert.equal(status.code, 0, status.stderr)
    assert.deepEqual(status.trace.processes, [])
    assert.ok((JSON.parse(status.stdout) as {active: TrajectoryDetailJson}).active.decisions.some((decision) => decision.title === 'Decision 40'))
  })

  it('serve two agents writing in turn: each finds what the other carried, and starts no git process', async () => {
    const repo = repos()
    const as = (agent: string) => ({TRAIL_AGENT: agent, AGENT_RELAY_NAME: agent})
    await ok(repo.dir, ['trail', 'start', 'A'], {env: as('alpha')})
    await ok(repo.dir, ['trail', 'start', 'B'], {env: as('beta')})
    for (let round = 0; round < 2; round++) {
      for (const agent of ['alpha', 'beta']) await ok(repo.dir, ['trail', 'decision', `${agent} ${round}`], {env: as(agent)})
    }
    for (const agent of ['alpha', 'beta']) {
      const result = await runTraced(repo.dir, ['trail', 'decision', `${agent} again`], {env: as(agent)})
      assert.equal(result.code, 0, result.stderr)
      assert.deepEqual(result.trace.processes, [], agent)
    }
  })

  it('are checked against their ids by a write: a damaged tree or record is dropped, git is asked, nothing is lost', async () => {
    for (const damaged of ['tree', 'blob'] as const) {
      const repo = repos()
      await ok(repo.dir, ['trail', 'start', 'Damaged'])
      await ok(repo.dir, ['trail', 'decision', 'First'])
      await ok(repo.dir, ['trail', 'decision', 'Second'])
      const before = files(repo)
      const data = readFileSync(carriedFile(repo))
      // Every object of that type gets one byte changed, its size and id kept: only its content tells.
      const changed = entries(data).filter((entry) => entry.type === damaged && entry.size > 0)
      assert.ok(changed.length > 0, `a ${damaged} is carried`)
      for (const entry of changed) data[entry.start + entry.size - 1] = data[entry.start + entry.size - 1]! ^ 0x01
      writeFileSync(carriedFile(repo), data)

      const result = await runTraced(repo.dir, ['trail', 'decision', 'Third'])
      assert.equal(result.code, 0, result.stderr)
      assert.deepEqual(result.trace.processes, ['cat-file'], `${damaged}: git reads what failed its check`)
      await repo.fsck(REF)
      const after = files(repo)
      assert.equal(after.length, before.length + 1, `${damaged}: every file kept, one event added`)
      assert.ok(
        before.every((line) => after.includes(line)),
        `${damaged}: no file of the store changed`,
      )
      assert.deepEqual(await decisions(repo), ['First', 'Second', 'Third'])
    }
  })

  it('are ignored when the file is cut short, foreign or a symbolic link, which is never written through', async () => {
    const repo = repos()
    await ok(repo.dir, ['trail', 'start', 'Odd files'])
    await ok(repo.dir, ['trail', 'decision', 'First'])
    const whole = readFileSync(carriedFile(repo))
    const outside = join(temps('outside'), 'target')
    writeFileSync(outside, 'not ours\n')
    const cases: [string, () => void][] = [
      ['cut short', () => writeFileSync(carriedFile(repo), whole.subarray(0, whole.length - 7))],
      ['another format', () => writeFileSync(carriedFile(repo), Buffer.concat([Buffer.from('relay-trail carried objects 1\n'), whole.subarray(30)]))],
      ['empty', () => writeFileSync(carriedFile(repo), '')],
      [
        'a symbolic link',
        () => {
          rmSync(carriedFile(repo))
          symlinkSync(outside, carriedFile(repo))
        },
      ],
    ]
    for (const [name, damage] of cases) {
      damage()
      const status = await runTraced(repo.dir, ['trail', 'status'])
      assert.equal(status.code, 0, `${name}: ${status.stderr}`)
      const write = await runTraced(repo.dir, ['trail', 'decision', `After ${name}`])
      assert.equal(write.code, 0, `${name}: ${write.stderr}`)
      assert.ok(write.trace.processes.length <= 1, `${name}: ${write.trace.processes.join(' ')}`)
      await repo.fsck(REF)
    }
    assert.equal(readFileSync(outside, 'utf8'), 'not ours\n', 'the link was replaced, its target never written')
    assert.ok(existsSync(carriedFile(repo)))
    assert.deepEqual(await decisions(repo), ['After a symbolic link', 'After another format', 'After cut short', 'After empty', 'First'])
  })

  it('follow the ref, not the file: a write by git or by another agent meanwhile is built on', async () => {
    const repo = repos()
    await ok(repo.dir, ['trail', 'start', 'Mine', '--agent', 'me'])
    await ok(repo.dir, ['trail', 'decision', 'Mine 1', '--agent', 'me'])
    const carried = readFileSync(carriedFile(repo))
    await ok(repo.dir, ['trail', 'start', 'Theirs', '--agent', 'other'])
    // The file from before the other agent's write: its tip is not the ref's any more.
    writeFileSync(carriedFile(repo), carried)
    await ok(repo.dir, ['trail', 'decision', 'Mine 2', '--agent', 'me'])
    await repo.fsck(REF)
    const log = repo.git(['log', '--format=%s', REF]).trim().split('\n')
    assert.match(log[0]!, /^trail: decision "Mine 2"/)
    assert.match(log[1]!, /^trail: start traj_\w+ "Theirs"/)
    const status = await json<{active: TrajectoryDetailJson; otherAgents: {agent: string}[]}>(repo.dir, ['trail', 'status', '--agent', 'me'])
    assert.deepEqual(
      status.active.decisions.map((decision) => decision.title),
      ['Mine 1', 'Mine 2'],
    )
    assert.deepEqual(
      status.otherAgents.map((other) => other.agent),
      ['other'],
    )
  })

  it("leave the ref to git where it keeps a reflog, each entry with its commit's subject", async () => {
    const repo = repos()
    repo.git(['config', 'core.logAllRefUpdates', 'always'])
    await ok(repo.dir, ['trail', 'start', 'Logged'])
    await ok(repo.dir, ['trail', 'decision', 'First'])
    await ok(repo.dir, ['trail', 'decision', 'Second'])
    const entries = repo.git(['reflog', 'show', '--format=%gs', REF]).trim().split('\n')
    assert.deepEqual(entries, repo.git(['log', '--format=%s', REF]).trim().split('\n'))
    assert.match(entries[0]!, /^trail: .*Second/)
    await repo.fsck(REF)
  })
})
