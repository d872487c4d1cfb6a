import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'
import type {LedgerJson} from '../../src/render/continuity.js'
import type {SearchJson} from '../../src/render/search.js'

// relay continuity: save (and --handoff), uncertain, load within a budget, search; run as the built CLI, in a
// repository with uncommitted work that must not move.

const newRepo = useRepos()

describe('relay continuity save', () => {
  it("saves the spec's fields, from an argument or stdin, keeping what a later save does not mention", async () => {
    const repo = newRepo()
    const before = repo.userState()
    const saved = await runCli(repo.dir, [
      'relay',
      'continuity',
      'save',
      'Current task: Implementing user authentication\nCompleted: User model, JWT utils\nIn progress: Login endpoint\nKey decisions: Using refresh tokens\nFiles: src/auth/*.ts',
    ])
    assert.equal(saved.code, 0, saved.stderr)
    assert.equal(saved.stdout, 'Saved the continuity ledger of default (current task, 1 in progress).\n')
    const second = await json<{ledger: LedgerJson; handoff: string | null}>(repo.dir, ['relay', 'continuity', 'save'], {
      input: 'Next steps: Logout endpoint, Token refresh\nBlockers: none yet\n',
    })
    assert.equal(second.ledger.currentTask, 'Implementing user authentication')
    assert.deepEqual(second.ledger.completed, ['User model', 'JWT utils'])
    assert.deepEqual(second.ledger.nextSteps, ['Logout endpoint', 'Token refresh'])
    assert.deepEqual(second.ledger.files, [{path: 'src/auth/*.ts', lines: null}])
    assert.deepEqual(second.ledger.notes, [{label: 'Blockers', text: 'none yet'}])
    assert.equal(second.handoff, null)
    repo.assertUserStateUnchanged(before)
    assert.match(repo.read('.relay/ledger/default.md'), /^---\nagent: default\nupdated: "/)
  })

  it('refuses an empty save and a save with nothing on stdin', async () => {
    const repo = newRepo()
    const empty = await runCli(repo.dir, ['relay', 'continuity', 'save', '   '])
    assert.equal(empty.code, 2)
    assert.match(empty.stderr, /^error: nothing to save: the content is empty\nhint: /)
    const noInput = await runCli(repo.dir, ['relay', 'continuity', 'save'], {input: ''})
    assert.equal(noInput.code, 2)
  })

  it("writes a handoff with the ledger, the items to verify and the active trajectory's decisions", async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Auth module'])
    await ok(repo.dir, ['trail', 'decision', 'Chose JWT', '--reasoning', 'Stateless'])
    await ok(repo.dir, ['relay', 'continuity', 'uncertain', 'Rate limits unclear'])
    const result = await json<{handoff: string}>(repo.dir, [
      'relay',
      'continuity',
      'save',
      '--handoff',
      'Current task: Auth module\nNext steps: Login endpoint\nFiles: src/auth/jwt.ts:10-50',
    ])
    assert.match(result.handoff, /^ho_[0-9a-z]{26}$/)
    const path = repo.git(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', '.relay/ledger/handoffs']).trim()
    assert.match(path, new RegExp(`^\\.relay/ledger/handoffs/\\d{4}/\\d\\d/\\d\\d/${result.handoff}\\.md$`))
    const text = repo.read(path)
    assert.match(text, /currentTask: Auth module\n/)
    assert.match(text, /uncertain:\n  - Rate limits unclear\n/)
    assert.match(text, /trajectoryTitle: Auth module\n/)
    assert.match(text, /decisions:\n  - \{"title": "Chose JWT", "reasoning": "Stateless"\}\n/)
    assert.match(text, /## Trajectory traj_\w+: Auth module\n\n- Chose JWT: Stateless\n/)
  })
})

describe('relay continuity load', () => {
  it('shows, in a new process, what was saved: the state, the items to verify, the trajectory, the handoff', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Auth module', '--task', 'T-7'])
    for (let i = 1; i <= 5; i++) await ok(repo.dir, ['trail', 'decision', `Decision ${i}`, '--reasoning', `Reason ${i}`])
    await ok(repo.dir, [
      'relay',
      'continuity',
      'save',
      '--handoff',
      'Current task: Implementing auth module\nIn progress: Login endpoint\nNext steps: Session middleware\nKey decisions: JWT with refresh tokens\nFiles: src/auth/*.ts',
    ])
    await ok(repo.dir, ['relay', 'continuity', 'uncertain', 'API rate limit handling unclear'])
    const context = await ok(repo.dir, ['relay', 'continuity', 'load'])
    assert.match(
      context,
      /^# Session context for default\n\n## Where you left off \(ledger, updated "?[\dT:.Z-]+"?\)\n\n\*\*Current task:\*\* Implementing auth module\n\n\*\*In progress:\*\*\n- Login endpoint\n\n\*\*Next steps:\*\*\n- Session middleware\n\n## Uncertain: verify these\n\n- API rate limit handling unclear\n\n## Active trajectory: traj_\w+\n/,
    )
    assert.match(
      context,
      /"Auth module", started \S+, task T-7; 5 decisions\.\n\nLatest decisions:\n- Decision 3: Reason 3\n- Decision 4: Reason 4\n- Decision 5: Reason 5\n/,
    )
    assert.match(context, /Earlier decisions:\n- Decision 1: Reason 1\n- Decision 2: Reason 2\n/)
    assert.match(context, /## From the ledger\n\n\*\*Key decisions:\*\*\n- JWT with refresh tokens\n\n\*\*Files:\*\* src\/auth\/\*\.ts/)
    assert.match(context, /## Latest handoff \(ho_\w+, [\dT:.Z-]+\)\n\n\*\*Task then:\*\* Implementing auth module/)
    assert.doesNotMatch(context, /Left out/)
  })

  it('trims the least important parts first to fit --max-chars, and says what it left out', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Long work'])
    for (let i = 1; i <= 6; i++) await ok(repo.dir, ['trail', 'decision', `Decision ${i} ${'x'.repeat(60)}`])
    await ok(repo.dir, [
      'relay',
      'continuity',
      'save',
      '--handoff',
      `Current task: Keep me\nNext steps: ${'step, '.repeat(20)}last\nKey decisions: ${'d'.repeat(300)}`,
    ])
    const full = await ok(repo.dir, ['relay', 'continuity', 'load', '--max-chars', '0'])
    const budget = 900
    const trimmed = await json<{markdown: string; omitted: string[]}>(repo.dir, ['relay', 'continuity', 'load', '--max-chars', String(budget)])
    assert.ok(full.length > budget)
    assert.ok(trimmed.markdown.length <= budget, String(trimmed.markdown.length))
    assert.deepEqual(trimmed.omitted.slice(0, 2), ['3 earlier decisions', 'the latest handoff'])
    assert.match(trimmed.markdown, /Keep me/)
    assert.match(
      trimmed.markdown.trimEnd().split('\n').at(-1)!,
      /^_Left out to stay within 900 characters: 3 earlier decisions, the latest handoff.*For everything: relay continuity load --max-chars 0_$/,
    )
    const tight = await json<{markdown: string; omitted: string[]}>(repo.dir, ['relay', 'continuity', 'load', '--max-chars', '300'])
    assert.ok(tight.markdown.length <= 300, String(tight.markdown.length))
    assert.match(tight.markdown.trimEnd().split('\n').at(-1)!, /^_Left out to stay within 300 characters: .*_$/, 'the last line survives the cut')
    const tooSmall = await runCli(repo.dir, ['relay', 'continuity', 'load', '--max-chars', '150'])
    assert.equal(tooSmall.code, 2)
  })

  it('says when nothing is saved yet, and exits 0', async () => {
    const repo = newRepo()
    const result = await runCli(repo.dir, ['relay', 'continuity', 'load', '--agent', 'newcomer'])
    assert.equal(result.code, 0)
    assert.match(result.stdout, /^# Session context for newcomer\n\nNothing saved yet for newcomer\./)
  })
})

describe('relay continuity uncertain', () => {
  it('records items to verify with no ledger yet, until a save that mentions Uncertain replaces them', async () => {
    const repo = newRepo()
    assert.equal(
      await ok(repo.dir, ['relay', 'continuity', 'uncertain', 'API rate limit handling unclear']),
      'Marked as uncertain for default (1 to verify): API rate limit handling unclear\n',
    )
    await ok(repo.dir, ['relay', 'continuity', 'uncertain', 'Token expiry'])
    assert.match(await ok(repo.dir, ['relay', 'continuity', 'load']), /## Uncertain: verify these\n\n- API rate limit handling unclear\n- Token expiry\n/)
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: Next thing'])
    assert.match(await ok(repo.dir, ['relay', 'continuity', 'load']), /Token expiry/, 'a save that does not mention Uncertain keeps them')
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Uncertain: none'])
    assert.doesNotMatch(await ok(repo.dir, ['relay', 'continuity', 'load']), /Uncertain/)
  })
})

describe('relay continuity search', () => {
  it('finds a handoff by a word in its Files list, ranks and filters', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['relay', 'continuity', 'save', '--handoff', 'Current task: Auth\nFiles: src/auth/refreshToken.ts:10-50'])
    await ok(repo.dir, ['trail', 'start', 'Token refresh work', '--agent', 'other'])
    await ok(repo.dir, ['trail', 'decision', 'Rotate refreshToken daily', '--agent', 'other'])
    const found = await json<SearchJson>(repo.dir, ['relay', 'continuity', 'search', 'refreshToken'])
    assert.deepEqual(new Set(found.hits.map((hit) => hit.kind)), new Set(['handoff', 'ledger', 'decision']))
    const handoff = found.hits.find((hit) => hit.kind === 'handoff')!
    assert.equal(handoff.title, 'Auth')
    assert.ok(handoff.matches.some((match) => match.text.includes('src/auth/refreshToken.ts:10-50')))
    const byAgent = await json<SearchJson>(repo.dir, ['relay', 'continuity', 'search', 'refreshtoken', '--agent', 'other'])
    assert.deepEqual(
      byAgent.hits.map((hit) => hit.kind),
      ['decision'],
    )
    const text = await ok(repo.dir, ['relay', 'continuity', 'search', 'refreshToken', '--limit', '1'])
    assert.match(text, /^\S+ \S+ \(.*\): .*\n +\d+: .*refreshToken/)
    assert.match(text, /\(2 more records match; raise --limit to see them\)\n$/)
  })

  it('dates a ledger by its last update, for --since and for ranking', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: quokka work'])
    assert.equal((await json<SearchJson>(repo.dir, ['relay', 'continuity', 'search', 'quokka', '--since', '1h'])).hits.length, 1)
    assert.equal((await json<SearchJson>(repo.dir, ['relay', 'continuity', 'search', 'quokka', '--since', '2099-01-01'])).hits.length, 0)
  })

  it('searches literally: a leading dash, regex characters, non-ASCII', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: --help me with a.*b and café'])
    for (const query of ['--help', 'a.*b', 'café']) {
      const found = JSON.parse(await ok(repo.dir, ['relay', 'continuity', 'search', '--json', '--', query])) as SearchJson
      assert.equal(found.hits.length, 1, query)
    }
    assert.equal((await json<SearchJson>(repo.dir, ['relay', 'continuity', 'search', 'a.+b'])).hits.length, 0, 'not a regular expression')
    assert.equal((await json<SearchJson>(repo.dir, ['relay', 'continuity', 'search', 'a.+b', '--regex'])).hits.length, 1)
  })
})
