import assert from 'node:assert/strict'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import type {TrajectoryDetailJson} from '../../src/render/trajectory.js'
import {json, ok} from '../helpers/cli.js'
import {makeTempDir, useRepos, type TestRepo} from '../helpers/repo.js'
import {Trace, runTraced} from '../helpers/trace.js'
import {startMcp} from './mcp-client.js'

// relay mcp and a command writing beside it (an agent calling tools while a hook or a person runs `trail decision`)
// carry their objects to each other (src/git/carried-objects.ts): relay mcp writes what its last write read and made
// once the answer is on its way, and reads what a command's write carried when it finds the ref moved. Neither asks
// git for the tip's trees the other just made; a damaged file costs a read from git, never a record.

const REF = 'refs/trail/records'
const AGENT = 'beside'
const newRepo = useRepos()

const carriedFile = (repo: TestRepo) => join(repo.dir, '.git', 'trail', 'carried-objects')

/** Waits until the carried file's first object is the ref's tip (relay mcp writes it just after its answer). */
async function carriedTip(repo: TestRepo): Promise<void> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const tip = repo.git(['rev-parse', REF]).trim()
    let first = ''
    try {
      first = readFileSync(carriedFile(repo), 'latin1').split('\n')[1] ?? ''
    } catch {
      // not written yet
    }
    if (first === `commit ${first.split(' ')[1]} ${tip}`) return
    assert.ok(Date.now() < deadline, `relay mcp carried its write (tip ${tip}, carried: ${first})`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function decisions(repo: TestRepo): Promise<string[]> {
  const status = await json<{active: TrajectoryDetailJson}>(repo.dir, ['trail', 'status'], {env: {AGENT_RELAY_NAME: AGENT}})
  return status.active.decisions.map((decision) => decision.title).sort()
}

describe('relay mcp and a command writing beside it', () => {
  it("a command's write after relay mcp's starts no git process, and its commit is whole", async () => {
    const repo = newRepo()
    const before = repo.userState()
    const server = await startMcp({cwd: repo.dir, clientName: 'beside'})
    try {
      await server.ok('trail_start', {title: 'Side by side', agent: AGENT})
      for (let n = 1; n <= 3; n++) {
        await server.ok('trail_decision', {title: `Through MCP ${n}`, reasoning: 'a tool call', agent: AGENT})
        await carriedTip(repo)
        const result = await runTraced(repo.dir, ['trail', 'decision', `From the CLI ${n}`, '--reasoning', 'a command'], {env: {AGENT_RELAY_NAME: AGENT}})
        assert.equal(result.code, 0, result.stderr)
        assert.deepEqual(result.trace.processes, [], `write ${n}: no git process; what it read came from relay mcp's write`)
      }
    } finally {
      await server.close()
    }
    await repo.fsck(REF)
    assert.deepEqual(await decisions(repo), ['From the CLI 1', 'From the CLI 2', 'From the CLI 3', 'Through MCP 1', 'Through MCP 2', 'Through MCP 3'])
    repo.assertUserStateUnchanged(before)
  })

  it("a command's ledger save and message after relay mcp's start no git process either, and keep every record", async () => {
    const repo = newRepo()
    const before = repo.userState()
    const server = await startMcp({cwd: repo.dir, clientName: 'beside'})
    const env = {AGENT_RELAY_NAME: AGENT}
    try {
      for (let n = 1; n <= 2; n++) {
        await server.ok('relay_continuity_save', {text: `Current task: through MCP ${n}`, agent: AGENT})
        await carriedTip(repo)
        const saved = await runTraced(repo.dir, ['relay', 'continuity', 'save', `Current task: from the CLI ${n}`], {env})
        assert.equal(saved.code, 0, saved.stderr)
        assert.deepEqual(saved.trace.processes, [], `ledger ${n}: no git process`)
        await server.ok('relay_send', {target: 'Designer', body: `Through MCP ${n}`, agent: AGENT})
        await carriedTip(repo)
        const sent = await runTraced(repo.dir, ['relay', 'send', 'Designer', `From the CLI ${n}`], {env})
        assert.equal(sent.code, 0, sent.stderr)
        assert.deepEqual(sent.trace.processes, [], `message ${n}: no git process`)
      }
    } finally {
      await server.close()
    }
    await repo.fsck(REF)
    assert.match(repo.git(['show', `${REF}:.relay/ledger/${AGENT}.md`]), /currentTask: from the CLI 2\n/)
    const bodies = repo.git(['grep', '-h', '-e', 'Through MCP', '-e', 'From the CLI', REF, '--', '.relay/messages'])
    for (const body of ['Through MCP 1', 'From the CLI 1', 'Through MCP 2', 'From the CLI 2']) assert.ok(bodies.includes(body), body)
    repo.assertUserStateUnchanged(before)
  })

  it("relay mcp's write after a command's reads nothing from git, and a damaged carried file costs a read, not a record", async () => {
    const repo = newRepo()
    const before = repo.userState()
    const traceDir = makeTempDir('mcp-trace')
    const traceFile = join(traceDir, 'trace')
    const server = await startMcp({cwd: repo.dir, clientName: 'beside', env: {RELAY_TRAIL_TRACE: traceFile}})
    /** What the server read from git (not from its cache) during `call`. */
    const readsDuring = async (call: () => Promise<unknown>) => {
      const from = Trace.read(traceFile).lines.length
      await call()
      const lines = Trace.read(traceFile).lines.slice(from)
      return lines.filter((line) => line.kind === 'read' || line.kind === 'commit-read' || line.kind === 'git').map((line) => line.fields.join(' '))
    }
    try {
      await server.ok('trail_start', {title: 'Side by side', agent: AGENT})
      for (let n = 1; n <= 3; n++) {
        await ok(repo.dir, ['trail', 'decision', `From the CLI ${n}`], {env: {AGENT_RELAY_NAME: AGENT}})
        const read = await readsDuring(() => server.ok('trail_decision', {title: `Through MCP ${n}`, agent: AGENT}))
        assert.deepEqual(read, [], `write ${n}: the tip's trees and the record came from what the command carried`)
      }

      // Every tree and file carried is damaged, each keeping its size and id: relay mcp checks what it uses. The
      // server is stopped meanwhile: it watches the ref, and on a busy machine it could read the carried file
      // before the damage (and rightly find it whole). Whether its watch or its next write reads the damaged
      // file first, what fails the check is read from git, so the reads are counted from the damage on.
      process.kill(server.pid, 'SIGSTOP')
      await ok(repo.dir, ['trail', 'decision', 'From the CLI 4'], {env: {AGENT_RELAY_NAME: AGENT}})
      const data = readFileSync(carriedFile(repo))
      let at = data.indexOf(0x0a) + 1
      let damaged = 0
      while (at < data.length) {
        const newline = data.indexOf(0x0a, at)
        const [type, size] = data.toString('latin1', at, newline).split(' ')
        const end = newline + 1 + Number(size)
        if (type !== 'commit' && Number(size) > 0) {
          data[end - 1] = data[end - 1]! ^ 0x01
          damaged++
        }
        at = end + 1
      }
      assert.ok(damaged > 2, 'trees and records were carried')
      writeFileSync(carriedFile(repo), data)
      const read = await readsDuring(async () => {
        process.kill(server.pid, 'SIGCONT')
        await server.ok('trail_decision', {title: 'Through MCP 4', agent: AGENT})
      })
      assert.ok(read.length > 0, 'what failed its check was read from git')
      assert.deepEqual((await server.ok('trail_status', {agent: AGENT})).match(/(Through MCP|From the CLI) \d/g)?.sort(), [
        'From the CLI 1',
        'From the CLI 2',
        'From the CLI 3',
        'From the CLI 4',
        'Through MCP 1',
        'Through MCP 2',
        'Through MCP 3',
        'Through MCP 4',
      ])
    } finally {
      try {
        process.kill(server.pid, 'SIGCONT') // if an assertion failed while it was stopped
      } catch {
        // gone already
      }
      await server.close()
      rmSync(traceDir, {recursive: true, force: true})
    }
    await repo.fsck(REF)
    assert.equal((await decisions(repo)).length, 8)
    repo.assertUserStateUnchanged(before)
  })
})
