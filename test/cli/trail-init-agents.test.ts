import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {makeTempDir, testEnv, useRepos} from '../helpers/repo.js'

// trail init --claude and --agents: hooks and instructions installed without clobbering what is there, and hooks
// that work when Claude Code runs them.

const newRepo = useRepos()

interface Settings {
  hooks: Record<string, {hooks: {command: string}[]}[]>
  [key: string]: unknown
}

describe('trail init --claude', () => {
  it('installs hooks that load the context at session start and ingest the transcript at stop', async () => {
    const repo = newRepo()
    const result = await json<{installed: {path: string; action: string}[]}>(repo.dir, ['trail', 'init', '--claude'])
    assert.deepEqual(
      result.installed.map((file) => [file.path.slice(repo.dir.length + 1), file.action]),
      [
        ['.claude/settings.json', 'created'],
        ['.mcp.json', 'created'],
        ['CLAUDE.md', 'created'],
      ],
    )
    const settings = JSON.parse(repo.read('.claude/settings.json')) as Settings
    assert.deepEqual(Object.keys(settings.hooks), ['SessionStart', 'UserPromptSubmit', 'Stop', 'PreCompact', 'SessionEnd', 'PreToolUse'])
    const start = settings.hooks.SessionStart![0]!.hooks[0]!.command
    // By absolute paths (this Node, this installation's relay.cjs): no npm link, no PATH needed.
    assert.match(start, /^\/\S+ \/\S+\/bin\/relay\.cjs hook claude session-start$/)
    assert.match(
      repo.read('CLAUDE.md'),
      /^<!-- relay-trail:start .*-->\n## Recording your work \(relay-trail\)\n[\s\S]*trail start "Implement user authentication"[\s\S]*<!-- relay-trail:end -->\n$/,
    )

    // The hooks as Claude Code runs them: through a shell, in the project, the payload on stdin.
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: Hooked up'])
    const context = execFileSync('bash', ['-c', start], {
      cwd: repo.dir,
      env: testEnv({AGENT_RELAY_NAME: 'default'}),
      encoding: 'utf8',
      input: JSON.stringify({session_id: 's1', hook_event_name: 'SessionStart', source: 'startup'}),
    })
    assert.match(JSON.parse(context).hookSpecificOutput.additionalContext, /\*\*Current task:\*\* Hooked up/)
    // The transcript outside the repository, as Claude Code keeps it.
    const transcripts = makeTempDir('transcript')
    try {
      const transcript = join(transcripts, 'session.jsonl')
      writeFileSync(
        transcript,
        `${JSON.stringify({type: 'assistant', message: {role: 'assistant', content: [{type: 'text', text: '->continuity:uncertain "from the hook"'}]}})}\n`,
      )
      const stop = settings.hooks.Stop![0]!.hooks[0]!.command
      execFileSync('bash', ['-c', stop], {
        cwd: repo.dir,
        env: testEnv({AGENT_RELAY_NAME: 'default'}),
        input: JSON.stringify({transcript_path: transcript, hook_event_name: 'Stop', stop_hook_active: false}),
      })
    } finally {
      rmSync(transcripts, {recursive: true, force: true})
    }
    assert.match(repo.read('.relay/ledger/default.md'), /from the hook/)
  })

  it("keeps the user's settings and text, adds only what is missing, and changes nothing the second time", async () => {
    const repo = newRepo()
    repo.write(
      '.claude/settings.json',
      JSON.stringify({model: 'opus', permissions: {allow: ['Bash(npm test)']}, hooks: {Stop: [{hooks: [{type: 'command', command: 'say done'}]}]}}, null, 2),
    )
    repo.write('CLAUDE.md', '# Project rules\n\nUse tabs.\n')
    await ok(repo.dir, ['trail', 'init', '--claude'])
    const settings = JSON.parse(repo.read('.claude/settings.json')) as Settings
    assert.equal(settings.model, 'opus')
    assert.deepEqual(settings.permissions, {allow: ['Bash(npm test)']})
    assert.deepEqual(
      settings.hooks.Stop!.map((group) => group.hooks[0]!.command.replace(/^\S+ \S+relay\.cjs/, 'relay')),
      ['say done', 'relay hook claude stop'],
    )
    assert.match(repo.read('CLAUDE.md'), /^# Project rules\n\nUse tabs\.\n\n<!-- relay-trail:start/)
    const again = await json<{installed: {action: string}[]}>(repo.dir, ['trail', 'init', '--claude'])
    assert.deepEqual(
      again.installed.map((file) => file.action),
      ['unchanged', 'unchanged', 'unchanged'],
    )
  })

  it('replaces a hook an earlier install put there (by path or by name), instead of adding a second one', async () => {
    const repo = newRepo()
    repo.write(
      '.claude/settings.json',
      JSON.stringify({hooks: {Stop: [{hooks: [{type: 'command', command: 'node "/old/place/bin/relay.cjs" ingest --format claude-jsonl', timeout: 60}]}]}}),
    )
    await ok(repo.dir, ['trail', 'init', '--claude'])
    const settings = JSON.parse(repo.read('.claude/settings.json')) as Settings
    assert.equal(settings.hooks.Stop!.length, 1)
    assert.doesNotMatch(settings.hooks.Stop![0]!.hooks[0]!.command, /old\/place/)
  })

  it('leaves invalid settings alone and says so', async () => {
    const repo = newRepo()
    repo.write('.claude/settings.json', '{"model": ')
    const result = await runCli(repo.dir, ['trail', 'init', '--claude'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^error: \S*\.claude\/settings\.json is not valid JSON( \(line 1, column \d+\))?; it is left as it is\nhint: fix it/)
    assert.equal(repo.read('.claude/settings.json'), '{"model": ')
  })

  it('installs the instructions in AGENTS.md with --agents', async () => {
    const repo = newRepo()
    repo.write('AGENTS.md', 'Existing.\n')
    await ok(repo.dir, ['trail', 'init', '--agents'])
    assert.match(repo.read('AGENTS.md'), /^Existing\.\n\n<!-- relay-trail:start[\s\S]*->continuity:save <<</)
  })
})
