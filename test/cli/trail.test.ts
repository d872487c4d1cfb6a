import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {dirname, join} from 'node:path'
import {describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {commitOnRef, makeTempDir, testEnv, useRepos, type TestRepo} from '../helpers/repo.js'
import {eventFiles, runTraced, trajectoryFiles} from '../helpers/trace.js'
import type {TrajectoryDetailJson} from '../../src/render/trajectory.js'

// Every `trail` command and flag, run as the built binary in a real repository with staged and unstaged changes,
// checking the output, the records on the ref, and that the user's work tree, index, HEAD and branches are
// exactly as they were.

/** What `trail show --json` prints: the documented shape. */
type TrajectoryJson = TrajectoryDetailJson

const newRepo = useRepos()

/**
 * A store where several agents worked: `me` has an active trajectory with two decisions, `other` one with three,
 * and `done` a completed one with a decision. Returns the ids of me's and other's trajectories.
 */
async function busyStore(repo: TestRepo): Promise<{mine: string; theirs: string}> {
  const mine = (await ok(repo.dir, ['trail', 'start', 'Mine', '--agent', 'me', '-q'])).trim()
  for (const title of ['Mine 1', 'Mine 2']) await ok(repo.dir, ['trail', 'decision', title, '--agent', 'me'])
  const theirs = (await ok(repo.dir, ['trail', 'start', 'Theirs', '--agent', 'other', '-q'])).trim()
  for (const title of ['Theirs 1', 'Theirs 2', 'Theirs 3']) await ok(repo.dir, ['trail', 'decision', title, '--agent', 'other'])
  await ok(repo.dir, ['trail', 'start', 'Finished', '--agent', 'done'])
  await ok(repo.dir, ['trail', 'decision', 'Finished 1', '--agent', 'done'])
  await ok(repo.dir, ['trail', 'complete', '--summary', 'ok', '--agent', 'done'])
  return {mine, theirs}
}

/** Runs a command and checks that the user's state did not move. */
async function untouched(repo: TestRepo, argv: ['trail', ...string[]]) {
  const before = repo.userState()
  const result = await runCli(repo.dir, argv)
  repo.assertUserStateUnchanged(before)
  return result
}

describe('trail start', () => {
  it('starts a trajectory with its task, source and link, and says how to go on', async () => {
    const repo = newRepo()
    const result = await untouched(repo, [
      'trail',
      'start',
      'Fix login bug',
      '--task',
      'agent-relay-123',
      '--source',
      'beads',
      '--url',
      'https://example.com/t/123',
    ])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Started traj_[0-9a-z]{26} for agent default: Fix login bug\nRecord decisions with: trail decision/)
    const status = await json<{active: TrajectoryJson}>(repo.dir, ['trail', 'status'])
    assert.equal(status.active.title, 'Fix login bug')
    assert.equal(status.active.task, 'agent-relay-123')
    assert.equal(status.active.source, 'beads')
    assert.equal(status.active.url, 'https://example.com/t/123')
    assert.equal(status.active.branch, 'main')
    assert.equal(status.active.status, 'active')
  })

  it('prints only the id with --quiet, and the trajectory with --json', async () => {
    const repo = newRepo()
    const quiet = await ok(repo.dir, ['trail', 'start', 'Quiet one', '--quiet'])
    assert.match(quiet, /^traj_[0-9a-z]{26}\n$/)
    await ok(repo.dir, ['trail', 'abandon'])
    const started = await json<TrajectoryJson>(repo.dir, ['trail', 'start', 'Loud one'])
    assert.equal(started.title, 'Loud one')
    assert.equal(started.status, 'active')
    assert.equal(started.agent, 'default')
  })

  it('refuses a second start for the same agent, naming the active one and how to finish it', async () => {
    const repo = newRepo()
    const id = (await ok(repo.dir, ['trail', 'start', 'First', '-q'])).trim()
    const result = await untouched(repo, ['trail', 'start', 'Second'])
    assert.equal(result.code, 3)
    assert.equal(result.stdout, '')
    assert.equal(
      result.stderr,
      `error: agent 'default' already has an active trajectory: ${id} "First"\nhint: finish it first with: trail complete --summary "<what was done>"   or: trail abandon --reason "<why>"\n`,
    )
  })

  it("keeps each agent's active trajectory apart", async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Backend work', '--agent', 'backend'])
    await ok(repo.dir, ['trail', 'start', 'Frontend work'], {env: {AGENT_RELAY_NAME: 'frontend'}})
    await ok(repo.dir, ['trail', 'start', 'Docs work'], {env: {TRAIL_AGENT: 'docs'}})
    await ok(repo.dir, ['trail', 'decision', 'Use REST', '--agent', 'backend'])
    await ok(repo.dir, ['trail', 'decision', 'Use React'], {env: {AGENT_RELAY_NAME: 'frontend', TRAIL_AGENT: 'docs'}})
    const backend = await json<{active: TrajectoryJson; otherAgents: {agent: string}[]}>(repo.dir, ['trail', 'status', '--agent', 'backend'])
    const frontend = await json<{active: TrajectoryJson}>(repo.dir, ['trail', 'status'], {env: {AGENT_RELAY_NAME: 'frontend'}})
    const docs = await json<{active: TrajectoryJson}>(repo.dir, ['trail', 'status'], {env: {TRAIL_AGENT: 'docs'}})
    assert.deepEqual(
      backend.active.decisions.map((d) => d.title),
      ['Use REST'],
    )
    assert.deepEqual(
      frontend.active.decisions.map((d) => d.title),
      ['Use React'],
    )
    assert.deepEqual(docs.active.decisions, [])
    assert.deepEqual(backend.otherAgents.map((o) => o.agent).sort(), ['docs', 'frontend'])
    const text = await ok(repo.dir, ['trail', 'status', '--agent', 'backend'])
    assert.match(text, /Other agents working: docs \(traj_\w+\), frontend \(traj_\w+\)/)
  })

  it('refuses an invalid agent name before touching anything', async () => {
    const repo = newRepo()
    const result = await untouched(repo, ['trail', 'start', 'x', '--agent', '../escape'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^error: invalid agent name '\.\.\/escape'\nhint: /)
    assert.equal(repo.git(['for-each-ref', 'refs/trail']), '')
  })
})

