import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ok} from '../helpers/cli.js'
import {installedCommand, refFiles, runHookCommand} from '../helpers/hooks.js'
import {useRepos} from '../helpers/repo.js'

// Cursor's hooks (.cursor/hooks.json, version 1), run as Cursor runs them: from the project root through a
// shell, `conversation_id` and `workspace_roots` in every payload, JSON printed by every hook.

const newRepo = useRepos()
const CONVERSATION = 'cdefee2d-2727-4b73-bf77-d9d830f31d2a'
const AGENT = 'cursor-cdefee2d'

describe('Cursor hooks (trail init --cursor)', () => {
  it('gives the session its name and context, reads every response, and answers at stop as a follow-up message, once', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--cursor'])
    const before = repo.userState()
    const file = join(repo.dir, '.cursor', 'hooks.json')
    assert.equal((JSON.parse(repo.read('.cursor/hooks.json')) as {version: number}).version, 1)
    const hook = (event: string, payload: Record<string, unknown>) =>
      runHookCommand(
        installedCommand(file, event),
        {conversation_id: CONVERSATION, generation_id: 'g1', hook_event_name: event, workspace_roots: [repo.dir], cursor_version: '2.1.0', ...payload},
        {cwd: repo.dir},
      )
    const start = JSON.parse((await hook('sessionStart', {session_id: CONVERSATION, is_background_agent: false})).stdout) as {
      continue: boolean
      env: Record<string, string>
      additional_context: string
    }
    assert.equal(start.continue, true)
    assert.deepEqual(start.env, {AGENT_RELAY_NAME: AGENT})
    assert.match(start.additional_context, /You are agent `cursor-cdefee2d`/)
    assert.equal((await hook('beforeSubmitPrompt', {prompt: 'Speed up the search page', attachments: []})).stdout, '{"continue":true}\n')
    assert.equal(refFiles(repo, `.trail/active/${AGENT}`).length, 1)
    assert.equal(
      (await hook('afterAgentResponse', {text: 'Cached the query.\n->continuity:load\n[[SESSION_END]]{"summary": "faster search"}[[/SESSION_END]]'})).stdout,
      '{}\n',
    )
    const stop = JSON.parse((await hook('stop', {status: 'completed', loop_count: 0})).stdout) as {followup_message: string}
    assert.match(stop.followup_message, /^## continuity load\n/)
    assert.match(stop.followup_message, /## trajectory still open: traj_\w+[\s\S]*trail complete --agent cursor-cdefee2d/)
    assert.equal((await hook('stop', {status: 'completed', loop_count: 1})).stdout, '{}\n', 'a follow-up stop is not continued again')
    assert.equal((await hook('sessionEnd', {session_id: CONVERSATION, reason: 'completed', duration_ms: 1000})).stdout, '{}\n')
    assert.equal(refFiles(repo, `.relay/ledger/sessions/${AGENT}`).length, 1)
    repo.assertUserStateUnchanged(before)
  })
})
