import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {json, ok} from '../helpers/cli.js'
import {installedCommand, refFiles, runHookCommand, useScratch} from '../helpers/hooks.js'
import {useRepos} from '../helpers/repo.js'

// Who is acting: each hooked session is its own agent (`<tool>-<session>` unless AGENT_RELAY_NAME is set), so two
// sessions in one repository never write into each other's trajectory; a new session is offered what an earlier
// one left open, and adopts it with `trail resume`.

const newRepo = useRepos()
const scratch = useScratch()

describe('hooked sessions', () => {
  it('two concurrent sessions of one tool in one repository each get their own trajectory and records', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--claude'])
    const before = repo.userState()
    const settings = join(repo.dir, '.claude', 'settings.json')
    const dir = scratch()
    const sessions = ['aaaaaaaa-0000-4000-8000-000000000001', 'bbbbbbbb-0000-4000-8000-000000000002']
    const hook = (session: string, event: string, payload: Record<string, unknown>) =>
      runHookCommand(
        installedCommand(settings, event),
        {session_id: session, transcript_path: join(dir, `${session}.jsonl`), cwd: repo.dir, hook_event_name: event, ...payload},
        {cwd: repo.dir},
      )
    const results = await Promise.all(sessions.map((session, i) => hook(session, 'UserPromptSubmit', {prompt: `Task number ${i}`})))
    for (const result of results) assert.equal(result.code, 0, result.stderr)
    const agents = (await json<{trajectories: {agent: string; title: string}[]}>(repo.dir, ['trail', 'list'])).trajectories
      .map((t) => `${t.agent}: ${t.title}`)
      .sort()
    assert.deepEqual(agents, ['claude-aaaaaaaa: Task number 0', 'claude-bbbbbbbb: Task number 1'])
    // Each one's output lands in its own ledger, at the same time.
    const {writeFileSync} = await import('node:fs')
    sessions.forEach((session, i) => {
      writeFileSync(
        join(dir, `${session}.jsonl`),
        `${JSON.stringify({type: 'assistant', message: {role: 'assistant', content: [{type: 'text', text: `->continuity:save <<<\nCurrent task: Task number ${i}>>>`}]}})}\n`,
      )
    })
    await Promise.all(sessions.map((session) => hook(session, 'Stop', {stop_hook_active: false})))
    assert.match(repo.read('.relay/ledger/claude-aaaaaaaa.md'), /currentTask: Task number 0/)
    assert.match(repo.read('.relay/ledger/claude-bbbbbbbb.md'), /currentTask: Task number 1/)
    repo.assertUserStateUnchanged(before)
  })

  it('a session that starts after another ended with an open trajectory is offered it, and trail resume adopts it', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--codex'])
    const before = repo.userState()
    const hooks = join(repo.dir, '.codex', 'hooks.json')
    const hook = (session: string, event: string, payload: Record<string, unknown>) =>
      runHookCommand(
        installedCommand(hooks, event),
        {session_id: session, turn_id: 't1', transcript_path: null, cwd: repo.dir, hook_event_name: event, model: 'gpt-5', ...payload},
        {cwd: repo.dir, login: true},
      )
    const first = '11111111-aaaa-4000-8000-000000000001'
    await hook(first, 'UserPromptSubmit', {prompt: 'Migrate the billing tables'})
    await hook(first, 'Stop', {
      stop_hook_active: false,
      last_assistant_message: 'Halfway.\n->continuity:save <<<\nCurrent task: Migrate billing\nNext steps: the invoices table>>>',
    })
    await hook(first, 'SessionEnd', {reason: 'exit'})
    const [open] = (await json<{trajectories: {id: string}[]}>(repo.dir, ['trail', 'list', '--status', 'active'])).trajectories
    const second = '22222222-bbbb-4000-8000-000000000002'
    const start = await hook(second, 'SessionStart', {source: 'startup'})
    const context = (JSON.parse(start.stdout) as {hookSpecificOutput: {additionalContext: string}}).hookSpecificOutput.additionalContext
    assert.match(context, /You are agent `codex-22222222`.*pass `--agent codex-22222222`/)
    assert.match(context, /## Left by an earlier session \(codex-11111111, ended /)
    assert.ok(context.includes(`trail resume ${open!.id} --agent codex-22222222`))
    assert.match(context, /Next steps:\*\* the invoices table|the invoices table/)
    // Its first prompt starts a trajectory; resuming the earlier one abandons that empty one in the same commit.
    await hook(second, 'UserPromptSubmit', {prompt: 'Carry on with billing'})
    const resumed = await json<{id: string; agent: string; from: string; replaced: string | null}>(repo.dir, [
      'trail',
      'resume',
      open!.id,
      '--agent',
      'codex-22222222',
    ])
    assert.deepEqual([resumed.id, resumed.agent, resumed.from], [open!.id, 'codex-22222222', 'codex-11111111'])
    assert.ok(resumed.replaced)
    assert.deepEqual(refFiles(repo, '.trail/active'), [`.trail/active/codex-22222222/${open!.id}.yaml`])
    const status = await json<{active: {id: string}}>(repo.dir, ['trail', 'status', '--agent', 'codex-22222222'])
    assert.equal(status.active.id, open!.id)
    repo.assertUserStateUnchanged(before)
  })

  it('with AGENT_RELAY_NAME set, every session is that agent and finds its own open trajectory', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--gemini'])
    const settings = join(repo.dir, '.gemini', 'settings.json')
    const hook = (session: string, event: string, payload: Record<string, unknown>) =>
      runHookCommand(
        installedCommand(settings, event),
        {session_id: session, transcript_path: '/nonexistent', cwd: repo.dir, hook_event_name: event, timestamp: new Date().toISOString(), ...payload},
        {cwd: repo.dir, env: {AGENT_RELAY_NAME: 'Reviewer'}},
      )
    await hook('s1', 'BeforeAgent', {prompt: 'Review the API'})
    await hook('s1', 'SessionEnd', {reason: 'exit'})
    const start = await hook('s2', 'SessionStart', {source: 'startup'})
    const context = (JSON.parse(start.stdout) as {hookSpecificOutput: {additionalContext: string}}).hookSpecificOutput.additionalContext
    assert.match(context, /You are agent `Reviewer`/)
    assert.match(context, /## Your trajectory is still open\n\ntraj_\w+ "Review the API"/)
    assert.equal((await hook('s2', 'BeforeAgent', {prompt: 'Go on'})).stdout, '{}\n', 'no second trajectory')
  })
})
