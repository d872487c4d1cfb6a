import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {IdGenerator} from '../../src/model/ids.js'
import {eventPath, trajectoryPath} from '../../src/model/layout.js'
import type {AgentName} from '../../src/model/names.js'
import {renderEvent, renderTrajectory} from '../../src/model/trajectory.js'
import {json, ok, runCli} from '../helpers/cli.js'
import {eventFiles, runTraced} from '../helpers/trace.js'
import {commitOnRef, useRepos, type TestRepo} from '../helpers/repo.js'
import {commitAs, featureBranch, gitAs} from './helpers.js'
import {assertSafeMarkdown} from './safe-markdown.js'

// `trail review <base>..<head>` over real histories made through the CLI and the git hooks: two agents and a
// person on a feature branch, a squash merge, a rebase without the hooks, a force-push that drops a commit, an
// amend, merge commits, a branch deleted after merging, a trajectory of 10,000 decisions, and hostile record text.

const newRepo = useRepos()

interface ReviewJson {
  range: string
  branch: string | null
  coverage: {linked: number; total: number}
  attention: {kind: string; title: string; text: string}[]
  trajectories: {
    id: string
    title: string
    status: string
    matches: string[]
    commits: string[]
    stale: {decision: string; commit: string}[]
    decisions: {title: string}[]
    threads: {thread: string}[]
  }[]
  files: {path: string; decisions: {title: string}[]}[]
  commits: {oid: string; subject: string; merge: boolean; links: {trajectory: string; match: string; files?: string[]}[]}[]
}

const review = (repo: TestRepo, ...args: string[]) => json<ReviewJson>(repo.dir, ['trail', 'review', ...args])