describe('trail decision', () => {
  it('records reasoning, alternatives and confidence, and shows the rubric', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Queue'])
    const result = await untouched(repo, [
      'trail',
      'decision',
      'Postgres for the queue',
      '--reasoning',
      'One less service',
      '--alternatives',
      'Redis, SQS',
      '--confidence',
      '0.7',
    ])
    assert.equal(result.code, 0, result.stderr)
    assert.match(
      result.stdout,
      /^Recorded decision ev_\w+ in traj_\w+: Postgres for the queue\n  reasoning: One less service\n  alternatives: Redis, SQS\n  confidence: 0.7 \(good\)\n$/,
    )
    const decision = await json<{title: string; reasoning: string; alternatives: string[]; confidence: number; confidenceLevel: string}>(repo.dir, [
      'trail',
      'decision',
      'Second',
      '--confidence',
      '0.95',
    ])
    assert.equal(decision.confidenceLevel, 'high')
    assert.equal(decision.reasoning, null)
  })

  it('keeps a decision without reasoning and says so everywhere', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Auth'])
    assert.match(await ok(repo.dir, ['trail', 'decision', 'Used existing auth middleware']), /reasoning: \(no reasoning recorded\)/)
    assert.match(await ok(repo.dir, ['trail', 'status']), /1\. Used existing auth middleware: \(no reasoning recorded\)/)
    const id = (await json<{active: TrajectoryJson}>(repo.dir, ['trail', 'status'])).active.id
    assert.match(await ok(repo.dir, ['trail', 'show', id]), /\(no reasoning recorded\)/)
    assert.match(await ok(repo.dir, ['trail', 'export', '--format', 'md']), /_\(no reasoning recorded\)_/)
    assert.match(await ok(repo.dir, ['trail', 'export', '--format', 'timeline']), /decision +Used existing auth middleware: \(no reasoning recorded\)/)
    assert.match(await ok(repo.dir, ['trail', 'export', '--format', 'html']), /<em>\(no reasoning recorded\)<\/em>/)
  })

  it('refuses a confidence outside 0..1 or not a number, with the rubric', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'x'])
    for (const bad of ['1.2', '-0.5', 'high', 'NaN', '']) {
      const result = await untouched(repo, ['trail', 'decision', 'd', '--confidence', bad])
      assert.equal(result.code, 2, bad)
      assert.match(
        result.stderr,
        /^error: confidence must be a number from 0 to 1, got '.*'\nhint: for example --confidence 0.85 \(0.9\+ high, 0.7-0.9 good, 0.5-0.7 some uncertainty, <0.5 needs review\)\n$/,
      )
    }
    assert.deepEqual((await json<{active: TrajectoryJson}>(repo.dir, ['trail', 'status'])).active.decisions, [])
  })

  it("reads only the agent's marker and the trajectory it adds to, with one git process, and none after its own write", async () => {
    const repo = newRepo()
    const {mine} = await busyStore(repo)
    for (const [title, processes] of [
      // Another agent wrote last: what this agent reads may not all be carried, and one `git cat-file` reads the rest.
      ['Mine 3', ['', 'cat-file']],
      // This agent wrote last: everything it reads was carried (src/git/carried-objects.ts); no git process at all.
      ['Mine 4', ['']],
    ] as const) {
      const result = await runTraced(repo.dir, ['trail', 'decision', title, '--agent', 'me'])
      assert.equal(result.code, 0, result.stderr)
      assert.deepEqual(result.trace.blobPaths, ['.trail/format.yaml', trajectoryFiles(result.trace.blobPaths)[0]], title)
      assert.match(result.trace.blobPaths[1]!, new RegExp(`/${mine}/trajectory\\.md$`))
      assert.deepEqual(result.trace.treePaths, ['.trail/active/me'], title)
      // The commit is made in the process (the identity is cached by the writes before): no fast-import.
      assert.ok((processes as readonly string[]).includes(result.trace.processes.join(' ')), `${title}: ${result.trace.processes.join(' ')}`)
      assert.deepEqual(
        result.trace.lines.filter((line) => line.kind === 'commit-end').map((line) => line.fields[1]),
        ['updated'],
      )
    }
    await repo.fsck('refs/trail/records')
  })

  it('needs an active trajectory, and says how to start one', async () => {
    const repo = newRepo()
    const result = await untouched(repo, ['trail', 'decision', 'Orphan'])
    assert.equal(result.code, 3)
    assert.equal(result.stderr, `error: no active trajectory for agent 'default'\nhint: start one with: trail start "<title>"\n`)
  })
})

describe('trail complete and abandon', () => {
  it('completes with a full retrospective', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Auth'])
    await ok(repo.dir, ['trail', 'decision', 'JWT'])
    const result = await untouched(repo, [
      'trail',
      'complete',
      '--summary',
      'Added JWT auth',
      '--confidence',
      '0.85',
      '--approach',
      'Middleware first',
      '--challenges',
      'Clock skew',
      '--challenges',
      'Token size',
      '--learnings',
      'Test expiry',
    ])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Completed traj_\w+: Auth\n  decisions: 1\n  confidence: 0.85 \(good\)\n$/)
    const [trajectory] = (await json<{trajectories: TrajectoryJson[]}>(repo.dir, ['trail', 'list'])).trajectories
    const shown = await json<TrajectoryJson>(repo.dir, ['trail', 'show', trajectory!.id])
    assert.equal(shown.status, 'completed')
    assert.equal(shown.summary, 'Added JWT auth')
    assert.equal(shown.confidenceLevel, 'good')
    assert.equal(shown.approach, 'Middleware first')
    assert.deepEqual(shown.challenges, ['Clock skew', 'Token size'])
    assert.deepEqual(shown.learnings, ['Test expiry'])
    assert.equal((await json<{active: null}>(repo.dir, ['trail', 'status'])).active, null)
  })

  it('counts the decisions without reading them', async () => {
    const repo = newRepo()
    const {mine} = await busyStore(repo)
    const result = await runTraced(repo.dir, ['trail', 'complete', '--summary', 'Done', '--agent', 'me'])
    assert.match(result.stdout, /^Completed traj_\w+: Mine\n  decisions: 2\n/)
    assert.deepEqual(eventFiles(result.trace.blobPaths), [], 'no decision is read')
    assert.deepEqual(trajectoryFiles(result.trace.blobPaths).length, 1)
    assert.ok(
      result.trace.treePaths.some((path) => path.endsWith(`/${mine}/events`)),
      'the events folder is listed',
    )
  })

  it('requires a summary', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'x'])
    const missing = await untouched(repo, ['trail', 'complete'])
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /^error: missing required flag --summary\nhint: see: trail complete --help\n$/)
    const empty = await untouched(repo, ['trail', 'complete', '--summary', '  '])
    assert.equal(empty.code, 2)
    assert.match(empty.stderr, /the summary is empty/)
  })

  it('abandons with and without a reason', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Blocked'])
    const result = await untouched(repo, ['trail', 'abandon', '--reason', 'Blocked by missing API credentials'])
    assert.match(result.stdout, /^Abandoned traj_\w+: Blocked\n  decisions: 0\n  reason: Blocked by missing API credentials\n$/)
    await ok(repo.dir, ['trail', 'start', 'Again'])
    const plain = await json<TrajectoryJson>(repo.dir, ['trail', 'abandon'])
    assert.equal(plain.status, 'abandoned')
    assert.equal(plain.reason, null)
    const noActive = await runCli(repo.dir, ['trail', 'abandon'])
    assert.equal(noActive.code, 3)
  })
})

