import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {MCP_TOOLS, toolName} from '../../src/mcp/tools.js'
import {ok} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'
import {resultText, startMcp} from './mcp-client.js'

// No tool answers an empty text: where the command prints nothing into a pipe (an empty list), the tool says that
// there is nothing, and what was asked for; its structured content is the command's --json, an empty list.

describe('relay mcp when there is nothing to show', () => {
  const makeRepo = useRepos()

  it('trail_list says there are none and which filters it applied; its structured content is an empty list', async () => {
    const repo = makeRepo()
    const mcp = await startMcp({cwd: repo.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    try {
      for (const [args, expected] of [
        [{}, 'No trajectories yet.\n'],
        [{status: 'completed'}, 'No trajectories match status completed.\n'],
        [
          {status: 'abandoned', agent: 'bob', since: '7d', search: 'login\tform'},
          'No trajectories match status abandoned, agent bob, since 7d, search "login\\tform".\n',
        ],
      ] as const) {
        const result = await mcp.call('trail_list', args)
        assert.notEqual(result.isError, true)
        assert.equal(resultText(result), expected, JSON.stringify(args))
        assert.deepEqual((result.structuredContent as {trajectories: unknown[]}).trajectories, [])
      }
      await mcp.ok('trail_start', {title: 'Active work'})
      assert.equal(await mcp.ok('trail_list', {status: 'completed'}), 'No trajectories match status completed.\n')
      assert.match(await mcp.ok('trail_list', {status: 'active'}), /\tActive work\n$/)
      assert.equal((await ok(repo.dir, ['trail', 'list', '--status', 'completed'])).length, 0, 'into a pipe, the CLI prints no row')
    } finally {
      await mcp.close()
    }
  })

  it('no tool answers an empty text, on a store with nothing in it', async () => {
    const repo = makeRepo()
    const mcp = await startMcp({cwd: repo.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    // Every tool, with what finds nothing where it can find nothing, in an order in which each call can succeed.
    let started = ''
    const calls: [string, Record<string, unknown> | (() => Record<string, unknown>)][] = [
      ['trail_status', {}],
      ['trail_list', {}],
      ['trail_list', {agent: 'nobody'}],
      ['trail_why', {target: 'README.md'}],
      ['relay_continuity_load', {}],
      ['relay_continuity_search', {query: 'nothing like this'}],
      ['relay_search', {query: 'nothing like this'}],
      ['relay_inbox', {}],
      ['relay_inbox', {mark_read: true}],
      ['relay_thread', {id: 'no-such-thread'}],
      ['relay_continuity_uncertain', {text: 'Whether anything is here'}],
      ['relay_continuity_save', {text: 'Current task: nothing'}],
      ['relay_send', {target: 'codex', body: 'Anyone?'}],
      ['trail_start', {title: 'Something'}],
      ['trail_decision', {title: 'A choice'}],
      ['trail_show', () => ({id: started})],
      ['trail_complete', {summary: 'Done'}],
      ['trail_start', {title: 'Something else'}],
      ['trail_abandon', {}],
    ]
    try {
      assert.deepEqual(new Set(calls.map(([name]) => name)), new Set(MCP_TOOLS.map((spec) => toolName(spec.definition))), 'every tool is called')
      for (const [name, given] of calls) {
        const args = typeof given === 'function' ? given() : given
        const result = await mcp.call(name, args)
        assert.notEqual(result.isError, true, `${name}: ${resultText(result)}`)
        assert.match(resultText(result), /\S/, `${name} ${JSON.stringify(args)} answered an empty text`)
        if (name === 'trail_start') started = (result.structuredContent as {id: string}).id
      }
    } finally {
      await mcp.close()
    }
  })
})
