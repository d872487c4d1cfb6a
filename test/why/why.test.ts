import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {startMcp} from '../mcp/mcp-client.js'
import {commitAs, gitAs} from '../review/helpers.js'

// `trail why` over real histories written through the CLI and the git hooks: lines from two trajectories and a
// person, a file renamed and a function moved between files, a squash-merged branch, a rebased branch, decisions
// without reasoning, a file with no linked commits, a binary file, and a sibling's records.

const newRepo = useRepos()

interface WhyJson {
  path: string
  ranges: [number, number][] | null
  trajectories: {
    id: string
    title: string
    lines: number[]
    store: string | null
    decisions: {title: string; reasoning: string | null; lines: number[] | null}[]
    commits: {match: string}[]
  }[]
  unexplained: {lines: number; commits: {subject: string; lines: number[]}[]}
  notHere: {trajectory: string; commits: string[]}[]
}

const why = (repo: TestRepo, ...args: string[]) => json<WhyJson>(repo.dir, ['trail', 'why', ...args])

/** A repository with the hooks, where `agent` starts a trajectory, records a decision, and commits `files`. */
async function agentWork(repo: TestRepo, agent: string, title: string, decision: string, files: Record<string, string>, reasoning?: string): Promise<string> {
  const id = (await ok(repo.dir, ['trail', 'start', title, '--agent', agent, '--quiet'])).trim()
  await ok(repo.dir, ['trail', 'decision', decision, ...(reasoning ? ['--reasoning', reasoning] : []), '--agent', agent])
  commitAs(repo, agent, files, title)
  await ok(repo.dir, ['trail', 'complete', '--summary', `${title}: done`, '--agent', agent])
  return id
}

async function hooked(): Promise<TestRepo> {
  const repo = newRepo({dirty: false})
  await ok(repo.dir, ['trail', 'init', '--hooks'])
  return repo
}

