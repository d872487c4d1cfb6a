import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {BIN, json, ok, runCli} from '../helpers/cli.js'
import {type TestRepo, testEnv, useRepos} from '../helpers/repo.js'
import {runInProcess} from '../helpers/in-process.js'
import {startMcp} from '../mcp/mcp-client.js'
import {decision} from '../../src/cli/definitions/trail/decision.js'
import {start} from '../../src/cli/definitions/trail/start.js'
import type {TrajectoryDetailJson} from '../../src/render/trajectory.js'

// Bad input is either stored faithfully and read back equal, or refused with a clear one-line error. Never a
// stack trace, never a half-written record, never a path outside the store.

describe('bad input', () => {
  const newRepo = useRepos()

  /** Starts a trajectory with `title` in `repo`, reads it back through show --json, and abandons it. */
  async function storeAndReadBack(repo: TestRepo, title: string, reasoning?: string): Promise<TrajectoryDetailJson> {
    // "--" ends the flags, so a title such as "---" or "- item" is a title.
    const id = (await ok(repo.dir, ['trail', 'start', '--quiet', '--', title])).trim()
    if (reasoning !== undefined) {
      const result = await runInProcess(repo.dir, decision, ['with reasoning', '--reasoning', reasoning])
      assert.equal(result.code, 0, result.stderr)
    }
    const shown = await json<TrajectoryDetailJson>(repo.dir, ['trail', 'show', id])
    await ok(repo.dir, ['trail', 'abandon'])
    return shown
  }

  it('stores YAML-breaking, Markdown-breaking and path-like titles faithfully', async () => {
    const repo = newRepo()
    const titles = [
      '---',
      'key: [',
      '- item',
      '"quoted" and \'single\'',
      '# heading',
      '../../etc/passwd',
      'a\nsecond line',
      'tab\tand\rreturn',
      '{"json": true}',
      'null',
      'true',
      '0.5',
      '日本語 🎉',
      '\\backslash\\',
    ]
    const before = repo.userState()
    for (const title of titles) {
      const shown = await storeAndReadBack(repo, title)
      assert.equal(shown.title, title)
    }
    repo.assertUserStateUnchanged(before)
    const paths = repo.git(['ls-tree', '-r', '--name-only', 'refs/trail/records']).split('\n').filter(Boolean)
    assert.ok(
      paths.every((path) =>
        /^\.trail\/(format\.yaml|trajectories\/\d{4}\/\d\d\/\d\d\/traj_[0-9a-z]{26}\/(trajectory\.md|events\/ev_[0-9a-z]{26}\.md))$/.test(path),
      ),
      paths.join('\n'),
    )
  })

  it('stores control characters faithfully and never prints them raw to the terminal', async () => {
    const repo = newRepo()
    const title = 'bell\u0007 escape\u001b[2J nul\u0000? del\u007f'
    // Node cannot pass NUL in an argument; everything else gets through, and comes back equal.
    const withoutNul = title.replace('\u0000', '')
    const shown = await storeAndReadBack(repo, withoutNul)
    assert.equal(shown.title, withoutNul)
    const id = shown.id
    const text = await ok(repo.dir, ['trail', 'show', id])
    assert.doesNotMatch(text, /[\u0007\u001b\u007f]/)
    assert.match(text, /bell\\x07 escape\\x1b\[2J/)
  })

  it('keeps invalid UTF-8 as the replacement characters the process received, in a valid UTF-8 record', async () => {
    const repo = newRepo()
    const id = execFileSync('bash', ['-c', `"${process.execPath}" "${BIN.trail}" start "$(printf 'bad \\xff\\xfe bytes')" --quiet`], {
      cwd: repo.dir,
      env: testEnv(),
      encoding: 'utf8',
    }).trim()
    const shown = await json<TrajectoryDetailJson>(repo.dir, ['trail', 'show', id])
    assert.equal(shown.title, 'bad \ufffd\ufffd bytes')
    const file = repo
      .git(['ls-tree', '-r', '--name-only', 'refs/trail/records'])
      .split('\n')
      .find((path) => path.includes(id))!
    const bytes = execFileSync('git', ['show', `refs/trail/records:${file}`], {cwd: repo.dir, env: testEnv()})
    assert.equal(Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes), true, 'the record is valid UTF-8')
    await ok(repo.dir, ['trail', 'abandon'])
  })

  it("refuses a value outside a flag's choices, for every value of a repeatable flag, on every command", async () => {
    const repo = newRepo()
    const cases: ['trail' | 'relay', ...string[]][] = [
      ['relay', 'search', 'x', '--kind', 'nope'],
      ['relay', 'search', 'x', '--kind', 'handoff', '--kind', 'nope'],
      ['trail', 'list', '--status', 'nope'],
      ['trail', 'export', '--format', 'nope'],
    ]
    for (const argv of cases) {
      const result = await runCli(repo.dir, argv)
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, /^error: expected --\w+=nope to be one of: .+\nhint: see: \w+ \w+ --help\n$/, argv.join(' '))
    }
  })

  it('refuses an empty title and a 1 MB title with a clear error, and writes nothing', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init'])
    const commits = repo.git(['rev-list', '--count', 'refs/trail/records']).trim()
    // The longest argument Linux passes is 128 KiB: the 1 MB title goes through the same parser in-process.
    const tooLong = await runCli(repo.dir, ['trail', 'start', 'x'.repeat(100_000)])
    assert.equal(tooLong.code, 2)
    assert.match(tooLong.stderr, /^error: the title is 100000 characters long; the limit is 1000\n/)
    for (const [title, message] of [
      ['', /^error: the title is empty\nhint: /],
      ['   ', /^error: the title is empty\nhint: /],
      [
        'x'.repeat(1024 * 1024),
        /^error: the title is 1048576 characters long; the limit is 1000\nhint: keep the title short and put the detail in --reasoning or --summary\n$/,
      ],
    ] as const) {
      const result = await runInProcess(repo.dir, start, [title])
      assert.equal(result.code, 2)
      assert.match(result.stderr, message)
      assert.ok(result.stderr.length < 400, 'the error does not repeat the input')
    }
    assert.equal(repo.git(['rev-list', '--count', 'refs/trail/records']).trim(), commits)
  })

  it('refuses as empty every required text made only of invisible characters, in the CLI and through MCP, and writes nothing', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Visible', '--agent', 'claude'])
    const commits = repo.git(['rev-list', '--count', 'refs/trail/records']).trim()
    const before = repo.userState()
    const invisible = ['\u200b', '\u200c\u200d', '\u2060\ufeff', '\u202e\u2066\u200f', '\u0301\u0308', ' \u200b\u00a0\u200b ']
    const cases: {argv: ['trail' | 'relay', ...string[]]; tool: string; args: Record<string, unknown>; error: RegExp}[] = invisible.flatMap((text) => [
      {argv: ['trail', 'start', text], tool: 'trail_start', args: {title: text}, error: /^error: the title is empty\nhint: give a short title/},
      {argv: ['trail', 'decision', text], tool: 'trail_decision', args: {title: text}, error: /^error: the title is empty\nhint: /},
      {
        argv: ['trail', 'decision', 'Why', '--question', text],
        tool: 'trail_decision',
        args: {title: 'Why', question: text},
        error: /^error: the question is empty\n/,
      },
      {argv: ['trail', 'complete', '--summary', text], tool: 'trail_complete', args: {summary: text}, error: /^error: the summary is empty\nhint: /},
      {argv: ['relay', 'send', 'codex', text], tool: 'relay_send', args: {target: 'codex', body: text}, error: /^error: the message is empty\nhint: /},
      {
        argv: ['relay', 'continuity', 'save', text],
        tool: 'relay_continuity_save',
        args: {text},
        error: /^error: nothing to save: the content is empty\nhint: /,
      },
      {
        argv: ['relay', 'continuity', 'uncertain', text],
        tool: 'relay_continuity_uncertain',
        args: {text},
        error: /^error: the uncertain item is empty\nhint: /,
      },
    ])
    for (const {argv, error} of cases) {
      const result = await runCli(repo.dir, [...argv, '--agent', 'claude'])
      assert.equal(result.code, 2, `${JSON.stringify(argv)}: ${result.stderr}`)
      assert.match(result.stderr, error, JSON.stringify(argv))
      assert.equal(result.stderr.split('\n').length, 3, 'one line and its hint')
    }
    const mcp = await startMcp({cwd: repo.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    try {
      for (const {tool, args, error} of cases) assert.match(await mcp.fails(tool, args), error, `${tool} ${JSON.stringify(args)}`)
    } finally {
      await mcp.close()
    }
    assert.equal(repo.git(['rev-list', '--count', 'refs/trail/records']).trim(), commits, 'nothing was written')
    repo.assertUserStateUnchanged(before)
    // Text around the invisible characters is text.
    assert.match(await ok(repo.dir, ['trail', 'decision', '\u200bChose JWT\u200b', '--agent', 'claude']), /Chose JWT/)
  })

  it('stores a 1 MB reasoning faithfully', async () => {
    const repo = newRepo()
    const reasoning = `${'long reasoning, '.repeat(65536)}end`.slice(0, 1024 * 1024)
    const shown = await storeAndReadBack(repo, 'Big decision', reasoning)
    assert.equal(shown.decisions[0]?.reasoning, reasoning)
  })

  it('redacts credentials before they are committed', async () => {
    const repo = newRepo()
    const token = `ghp_${'a1B2'.repeat(9)}`
    const shown = await storeAndReadBack(repo, `Rotated ${token}`, `used AKIAIOSFODNN7EXAMPLE and password=hunter2hunter2!`)
    assert.equal(shown.title, 'Rotated [REDACTED:github-token]')
    assert.equal(shown.decisions[0]?.reasoning, 'used [REDACTED:aws-access-key] and password=[REDACTED:secret]')
    assert.equal(repo.gitOrEmpty(['grep', '-l', '-e', token, '-e', 'AKIAIOSFODNN7EXAMPLE', '-e', 'hunter2hunter2', 'refs/trail/records']), '')
    assert.doesNotMatch(repo.git(['log', '--format=%B', 'refs/trail/records']), /ghp_a1B2/)
  })
})
