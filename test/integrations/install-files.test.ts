import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {installedCommand, runHookCommand, useScratch} from '../helpers/hooks.js'
import {useRepos} from '../helpers/repo.js'

// What trail init writes into the user's repository: merged into what is there, refused (and left untouched)
// when malformed, never through a link out of the work tree or into .git/, removed again with --remove, and
// checked by trail doctor.

const newRepo = useRepos()
const scratch = useScratch()

describe('trail init --<tool>: the files it merges into', () => {
  const malformed: [string, string, string, RegExp][] = [
    ['claude', '.claude/settings.json', '{"hooks": [1, 2]}', /"hooks" that is not an object/],
    ['claude', '.claude/settings.json', '{"hooks": {"Stop": {"hooks": []}}}', /"hooks\.Stop" that is not a list/],
    ['claude', '.claude/settings.json', '{"hooks": {"Stop": [{"matcher": ""}]}}', /"hooks\.Stop\[0\]" without a "hooks" list/],
    [
      'claude',
      '.claude/settings.json',
      '{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": 42}]}]}}',
      /"hooks\.Stop\[0\]\.hooks\[0\]\.command" that is not a string/,
    ],
    ['claude', '.claude/settings.json', '{"model": "opus",}', /is not valid JSON \(line 1, column \d+\)/],
    ['claude', '.claude/settings.json', '// comment\n{"model": "opus"}', /is not valid JSON/],
    ['claude', '.claude/settings.json', '[1, 2]', /is not a JSON object/],
    ['claude', '.mcp.json', '{"mcpServers": []}', /"mcpServers" that is not an object/],
    [
      'claude',
      'CLAUDE.md',
      '<!-- relay-trail:start (managed by trail init; edit outside these markers) -->\nno end marker\n',
      /1 relay-trail start and 0 end markers/,
    ],
    ['codex', '.codex/hooks.json', '{"hooks": {"SessionStart": [{"hooks": "x"}]}}', /without a "hooks" list/],
    ['codex', '.codex/config.toml', 'model = "o3"\n[mcp_servers\n', /is not valid TOML \(line 2, column \d+\)/],
    ['gemini', '.gemini/settings.json', '{\n  // my comment\n  "theme": "dark"\n}', /has comments \(or trailing commas\), which trail init would drop/],
    ['gemini', '.gemini/settings.json', '{"mcpServers": {"x": 3}}', /"mcpServers\.x" that is not an object/],
    ['cursor', '.cursor/hooks.json', '{"version": 2, "hooks": {}}', /"version": 2; trail init knows version 1/],
    ['cursor', '.cursor/hooks.json', '{"version": 1, "hooks": {"stop": [{"command": ["a"]}]}}', /"hooks\.stop\[0\]\.command" that is not a string/],
    ['cursor', '.cursor/mcp.json', '{"mcpServers": {"x": 1,}}', /has comments \(or trailing commas\)/],
  ]
  for (const [tool, file, content, expected] of malformed) {
    it(`refuses ${file} holding ${JSON.stringify(content).slice(0, 50)}, with a clear error, and writes nothing`, async () => {
      const repo = newRepo()
      repo.write(file, content)
      const before = repo.userState()
      const result = await runCli(repo.dir, ['trail', 'init', `--${tool}`])
      assert.equal(result.code, 2, result.stderr)
      assert.match(result.stderr, expected)
      assert.match(result.stderr, /left as it is/)
      assert.match(result.stderr, new RegExp(`\\nhint: .*trail init --${tool}`))
      assert.doesNotMatch(result.stderr, /internal error|at .*\.js:\d+/)
      assert.equal(repo.read(file), content)
      repo.assertUserStateUnchanged(before)
      assert.equal(repo.gitOrEmpty(['rev-parse', '--verify', '--quiet', 'refs/trail/records']), '', 'the store is not touched either')
    })
  }

  it("keeps a byte order mark, the user's hooks, servers and keys, is idempotent, and --remove takes out only its own", async () => {
    const repo = newRepo()
    const claude = {
      model: 'opus',
      hooks: {
        Stop: [{matcher: '', hooks: [{type: 'command', command: 'say done'}]}],
        PreToolUse: [{matcher: 'Bash', hooks: [{type: 'command', command: './guard.sh'}]}],
      },
    }
    repo.write('.claude/settings.json', `\uFEFF${JSON.stringify(claude, null, 2)}`)
    repo.write('.mcp.json', JSON.stringify({mcpServers: {github: {command: 'gh-mcp'}}}))
    repo.write('.codex/config.toml', '# my codex settings\nmodel = "o3"\n\n[features]\nweb_search = true\n\n[mcp_servers.docs]\ncommand = "docs-mcp"\n')
    repo.write('GEMINI.md', '# Gemini rules\n')
    await ok(repo.dir, ['trail', 'init', '--all'])
    const settings = repo.read('.claude/settings.json')
    assert.ok(settings.startsWith('\uFEFF{'))
    const parsed = JSON.parse(settings.slice(1)) as {model: string; hooks: Record<string, {hooks: {command: string}[]}[]>}
    assert.equal(parsed.model, 'opus')
    assert.deepEqual(parsed.hooks.PreToolUse![0], claude.hooks.PreToolUse[0], "the user's PreToolUse group stays first, as it was")
    assert.match(parsed.hooks.PreToolUse![1]!.hooks[0]!.command, /relay\.cjs hook claude pre-edit$/)
    assert.equal(parsed.hooks.Stop![0]!.hooks[0]!.command, 'say done')
    assert.match(parsed.hooks.Stop![1]!.hooks[0]!.command, /relay\.cjs hook claude stop$/)
    assert.deepEqual(Object.keys((JSON.parse(repo.read('.mcp.json')) as {mcpServers: object}).mcpServers), ['github', 'relay-trail'])
    const toml = repo.read('.codex/config.toml')
    assert.match(toml, /^# my codex settings\nmodel = "o3"\n\n\[features\]\ncodex_hooks = true # relay-trail\nweb_search = true\n/)
    assert.match(toml, /\[mcp_servers\.relay-trail\]\ncommand = ".*node"\nargs = \[".*relay\.cjs", "mcp", "--tool", "codex"\]/)
    assert.match(repo.read('GEMINI.md'), /^# Gemini rules\n\n<!-- relay-trail:start[\s\S]*What the hooks do \(Gemini CLI\)/)
    assert.match(repo.read('.cursor/rules/relay-trail.mdc'), /^---\ndescription: .*\nalwaysApply: true\n---\n/)
    const again = await json<{installed: {action: string}[]}>(repo.dir, ['trail', 'init', '--all'])
    assert.ok(
      again.installed.every((file) => file.action === 'unchanged'),
      JSON.stringify(again.installed),
    )

    const removed = await json<{installed: {path: string; action: string}[]}>(repo.dir, ['trail', 'init', '--remove', 'all'])
    assert.ok(removed.installed.length > 0)
    assert.deepEqual(JSON.parse(repo.read('.claude/settings.json').slice(1)), claude)
    assert.deepEqual(JSON.parse(repo.read('.mcp.json')), {mcpServers: {github: {command: 'gh-mcp'}}})
    assert.equal(
      repo.read('.codex/config.toml'),
      '# my codex settings\nmodel = "o3"\n\n[features]\nweb_search = true\n\n[mcp_servers.docs]\ncommand = "docs-mcp"\n',
    )
    assert.equal(repo.read('GEMINI.md'), '# Gemini rules\n')
    for (const gone of [
      '.codex/hooks.json',
      '.gemini/settings.json',
      '.cursor/hooks.json',
      '.cursor/mcp.json',
      '.cursor/rules/relay-trail.mdc',
      'CLAUDE.md',
      'AGENTS.md',
    ]) {
      assert.equal(existsSync(join(repo.dir, gone)), false, `${gone} held only what init put there`)
    }
  })

  it("keeps what the user added to its MCP entry (env, trust) in every tool's file, idempotently, and leaves a foreign entry alone", async () => {
    const repo = newRepo()
    const mine = {command: 'relay', args: ['mcp'], env: {AGENT_RELAY_NAME: 'me'}, trust: true}
    const files = ['.mcp.json', '.gemini/settings.json', '.cursor/mcp.json']
    for (const file of files) repo.write(file, JSON.stringify({mcpServers: {'relay-trail': mine}}))
    repo.write('.codex/config.toml', '[mcp_servers.relay-trail]\ncommand = "relay"\nargs = ["mcp"]\ntrust = true\n')
    await ok(repo.dir, ['trail', 'init', '--claude', '--gemini', '--cursor', '--codex'])
    for (const file of files) {
      const entry = (JSON.parse(repo.read(file)) as {mcpServers: Record<string, Record<string, unknown>>}).mcpServers['relay-trail']!
      assert.deepEqual(entry.env, {AGENT_RELAY_NAME: 'me'}, file)
      assert.equal(entry.trust, true, file)
      assert.match(String((entry.args as string[])[0]), /relay\.cjs$/, `${file}: the command is brought up to date`)
    }
    assert.match(
      repo.read('.codex/config.toml'),
      /^\[mcp_servers\.relay-trail\]\ncommand = "relay"\nargs = \["mcp"\]\ntrust = true\n\n# relay-trail:start[^\n]*\n\[features\]\ncodex_hooks = true\n# relay-trail:end\n$/,
    )
    const again = await json<{installed: {action: string}[]}>(repo.dir, ['trail', 'init', '--claude', '--gemini', '--cursor', '--codex'])
    assert.ok(
      again.installed.every((file) => file.action === 'unchanged'),
      JSON.stringify(again.installed),
    )
    const foreign = {mcpServers: {'relay-trail': {command: 'npx', args: ['other-server']}}}
    repo.write('.mcp.json', JSON.stringify(foreign))
    await ok(repo.dir, ['trail', 'init', '--claude'])
    assert.deepEqual(JSON.parse(repo.read('.mcp.json')), foreign)
  })

  it('--remove writes a file git tracks back without its part, and deletes only an untracked one that holds nothing else', async () => {
    const repo = newRepo()
    repo.write('.mcp.json', '{"mcpServers":{}}\n')
    repo.write('CLAUDE.md', '')
    repo.git(['add', '.mcp.json', 'CLAUDE.md'])
    repo.git(['commit', '-q', '-m', 'agent files'])
    await ok(repo.dir, ['trail', 'init', '--claude', '--cursor'])
    await ok(repo.dir, ['trail', 'init', '--remove', 'claude'])
    await ok(repo.dir, ['trail', 'init', '--remove', 'cursor'])
    assert.deepEqual(JSON.parse(repo.read('.mcp.json')), {mcpServers: {}})
    assert.equal(repo.read('CLAUDE.md'), '')
    assert.doesNotMatch(repo.git(['status', '--porcelain']), /^ D /m)
    for (const gone of ['.claude/settings.json', '.cursor/mcp.json', '.cursor/hooks.json']) assert.equal(existsSync(join(repo.dir, gone)), false, gone)
  })

  const codexMerges: [string, string, RegExp][] = [
    [
      "the user's env table beside ours",
      '[mcp_servers.relay-trail.env]\nAGENT_RELAY_NAME = "me"\n',
      /^\[mcp_servers\.relay-trail\.env\]\nAGENT_RELAY_NAME = "me"\n\n# relay-trail:start[^\n]*\n\[features\]\ncodex_hooks = true\n\n\[mcp_servers\.relay-trail\]\ncommand = /,
    ],
  ]
  for (const [name, content, expected] of codexMerges) {
    it(`merges .codex/config.toml with ${name} into valid TOML that keeps both, and again on a re-run`, async () => {
      const repo = newRepo()
      repo.write('.codex/config.toml', content)
      await ok(repo.dir, ['trail', 'init', '--codex'])
      await ok(repo.dir, ['trail', 'init', '--codex'])
      const toml = repo.read('.codex/config.toml')
      assert.match(toml, expected)
      const {parse} = await import('smol-toml')
      const server = (parse(toml) as {mcp_servers: Record<string, Record<string, unknown>>}).mcp_servers['relay-trail']!
      assert.deepEqual({...(server.env as object)}, {AGENT_RELAY_NAME: 'me'})
      assert.match(String(server.command), /node/)
    })
  }

  it("refuses a .codex/config.toml it cannot add its table to, naming the user's line, and leaves it untouched", async () => {
    const repo = newRepo()
    const content = 'mcp_servers = { other = { command = "x" } }\n'
    repo.write('.codex/config.toml', content)
    const result = await runCli(repo.dir, ['trail', 'init', '--codex'])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /^error: \.codex\/config\.toml cannot take \[mcp_servers\.relay-trail\]: .*\(line 1: mcp_servers = \{ other/m)
    assert.match(result.stderr, /\nhint: .*trail init --codex/)
    assert.equal(repo.read('.codex/config.toml'), content)
  })

  it('--no-mcp registers no server', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--claude', '--cursor', '--codex', '--no-mcp'])
    assert.equal(existsSync(join(repo.dir, '.mcp.json')), false)
    assert.equal(existsSync(join(repo.dir, '.cursor', 'mcp.json')), false)
    assert.doesNotMatch(repo.read('.codex/config.toml'), /mcp_servers/)
  })

  it('refuses a settings folder or file that is a link into .git/ or out of the repository', async () => {
    const outside = scratch()
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['.claude', (dir) => symlinkSync(join(dir, '.git'), join(dir, '.claude')), /\.claude is a link into the git directory/],
      ['CLAUDE.md', (dir) => symlinkSync(join(outside, 'elsewhere.md'), join(dir, 'CLAUDE.md')), /CLAUDE\.md is a link out of the repository/],
      [
        '.claude/settings.json',
        (dir) => {
          mkdirSync(join(dir, '.claude'))
          symlinkSync(join(dir, '.git', 'config'), join(dir, '.claude', 'settings.json'))
        },
        /settings\.json is a link into the git directory/,
      ],
    ]
    for (const [what, plant, expected] of cases) {
      const repo = newRepo()
      plant(repo.dir)
      const config = readFileSync(join(repo.dir, '.git', 'config'), 'utf8')
      const result = await runCli(repo.dir, ['trail', 'init', '--claude'])
      assert.equal(result.code, 2, `${what}: ${result.stderr}`)
      assert.match(result.stderr, expected)
      assert.equal(readFileSync(join(repo.dir, '.git', 'config'), 'utf8'), config)
      assert.equal(existsSync(join(outside, 'elsewhere.md')), false)
    }
    // A link that stays inside the work tree (CLAUDE.md → AGENTS.md) is followed, and stays a link.
    const repo = newRepo()
    repo.write('AGENTS.md', '# Shared rules\n')
    symlinkSync('AGENTS.md', join(repo.dir, 'CLAUDE.md'))
    await ok(repo.dir, ['trail', 'init', '--claude'])
    assert.match(repo.read('AGENTS.md'), /^# Shared rules\n\n<!-- relay-trail:start/)
  })
})

describe('installed hooks run anywhere and never break the agent', () => {
  it('work from a fresh clone, from a subfolder, with a PATH that has no relay', async () => {
    const origin = newRepo({dirty: false})
    await ok(origin.dir, ['trail', 'init', '--claude', '--gemini'])
    origin.git(['add', '.claude', 'CLAUDE.md', '.gemini', 'GEMINI.md', '.mcp.json'])
    origin.git(['commit', '--quiet', '-m', 'agent settings'])
    const dir = scratch()
    const clone = join(dir, 'clone')
    origin.git(['clone', '--quiet', origin.dir, clone])
    mkdirSync(join(clone, 'src', 'deep'), {recursive: true})
    const env = {PATH: '/usr/bin:/bin'}
    const start = await runHookCommand(
      installedCommand(join(clone, '.claude', 'settings.json'), 'SessionStart'),
      {session_id: 'c1c1c1c1-0000', hook_event_name: 'SessionStart', source: 'startup', cwd: clone},
      {cwd: join(clone, 'src', 'deep'), env},
    )
    assert.equal(start.code, 0, start.stderr)
    assert.match(start.stdout, /"additionalContext":"# relay-trail: session context/)
    const prompt = await runHookCommand(
      installedCommand(join(clone, '.gemini', 'settings.json'), 'BeforeAgent'),
      {session_id: 'g1', hook_event_name: 'BeforeAgent', prompt: 'Add a README'},
      {cwd: clone, env},
    )
    assert.equal(prompt.code, 0, prompt.stderr)
    assert.match(prompt.stdout, /trajectory started/)
  })

  it('warn and exit 0 with the output contract kept when the store is broken, the payload bad, or no repository', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--claude', '--gemini', '--cursor'])
    const claudeStop = installedCommand(join(repo.dir, '.claude', 'settings.json'), 'UserPromptSubmit')
    const geminiPrompt = installedCommand(join(repo.dir, '.gemini', 'settings.json'), 'BeforeAgent')
    const cursorPrompt = installedCommand(join(repo.dir, '.cursor', 'hooks.json'), 'beforeSubmitPrompt')
    // The ref names an object that does not exist.
    writeFileSync(join(repo.dir, '.git', 'refs', 'trail', 'records'), `${'1'.repeat(40)}\n`)
    for (const [command, expected] of [
      [claudeStop, ''],
      [geminiPrompt, '{}\n'],
      [cursorPrompt, '{"continue":true}\n'],
    ] as const) {
      const result = await runHookCommand(command, {session_id: 'x1', hook_event_name: 'UserPromptSubmit', prompt: 'hello'}, {cwd: repo.dir})
      assert.equal(result.code, 0)
      assert.equal(result.stdout, expected)
      assert.match(result.stderr, /^warning: relay hook \w+ [a-z-]+: /m)
    }
    const bad = await runHookCommand(geminiPrompt, 'not json at all', {cwd: repo.dir})
    assert.equal(bad.code, 0)
    assert.equal(bad.stdout, '{}\n')
    assert.match(bad.stderr, /the hook payload is not JSON/)
    const nowhere = scratch()
    const outside = await runHookCommand(claudeStop, {session_id: 'x1', prompt: 'hi'}, {cwd: nowhere})
    assert.equal(outside.code, 0)
    assert.equal(outside.stdout, '')
    assert.match(outside.stderr, /warning: relay hook claude prompt: .*not a git repository/i)
  })

  it('trail doctor checks that every installed hook and MCP command resolves', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--claude', '--codex'])
    const healthy = await json<{checks: {name: string; status: string; message: string}[]}>(repo.dir, ['trail', 'doctor'])
    assert.deepEqual(
      healthy.checks.filter((c) => c.name.endsWith('-hooks')).map((c) => [c.name, c.status]),
      [
        ['claude-hooks', 'ok'],
        ['codex-hooks', 'ok'],
      ],
    )
    // The installation moved: every command now names a script that is not there.
    const settings = repo.read('.claude/settings.json').replaceAll('/bin/relay.cjs', '/moved/relay.cjs')
    repo.write('.claude/settings.json', settings)
    const broken = await runCli(repo.dir, ['trail', 'doctor', '--json'])
    assert.equal(broken.code, 1)
    const check = (JSON.parse(broken.stdout) as {checks: {name: string; status: string; message: string; fix: string}[]}).checks.find(
      (c) => c.name === 'claude-hooks',
    )!
    assert.equal(check.status, 'problem')
    assert.match(check.message, /\/moved\/relay\.cjs not found/)
    assert.equal(check.fix, 'trail init --claude')
  })
})