describe('trail status', () => {
  it('says there is nothing active, and exits 0', async () => {
    const repo = newRepo()
    const result = await untouched(repo, ['trail', 'status'])
    assert.equal(result.code, 0)
    assert.equal(result.stdout, 'No active trajectory for agent \'default\'.\nStart one with: trail start "<title>"\n')
    assert.deepEqual(await json(repo.dir, ['trail', 'status']), {agent: 'default', active: null, alsoActive: [], otherAgents: []})
    assert.equal(repo.git(['for-each-ref', 'refs/trail']), '', 'reading never creates the store')
  })

  it("reads only the agent's active marker folder, its trajectory and its decisions, whatever else the store holds", async () => {
    const repo = newRepo()
    const {mine, theirs} = await busyStore(repo)
    const result = await runTraced(repo.dir, ['trail', 'status', '--agent', 'me', '--json'])
    const status = JSON.parse(result.stdout) as {active: TrajectoryJson; otherAgents: {agent: string; trajectory: string}[]}
    assert.deepEqual(
      status.active.decisions.map((d) => d.title),
      ['Mine 1', 'Mine 2'],
    )
    assert.deepEqual(status.otherAgents, [{agent: 'other', trajectory: theirs}])
    const {blobPaths, treePaths} = result.trace
    assert.equal(blobPaths.length, 4, blobPaths.join('\n'))
    assert.equal(blobPaths[0], '.trail/format.yaml')
    assert.ok(
      blobPaths.slice(1).every((path) => path.includes(`/${mine}/`)),
      `only the agent's trajectory and its two decisions are read:\n${blobPaths.join('\n')}`,
    )
    assert.equal(eventFiles(blobPaths).length, 2)
    // The markers of every agent are listed (for "Other agents working"); of the trajectories, only the agent's events.
    assert.deepEqual(treePaths.filter((path) => path.startsWith('.trail/active')).sort(), ['.trail/active', '.trail/active/me', '.trail/active/other'])
    assert.deepEqual(
      treePaths.filter((path) => !path.startsWith('.trail/active')).map((path) => path.split('/').slice(-2).join('/')),
      [`${mine}/events`],
    )
    // One `git cat-file` at most: the objects the last writes carried (src/git/carried-objects.ts) may answer all.
    assert.ok(['', 'cat-file'].includes(result.trace.processes.join(' ')), result.trace.processes.join(' '))
  })

  it('lists the decisions in order with their reasoning and confidence', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Implement user authentication', '--task', 'T-1'])
    await ok(repo.dir, ['trail', 'decision', 'Chose JWT over sessions', '--reasoning', 'Stateless scaling'])
    await ok(repo.dir, ['trail', 'decision', 'Bcrypt', '--confidence', '0.4'])
    const text = await ok(repo.dir, ['trail', 'status'])
    assert.match(
      text,
      /^Agent default: active traj_\w+\n  Implement user authentication\n  started \S+, task T-1, branch main\n  decisions \(2\):\n    1\. Chose JWT over sessions: Stateless scaling\n    2\. Bcrypt: \(no reasoning recorded\) \[confidence 0.4 \(needs review\)\]\n$/,
    )
  })
})

describe('trail list', () => {
  it('lists newest first, filters by status, agent and date, and pages without a silent cap', async () => {
    const repo = newRepo()
    for (let i = 1; i <= 5; i++) {
      await ok(repo.dir, ['trail', 'start', `Task ${i}`, '--agent', i % 2 === 0 ? 'even' : 'odd'])
      if (i < 5)
        await ok(repo.dir, ['trail', i === 3 ? 'abandon' : 'complete', ...(i === 3 ? [] : ['--summary', 'done']), '--agent', i % 2 === 0 ? 'even' : 'odd'])
    }
    const all = await json<{total: number; trajectories: TrajectoryJson[]}>(repo.dir, ['trail', 'list'])
    assert.equal(all.total, 5)
    assert.deepEqual(
      all.trajectories.map((t) => t.title),
      ['Task 5', 'Task 4', 'Task 3', 'Task 2', 'Task 1'],
    )
    const titles = async (...flags: string[]) =>
      (await json<{trajectories: TrajectoryJson[]}>(repo.dir, ['trail', 'list', ...flags])).trajectories.map((t) => t.title)
    assert.deepEqual(await titles('--status', 'completed'), ['Task 4', 'Task 2', 'Task 1'])
    assert.deepEqual(await titles('--status', 'abandoned'), ['Task 3'])
    assert.deepEqual(await titles('--status', 'active'), ['Task 5'])
    assert.deepEqual(await titles('--agent', 'even'), ['Task 4', 'Task 2'])
    assert.deepEqual(await titles('--agent', 'odd', '--status', 'completed'), ['Task 1'])
    assert.deepEqual(await titles('--since', '1h'), ['Task 5', 'Task 4', 'Task 3', 'Task 2', 'Task 1'])
    assert.deepEqual(await titles('--since', '2099-01-01'), [])

    const page1 = await runCli(repo.dir, ['trail', 'list', '--limit', '2'])
    assert.equal(page1.stdout.split('\n').filter(Boolean).length, 2)
    assert.equal(page1.stderr, 'showing 1-2 of 5 trajectories; next page: trail list --limit 2 --page 2\n')
    const page3 = await runCli(repo.dir, ['trail', 'list', '--limit', '2', '--page', '3'])
    assert.match(page3.stdout, /\tTask 1\n$/)
    assert.equal(page3.stderr, 'showing 5-5 of 5 trajectories\n')
    const whole = await runCli(repo.dir, ['trail', 'list'])
    assert.equal(whole.stderr, '')
  })

  it('prints tab-separated fields into a pipe', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Piped'])
    const [line] = (await ok(repo.dir, ['trail', 'list'])).split('\n')
    const fields = line!.split('\t')
    assert.equal(fields.length, 6)
    assert.match(fields[0]!, /^traj_/)
    assert.deepEqual(fields.slice(1, 3), ['active', 'default'])
    assert.equal(fields[4], '-')
    assert.equal(fields[5], 'Piped')
  })

  it('refuses bad filters', async () => {
    const repo = newRepo()
    const results = await Promise.all([
      runCli(repo.dir, ['trail', 'list', '--status', 'done']),
      runCli(repo.dir, ['trail', 'list', '--limit', '0']),
      runCli(repo.dir, ['trail', 'list', '--since', 'someday']),
    ])
    for (const result of results) {
      assert.equal(result.code, 2)
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 2, result.stderr)
    }
    assert.match(results[0]!.stderr, /^error: expected --status=done to be one of: active, completed, abandoned/)
  })
})