describe('trail why', () => {
  it('explains lines from two trajectories, newest first, and names the lines a person wrote', async () => {
    const repo = await hooked()
    const alice = await agentWork(repo, 'alice', 'Parse the header', 'Read two header lines', {'f.js': 'h1\nh2\n'}, 'The format has two')
    const bob = await agentWork(repo, 'bob', 'Add the footer', 'One footer line', {'f.js': 'h1\nh2\nfooter\n'}, 'Short is enough')
    commitAs(repo, null, {'f.js': 'h1\nh2\nfooter\nperson\n'}, 'A person adds a line')
    repo.write('f.js', 'uncommitted work\n')
    const before = repo.userState()
    const result = await why(repo, 'f.js:1-4')
    repo.assertUserStateUnchanged(before)
    assert.deepEqual(
      result.trajectories.map((t) => [t.id, t.lines]),
      [
        [bob, [3]],
        [alice, [1, 2]],
      ],
    )
    assert.deepEqual(
      result.trajectories[1]!.decisions.map((d) => [d.title, d.reasoning, d.lines]),
      [['Read two header lines', 'The format has two', [1, 2]]],
    )
    assert.equal(result.unexplained.lines, 1)
    assert.deepEqual(
      result.unexplained.commits.map((c) => [c.subject, c.lines]),
      [['A person adds a line', [4]]],
    )
    const text = await ok(repo.dir, ['trail', 'why', 'f.js:1-4'])
    assert.match(text, /^f\.js:1-4 at [0-9a-f]{12}\n\n/)
    assert.match(text, /Add the footer \(bob, completed\): line 3\n/)
    assert.match(text, /\n1 line from 1 commit with no recorded reasoning:\n {2}[0-9a-f]{12} A person adds a line \(Test User\): line 4\n$/)
  })

  it("numbers a file's own lines, not those of a textconv filter the user configured for git's diffs", async () => {
    const repo = await hooked()
    const alice = await agentWork(repo, 'alice', 'Write the first line', 'One line first', {'f.txt': 'first\n'})
    const bob = await agentWork(repo, 'bob', 'Write the second line', 'Then another', {'f.txt': 'first\nsecond\n'})
    // A filter that doubles the lines (a blank line after each): git blame applies it unless told not to.
    repo.write('.git/info/attributes', 'f.txt diff=doubled\n')
    repo.git(['config', 'diff.doubled.textconv', 'sed G'])
    const before = repo.userState()
    assert.deepEqual(
      (await why(repo, 'f.txt:2')).trajectories.map((t) => [t.id, t.lines]),
      [[bob, [2]]],
    )
    assert.deepEqual(
      (await why(repo, 'f.txt:1')).trajectories.map((t) => [t.id, t.lines]),
      [[alice, [1]]],
    )
    repo.assertUserStateUnchanged(before)
  })

  it('follows a renamed file and a function moved to another file', async () => {
    const repo = await hooked()
    // git blame -C finds a move of at least 40 letters and digits (its default threshold).
    const moving = 'function moveThisFunctionElsewhere(argumentOne, argumentTwo) {\n  return argumentOne + argumentTwo + "moved across files"\n}\n'
    const alice = await agentWork(
      repo,
      'alice',
      'Write the helpers',
      'Keep helpers pure',
      {'src/util.js': `function keep() {\n  return 1\n}\n\n${moving}`},
      'Easy to test',
    )
    gitAs(repo, null, ['mv', 'src/util.js', 'src/helpers.js'])
    gitAs(repo, null, ['commit', '--quiet', '-m', 'Rename util to helpers'])
    commitAs(repo, null, {'src/helpers.js': 'function keep() {\n  return 1\n}\n', 'src/other.js': moving}, 'Move a function out')
    const renamed = await why(repo, 'src/helpers.js:1-3')
    assert.deepEqual(
      renamed.trajectories.map((t) => [t.id, t.lines]),
      [[alice, [1, 2, 3]]],
    )
    const moved = await why(repo, 'src/other.js:1-3')
    assert.deepEqual(
      moved.trajectories.map((t) => [t.id, t.lines]),
      [[alice, [1, 2, 3]]],
    )
    const whole = await why(repo, 'src/helpers.js')
    assert.deepEqual(
      whole.trajectories.map((t) => t.id),
      [alice],
    )
    assert.deepEqual(
      whole.unexplained.commits.map((c) => c.subject),
      ['Move a function out', 'Rename util to helpers'],
    )
  })

  it('finds the trajectory of a squash-merged branch and of a branch rebased without the hooks', async () => {
    const repo = await hooked()
    gitAs(repo, null, ['checkout', '--quiet', '-b', 'feature'])
    const alice = await agentWork(repo, 'alice', 'Tune the cache', 'Cache for a minute', {'cache.js': 'ttl = 60\n'}, 'Fresh enough')
    gitAs(repo, null, ['checkout', '--quiet', '-b', 'rebased', 'main'])
    commitAs(repo, null, {'other.txt': 'main moved\n'}, 'Main moves on')
    gitAs(repo, null, ['-c', 'core.hooksPath=/dev/null', 'cherry-pick', 'feature'])
    const rebased = await why(repo, 'cache.js:1')
    assert.deepEqual(
      rebased.trajectories.map((t) => [t.id, t.commits.map((c) => c.match)]),
      [[alice, ['file']]],
    )
    gitAs(repo, null, ['checkout', '--quiet', 'main'])
    gitAs(repo, null, ['merge', '--quiet', '--squash', 'feature'])
    gitAs(repo, null, ['commit', '--quiet', '-m', 'Cache (#3)'])
    gitAs(repo, null, ['branch', '--quiet', '-D', 'feature'])
    const squashed = await why(repo, 'cache.js:1')
    assert.deepEqual(
      squashed.trajectories.map((t) => [t.id, t.lines, t.decisions.map((d) => d.lines)]),
      [[alice, [1], [[1]]]],
    )
  })

  it('gives each trajectory of a squash-merged branch the lines its own commits wrote', async () => {
    const repo = await hooked()
    gitAs(repo, null, ['checkout', '--quiet', '-b', 'two'])
    const first = await agentWork(repo, 't1', 'Write the list', 'Five items', {'sq.txt': 'a\nb\nc\nd\ne\n'}, 'Enough')
    const second = await agentWork(repo, 't2', 'Fix item four', 'Capital D', {'sq.txt': 'a\nb\nc\nD\ne\n'}, 'House style')
    const expected = [
      [second, [4], [[4]]],
      [first, [1, 2, 3, 5], [[1, 2, 3, 5]]],
    ]
    const onBranch = await why(repo, 'sq.txt:1-5')
    assert.deepEqual(
      onBranch.trajectories.map((t) => [t.id, t.lines, t.decisions.map((d) => d.lines)]),
      expected,
    )
    gitAs(repo, null, ['checkout', '--quiet', 'main'])
    gitAs(repo, null, ['merge', '--quiet', '--squash', 'two'])
    gitAs(repo, null, ['commit', '--quiet', '-m', 'Squash two'])
    const squashed = await why(repo, 'sq.txt:1-5')
    assert.deepEqual(
      squashed.trajectories.map((t) => [t.id, t.lines, t.decisions.map((d) => d.lines)]),
      expected,
    )
    assert.equal(squashed.unexplained.lines, 0)
  })

  it('says so when decisions have no reasoning, when no commit is linked, and for a binary file', async () => {
    const repo = await hooked()
    await agentWork(repo, 'alice', 'Quick fix', 'Just do it', {'q.js': 'fix\n'})
    assert.match(await ok(repo.dir, ['trail', 'why', 'q.js:1']), /- Just do it \(line 1\)\n {6}\(no reasoning recorded\)\n/)
    await ok(repo.dir, ['trail', 'start', 'No decisions', '--agent', 'dora', '--quiet'])
    commitAs(repo, 'dora', {'n.js': 'n\n'}, 'No decisions')
    await ok(repo.dir, ['trail', 'complete', '--summary', 'Nothing to decide', '--agent', 'dora'])
    assert.match(await ok(repo.dir, ['trail', 'why', 'n.js:1']), /^ {2}summary: Nothing to decide\n {2}commits: /m)
    commitAs(repo, null, {'plain.txt': 'a\nb\n'}, 'Plain text by a person')
    const plain = await ok(repo.dir, ['trail', 'why', 'plain.txt:1-2'])
    assert.match(plain, /^plain\.txt:1-2 at [0-9a-f]{12}\nNo trajectory explains it\.\n\n2 lines from 1 commit with no recorded reasoning:\n/)
    repo.write('logo.bin', '\u0000\u0001binary\u0000')
    gitAs(repo, null, ['add', 'logo.bin'])
    gitAs(repo, null, ['commit', '--quiet', '-m', 'Logo'])
    const binary = await runCli(repo.dir, ['trail', 'why', 'logo.bin:1'])
    assert.equal(binary.code, 2)
    assert.equal(binary.stderr, 'error: logo.bin is a binary file: it has no lines to explain\nhint: ask about the whole file instead: trail why logo.bin\n')
    assert.match(await ok(repo.dir, ['trail', 'why', 'logo.bin']), /^logo\.bin at [0-9a-f]{12} \(a binary file\)\n/)
    const missing = await runCli(repo.dir, ['trail', 'why', 'nowhere.js:1'])
    assert.equal(missing.code, 3)
    const past = await runCli(repo.dir, ['trail', 'why', 'q.js:5'])
    assert.match(past.stderr, /^error: q\.js has 1 line in HEAD; line 5 is past its end\n/)
  })

  it("reads a sibling's records when its agent's commits are in this repository", async () => {
    const repo = await hooked()
    const other = newRepo({dirty: false})
    other.git(['remote', 'add', 'origin', repo.dir])
    other.git(['fetch', '--quiet', 'origin'])
    other.git(['reset', '--quiet', '--hard', 'origin/main'])
    await ok(other.dir, ['trail', 'init', '--hooks'])
    const theirs = await agentWork(other, 'carol', 'Sibling work', 'Shared constant', {'shared.js': 'const X = 1\n'}, 'Both projects read it')
    other.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/from-sibling'])
    gitAs(repo, null, ['merge', '--quiet', '--ff-only', 'from-sibling'])
    await ok(repo.dir, ['relay', 'bridge', 'add', 'sibling', other.dir])
    await ok(repo.dir, ['relay', 'sync'])
    const result = await why(repo, 'shared.js:1')
    assert.deepEqual(
      result.trajectories.map((t) => [t.id, t.store]),
      [[theirs, 'sibling']],
    )
  })
})

