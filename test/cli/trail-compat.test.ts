import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, describe, it} from 'node:test'
import {json, ok, runCli, type CliOptions} from '../helpers/cli.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {firstDifference, incumbent} from '../compat/incumbent.js'

// The compatibility table of the README, one test per row: what an agent taught agent-trajectories' `trail`
// (0.6.1), or agent-relay calling it, types, and what relay-trail does with it. Each row either works with the
// same meaning or is refused with one line naming what to use instead.

const makeRepo = useRepos()
type Trail = (args: string[], options?: CliOptions) => Promise<string>

/** A repository (dirty) and a way to run `trail` in it that proves the user's state is untouched. */
function setUp(): {repo: TestRepo; trail: Trail; check: () => void} {
  const repo = makeRepo({dirty: true})
  const before = repo.userState()
  return {repo, trail: (args, options) => ok(repo.dir, ['trail', ...args], options), check: () => repo.assertUserStateUnchanged(before)}
}

async function refused(repo: TestRepo, args: string[], message: RegExp, hint: RegExp): Promise<void> {
  const result = await runCli(repo.dir, ['trail', ...args])
  assert.equal(result.code, 2, result.stderr)
  const [first, second, ...rest] = result.stderr.split('\n')
  assert.match(first!, message)
  assert.match(second!, hint)
  assert.deepEqual(rest, [''], 'one line and a hint, no stack trace')
}