describe('trail show and export', () => {
  it('shows a trajectory by id or unique prefix, and says when none or several match', async () => {
    const repo = newRepo()
    const id = (await ok(repo.dir, ['trail', 'start', 'Shown', '-q'])).trim()
    await ok(repo.dir, ['trail', 'decision', 'A choice', '--reasoning', 'A reason'])
    for (const name of [id, id.slice(0, 14), id.slice(5, 20)]) {
      const shown = await json<TrajectoryJson>(repo.dir, ['trail', 'show', name])
      assert.equal(shown.id, id)
      assert.equal(shown.decisions[0]?.reasoning, 'A reason')
    }
    const text = await ok(repo.dir, ['trail', 'show', id])
    assert.match(text, new RegExp(`^${id}  active\nShown\n\nagent      default\n`))
    assert.match(text, /Decisions \(1\)\n1\. A choice  \S+\n   A reason\n/)
    const missing = await runCli(repo.dir, ['trail', 'show', 'traj_00000000000000000000000000'])
    assert.equal(missing.code, 3)
    assert.match(missing.stderr, /^error: no trajectory matches 'traj_00000000000000000000000000'\nhint: list trajectories with: trail list\n$/)
    const invalid = await runCli(repo.dir, ['trail', 'show', 'not-an-id!'])
    assert.equal(invalid.code, 2)
    await ok(repo.dir, ['trail', 'abandon'])
    await ok(repo.dir, ['trail', 'start', 'Shown twice'])
    const ambiguous = await runCli(repo.dir, ['trail', 'show', 'traj_'.concat(id.slice(5, 6))])
    assert.equal(ambiguous.code, 2)
    assert.match(ambiguous.stderr, /matches 2 trajectories/)
  })

  it('exports Markdown, JSON, HTML and a timeline, to stdout or a file', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Export <me> & *you*'])
    await ok(repo.dir, ['trail', 'decision', 'Chose <b>bold</b>', '--reasoning', 'Because | pipes'])
    await ok(repo.dir, ['trail', 'complete', '--summary', 'Done', '--confidence', '0.9'])
    const md = await ok(repo.dir, ['trail', 'export'])
    assert.match(md, /^# Export \\<me\\> & \\\*you\\\*\n\n- \*\*ID:\*\* `traj_\w+`\n- \*\*Status:\*\* completed\n/)
    assert.match(md, /## Decisions\n\n### 1\. Chose \\<b\\>bold\\<\/b\\>\n\nBecause \| pipes\n/)
    const exported = JSON.parse(await ok(repo.dir, ['trail', 'export', '--format', 'json'])) as TrajectoryJson
    assert.equal(exported.title, 'Export <me> & *you*')
    assert.equal(exported.decisions[0]?.title, 'Chose <b>bold</b>')
    const html = await ok(repo.dir, ['trail', 'export', '--format', 'html'])
    assert.match(html, /^<!doctype html>/)
    assert.match(html, /<h1>Export &#60;me&#62; &#38; \*you\*<\/h1>/)
    assert.doesNotMatch(html, /<b>bold/)
    const timeline = await ok(repo.dir, ['trail', 'export', '--format', 'timeline'])
    const lines = timeline.trim().split('\n')
    assert.equal(lines.length, 3)
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  started    Export <me> & \*you\* \(agent default\)$/)
    assert.match(lines[2]!, /completed  Done \[confidence 0.9 \(high\)\]$/)

    const out = makeTempDir('export')
    try {
      const file = join(out, 'trajectory.html')
      const result = await runCli(repo.dir, ['trail', 'export', '--format', 'html', '--output', file])
      assert.equal(result.stdout, '')
      assert.equal(result.stderr, `wrote ${file}\n`)
      assert.equal(readFileSync(file, 'utf8'), html)
    } finally {
      rmSync(out, {recursive: true, force: true})
    }
  })

  it("exports the agent's latest trajectory when none is active, and says when it has none", async () => {
    const repo = newRepo()
    const none = await runCli(repo.dir, ['trail', 'export'])
    assert.equal(none.code, 3, 'nothing to export is "no such record", as for trail show')
    assert.match(none.stderr, /agent 'default' has no trajectory to export/)
    await ok(repo.dir, ['trail', 'start', 'Old'])
    await ok(repo.dir, ['trail', 'complete', '--summary', 'x'])
    await ok(repo.dir, ['trail', 'start', 'Newer'])
    await ok(repo.dir, ['trail', 'complete', '--summary', 'y'])
    assert.match(await ok(repo.dir, ['trail', 'export']), /^# Newer\n/)
  })
})

describe('the store', () => {
  it("commits every record on refs/trail/records with the user's identity, and mirrors it, excluded from status", async () => {
    const repo = newRepo()
    const before = repo.userState()
    const id = (await ok(repo.dir, ['trail', 'start', 'Mirrored', '-q'])).trim()
    await ok(repo.dir, ['trail', 'decision', 'D'])
    repo.assertUserStateUnchanged(before)
    const log = repo.git(['log', '--format=%an <%ae>|%s', 'refs/trail/records']).trim().split('\n')
    assert.deepEqual(
      log.map((line) => line.split('|')[0]),
      ['Test User <test@example.com>', 'Test User <test@example.com>'],
    )
    assert.match(log[1]!, new RegExp(`\\|trail: start ${id} "Mirrored"$`))
    assert.match(repo.git(['log', '-1', '--format=%B', 'refs/trail/records']), /Trail-Record: ev_\w+\nTrail-Agent: default\nTrail-Trajectory: traj_/)
    const files = repo.git(['ls-tree', '-r', '--name-only', 'refs/trail/records']).trim().split('\n')
    for (const file of files) assert.equal(repo.read(file), repo.git(['show', `refs/trail/records:${file}`]), file)
    assert.match(repo.read('.git/info/exclude'), /^\/\.trail\/$/m)
    assert.equal(repo.git(['status', '--porcelain', '--', '.trail', '.relay']), '')
    repo.git(['fsck', '--no-dangling', '--no-progress', 'refs/trail/records'])
  })

  it('rebuilds a deleted mirror on the next write, and doctor finds and fixes an edited one', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Mirror'])
    rmSync(join(repo.dir, '.trail'), {recursive: true})
    await ok(repo.dir, ['trail', 'decision', 'After the delete'])
    assert.ok(existsSync(join(repo.dir, '.trail', 'format.yaml')))
    const files = repo.git(['ls-tree', '-r', '--name-only', 'refs/trail/records']).trim().split('\n')
    for (const file of files) assert.ok(existsSync(join(repo.dir, file)), file)

    const record = files.find((file) => file.endsWith('trajectory.md'))!
    repo.write(record, 'edited by hand\n')
    rmSync(join(repo.dir, files.find((file) => file.includes('/events/'))!))
    repo.write('.trail/stray.md', 'not on the ref\n')
    const doctor = await runCli(repo.dir, ['trail', 'doctor'])
    assert.equal(doctor.code, 1)
    assert.match(doctor.stdout, /FAIL  mirror     2 mirrored files differ from the ref or are missing/)
    assert.match(doctor.stdout, /fix: trail doctor --fix/)
    assert.match(doctor.stdout, /warn  extra      1 files in the mirror folders are not on the ref, and are left alone \(\.trail\/stray\.md\)/)
    const fixed = await json<{healthy: boolean; checks: {name: string; status: string}[]}>(repo.dir, ['trail', 'doctor', '--fix'])
    assert.equal(fixed.healthy, true)
    assert.equal(fixed.checks.find((check) => check.name === 'mirror')?.status, 'fixed')
    assert.equal(repo.read(record), repo.git(['show', `refs/trail/records:${record}`]))
    assert.equal(repo.read('.trail/stray.md'), 'not on the ref\n', "a file the ref does not have may be the user's: it is left alone")
    const again = await runCli(repo.dir, ['trail', 'doctor'])
    assert.equal(again.code, 0, again.stdout)
    assert.match(again.stdout, /No problems found\.\n$/)
  })

  it("catches a worktree's mirror up by a diff: it reads only the record another worktree wrote", async () => {
    const main = newRepo()
    await busyStore(main)
    const worktree = `${main.dir}-wt`
    main.git(['worktree', 'add', '--quiet', '--detach', worktree])
    try {
      const built = await runTraced(worktree, ['trail', 'init'])
      const everything = main.git(['ls-tree', '-r', '--name-only', 'refs/trail/records']).trim().split('\n')
      const byOid = (paths: {path: string}[]) => paths.filter((read) => read.path === '')
      // A whole mirror is built by git's checkout (src/git/private-checkout.ts): every file is there.
      assert.ok(built.trace.processes.includes('checkout-index'), `git's checkout builds the mirror: ${built.trace.processes.join(' ')}`)
      for (const path of everything) assert.equal(readFileSync(join(worktree, path), 'utf8'), main.git(['show', `refs/trail/records:${path}`]), path)
      await ok(main.dir, ['trail', 'decision', 'Written in the main worktree', '--agent', 'me'])
      const caughtUp = await runTraced(worktree, ['trail', 'list', '--status', 'active'])
      assert.equal(caughtUp.code, 0, caughtUp.stderr)
      assert.equal(byOid(caughtUp.trace.reads.filter((read) => read.type === 'blob')).length, 1, 'catching up reads the one new file')
      assert.deepEqual(
        caughtUp.trace.processes.filter((name) => name !== 'cat-file'),
        ['diff-tree'],
      )
      const added = main.git(['diff-tree', '-r', '--name-only', '--no-commit-id', 'refs/trail/records~1', 'refs/trail/records']).trim()
      assert.equal(readFileSync(join(worktree, added), 'utf8'), main.git(['show', `refs/trail/records:${added}`]))
    } finally {
      rmSync(worktree, {recursive: true, force: true})
    }
  })

  it("never removes or changes the user's own files in .trail/ and .relay/", async () => {
    const repo = newRepo()
    repo.write('.relay/notes.md', 'my notes\n')
    repo.write('.trail/todo.txt', 'mine\n')
    await ok(repo.dir, ['trail', 'start', 'Beside user files'])
    await ok(repo.dir, ['trail', 'decision', 'One'])
    await ok(repo.dir, ['trail', 'abandon'])
    rmSync(join(repo.dir, '.git', 'trail', 'mirror.json'))
    await ok(repo.dir, ['trail', 'start', 'After the state was lost'])
    await ok(repo.dir, ['trail', 'doctor', '--fix'])
    assert.equal(repo.read('.relay/notes.md'), 'my notes\n')
    assert.equal(repo.read('.trail/todo.txt'), 'mine\n')
  })

  it("stops mirroring while the user's branch tracks files in .trail/, and starts again when it does not", async () => {
    const repo = newRepo({dirty: false})
    repo.write('.trail/tracked.md', 'tracked by the branch\n')
    repo.git(['add', '-f', '.trail/tracked.md'])
    repo.git(['commit', '--quiet', '-m', 'track a file in .trail'])
    const before = repo.userState()
    await ok(repo.dir, ['trail', 'start', 'Tracked folder'])
    repo.assertUserStateUnchanged(before)
    assert.ok(!existsSync(join(repo.dir, '.trail', 'format.yaml')), 'nothing written beside tracked files')
    assert.match(
      await ok(repo.dir, ['trail', 'doctor']),
      /warn  mirror     the mirror is off in this worktree: files under \.trail or \.relay are tracked by your branch/,
    )
    repo.git(['rm', '--quiet', '-r', '--cached', '.trail'])
    repo.git(['commit', '--quiet', '-m', 'untrack'])
    await ok(repo.dir, ['trail', 'decision', 'Mirrored again'])
    assert.ok(existsSync(join(repo.dir, '.trail', 'format.yaml')))
  })

  it('commits the record even when the mirror cannot be written, and says so', async () => {
    const repo = newRepo()
    repo.write('.trail', 'a file where the mirror folder would be\n')
    const started = await runCli(repo.dir, ['trail', 'start', 'Mirror blocked'])
    assert.equal(started.code, 0, started.stderr)
    assert.match(started.stderr, /^warning: the record is committed, but tidying up after it failed: .*\(trail doctor checks the store\)\n$/)
    const decided = await runCli(repo.dir, ['trail', 'decision', 'Still recorded'])
    assert.equal(decided.code, 0)
    assert.equal(repo.git(['rev-list', '--count', 'refs/trail/records']).trim(), '2')
  })

  it('works in a repository with no commits, from a subdirectory, on a detached HEAD and in a linked worktree', async () => {
    const empty = newRepo({empty: true})
    const stateOfEmpty = empty.userState()
    await ok(empty.dir, ['trail', 'start', 'Before the first commit'])
    empty.assertUserStateUnchanged(stateOfEmpty)
    assert.equal(empty.gitOrEmpty(['rev-parse', '--verify', '--quiet', 'HEAD']), '')

    const repo = newRepo()
    repo.write('deep/er/file.txt', 'x\n')
    const sub = join(repo.dir, 'deep', 'er')
    await ok(sub, ['trail', 'start', 'From below'])
    assert.ok(existsSync(join(repo.dir, '.trail', 'format.yaml')), 'the mirror is at the top of the work tree')
    assert.ok(!existsSync(join(sub, '.trail')))

    const detached = newRepo({dirty: false})
    detached.git(['checkout', '--quiet', '--detach', 'HEAD'])
    const started = await json<TrajectoryJson>(detached.dir, ['trail', 'start', 'Detached'])
    assert.equal(started.branch, null)

    const main = newRepo()
    const worktree = `${main.dir}-wt`
    main.git(['worktree', 'add', '--quiet', '-b', 'feature', worktree])
    try {
      await ok(main.dir, ['trail', 'start', 'In main', '--agent', 'one'])
      await ok(worktree, ['trail', 'start', 'In worktree', '--agent', 'two'])
      await ok(worktree, ['trail', 'decision', 'Seen from both', '--agent', 'one'])
      const one = await json<{active: TrajectoryJson}>(main.dir, ['trail', 'status', '--agent', 'one'])
      assert.deepEqual(
        one.active.decisions.map((d) => d.title),
        ['Seen from both'],
      )
      const two = await json<{active: TrajectoryJson}>(main.dir, ['trail', 'status', '--agent', 'two'])
      assert.equal(two.active.branch, 'feature')
      assert.ok(existsSync(join(worktree, '.trail', 'format.yaml')))
      assert.equal(main.git(['status', '--porcelain', '--', '.trail'], {cwd: worktree}), '')
    } finally {
      rmSync(worktree, {recursive: true, force: true})
    }
  })

  it('works in a SHA-256 repository and in a shared (group) repository', async () => {
    for (const init of [['--object-format=sha256'], ['--shared=group']]) {
      const repo = newRepo({init})
      const before = repo.userState()
      const id = (await ok(repo.dir, ['trail', 'start', 'Format', '-q'])).trim()
      await ok(repo.dir, ['trail', 'decision', 'Works', '--reasoning', init[0]!])
      assert.equal((await json<TrajectoryJson>(repo.dir, ['trail', 'show', id])).decisions[0]?.reasoning, init[0])
      assert.equal(repo.git(['rev-parse', 'refs/trail/records']).trim().length, init[0] === '--object-format=sha256' ? 64 : 40)
      repo.git(['fsck', '--no-dangling', '--no-progress', 'refs/trail/records'])
      const doctor = await runCli(repo.dir, ['trail', 'doctor'])
      assert.equal(doctor.code, 0, doctor.stdout)
      repo.assertUserStateUnchanged(before)
    }
  })

  it('writes to the ref of a bare repository, without a mirror', async () => {
    const source = newRepo({dirty: false})
    const bare = `${source.dir}.git`
    source.git(['clone', '--quiet', '--bare', source.dir, bare])
    try {
      await ok(bare, ['trail', 'start', 'In a bare repository'])
      assert.match(await ok(bare, ['trail', 'status']), /In a bare repository/)
      assert.ok(!existsSync(join(bare, '.trail')))
    } finally {
      rmSync(bare, {recursive: true, force: true})
    }
  })

  it('refuses a broken .git file and a GIT_DIR that names another repository', async () => {
    const outer = newRepo()
    outer.write('inner/.git', 'gitdir: /nonexistent/x\n')
    const broken = await runCli(join(outer.dir, 'inner'), ['trail', 'status'])
    assert.equal(broken.code, 5)
    assert.match(broken.stderr, /^error: \S+inner\/\.git does not point to a git directory \(\/nonexistent\/x\)\n/)
    const other = newRepo()
    const elsewhere = await runCli(outer.dir, ['trail', 'status'], {env: {GIT_DIR: join(other.dir, '.git')}})
    assert.equal(elsewhere.code, 5)
    assert.match(elsewhere.stderr, /^error: GIT_DIR names .*, which is not the repository of this folder/)
    assert.equal((await runCli(outer.dir, ['trail', 'status'], {env: {GIT_DIR: '.git'}})).code, 0, 'a GIT_DIR naming this repository, as in a git hook')
  })

  it('reports a ref that cannot be written as the failure it is, not as a lost race', async () => {
    const repo = newRepo()
    repo.git(['update-ref', 'refs/trail/records/blocking', 'HEAD'])
    const result = await runCli(repo.dir, ['trail', 'start', 'Blocked'])
    assert.equal(result.code, 1)
    // The commit is made in the process; git, asked to move the ref, says why it cannot.
    assert.match(result.stderr, /^error: git (fast-import|update-ref) failed: .*refs\/trail\/records/)
  })

  it('keeps an agent whose name looks like a token, and redacts a token in a title from the commit message', async () => {
    const repo = newRepo()
    const agent = `ghp_${'a'.repeat(36)}`
    await ok(repo.dir, ['trail', 'start', `line one\nghp_${'b'.repeat(36)}`, '--agent', agent])
    const status = await json<{active: TrajectoryJson}>(repo.dir, ['trail', 'status', '--agent', agent])
    assert.equal(status.active.agent, agent)
    assert.equal(status.active.title, 'line one\n[REDACTED:github-token]')
    assert.doesNotMatch(repo.git(['log', '--format=%B', 'refs/trail/records']), /bbbbbbbbbb/)
  })

  it('lists past a record it cannot read, with a warning', async () => {
    const repo = newRepo()
    const id = (await ok(repo.dir, ['trail', 'start', 'Readable', '-q'])).trim()
    await ok(repo.dir, ['trail', 'complete', '--summary', 'ok'])
    await ok(repo.dir, ['trail', 'start', 'Broken later'])
    const path = repo
      .git(['ls-tree', '-r', '--name-only', 'refs/trail/records'])
      .split('\n')
      .find((file) => file.endsWith('trajectory.md') && !file.includes(id))!
    const blob = repo
      .git(['hash-object', '-w', '--stdin'], {input: '---\nid: x\ntitle: t\nstatus: active\nagent: ../bad\nstarted: "2026-01-01T00:00:00Z"\n---\n'})
      .trim()
    const tree = repo
      .git(['ls-tree', '-r', 'refs/trail/records'])
      .split('\n')
      .filter(Boolean)
      .map((line) => (line.endsWith(`\t${path}`) ? line.replace(/ [0-9a-f]{40}\t/, ` ${blob}\t`) : line))
    const index = join(repo.dir, '.git', 'scratch-index')
    execFileSync('git', ['update-index', '--index-info'], {cwd: repo.dir, input: `${tree.join('\n')}\n`, env: testEnv({GIT_INDEX_FILE: index})})
    const root = execFileSync('git', ['write-tree'], {cwd: repo.dir, env: testEnv({GIT_INDEX_FILE: index}), encoding: 'utf8'}).trim()
    rmSync(index)
    const commit = repo.git(['commit-tree', root, '-p', 'refs/trail/records', '-m', 'break a record']).trim()
    repo.git(['update-ref', 'refs/trail/records', commit])
    const listed = await runCli(repo.dir, ['trail', 'list'])
    assert.equal(listed.code, 0)
    assert.match(listed.stdout, /\tReadable\n$/)
    assert.match(listed.stderr, /^warning: cannot read record \S+trajectory\.md: field 'agent' is not a valid name: .*; left out of the list/)
  })

  it('falls back to a clear identity when git has none, and never fails the write', async () => {
    const repo = newRepo()
    const env = {GIT_CONFIG_GLOBAL: '/dev/null', EMAIL: undefined, GIT_AUTHOR_EMAIL: undefined, GIT_COMMITTER_EMAIL: undefined}
    await ok(repo.dir, ['trail', 'start', 'Anonymous'], {env})
    assert.equal(repo.git(['log', '-1', '--format=%an <%ae>', 'refs/trail/records']).trim(), 'relay-trail <relay-trail@localhost>')
    assert.match(await ok(repo.dir, ['trail', 'init'], {env}), /git has no identity here; records are committed as relay-trail <relay-trail@localhost>/)
  })

  it("uses a changed identity on the next write (the cached settings follow git's configuration)", async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Who'])
    repo.git(['config', 'user.name', 'Renamed Person'])
    repo.git(['config', 'user.email', 'renamed@example.com'])
    await ok(repo.dir, ['trail', 'decision', 'After the rename'])
    assert.equal(
      repo.git(['log', '-1', '--format=%an <%ae>|%cn <%ce>', 'refs/trail/records']).trim(),
      'Renamed Person <renamed@example.com>|Renamed Person <renamed@example.com>',
    )
    await ok(repo.dir, ['trail', 'decision', 'With an override'], {env: {GIT_AUTHOR_NAME: 'Override', GIT_AUTHOR_EMAIL: 'override@example.com'}})
    assert.equal(repo.git(['log', '-1', '--format=%an <%ae>|%cn', 'refs/trail/records']).trim(), 'Override <override@example.com>|Renamed Person')
  })

  it('uses an identity changed in place, same size and same time, on the next write', async () => {
    const repo = newRepo()
    repo.git(['config', 'user.name', 'First Person'])
    await ok(repo.dir, ['trail', 'start', 'Who'])
    // An edit that changes no stat a cache could compare: the same size, in the same file, its times put back (as
    // an editor can within a file system's one-second time granularity).
    const config = join(repo.dir, '.git', 'config')
    const times = join(repo.dir, '.git', 'times')
    execFileSync('touch', ['-r', config, times]) // the times to the nanosecond
    const {ino, mtimeNs} = statSync(config, {bigint: true})
    writeFileSync(config, readFileSync(config, 'utf8').replace('First Person', 'Other Person'))
    execFileSync('touch', ['-r', times, config])
    assert.deepEqual([statSync(config, {bigint: true}).ino, statSync(config, {bigint: true}).mtimeNs], [ino, mtimeNs])
    await ok(repo.dir, ['trail', 'decision', 'After the edit'])
    assert.equal(repo.git(['log', '-1', '--format=%an', 'refs/trail/records']).trim(), 'Other Person')
  })

  it('trail init sets up the store once, and says so', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const first = await json<{created: boolean; ref: string; mirror: string}>(repo.dir, ['trail', 'init'])
    assert.equal(first.created, true)
    assert.equal(first.ref, 'refs/trail/records')
    assert.equal(first.mirror, repo.dir)
    assert.match(await ok(repo.dir, ['trail', 'init']), /^The record store at refs\/trail\/records is already set up/)
    assert.equal(repo.git(['rev-list', '--count', 'refs/trail/records']).trim(), '1')
    assert.equal(repo.read('.trail/format.yaml'), 'format: 1\n')
    repo.assertUserStateUnchanged(before)
  })

  it('refuses a store written in a newer format', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init'])
    const blob = repo.git(['hash-object', '-w', '--stdin'], {input: 'format: 2\n'}).trim()
    const tree = repo.git(['mktree'], {input: `100644 blob ${blob}\tformat.yaml\n`}).trim()
    const root = repo.git(['mktree'], {input: `040000 tree ${tree}\t.trail\n`}).trim()
    const commit = repo.git(['commit-tree', root, '-p', 'refs/trail/records', '-m', 'future'], {}).trim()
    repo.git(['update-ref', 'refs/trail/records', commit])
    const result = await runCli(repo.dir, ['trail', 'status'])
    assert.equal(result.code, 5)
    assert.equal(
      result.stderr,
      'error: this store has format 2; this version of relay-trail reads format 1\nhint: install the newest relay-trail: npm install -g relay-trail@latest\n',
    )
  })
})