describe('trail review', () => {
  it('gathers the trajectories of two agents, and names the commit a person made as unlinked', async () => {
    const repo = newRepo({dirty: false})
    const {alice, bob} = await featureBranch(repo)
    // The user's work in progress, which the review must not touch.
    repo.write('a.txt', 'work in progress\n')
    repo.write('untracked.txt', 'x\n')
    const before = repo.userState()
    const result = await review(repo, 'main..feature')
    repo.assertUserStateUnchanged(before)
    assert.equal(result.branch, 'feature')
    assert.deepEqual(result.coverage, {linked: 3, total: 4})
    assert.deepEqual(
      result.trajectories.map((t) => t.id),
      [alice, bob],
    )
    assert.deepEqual(result.trajectories[0]!.matches, ['trailer', 'commit', 'branch'])
    assert.deepEqual(
      result.commits.filter((commit) => commit.links.length === 0).map((commit) => commit.subject),
      ['Docs: typo'],
    )
    assert.deepEqual(
      result.attention.map((item) => [item.kind, item.title]),
      [
        ['low-confidence', 'Rework the parser'],
        ['abandoned', 'Uppercase the banner'],
      ],
    )
    assert.deepEqual(
      result.files.map((file) => [file.path, file.decisions.map((d) => d.title)]),
      [
        ['a.txt', ['Split tokens on whitespace', 'Keep the old tokenizer behind a flag']],
        ['b.txt', ['Uppercase at render time']],
      ],
    )
    // The default range: the merge base with the default branch up to HEAD.
    const byDefault = await review(repo)
    assert.deepEqual(byDefault.coverage, {linked: 3, total: 4})
  })

  it('finds the trajectories of a squash merge whose message is only a title, by the patch ids of its files', async () => {
    const repo = newRepo({dirty: false})
    const {alice, bob} = await featureBranch(repo)
    gitAs(repo, null, ['checkout', '--quiet', 'main'])
    gitAs(repo, null, ['merge', '--quiet', '--squash', 'feature'])
    gitAs(repo, null, ['commit', '--quiet', '-m', 'Parser and banner (#12)'])
    gitAs(repo, null, ['branch', '--quiet', '-D', 'feature'])
    const result = await review(repo, 'HEAD~1..HEAD')
    assert.deepEqual(result.coverage, {linked: 1, total: 1})
    const [squash] = result.commits
    assert.deepEqual(
      squash!.links.map((link) => [link.trajectory, link.match, link.files]),
      [
        [alice, 'files', ['a.txt']],
        [bob, 'files', ['b.txt']],
      ],
    )
    assert.deepEqual(
      result.trajectories.map((t) => t.stale.length),
      [0, 0],
      'a squash holds the whole of each trajectory',
    )
  })

  it('finds a commit whose trailer was lost by its patch id (a cherry-pick or a rebase without the hooks)', async () => {
    const repo = newRepo({dirty: false})
    const {alice} = await featureBranch(repo)
    gitAs(repo, null, ['checkout', '--quiet', '-b', 'elsewhere', 'main'])
    const first = repo.git(['rev-list', '--reverse', 'main..feature']).split('\n')[0]!
    gitAs(repo, null, ['-c', 'core.hooksPath=/dev/null', 'cherry-pick', '--no-commit', first])
    gitAs(repo, null, ['-c', 'core.hooksPath=/dev/null', 'commit', '--quiet', '-m', 'Tokens, picked without a trailer'])
    const result = await review(repo, 'main..elsewhere')
    assert.deepEqual(
      result.commits[0]!.links.map((link) => [link.trajectory, link.match]),
      [[alice, 'patch']],
    )
  })

  it('marks the decisions whose commit a force-push dropped as stale, and only those', async () => {
    const repo = newRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--hooks'])
    gitAs(repo, null, ['checkout', '--quiet', '-b', 'feature'])
    await ok(repo.dir, ['trail', 'start', 'Cache the config', '--agent', 'alice'])
    await ok(repo.dir, ['trail', 'decision', 'Read the config once', '--reasoning', 'It never changes at run time', '--agent', 'alice'])
    commitAs(repo, 'alice', {'config.js': 'read once\n'}, 'Config: read once')
    await ok(repo.dir, ['trail', 'decision', 'Watch the file for changes', '--reasoning', 'Operators edit it live', '--agent', 'alice'])
    commitAs(repo, 'alice', {'watch.js': 'watch\n'}, 'Config: watch the file')
    // The second commit is dropped (reset and force-push), and work goes on.
    gitAs(repo, null, ['reset', '--quiet', '--hard', 'HEAD~1'])
    await ok(repo.dir, ['trail', 'decision', 'Document the restart', '--agent', 'alice'])
    commitAs(repo, 'alice', {'README.md': 'restart to reload\n'}, 'Docs: restart to reload')
    const result = await review(repo, 'main..feature')
    const [trajectory] = result.trajectories
    assert.deepEqual(
      trajectory!.stale.map((item) => item.decision),
      ['Watch the file for changes'],
    )
    assert.deepEqual(result.attention.filter((item) => item.kind === 'stale').length, 1)
    const md = await ok(repo.dir, ['trail', 'review', 'main..feature', '--format', 'md'])
    assert.match(
      md,
      /\*\*Stale decision\*\* in _Cache the config_: decision &#34;Watch the file for changes&#34;\\: its commit [0-9a-f]{12} &#34;Config\\: watch the file&#34; is no longer in this range/,
    )
    assert.match(md, /\*\*2\. Watch the file for changes\*\* _\(stale: its commit is no longer in this range\)_/)
  })

  it('over a narrow range of a long branch, tells commits below the range from dropped ones with one git process for them all', async () => {
    const repo = newRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--hooks'])
    gitAs(repo, null, ['checkout', '--quiet', '-b', 'feature'])
    await ok(repo.dir, ['trail', 'start', 'Split the server', '--agent', 'alice'])
    for (let n = 1; n <= 12; n++) {
      await ok(repo.dir, ['trail', 'decision', `Step ${n}`, '--agent', 'alice'])
      commitAs(repo, 'alice', {[`step-${n}.js`]: `${n}\n`}, `Step ${n}`)
    }
    // Step 12 is dropped; step 11 and the new step 13 are what the range holds.
    gitAs(repo, null, ['reset', '--quiet', '--hard', 'HEAD~1'])
    await ok(repo.dir, ['trail', 'decision', 'Step 13', '--agent', 'alice'])
    commitAs(repo, 'alice', {'step-13.js': '13\n'}, 'Step 13')
    const traced = await runTraced(repo.dir, ['trail', 'review', 'HEAD~2..HEAD', '--json'])
    assert.equal(traced.code, 0, traced.stderr)
    const result = JSON.parse(traced.stdout) as ReviewJson
    assert.deepEqual(
      result.trajectories[0]!.stale.map((item) => item.decision),
      ['Step 12'],
      'the ten commits below the range are not stale; the dropped one is',
    )
    const processes = traced.trace.processes
    assert.equal(processes.filter((name) => name === 'merge-base').length, 0, 'no git process per commit')
    assert.equal(processes.filter((name) => name === 'rev-list').length, 1, 'one for them all')
  })

  it("asks git once for each thing it needs: one log, the default branch from git's files, the base commit from the running cat-file", async () => {
    const repo = newRepo({dirty: false})
    await featureBranch(repo)
    const traced = await runTraced(repo.dir, ['trail', 'review', '--json'])
    assert.equal(traced.code, 0, traced.stderr)
    assert.equal((JSON.parse(traced.stdout) as ReviewJson).trajectories[0]!.matches.includes('branch'), true, 'the branch was looked through')
    const count = (name: string) => traced.trace.processes.filter((each) => each === name).length
    assert.deepEqual({log: count('log'), forEachRef: count('for-each-ref'), mergeBase: count('merge-base')}, {log: 1, forEachRef: 0, mergeBase: 1})
  })

  it('follows an amend, counts merge commits, and still finds everything after the branch is deleted', async () => {
    const repo = newRepo({dirty: false})
    const {alice, bob} = await featureBranch(repo)
    gitAs(repo, null, ['commit', '--quiet', '--amend', '-m', 'Parser: keep the old tokenizer (reworded)'])
    gitAs(repo, null, ['checkout', '--quiet', 'main'])
    commitAs(repo, null, {'main.txt': 'main moved\n'}, 'Main moves on')
    gitAs(repo, null, ['checkout', '--quiet', 'feature'])
    gitAs(repo, null, ['merge', '--quiet', '--no-edit', 'main'])
    const onBranch = await review(repo, 'main..feature')
    assert.deepEqual(onBranch.coverage, {linked: 3, total: 5})
    assert.deepEqual(onBranch.commits.filter((commit) => commit.merge).length, 1)
    // The person's amend replaced the message (and its trailer): the link post-rewrite carried over finds it.
    assert.ok(
      onBranch.commits.some(
        (commit) => commit.subject.endsWith('(reworded)') && commit.links.some((link) => link.trajectory === alice && link.match === 'commit'),
      ),
    )
    gitAs(repo, null, ['checkout', '--quiet', 'main'])
    const before = repo.git(['rev-parse', 'HEAD']).trim()
    gitAs(repo, null, ['merge', '--quiet', '--no-ff', '--no-edit', 'feature'])
    gitAs(repo, null, ['branch', '--quiet', '-D', 'feature'])
    const merged = await review(repo, `${before}..main`)
    assert.deepEqual(
      merged.trajectories.map((t) => t.id),
      [alice, bob],
    )
    assert.equal(merged.coverage.linked, 3)
  })

  it('keeps a pull-request comment within 65,000 characters for a trajectory of 10,000 decisions, and says what it cut', async () => {
    const repo = newRepo({dirty: false})
    const id = bigTrajectory(repo, 10_000)
    commitAs(repo, null, {'big.txt': 'big\n'}, `Big change\n\nTrajectory: ${id}`)
    const md = await ok(repo.dir, ['trail', 'review', 'HEAD~1..HEAD', '--format', 'md'])
    assert.ok(md.length <= 65_000, `${md.length} characters`)
    assert.match(md, /^<!-- relay-trail:review -->\n/)
    assert.match(md, /_\d+ more decisions not shown\._/)
    assert.match(
      md,
      /^> Shortened to fit a pull-request comment: [\d,]+ decisions not shown.*\. The whole review: `trail review [0-9a-f]{12}\.\.[0-9a-f]{12}`\.$/m,
    )
    assertSafeMarkdown(md)
    const small = await ok(repo.dir, ['trail', 'review', 'HEAD~1..HEAD', '--format', 'md', '--max-chars', '3000'])
    assert.ok(small.length <= 3000, `${small.length} characters`)
    const text = await ok(repo.dir, ['trail', 'review', 'HEAD~1..HEAD', '--format', 'text'])
    assert.match(text, /Decisions \(10000\)/)
  })

  it('reads the many decisions of one trajectory by id, never each by path (git reads a folder from its start for each)', async () => {
    const repo = newRepo({dirty: false})
    const id = bigTrajectory(repo, 40)
    commitAs(repo, null, {'many.txt': 'many\n'}, `Many decisions\n\nTrajectory: ${id}`)
    for (const argv of [
      ['trail', 'review', 'HEAD~1..HEAD', '--format', 'md'],
      ['trail', 'show', id, '--json'],
      ['trail', 'export', id],
    ] as ['trail', ...string[]][]) {
      const {code, stderr, trace} = await runTraced(repo.dir, argv)
      assert.equal(code, 0, stderr)
      const blobs = trace.reads.filter((read) => read.type === 'blob')
      assert.deepEqual(eventFiles(blobs.map((read) => read.path)), [], `${argv.join(' ')}: no decision read by its path`)
      assert.ok(blobs.filter((read) => /^[0-9a-f]{40}$/.test(read.name)).length >= 40, `${argv.join(' ')}: the 40 decisions read by id`)
    }
  })

  it('lets no record text inject HTML, close a details block, open a comment, mention anyone or break out of code', async () => {
    const repo = newRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--hooks'])
    for (const [index, hostile] of HOSTILE.entries()) {
      const agent = `agent${index}`
      await ok(repo.dir, ['trail', 'start', `Title ${hostile}`, '--agent', agent])
      await ok(repo.dir, [
        'trail',
        'decision',
        `Decision ${hostile}`,
        '--reasoning',
        `Reasoning\n${hostile}\n\n${hostile}`,
        '--alternatives',
        `x${hostile}`,
        '--agent',
        agent,
      ])
      await ok(repo.dir, ['relay', 'send', 'lead', `Body ${hostile}\n${hostile}`, '--thread', 'hostile-thread', '--agent', agent])
      await ok(repo.dir, ['relay', 'continuity', 'uncertain', `Uncertain ${hostile}`, '--agent', agent])
      commitAs(repo, agent, {[`f${index}.txt`]: `${index}\n`}, `Subject ${hostile}`)
      await ok(repo.dir, [
        'trail',
        'complete',
        '--summary',
        `Summary ${hostile}`,
        '--challenges',
        `Challenge ${hostile}`,
        '--confidence',
        '0.3',
        '--agent',
        agent,
      ])
    }
    const md = await ok(repo.dir, ['trail', 'review', `HEAD~${HOSTILE.length}..HEAD`, '--format', 'md'])
    assert.match(md, /Messages in thread hostile-thread/)
    assertSafeMarkdown(md)
    // And from the JSON, as the workflow's comment job renders it.
    const jsonText = await ok(repo.dir, ['trail', 'review', `HEAD~${HOSTILE.length}..HEAD`, '--format', 'json'])
    const file = join(repo.dir, '.git', 'review.json')
    writeFileSync(file, jsonText)
    const again = await ok(repo.dir, ['trail', 'review', '--input', file, '--format', 'md'])
    assert.equal(again, md)
    assertSafeMarkdown(again)
  })

  it('refuses a range that names no commit, with a hint', async () => {
    const repo = newRepo()
    const result = await runCli(repo.dir, ['trail', 'review', 'main..no-such-branch'])
    assert.equal(result.code, 3)
    assert.match(result.stderr, /^error: 'no-such-branch' names no commit here\nhint: /)
  })
})

