import assert from 'node:assert/strict'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ok} from '../helpers/cli.js'
import {installedCommand, runHookCommand, useScratch} from '../helpers/hooks.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {commitAs} from '../review/helpers.js'

// The edit hook, called exactly as the tools call it: the command from the installed settings through a shell, in
// the project folder, the documented payload on stdin. Before an agent first edits a file in a session, it adds the
// decisions that shaped the file; never twice for one file in a session; nothing for a file without decisions.

const newRepo = useRepos()
const scratch = useScratch()
const SESSION = '5b1d7c2e-0000-4000-8000-000000000001'

/** A repository whose src/app.js was shaped by `count` trajectories (alice0, alice1...), through the CLI and the git hooks. */
async function shaped(count: number, reasoning = 'Because the tests said so', decisions = 1): Promise<TestRepo> {
  const repo = newRepo({dirty: false})
  await ok(repo.dir, ['trail', 'init', '--hooks', '--claude', '--gemini', '--no-mcp'])
  for (let i = 0; i < count; i++) {
    const agent = `alice${i}`
    await ok(repo.dir, ['trail', 'start', `Shape the app, part ${i}`, '--agent', agent])
    for (let d = 0; d < decisions; d++) {
      await ok(repo.dir, [
        'trail',
        'decision',
        `Decision ${i}${d > 0 ? `.${d}` : ''}: keep the loop flat`,
        '--reasoning',
        reasoning,
        '--alternatives',
        'recursion,a queue',
        '--agent',
        agent,
      ])
    }
    commitAs(repo, agent, {'src/app.js': `console.log("part ${i}")\n`}, `Part ${i}`)
    await ok(repo.dir, ['trail', 'complete', '--summary', `Part ${i} done`, '--agent', agent])
  }
  commitAs(repo, null, {'notes/plain.txt': 'no decisions here\n'}, 'A person writes notes')
  return repo
}

function claudeEdit(repo: TestRepo, file: string, transcript: string) {
  const command = installedCommand(join(repo.dir, '.claude', 'settings.json'), 'PreToolUse')
  const payload = {
    session_id: SESSION,
    transcript_path: transcript,
    cwd: repo.dir,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: 'Edit',
    tool_input: {file_path: join(repo.dir, file), old_string: 'a', new_string: 'b'},
    tool_use_id: 'toolu_01',
  }
  return runHookCommand(command, payload, {cwd: repo.dir, env: {CLAUDE_PROJECT_DIR: repo.dir}})
}

describe('the edit hook', () => {
  it('adds the decisions that shaped a file before its first edit in a Claude Code session, and only then', async () => {
    const repo = await shaped(2)
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    const before = repo.userState()
    const first = await claudeEdit(repo, 'src/app.js', transcript)
    assert.equal(first.code, 0, first.stderr)
    const output = JSON.parse(first.stdout) as {hookSpecificOutput: {hookEventName: string; additionalContext: string}}
    assert.equal(output.hookSpecificOutput.hookEventName, 'PreToolUse')
    const context = output.hookSpecificOutput.additionalContext
    assert.match(context, /^## Decisions that shaped src\/app\.js\n/)
    assert.match(
      context,
      /### Shape the app, part 1 \(traj_\w+, completed\)\nPart 1 done\n- Decision 1: keep the loop flat: Because the tests said so Alternatives: recursion; a queue\./,
    )
    assert.ok(context.indexOf('part 1') < context.indexOf('part 0'), 'newest first')
    const second = await claudeEdit(repo, 'src/app.js', transcript)
    assert.equal(second.code, 0, second.stderr)
    assert.equal(second.stdout, '', 'a file is never repeated in a session')
    const plain = await claudeEdit(repo, 'notes/plain.txt', transcript)
    assert.equal(plain.stdout, '', 'nothing for a file without recorded decisions')
    const created = await claudeEdit(repo, 'src/new-file.js', transcript)
    assert.equal(created.stdout, '', 'nothing for a new file')
    assert.equal(created.stderr, '')
    repo.assertUserStateUnchanged(before)
  })

  it('keeps the context within its budget, saying what it left out', async () => {
    const repo = await shaped(3, 'A long explanation. '.repeat(40), 5)
    const result = await claudeEdit(repo, 'src/app.js', join(scratch(), `${SESSION}.jsonl`))
    const context = (JSON.parse(result.stdout) as {hookSpecificOutput: {additionalContext: string}}).hookSpecificOutput.additionalContext
    assert.ok(context.length <= 4000, `${context.length} characters`)
    assert.match(context, /\n\(\d+ more trajector(y|ies) not shown: `trail why src\/app\.js`\)\n$/)
  })

  it("answers Gemini CLI's BeforeTool for write_file in its own JSON", async () => {
    const repo = await shaped(1)
    const command = installedCommand(join(repo.dir, '.gemini', 'settings.json'), 'BeforeTool')
    const payload = {
      session_id: 'gemini-session-1',
      cwd: repo.dir,
      hook_event_name: 'BeforeTool',
      tool_name: 'write_file',
      tool_input: {file_path: 'src/app.js', content: 'x'},
    }
    const first = await runHookCommand(command, payload, {cwd: repo.dir})
    assert.equal(first.code, 0, first.stderr)
    const output = JSON.parse(first.stdout) as {hookSpecificOutput: {hookEventName: string; additionalContext: string}}
    assert.equal(output.hookSpecificOutput.hookEventName, 'BeforeTool')
    assert.match(output.hookSpecificOutput.additionalContext, /Decision 0: keep the loop flat/)
    const again = await runHookCommand(command, payload, {cwd: repo.dir})
    assert.equal(again.stdout, '{}\n', 'Gemini CLI wants JSON every time')
  })
})
