import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {clientTool, sessionAgent} from '../../src/mcp/acting-agent.js'
import {ok} from '../helpers/cli.js'
import {installedCommand, runHookCommand} from '../helpers/hooks.js'
import {useRepos} from '../helpers/repo.js'
import {startMcp} from './mcp-client.js'

// The MCP server and the hooks of one agent-tool session must act as one agent. The hooks name a session
// `<tool>-<first 8 characters of its id>`; the MCP server hears no session id (stdio), so it acts for the newest live
// hooked session of its tool (`relay mcp --tool`, which trail init installs), and otherwise for the client's name.

const newRepo = useRepos()

describe('who an MCP server installed by trail init acts for', () => {
  it('is the name the hooks gave the live session of its tool, so its decisions land in the hooked trajectory', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--claude'])
    const before = repo.userState()
    const settings = join(repo.dir, '.claude', 'settings.json')
    const server = (JSON.parse(readFileSync(join(repo.dir, '.mcp.json'), 'utf8')) as {mcpServers: Record<string, {args: string[]}>}).mcpServers['relay-trail']!
    assert.deepEqual(server.args.slice(-3), ['mcp', '--tool', 'claude'])
    const hook = (event: string, session: string, payload: Record<string, unknown> = {}) =>
      runHookCommand(installedCommand(settings, event), {session_id: session, cwd: repo.dir, hook_event_name: event, ...payload}, {cwd: repo.dir})
    // An earlier session that ended, and the live one.
    await hook('SessionStart', '11111111-aaaa-4bbb-8ccc-000000000001', {source: 'startup'})
    await hook('SessionEnd', '11111111-aaaa-4bbb-8ccc-000000000001', {reason: 'exit'})
    await hook('SessionStart', '3f2a9c1e-77b0-4c1e-9d1a-0b6f5e2d7c10', {source: 'startup'})
    await hook('UserPromptSubmit', '3f2a9c1e-77b0-4c1e-9d1a-0b6f5e2d7c10', {prompt: 'Speed up the search page'})

    const mcp = await startMcp({cwd: repo.dir, args: ['--tool', 'claude'], clientName: 'claude-code'})
    try {
      assert.match(await mcp.ok('trail_decision', {title: 'Cache the query', reasoning: 'it repeats'}), /^Recorded decision/)
      assert.match(await mcp.ok('trail_status'), /Agent claude-3f2a9c1e: active[\s\S]*Cache the query/)
    } finally {
      await mcp.close()
    }
    repo.assertUserStateUnchanged(before)
  })

  it("is the client's name when no session of its tool is live, and --agent or the environment always wins", () => {
    assert.equal(sessionAgent({flag: undefined, env: {}, hooked: 'claude-3f2a9c1e', clientName: 'claude-code'}), 'claude-3f2a9c1e')
    assert.equal(sessionAgent({flag: undefined, env: {}, hooked: undefined, clientName: 'claude-code'}), 'claude-code')
    assert.equal(sessionAgent({flag: 'Lead', env: {}, hooked: 'claude-3f2a9c1e', clientName: 'claude-code'}), 'Lead')
    assert.equal(sessionAgent({flag: undefined, env: {AGENT_RELAY_NAME: 'Lead'}, hooked: 'claude-3f2a9c1e', clientName: 'claude-code'}), undefined)
    assert.equal(clientTool('codex', 'claude-code'), 'codex')
    assert.equal(clientTool(undefined, 'claude-code'), 'claude')
    assert.equal(clientTool(undefined, 'codex-mcp-client'), 'codex')
    assert.equal(clientTool(undefined, 'gemini-cli-mcp-client'), 'gemini')
    assert.equal(clientTool(undefined, 'cursor-vscode'), 'cursor')
    assert.equal(clientTool(undefined, 'test-client'), undefined)
  })
})