/** Strings that try every way out of their place in a Markdown document on GitHub. */
const HOSTILE = [
  '<img src=x onerror=alert(1)> <script>alert(1)</script>',
  '--> <!-- </details></summary> <details open>',
  '@org/team and @someone, see #12 and GH-34 and org/repo#56',
  '``` ```` `code` ~~~\n```\n</details>',
  '[click](javascript:alert(1)) ![x](https://example.com/x.png) <https://example.com>',
  '| a | b |\n|---|---|\n# Heading\n> quote\n- item\n***',
  '&lt;b&gt; &#60;script&#62; \\<b>',
]

/** Writes a completed trajectory with `count` decisions onto the ref in one commit; returns its id. */
function bigTrajectory(repo: TestRepo, count: number): string {
  let clock = Date.parse('2026-11-01T10:00:00Z')
  const ids = new IdGenerator(
    () => new Date(clock),
    (n) => Uint8Array.from({length: n}, (_, i) => (i * 7) % 256),
  )
  const agent = 'bulk' as AgentName
  const id = ids.next('traj')
  const files = [
    {
      path: trajectoryPath(id),
      content: renderTrajectory({
        id,
        title: 'A very long piece of work',
        status: 'completed',
        agent,
        started: new Date(clock).toISOString(),
        updated: new Date(clock).toISOString(),
        summary: 'Many decisions.',
        confidence: 0.9,
        challenges: [],
        learnings: [],
      }),
    },
  ]
  for (let i = 0; i < count; i++) {
    clock += 1000
    const eventId = ids.next('ev')
    files.push({
      path: eventPath(id, eventId),
      content: renderEvent({
        id: eventId,
        kind: 'decision',
        trajectory: id,
        agent,
        at: new Date(clock).toISOString(),
        title: `Decision ${i} <b>@team</b>`,
        reasoning: `Reason ${i}: ${'because '.repeat(20)}`,
        alternatives: ['other'],
        confidence: 0.8,
      }),
    })
  }
  commitOnRef(repo, 'refs/trail/records', [{path: '.trail/format.yaml', content: 'format: 1\n'}, ...files])
  return id
}
