import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ok} from '../helpers/cli.js'
import {installedCommand, refFiles, runHookCommand} from '../helpers/hooks.js'
import {useRepos} from '../helpers/repo.js'

// Gemini CLI's hooks (.gemini/settings.json), run as Gemini CLI runs them (google-gemini/gemini-cli, docs/hooks/reference.md): through a
// shell in the project, JSON on stdin, and stdout that must be JSON and nothing else, every time.

const newRepo = useRepos()
const SESSION = 'a7f3c2d1-9b8e-4f6a-8c5d-2e1f0a9b8c7d'

describe('Gemini CLI hooks (trail init --gemini)', () => {
  it("keeps the user's settings, answers every event with JSON only, and sends requests back as a retry prompt", async () => {
    const repo = newRepo()
    repo.write(
      '.gemini/settings.json',
      JSON.stringify({
        theme: 'GitHub',
        mcpServers: {docs: {command: 'docs-mcp'}},
        hooks: {BeforeTool: [{matcher: 'run_shell_command', hooks: [{type: 'command', command: './audit.sh'}]}]},
      }),
    )
    await ok(repo.dir, ['trail', 'init', '--gemini'])
    const before = repo.userState()
    const settingsPath = join(repo.dir, '.gemini', 'settings.json')
    const settings = JSON.parse(repo.read('.gemini/settings.json')) as {
      theme: string
      mcpServers: Record<string, {command: string; args: string[]}>
      hooks: Record<string, {hooks: {command: string; timeout: number}[]}[]>
    }
    assert.equal(settings.theme, 'GitHub')
    assert.deepEqual(Object.keys(settings.mcpServers), ['docs', 'relay-trail'])
    assert.deepEqual(settings.mcpServers['relay-trail']!.args.slice(-3), ['mcp', '--tool', 'gemini'])
    assert.equal(settings.hooks.BeforeTool![0]!.hooks[0]!.command, './audit.sh')
    assert.equal(settings.hooks.AfterAgent![0]!.hooks[0]!.timeout, 60000, 'Gemini CLI counts in milliseconds')
    const hook = (event: string, payload: Record<string, unknown>) =>
      runHookCommand(
        installedCommand(settingsPath, event),
        {session_id: SESSION, transcript_path: join(repo.dir, 'no.json'), cwd: repo.dir, hook_event_name: event, timestamp: '2026-12-01T10:00:00Z', ...payload},
        {cwd: repo.dir, env: {GEMINI_PROJECT_DIR: repo.dir}},
      )
    const start = await hook('SessionStart', {source: 'startup'})
    assert.match(
      (JSON.parse(start.stdout) as {hookSpecificOutput: {additionalContext: string}}).hookSpecificOutput.additionalContext,
      /pass `--agent gemini-a7f3c2d1`/,
    )
    const prompt = await hook('BeforeAgent', {prompt: 'Document the CLI flags'})
    assert.match(
      (JSON.parse(prompt.stdout) as {hookSpecificOutput: {additionalContext: string}}).hookSpecificOutput.additionalContext,
      /^## trajectory started/,
    )
    const after = await hook('AfterAgent', {
      prompt: 'Document the CLI flags',
      prompt_response: 'Documented.\n->continuity:search "flags"\n->continuity:uncertain "Is --all documented?"',
      stop_hook_active: false,
    })
    const retry = JSON.parse(after.stdout) as {decision: string; reason: string}
    assert.equal(retry.decision, 'deny')
    assert.match(retry.reason, /^## continuity search: "flags"\n/)
    assert.match(repo.read('.relay/ledger/gemini-a7f3c2d1.md'), /Is --all documented\?/)
    for (const [event, payload] of [
      ['AfterAgent', {prompt: 'x', prompt_response: 'Fine.', stop_hook_active: true}],
      ['PreCompress', {trigger: 'auto'}],
      ['SessionEnd', {reason: 'exit'}],
    ] as const) {
      const result = await hook(event, payload)
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, '{}\n', `${event}: JSON only`)
    }
    assert.equal(refFiles(repo, '.trail/active/gemini-a7f3c2d1').length, 1)
    repo.assertUserStateUnchanged(before)
  })
})