describe('errors', () => {
  it('outside a repository: one line, a hint, exit 5, no stack', async () => {
    const dir = makeTempDir('norepo')
    try {
      const result = await runCli(dir, ['trail', 'status'], {env: {GIT_CEILING_DIRECTORIES: dirname(dir)}})
      assert.equal(result.code, 5)
      assert.equal(
        result.stderr,
        'error: not a git repository (or any of its parent directories)\nhint: run this inside a git repository, or create one with: git init\n',
      )
      const asJson = await runCli(dir, ['trail', 'list', '--json'], {env: {GIT_CEILING_DIRECTORIES: dirname(dir)}})
      assert.deepEqual(JSON.parse(asJson.stdout), {
        error: {
          code: 'E_NOT_A_REPO',
          message: 'not a git repository (or any of its parent directories)',
          hint: 'run this inside a git repository, or create one with: git init',
          exitCode: 5,
        },
      })
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('unknown flags and missing arguments are usage errors on both paths (fast and oclif)', async () => {
    const repo = newRepo()
    const cases: [string[], RegExp][] = [
      [['trail', 'start'], /^error: missing required argument <title>\nhint: see: trail start --help\n$/],
      [['trail', 'start', 'x', '--bogus'], /^error: unknown flag --bogus\nhint: see: trail start --help\n$/],
      [['trail', 'decision', 'x', '--reasoning'], /^error: flag --reasoning expects a value\nhint: see: trail decision --help\n$/],
      [['trail', 'start', 'a', 'b'], /^error: unexpected argument: b\nhint: see: trail start --help \(quote a value that contains spaces\)\n$/],
      [['trail', 'list', '--bogus'], /^error: unknown flag --bogus\nhint: see: trail list --help\n$/],
      [['trail', 'show'], /^error: missing required argument <id>\nhint: see: trail show --help\n$/],
      [['trail', 'frobnicate'], /^error: unknown command 'frobnicate'\nhint: trail --help lists every command\n$/],
    ]
    for (const [argv, expected] of cases) {
      const result = await runCli(repo.dir, argv as ['trail', ...string[]])
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, expected, argv.join(' '))
    }
  })

  it('shows a stack only with DEBUG', async () => {
    const repo = newRepo()
    const plain = await runCli(repo.dir, ['trail', 'decision', 'x'])
    assert.doesNotMatch(plain.stderr, /\n\s+at /)
    const debug = await runCli(repo.dir, ['trail', 'decision', 'x'], {env: {DEBUG: '1'}})
    assert.match(debug.stderr, /\n\s+at /)
  })

  it('gives --help for every command', async () => {
    const repo = newRepo()
    for (const command of ['start', 'decision', 'complete', 'abandon', 'status', 'list', 'show', 'export', 'init', 'doctor']) {
      const help = await ok(repo.dir, ['trail', command, '--help'])
      assert.match(help, new RegExp(`USAGE\\n  \\$ trail ${command}`), command)
    }
    assert.match(await ok(repo.dir, ['trail', '--help']), /COMMANDS\n  abandon /)
    assert.match(await ok(repo.dir, ['trail', '--version']), /^trail\/\d+\.\d+\.\d+ /)
  })
})

describe('trail doctor', () => {
  it('checks every record on the ref, of every kind, against the registry: one that does not parse, one whose content contradicts its path, a link, a file of no kind', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Doctor'])
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: check'])
    await ok(repo.dir, ['relay', 'send', 'bob', 'hello'])
    const healthy = await runCli(repo.dir, ['trail', 'doctor'])
    assert.equal(healthy.code, 0, healthy.stdout)
    assert.match(healthy.stdout, /records +all \d+ records parse and agree with their paths/)
    const message = repo.git(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', '.relay/messages']).trim()
    commitOnRef(repo, 'refs/trail/records', [
      {path: message, content: '---\nid: not-an-id\n---\n'},
      {path: '.relay/ledger/mallory.md', content: repo.git(['show', 'refs/trail/records:.relay/ledger/default.md'])},
      {path: '.relay/ledger/handoffs/link.md', content: '/etc/passwd', mode: '120000'},
      {path: '.relay/notes.txt', content: 'what is this?'},
    ])
    const report = await runCli(repo.dir, ['trail', 'doctor', '--json'])
    assert.equal(report.code, 1)
    const checks = (JSON.parse(report.stdout) as {checks: {name: string; status: string; message: string}[]}).checks
    const records = checks.find((check) => check.name === 'records')!
    assert.equal(records.status, 'problem')
    assert.match(records.message, /^3 of \d+ records cannot be read/)
    assert.match(records.message, /messages\/.*field 'from' is missing|messages\/.*missing/)
    assert.match(records.message, /mallory\.md: its agent is 'default', but its path says 'mallory'/)
    assert.match(records.message, /link\.md: a symbolic link where a record file belongs/)
    assert.match(
      checks.find((check) => check.name === 'layout')!.message,
      /1 files on the ref are not records of any kind this version knows \(\.relay\/notes\.txt\)/,
    )
  })

  it('finds locks and crash reports left by killed processes, and --fix removes them', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Doctor'])
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    repo.write('.git/trail/write.lock', `${dead} ${hostname()} 2026-01-01T00:00:00.000Z\n`)
    repo.write('.git/refs/trail/records.lock', '')
    const old = new Date(Date.now() - 5 * 60_000)
    utimesSync(join(repo.dir, '.git/refs/trail/records.lock'), old, old)
    repo.write('.git/fast_import_crash_12345', 'report\n')

    // (A write finding the ref lock recovers it by itself, or fails at once with the fix: test/store/locks.test.ts.)
    const report = await runCli(repo.dir, ['trail', 'doctor'])
    assert.equal(report.code, 1)
    assert.match(
      report.stdout,
      /FAIL  ref-lock   \S+records\.lock is \d+ s old: a killed git process left it, and it blocks every write\n        fix: trail doctor --fix/,
    )
    assert.match(report.stdout, /warn  leftovers  1 fast-import crash reports/)
    const fixed = await json<{healthy: boolean; checks: {name: string; status: string}[]}>(repo.dir, ['trail', 'doctor', '--fix'])
    assert.equal(fixed.healthy, true)
    assert.deepEqual(
      fixed.checks
        .filter((check) => check.status === 'fixed')
        .map((check) => check.name)
        .sort(),
      ['leftovers', 'lock', 'ref-lock'],
    )
    await ok(repo.dir, ['trail', 'decision', 'Unblocked'])
    assert.ok(!existsSync(join(repo.dir, '.git/trail/write.lock')), 'the stale writer lock was removed')
  })
})
