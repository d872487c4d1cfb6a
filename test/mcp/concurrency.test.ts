import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'
import type {TrajectoryDetailJson} from '../../src/render/trajectory.js'
import {startMcp} from './mcp-client.js'

// Nothing is lost when MCP servers and CLI commands write at the same time: two servers (each with its warm
// writer) and CLI processes, some on the same agent's trajectory, all land, the history stays linear, and git
// fsck finds nothing.

const MCP_CALLS = 20
const CLI_PROCESSES = 3
const CLI_DECISIONS = 6

describe('relay mcp beside other writers', () => {
  const makeRepo = useRepos()

  it('loses no record when tool calls of two servers and CLI writes run at the same time, and git fsck is clean', async () => {
    const repo = makeRepo()
    const before = repo.userState()
    const servers = await Promise.all(['first', 'second'].map((name) => startMcp({cwd: repo.dir, clientName: `${name}-server`})))
    try {
      await servers[0]!.ok('trail_start', {title: 'Shared work', agent: 'shared'})
      await ok(repo.dir, ['trail', 'start', 'CLI work', '--agent', 'cli'])
      // Every server fires its calls at once (a client may pipeline requests); CLI processes write meanwhile, two of
      // them into the same trajectory as the servers.
      const viaMcp = servers.flatMap((server, s) =>
        Array.from({length: MCP_CALLS}, (_, n) => server.ok('trail_decision', {title: `mcp ${s}-${n}`, reasoning: `server ${s}`, agent: 'shared'})),
      )
      const viaCli = Array.from({length: CLI_PROCESSES}, async (_, p) => {
        for (let n = 0; n < CLI_DECISIONS; n++) {
          const agent = p === 0 ? 'cli' : 'shared'
          const result = await runCli(repo.dir, ['trail', 'decision', `cli ${p}-${n}`, '--agent', agent])
          assert.equal(result.code, 0, result.stderr)
        }
      })
      const reads = servers.map(async (server) => {
        for (let n = 0; n < 5; n++) assert.match(await server.ok('trail_status', {agent: 'shared'}), /active traj_/)
      })
      await Promise.all([...viaMcp, ...viaCli, ...reads])

      // trail status shows the latest decisions only: trail show has them all.
      const sharedStatus = await json<{active: TrajectoryDetailJson}>(repo.dir, ['trail', 'status', '--agent', 'shared'])
      const shared = {active: await json<TrajectoryDetailJson>(repo.dir, ['trail', 'show', sharedStatus.active.id])}
      const expected = [
        ...servers.flatMap((_, s) => Array.from({length: MCP_CALLS}, (_, n) => `mcp ${s}-${n}`)),
        ...Array.from({length: CLI_PROCESSES - 1}, (_, p) => Array.from({length: CLI_DECISIONS}, (_, n) => `cli ${p + 1}-${n}`)).flat(),
      ]
      assert.deepEqual(shared.active.decisions.map((decision) => decision.title).sort(), expected.sort())
      const cliStatus = await json<{active: TrajectoryDetailJson}>(repo.dir, ['trail', 'status', '--agent', 'cli'])
      const cli = {active: await json<TrajectoryDetailJson>(repo.dir, ['trail', 'show', cliStatus.active.id])}
      assert.equal(cli.active.decisions.length, CLI_DECISIONS)
      const commits = 2 + servers.length * MCP_CALLS + CLI_PROCESSES * CLI_DECISIONS
      assert.equal(repo.git(['rev-list', '--count', 'refs/trail/records']).trim(), String(commits))
      assert.equal(repo.git(['rev-list', '--merges', '--count', 'refs/trail/records']).trim(), '0', 'every write a fast-forward')
      await repo.fsck('refs/trail/records')
      // The mirror caught up with every write, whoever made it.
      const doctor = await runCli(repo.dir, ['trail', 'doctor'])
      assert.equal(doctor.code, 0, doctor.stdout)
      repo.assertUserStateUnchanged(before)
    } finally {
      await Promise.all(servers.map((server) => server.close()))
    }
  })
})
