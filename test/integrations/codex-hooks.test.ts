import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ok} from '../helpers/cli.js'
import {installedCommand, refFiles, runHookCommand, useScratch} from '../helpers/hooks.js'
import {useRepos} from '../helpers/repo.js'

// Codex's hooks (.codex/hooks.json), run as Codex runs them: `$SHELL -lc <command>` in the session's folder, the
// payload of codex-rs/hooks/schema/generated/*.command.input.schema.json on stdin. Codex refuses unknown output
// fields, so only documented ones may appear.

const newRepo = useRepos()
const scratch = useScratch()
const SESSION = '019a4c2e-5f1d-7c3b-9e8a-1b2c3d4e5f60'
const AGENT = 'codex-019a4c2e'

describe('Codex hooks (trail init --codex)', () => {
  it('installs only a "hooks" key, loads the context, starts a trajectory, reads the last message and answers in Codex\'s fields', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--codex'])
    const before = repo.userState()
    const file = join(repo.dir, '.codex', 'hooks.json')
    assert.deepEqual(Object.keys(JSON.parse(repo.read('.codex/hooks.json')) as object), ['hooks'])
    const envFile = join(scratch(), 'codex-env')
    const base = {session_id: SESSION, transcript_path: null, cwd: repo.dir, model: 'gpt-5-codex', permission_mode: 'default'}
    const hook = (event: string, payload: Record<string, unknown>, env: Record<string, string> = {}) =>
      runHookCommand(installedCommand(file, event), {...base, hook_event_name: event, ...payload}, {cwd: repo.dir, login: true, env})
    const start = await hook('SessionStart', {source: 'startup'}, {CODEX_ENV_FILE: envFile})
    const startOut = JSON.parse(start.stdout) as Record<string, {hookEventName: string; additionalContext: string}>
    assert.deepEqual(Object.keys(startOut), ['hookSpecificOutput'])
    assert.equal(startOut.hookSpecificOutput!.hookEventName, 'SessionStart')
    assert.match(startOut.hookSpecificOutput!.additionalContext, /You are agent `codex-019a4c2e`/)
    const prompt = await hook('UserPromptSubmit', {turn_id: 't1', prompt: 'Add rate limiting to the API (acme/api#42)'})
    assert.match((JSON.parse(prompt.stdout) as {hookSpecificOutput: {additionalContext: string}}).hookSpecificOutput.additionalContext, /\(task acme\/api#42\)/)
    const message = 'Added a token bucket.\n```\n->relay:Bob not this one\n```\n->relay:Bob Rate limiting is in, please review\n->continuity:load'
    const stop = await hook('Stop', {turn_id: 't1', stop_hook_active: false, last_assistant_message: message})
    assert.equal(stop.code, 0, stop.stderr)
    const answer = JSON.parse(stop.stdout) as Record<string, string>
    assert.deepEqual(Object.keys(answer).sort(), ['decision', 'reason'])
    assert.equal(answer.decision, 'block')
    assert.match(answer.reason!, /^## continuity load\n\n### Session context for codex-019a4c2e\n/)
    const messages = refFiles(repo, '.relay/messages')
    assert.equal(messages.length, 1)
    assert.match(repo.git(['show', `refs/trail/records:${messages[0]}`]), /from: codex-019a4c2e[\s\S]*Rate limiting is in/)
    const end = await hook('Stop', {
      turn_id: 't2',
      stop_hook_active: false,
      last_assistant_message: 'Done.\n[[SESSION_END]]{"summary": "rate limiting"}[[/SESSION_END]]',
    })
    assert.match((JSON.parse(end.stdout) as {reason: string}).reason, /trail complete --agent codex-019a4c2e --summary/)
    const close = await hook('SessionEnd', {reason: 'exit'})
    assert.equal(close.stdout, '')
    assert.equal(refFiles(repo, `.trail/active/${AGENT}`).length, 1)
    repo.assertUserStateUnchanged(before)
  })
})
