import assert from 'node:assert/strict'
import {appendFileSync, copyFileSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {json, ok} from '../helpers/cli.js'
import {FIXTURES, installedCommand, refFiles, runHookCommand, useScratch} from '../helpers/hooks.js'
import {useRepos} from '../helpers/repo.js'

// Claude Code's lifecycle hooks, run as Claude Code runs them (hooks reference, code.claude.com/docs/en/hooks):
// the command from .claude/settings.json through a shell, in the project folder, with CLAUDE_PROJECT_DIR set, the
// payload on stdin; SessionStart also gets CLAUDE_ENV_FILE.

const newRepo = useRepos()
const scratch = useScratch()
const SESSION = '3f2a9c1e-77b0-4c1e-9d1a-0b6f5e2d7c10'
const AGENT = 'claude-3f2a9c1e'

function setup() {
  const repo = newRepo()
  const dir = scratch()
  const settings = join(repo.dir, '.claude', 'settings.json')
  const transcript = join(dir, `${SESSION}.jsonl`)
  const env = {CLAUDE_PROJECT_DIR: repo.dir}
  const hook = (event: string, payload: Record<string, unknown>, extra: Record<string, string> = {}) =>
    runHookCommand(
      installedCommand(settings, event),
      {session_id: SESSION, transcript_path: transcript, cwd: repo.dir, permission_mode: 'default', hook_event_name: event, ...payload},
      {cwd: repo.dir, env: {...env, ...extra}},
    )
  return {repo, dir, settings, transcript, hook}
}

describe('Claude Code hooks (trail init --claude)', () => {
  it('injects the context at every SessionStart source and names the session in CLAUDE_ENV_FILE', async () => {
    const {repo, dir, hook} = setup()
    await ok(repo.dir, ['trail', 'init', '--claude'])
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: Earlier work', '--agent', AGENT])
    const before = repo.userState()
    for (const source of ['startup', 'resume', 'clear', 'compact']) {
      const envFile = join(dir, `env-${source}`)
      const result = await hook('SessionStart', {source, model: 'claude-opus'}, {CLAUDE_ENV_FILE: envFile})
      assert.equal(result.code, 0, result.stderr)
      const output = JSON.parse(result.stdout) as {hookSpecificOutput: {hookEventName: string; additionalContext: string}}
      assert.equal(output.hookSpecificOutput.hookEventName, 'SessionStart')
      assert.match(output.hookSpecificOutput.additionalContext, /^# relay-trail: session context\n\nYou are agent `claude-3f2a9c1e`/)
      assert.match(output.hookSpecificOutput.additionalContext, /\*\*Current task:\*\* Earlier work/)
      assert.doesNotMatch(output.hookSpecificOutput.additionalContext, /^\{|\\n/, 'Markdown, not escaped JSON')
      assert.equal(readFileSync(envFile, 'utf8'), `export AGENT_RELAY_NAME=${AGENT}\n`)
    }
    repo.assertUserStateUnchanged(before)
  })

  it('starts a trajectory from the first prompt (first line, clipped, redacted, ticket as --task), and only then', async () => {
    const {repo, hook} = setup()
    await ok(repo.dir, ['trail', 'init', '--claude'])
    const before = repo.userState()
    const secret = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'
    const prompt = `Fix the login bug from ABC-123 using token ${secret} and make sure the whole flow works end to end please\nsecond line`
    const first = await hook('UserPromptSubmit', {prompt})
    assert.equal(first.code, 0, first.stderr)
    const context = (JSON.parse(first.stdout) as {hookSpecificOutput: {hookEventName: string; additionalContext: string}}).hookSpecificOutput
    assert.equal(context.hookEventName, 'UserPromptSubmit')
    assert.match(context.additionalContext, /^## trajectory started: traj_\w+\n/)
    const status = await json<{active: {title: string; task: string; agent: string}}>(repo.dir, ['trail', 'status', '--agent', AGENT])
    assert.equal(status.active.task, 'ABC-123')
    assert.ok([...status.active.title].length <= 80)
    assert.match(status.active.title, /^Fix the login bug from ABC-123 using token \[REDACTED:[a-z-]+\]/)
    assert.doesNotMatch(repo.git(['log', '-p', 'refs/trail/records']), new RegExp(secret))
    const second = await hook('UserPromptSubmit', {prompt: 'and now the tests'})
    assert.equal(second.stdout, '', 'a session with a trajectory gets nothing')
    assert.equal(refFiles(repo, '.trail/active').length, 1)
    repo.assertUserStateUnchanged(before)
  })

  it('reads the transcript at Stop, answers the load request in Markdown, and never blocks twice in a row', async () => {
    const {repo, transcript, hook} = setup()
    await ok(repo.dir, ['trail', 'init', '--claude'])
    const before = repo.userState()
    copyFileSync(join(FIXTURES, 'claude-turn1.jsonl'), transcript)
    const stop = await hook('Stop', {stop_hook_active: false, last_assistant_message: 'Let me check what I knew before.\n->continuity:load'})
    assert.equal(stop.code, 0, stop.stderr)
    const answer = JSON.parse(stop.stdout) as {decision: string; reason: string}
    assert.equal(answer.decision, 'block')
    assert.match(answer.reason, /^## continuity load\n\n### Session context for claude-3f2a9c1e\n/)
    assert.match(answer.reason, /Fix login token expiry/)
    // Only the assistant's text counts: not thinking, tool calls, tool results, what the user typed, code fences.
    const ledger = repo.read(`.relay/ledger/${AGENT}.md`)
    assert.match(ledger, /currentTask: Fix login token expiry/)
    assert.match(ledger, /src\/auth\/jwt\.ts/)
    assert.doesNotMatch(ledger, /from thinking|from a tool|typed by the user/)
    assert.deepEqual(refFiles(repo, '.relay/messages'), [])
    // The loop guard: a stop after a continued one never blocks, and nothing is read twice.
    const again = await hook('Stop', {stop_hook_active: true, last_assistant_message: 'Noted.'})
    assert.equal(again.stdout, '')
    assert.equal(repo.git(['rev-list', '--count', 'refs/trail/records']).trim(), '2', 'init, the save, nothing more')
    repo.assertUserStateUnchanged(before)
  })

  it('answers a search in last_assistant_message before the transcript holds it, and not again when it does', async () => {
    const {repo, transcript, hook} = setup()
    await ok(repo.dir, ['trail', 'init', '--claude'])
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: OAuth refresh tokens', '--agent', AGENT])
    writeFileSync(transcript, '')
    const message = 'Searching.\n->continuity:search "OAuth"'
    const early = await hook('Stop', {stop_hook_active: false, last_assistant_message: message})
    const reason = (JSON.parse(early.stdout) as {reason: string}).reason
    assert.match(reason, /^## continuity search: "OAuth"\n\n```\nledger claude-3f2a9c1e/)
    appendFileSync(transcript, `${JSON.stringify({type: 'assistant', message: {role: 'assistant', content: [{type: 'text', text: message}]}})}\n`)
    const late = await hook('Stop', {stop_hook_active: false, last_assistant_message: 'Done.'})
    assert.equal(late.stdout, '', 'the search was answered once')
  })

  it('asks once for the exact trail complete after [[SESSION_END]], saves the ledger from the summary before compaction, and leaves the trajectory open at SessionEnd', async () => {
    const {repo, transcript, hook} = setup()
    await ok(repo.dir, ['trail', 'init', '--claude'])
    const before = repo.userState()
    await hook('UserPromptSubmit', {prompt: 'Fix the token expiry'})
    copyFileSync(join(FIXTURES, 'claude-turn2.jsonl'), transcript)
    const compact = await hook('PreCompact', {trigger: 'auto', custom_instructions: ''})
    assert.equal(compact.code, 0, compact.stderr)
    assert.equal(compact.stdout, '')
    assert.match(repo.read(`.relay/ledger/${AGENT}.md`), /currentTask: Test the token expiry fix/)
    appendFileSync(
      transcript,
      `${JSON.stringify({type: 'assistant', message: {role: 'assistant', content: [{type: 'text', text: 'All done.\n[[SESSION_END]]{"summary": "Fixed expiry"}[[/SESSION_END]]'}]}})}\n`,
    )
    const stop = await hook('Stop', {stop_hook_active: false, last_assistant_message: 'All done.'})
    const answer = JSON.parse(stop.stdout) as {decision: string; reason: string}
    assert.equal(answer.decision, 'block')
    assert.match(answer.reason, /^## trajectory still open: traj_\w+\n/)
    assert.match(answer.reason, /```bash\ntrail complete --agent claude-3f2a9c1e --summary "<what was done>" --confidence <0-1>\n```/)
    assert.equal((await hook('Stop', {stop_hook_active: false, last_assistant_message: 'Leaving it open.'})).stdout, '', 'asked once')
    const end = await hook('SessionEnd', {reason: 'prompt_input_exit'})
    assert.equal(end.code, 0)
    assert.equal(end.stdout, '')
    assert.equal(refFiles(repo, '.trail/active').length, 1, 'never completed silently')
    assert.equal(refFiles(repo, `.relay/ledger/sessions/${AGENT}`).length, 1)
    repo.assertUserStateUnchanged(before)
  })
})