describe('the agent-trajectories CLI surface, row by row', () => {
  it('trail --version, -V: prints the version', async () => {
    const {repo, trail} = setUp()
    for (const flag of ['--version', '-V']) assert.match(await trail([flag]), /^trail\/\d+\.\d+\.\d+ /)
    assert.equal((await runCli(repo.dir, ['trail', '--version'])).code, 0)
  })

  it('trail -h, help, help <command>, <command> -h: print help', async () => {
    const {trail} = setUp()
    assert.match(await trail(['-h']), /USAGE/)
    assert.match(await trail(['help']), /USAGE/)
    assert.match(await trail(['help', 'start']), /Start a trajectory[\s\S]*USAGE\n {2}\$ trail start/)
    assert.match(await trail(['decision', '-h']), /USAGE\n {2}\$ trail decision/)
  })

  it('trail start <title> -t <id> -s <system> --url <url>: the task, its system and link', async () => {
    const {repo, check} = setUp()
    const t = await json(repo.dir, ['trail', 'start', 'Fix login', '-t', 'ENG-1', '-s', 'linear', '--url', 'https://linear.app/x/ENG-1'])
    assert.deepEqual([t.task, t.source, t.url], ['ENG-1', 'linear', 'https://linear.app/x/ENG-1'])
    check()
  })

  it('trail start --task-id <id> (agent-relay): the same as --task', async () => {
    const {repo, check} = setUp()
    const t = await json(repo.dir, ['trail', 'start', 'Fix login', '--task-id', 'agent-relay-123', '--source', 'github'])
    assert.deepEqual([t.task, t.source], ['agent-relay-123', 'github'])
    check()
  })

  it('trail start -a <name>, $TRAJECTORIES_AGENT: the agent', async () => {
    const {repo, check} = setUp()
    assert.equal((await json(repo.dir, ['trail', 'start', 'One', '-a', 'claude'])).agent, 'claude')
    assert.equal((await json(repo.dir, ['trail', 'start', 'Two'], {env: {TRAJECTORIES_AGENT: 'codex'}})).agent, 'codex')
    check()
  })

  it('trail start -p <id>, $TRAJECTORIES_PROJECT: the project', async () => {
    const {repo, check} = setUp()
    assert.equal((await json(repo.dir, ['trail', 'start', 'One', '-p', 'org/app', '--agent', 'a'])).project, 'org/app')
    assert.equal((await json(repo.dir, ['trail', 'start', 'Two', '--agent', 'b'], {env: {TRAJECTORIES_PROJECT: 'org/other'}})).project, 'org/other')
    check()
  })

  it('trail start -w <id>, $TRAJECTORIES_WORKFLOW_ID: the workflow run', async () => {
    const {repo, check} = setUp()
    assert.equal((await json(repo.dir, ['trail', 'start', 'One', '-w', 'run-7', '--agent', 'a'])).workflow, 'run-7')
    assert.equal((await json(repo.dir, ['trail', 'start', 'Two', '--agent', 'b'], {env: {TRAJECTORIES_WORKFLOW_ID: 'run-8'}})).workflow, 'run-8')
    check()
  })

  it('trail start -q: prints only the id', async () => {
    const {trail, check} = setUp()
    assert.match(await trail(['start', 'Quiet one', '-q']), /^traj_[0-9a-z]{26}\n$/)
    check()
  })

  it('trail start --phase plan (agent-relay): the trajectory starts in that phase, with a phase event', async () => {
    const {repo, check} = setUp()
    const t = await json(repo.dir, ['trail', 'start', 'Plan it', '--phase', 'plan'])
    const shown = await json<{phase: string; decisions: {kind: string; phase: string}[]}>(repo.dir, ['trail', 'show', String(t.id)])
    assert.equal(shown.phase, 'plan')
    assert.deepEqual(
      shown.decisions.map((d) => [d.kind, d.phase]),
      [['phase', 'plan']],
    )
    check()
  })

  it('trail start while a trajectory is active: refused, naming it (exit 3, no stack trace)', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'First'])
    const result = await runCli(repo.dir, ['trail', 'start', 'Second'])
    assert.equal(result.code, 3)
    assert.match(result.stderr, /^error: agent 'default' already has an active trajectory: traj_\S+ "First"\nhint: finish it first with: trail complete/)
    check()
  })

  it('trail phase <phase> --reason <text> (agent-relay): a phase event and the current phase', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'Work', '--agent', 'alice'])
    const event = await json(repo.dir, ['trail', 'phase', 'design', '--reason', 'plan agreed', '--agent', 'alice'])
    assert.deepEqual([event.kind, event.phase, event.reasoning], ['phase', 'design', 'plan agreed'])
    assert.match(await trail(['status', '--agent', 'alice']), /phase: design/)
    await refused(
      repo,
      ['phase', 'testing', '--agent', 'alice'],
      /^error: 'testing' is not a phase$/,
      /^hint: the phases are plan, design, execute, review, observe/,
    )
    check()
  })

  it('trail event <content> --type <type> (agent-relay): an event of that type', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'Work'])
    const event = await json(repo.dir, ['trail', 'event', 'Tool: Read', '--type', 'tool_call'])
    assert.deepEqual([event.kind, event.type, event.title], ['event', 'tool_call', 'Tool: Read'])
    assert.equal((await json(repo.dir, ['trail', 'event', 'Tests pass'])).type, 'observation')
    check()
  })

  it('trail decision <choice> -r <why> -a <a,b>: the decision, its reasoning and alternatives', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'Work'])
    const d = await json(repo.dir, ['trail', 'decision', 'Use JWT', '-r', 'Stateless', '-a', 'sessions,signed cookies\\, HMAC'])
    assert.deepEqual([d.title, d.reasoning, d.alternatives], ['Use JWT', 'Stateless', ['sessions', 'signed cookies, HMAC']])
    check()
  })

  it('trail decision <choice> without reasoning: recorded and always shown, never hidden', async () => {
    const {repo, trail, check} = setUp()
    const t = await json(repo.dir, ['trail', 'start', 'Work'])
    await trail(['decision', 'Minor choice'])
    assert.match(await trail(['show', String(t.id), '--decisions']), /1\. Minor choice .*\n {3}\(no reasoning recorded\)/)
    assert.match(await trail(['export', String(t.id), '--format', 'md']), /Minor choice[\s\S]*no reasoning recorded/)
    check()
  })

  it('trail decision --question <q> --confidence <n> (agent-relay): the question and the confidence', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'Work'])
    const d = await json(repo.dir, ['trail', 'decision', 'Postgres', '--question', 'Which queue?', '--confidence', '0.7'])
    assert.deepEqual([d.question, d.confidence], ['Which queue?', 0.7])
    check()
  })

  it('trail reflect <synthesis> -f <a,b> -c <n> -a <text>: a reflection', async () => {
    const {repo, trail, check} = setUp()
    const t = await json(repo.dir, ['trail', 'start', 'Work'])
    const r = await json(repo.dir, ['trail', 'reflect', 'Halfway there', '-f', 'sessions,tests', '-c', '0.6', '-a', 'Test the store first'])
    assert.deepEqual([r.kind, r.title, r.confidence], ['reflection', 'Halfway there', 0.6])
    const exported = JSON.parse(await trail(['export', String(t.id), '--format', 'agent-trajectories']))
    const event = exported.chapters[0].events[0]
    assert.deepEqual(event.raw, {focalPoints: ['sessions', 'tests'], adjustments: 'Test the store first', confidence: 0.6})
    assert.deepEqual(event.tags, ['focal:sessions', 'focal:tests', 'confidence:0.6'])
    check()
  })

  it('trail complete --summary --approach --confidence: the retrospective; no confidence is invented when none is given', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'One', '--agent', 'a'])
    const done = await json(repo.dir, ['trail', 'complete', '--summary', 'Done', '--approach', 'TDD', '--confidence', '0.85', '--agent', 'a'])
    assert.deepEqual([done.summary, done.approach, done.confidence], ['Done', 'TDD', 0.85])
    await trail(['start', 'Two', '--agent', 'b'])
    assert.equal((await json(repo.dir, ['trail', 'complete', '--summary', 'Done', '--agent', 'b'])).confidence, null)
    check()
  })

  it('trail complete --challenges a,b --learnings c (agent-relay): one item per comma; \\, keeps a comma', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'Work'])
    const done = await json(repo.dir, [
      'trail',
      'complete',
      '--summary',
      'Done',
      '--challenges',
      'Token refresh,Clock skew',
      '--learnings',
      'Lock\\, then read',
      '--learnings',
      'Measure',
    ])
    assert.deepEqual(done.challenges, ['Token refresh', 'Clock skew'])
    assert.deepEqual(done.learnings, ['Lock, then read', 'Measure'])
    check()
  })

  it('trail abandon -r <reason>: the reason', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'Work'])
    assert.equal((await json(repo.dir, ['trail', 'abandon', '-r', 'Blocked'])).reason, 'Blocked')
    check()
  })

  it('trail decision, complete, abandon without --agent, as agent-relay runs them: the one active trajectory', async () => {
    const {repo, trail, check} = setUp()
    const data = tempDir()
    const env = {TRAJECTORIES_DATA_DIR: data}
    await trail(['start', 'Work', '--agent', 'Alice'], {env})
    assert.equal((await json(repo.dir, ['trail', 'decision', 'Use JWT'], {env})).agent, 'Alice')
    assert.equal((await json(repo.dir, ['trail', 'complete', '--summary', 'Done'], {env})).agent, 'Alice')
    // Outside agent-relay's setting an unnamed agent is "default", and never writes into another agent's work.
    await trail(['start', 'More', '--agent', 'Alice'])
    const result = await runCli(repo.dir, ['trail', 'decision', 'Mine?'])
    assert.equal(result.code, 3)
    assert.match(result.stderr, /^error: no active trajectory for agent 'default'/)
    check()
  })

  it('trail status, -v: the active trajectory; --verbose is refused naming trail doctor', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'Work'])
    assert.match(await trail(['status']), /active traj_/)
    await refused(repo, ['status', '-v'], /^error: trail status --verbose is agent-trajectories' flag$/, /^hint: .*trail doctor.*trail import --dry-run/)
    check()
  })

  it('trail list -s <status> -l <n>: filtered, and never a silent cap', async () => {
    const {repo, trail, check} = setUp()
    for (const agent of ['a', 'b', 'c']) {
      await trail(['start', `Work of ${agent}`, '--agent', agent])
      await trail(['complete', '--summary', 'Done', '--agent', agent])
    }
    await trail(['start', 'Still going', '--agent', 'd'])
    const result = await runCli(repo.dir, ['trail', 'list', '-s', 'completed', '-l', '2'])
    assert.equal(result.stdout.trim().split('\n').length, 2)
    assert.match(result.stderr, /showing 1-2 (of 3 trajectories|; more match); next page: trail list --status completed --limit 2 --page 2/)
    check()
  })

  it('trail list --search <text>: trajectories whose title or id holds it, in any case', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'Fix the LOGIN page', '--agent', 'a'])
    await trail(['start', 'Write docs', '--agent', 'b'])
    const found = await json<{trajectories: {title: string}[]; total: number}>(repo.dir, ['trail', 'list', '--search', 'login'])
    assert.deepEqual(
      found.trajectories.map((t) => t.title),
      ['Fix the LOGIN page'],
    )
    check()
  })

  it('trail show <id> -d: only the decisions, with or without reasoning', async () => {
    const {repo, trail, check} = setUp()
    const t = await json(repo.dir, ['trail', 'start', 'Work'])
    await trail(['decision', 'With', '-r', 'because'])
    await trail(['event', 'Not a decision'])
    await trail(['decision', 'Without'])
    const text = await trail(['show', String(t.id), '-d'])
    assert.match(text, /1\. With .*\n {3}because\n2\. Without .*\n {3}\(no reasoning recorded\)/)
    assert.doesNotMatch(text, /Not a decision/)
    check()
  })

  it('trail show <id> -t: the trace kept from agent-trajectories, or where relay-trail keeps commits', async () => {
    const {repo, trail, check} = setUp()
    const t = await json(repo.dir, ['trail', 'start', 'Work'])
    assert.match(await trail(['show', String(t.id), '-t']), /No trace information[\s\S]*trail init --hooks/)
    check()
  })

  it('trail show <old id>, export <old id>: an imported trajectory by the id it had', async () => {
    const {repo, trail} = setUp()
    incumbent(repo.dir, ['start', 'Old work', '-a', 'claude'])
    const old = /traj_[a-z0-9]+/.exec(incumbent(repo.dir, ['status']))![0]
    const before = repo.userState()
    await trail(['import'])
    assert.equal((await json(repo.dir, ['trail', 'show', old])).legacyId, old)
    assert.match(await trail(['export', old, '--format', 'md']), /# Old work/)
    repo.assertUserStateUnchanged(before)
  })

  it("trail export -f md|markdown|json|html|timeline -o <file>: the formats; agent-trajectories' JSON is --format agent-trajectories", async () => {
    const {repo, trail, check} = setUp()
    const t = await json(repo.dir, ['trail', 'start', 'Work <b>'])
    assert.match(await trail(['export', '-f', 'md']), /^# Work \\<b\\>/)
    assert.match(await trail(['export', '-f', 'markdown']), /^# Work \\<b\\>/)
    assert.equal(JSON.parse(await trail(['export', '-f', 'json'])).id, t.id)
    assert.match(await trail(['export', '-f', 'html']), /<title>Work &#60;b&#62;<\/title>/)
    assert.match(await trail(['export', '-f', 'timeline']), /started {4}Work <b>/)
    assert.equal(JSON.parse(await trail(['export', '-f', 'agent-trajectories'])).task.title, 'Work <b>')
    const out = join(tempDir(), 'out.md')
    await trail(['export', '-f', 'md', '-o', out])
    assert.match(readFileSync(out, 'utf8'), /^# Work/)
    check()
  })

  it('trail export --open: refused, naming --output', async () => {
    const {repo, trail, check} = setUp()
    await trail(['start', 'Work'])
    await refused(repo, ['export', '--format', 'html', '--open'], /^error: trail export --open is not supported/, /--format html --output/)
    check()
  })

  it('--data-dir <path>, $TRAJECTORIES_DATA_DIR: the trajectories are also kept there as agent-trajectories files', async () => {
    const {repo, trail, check} = setUp()
    const viaFlag = tempDir()
    const t = await json(repo.dir, ['trail', '--data-dir', viaFlag, 'start', 'Work'])
    assert.ok(existsSync(join(viaFlag, 'active', `${String(t.id)}.json`)))
    const index = JSON.parse(readFileSync(join(viaFlag, 'index.json'), 'utf8'))
    assert.equal(index.trajectories[String(t.id)].status, 'active')
    const viaEnv = tempDir()
    await trail(['complete', '--summary', 'Done'], {env: {TRAJECTORIES_DATA_DIR: viaEnv}})
    const month = new Date().toISOString().slice(0, 7)
    const file = JSON.parse(readFileSync(join(viaEnv, 'completed', month, `${String(t.id)}.json`), 'utf8'))
    const exported = JSON.parse(await trail(['export', String(t.id), '--format', 'agent-trajectories']))
    assert.equal(firstDifference(file, exported), null)
    check()
  })

  it("$TRAJECTORIES_SEARCH_PATHS: the folders trail import reads besides the repository's", async () => {
    const {repo, trail} = setUp()
    const elsewhere = tempDir()
    incumbent(repo.dir, ['start', 'Kept elsewhere'], {TRAJECTORIES_DATA_DIR: elsewhere})
    const before = repo.userState()
    const result = JSON.parse(await trail(['import', '--json'], {env: {TRAJECTORIES_SEARCH_PATHS: `/nonexistent:${elsewhere}`}}))
    assert.deepEqual(
      result.imported.map((t: {title: string}) => t.title),
      ['Kept elsewhere'],
    )
    repo.assertUserStateUnchanged(before)
  })

  it('trail enable [--force], trail disable: refused, naming trail init --hooks', async () => {
    const {repo, check} = setUp()
    await refused(repo, ['enable', '--force'], /^error: trail enable is agent-trajectories' command/, /^hint: run: trail init --hooks/)
    await refused(repo, ['disable'], /^error: trail disable is agent-trajectories' command$/, /^hint: .*trail init --hooks/)
    check()
  })

  it('trail compact [...]: refused, naming relay search and trail list --search', async () => {
    const {repo, check} = setUp()
    await refused(
      repo,
      ['compact', '--all', '--pr', '12', '--no-llm', '--dry-run'],
      /^error: trail compact is not part of relay-trail/,
      /relay search .*trail list --search/,
    )
    check()
  })

  it('trail doctor --quarantine: refused, naming trail import --dry-run', async () => {
    const {repo, check} = setUp()
    await refused(repo, ['doctor', '--quarantine'], /^error: trail doctor --quarantine is agent-trajectories' flag/, /trail import --dry-run/)
    check()
  })

  it('errors: one line and a hint, never a stack trace', async () => {
    const {repo, check} = setUp()
    for (const args of [['decision', 'Nothing active'], ['complete', '--summary', 'x'], ['abandon'], ['phase', 'plan'], ['reflect', 'x'], ['event', 'x']]) {
      const result = await runCli(repo.dir, ['trail', ...args])
      assert.equal(result.code, 3, args.join(' '))
      assert.match(result.stderr, /^error: no active trajectory for agent 'default'\nhint: start one with: trail start "<title>"\n$/)
    }
    check()
  })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relay-trail-compat-'))
  after(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}