describe('a commit whose Trajectory trailer names a trajectory not in this clone', () => {
  it("trail why and trail review say it is not in this clone's records and name trail sync, which brings it", async () => {
    // Another clone's agent commits with the hooks: its trailer and link are in that clone's records only.
    const origin = await hooked()
    await agentWork(origin, 'alice', 'Parse the header', 'Read two header lines', {'f.js': 'h1\nh2\n'}, 'The format has two')
    const clone = newRepo({dirty: false})
    clone.git(['remote', 'add', 'origin', origin.dir])
    clone.git(['fetch', '--quiet', 'origin'])
    clone.git(['reset', '--quiet', '--hard', 'origin/main'])
    await ok(clone.dir, ['trail', 'sync'])
    const base = clone.git(['rev-parse', 'HEAD']).trim()
    const bob = await agentWork(origin, 'bob', 'Add the footer', 'One footer line', {'f.js': 'h1\nh2\nfooter\n'}, 'Short is enough')
    const commit = origin.git(['rev-parse', 'HEAD']).trim()
    // git pull brings the branch, not the records.
    clone.git(['fetch', '--quiet', 'origin'])
    clone.git(['reset', '--quiet', '--hard', 'origin/main'])
    const before = clone.userState()

    const line = `Trailers name trajectories not in this clone's records: ${bob} (${commit.slice(0, 12)}); if another clone recorded them, get them with: trail sync`
    const result = await why(clone, 'f.js:3')
    assert.deepEqual(result.trajectories, [])
    assert.deepEqual(result.notHere, [{trajectory: bob, commits: [commit]}])
    assert.match(await ok(clone.dir, ['trail', 'why', 'f.js:3']), new RegExp(`\n\n${escapeRegExp(line)}\n$`))
    assert.match(await ok(clone.dir, ['trail', 'why', 'f.js']), new RegExp(`\n\n${escapeRegExp(line)}\n$`))
    const review = await ok(clone.dir, ['trail', 'review', `${base}..HEAD`, '--format', 'text'])
    assert.ok(
      review.includes(`  Trailers name trajectories not in this clone's records: ${bob}; if another clone recorded them, get them with: trail sync\n`),
      review,
    )
    const markdown = await ok(clone.dir, ['trail', 'review', `${base}..HEAD`, '--format', 'md'])
    assert.ok(
      markdown.includes(`Trailers name trajectories not in this clone's records: \`${bob}\`; if another clone recorded them, get them with: trail sync.`),
      markdown,
    )
    clone.assertUserStateUnchanged(before)

    // What the line says to run brings it.
    await ok(clone.dir, ['trail', 'sync'])
    const synced = await why(clone, 'f.js:3')
    assert.deepEqual(
      synced.trajectories.map((t) => t.id),
      [bob],
    )
    assert.deepEqual(synced.notHere, [])
    assert.doesNotMatch(await ok(clone.dir, ['trail', 'why', 'f.js:3']), /not in this clone's records/)
  })

  it('says nothing of a commit whose trailer names a trajectory this clone holds, or names none', async () => {
    const repo = await hooked()
    await agentWork(repo, 'alice', 'Parse the header', 'Read two header lines', {'f.js': 'h1\nh2\n'})
    commitAs(repo, null, {'f.js': 'h1\nh2\nperson\n'}, 'A person adds a line')
    assert.deepEqual((await why(repo, 'f.js')).notHere, [])
    assert.doesNotMatch(await ok(repo.dir, ['trail', 'why', 'f.js']), /not in this clone's records/)
  })
})

/** `text` as a regular expression matching it literally. */
function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')
}

describe("trail why and a sibling's records", () => {
  it("never credits a sibling's trajectory with a person's commit that makes the same change", async () => {
    const repo = await hooked()
    const other = newRepo({dirty: false})
    await ok(other.dir, ['trail', 'init', '--hooks'])
    await agentWork(other, 'carol', 'Ignore dependencies', 'Ignore node_modules', {'.gitignore': 'node_modules/\n'}, 'Never commit them')
    commitAs(repo, null, {'.gitignore': 'node_modules/\n'}, 'A person ignores node_modules')
    await ok(repo.dir, ['relay', 'bridge', 'add', 'sibling', other.dir])
    await ok(repo.dir, ['relay', 'sync'])
    for (const target of ['.gitignore:1', '.gitignore']) {
      const result = await why(repo, target)
      assert.deepEqual(result.trajectories, [])
      assert.deepEqual(
        result.unexplained.commits.map((c) => c.subject),
        ['A person ignores node_modules'],
      )
    }
  })
})

describe('trail why after a rebase made with the hooks', () => {
  it('shows each decision with the lines of the commit that replaced its own', async () => {
    const repo = await hooked()
    gitAs(repo, null, ['checkout', '--quiet', '-b', 'feature'])
    const alice = await agentWork(repo, 'alice', 'Name the port', 'Port 8080', {'port.js': 'port = 8080\n'}, 'The proxy expects it')
    gitAs(repo, null, ['checkout', '--quiet', 'main'])
    commitAs(repo, null, {'other.txt': 'main moved\n'}, 'Main moves on')
    gitAs(repo, null, ['checkout', '--quiet', 'feature'])
    gitAs(repo, null, ['rebase', '--quiet', 'main'])
    const result = await why(repo, 'port.js:1')
    assert.deepEqual(
      result.trajectories.map((t) => [t.id, t.commits.map((c) => c.match), t.decisions.map((d) => d.lines)]),
      [[alice, ['commit'], [[1]]]],
    )
  })

  it('keeps each decision on its lines after the agent amends its commit, a reword or a change', async () => {
    const repo = await hooked()
    const id = (await ok(repo.dir, ['trail', 'start', 'Name the host', '--agent', 'alice', '--quiet'])).trim()
    await ok(repo.dir, ['trail', 'decision', 'Host localhost', '--reasoning', 'Local first', '--agent', 'alice'])
    commitAs(repo, 'alice', {'host.js': 'host = "localhost"\n'}, 'Name the host')
    gitAs(repo, 'alice', ['commit', '--quiet', '--amend', '-m', 'Name the host, reworded'])
    const reworded = await why(repo, 'host.js:1')
    assert.deepEqual(
      reworded.trajectories.map((t) => [t.id, t.decisions.map((d) => d.lines)]),
      [[id, [[1]]]],
    )
    repo.write('host.js', 'host = "localhost"\nport = 80\n')
    gitAs(repo, 'alice', ['add', 'host.js'])
    gitAs(repo, 'alice', ['commit', '--quiet', '--amend', '--no-edit'])
    const changed = await why(repo, 'host.js:1-2')
    assert.deepEqual(
      changed.trajectories.map((t) => [t.id, t.decisions.map((d) => d.lines)]),
      [[id, [[1, 2]]]],
    )
  })
})

describe('trail why through relay mcp', () => {
  it('answers the trail_why tool with what trail why prints, text and JSON', async () => {
    const repo = await hooked()
    const alice = await agentWork(repo, 'alice', 'Parse the header', 'Read two header lines', {'f.js': 'h1\nh2\n'}, 'The format has two')
    commitAs(repo, null, {'f.js': 'h1\nh2\nby hand\n'}, 'A person adds a line')
    const mcp = await startMcp({cwd: repo.dir})
    try {
      const text = await mcp.ok('trail_why', {target: 'f.js:1-3'})
      assert.equal(text, await ok(repo.dir, ['trail', 'why', 'f.js:1-3']))
      assert.match(text, /Read two header lines/)
      const structured = (await mcp.call('trail_why', {target: 'f.js'})).structuredContent as unknown as WhyJson
      assert.deepEqual(structured, await why(repo, 'f.js'))
      assert.deepEqual(
        structured.trajectories.map((t) => t.id),
        [alice],
      )
    } finally {
      await mcp.close()
    }
  })
})
