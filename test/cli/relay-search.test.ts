import assert from 'node:assert/strict'
import {rmSync} from 'node:fs'
import {before, describe, it} from 'node:test'
import type {SearchJson} from '../../src/render/search.js'
import {mayMatchMachineLine} from '../../src/services/search.js'
import {ok, runCli} from '../helpers/cli.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {buildTestStore} from '../helpers/stores.js'
import {runTraced} from '../helpers/trace.js'

// relay search ranks files by git's count of matching lines and reads the lines of the hits it shows. Lines that
// only hold ids, times and states (status: completed, kind: decision) never make a record a hit.

describe('relay search', () => {
  const newRepo = useRepos()
  let repo: TestRepo
  let quiet = ''
  let chatty = ''
  /** relay search <query> [flags], the query after "--" (it may begin with a dash). */
  const search = async (query: string, ...flags: string[]) => JSON.parse(await ok(repo.dir, ['relay', 'search', ...flags, '--json', '--', query])) as SearchJson

  before(async () => {
    repo = newRepo()
    quiet = JSON.parse(await ok(repo.dir, ['trail', 'start', 'Quiet work', '--agent', 'a', '--json'])).id as string
    await ok(repo.dir, ['trail', 'complete', '--agent', 'a', '--summary', 'Nothing to see'])
    chatty = JSON.parse(await ok(repo.dir, ['trail', 'start', 'Migration completed early', '--agent', 'b', '--json'])).id as string
    await ok(repo.dir, ['trail', 'decision', 'Schema first', '--agent', 'b', '--reasoning', 'the migration completed faster that way'])
    await ok(repo.dir, ['trail', 'complete', '--agent', 'b', '--summary', 'Completed: the migration, completed twice over'])
  })

  it('never counts a line of ids, times or states', async () => {
    for (const query of ['completed', 'status: completed', ': completed', '- Status: completed']) {
      const found = await search(query, '--limit', '50')
      assert.ok(!found.hits.some((hit) => hit.id === quiet), `${query}: the quiet trajectory only has it on a status line`)
    }
    const idPart = quiet.slice(5, 15)
    assert.deepEqual((await search(idPart)).hits, [], 'a piece of an id is in no line that counts')
    assert.deepEqual((await search(quiet.slice(0, 12), '--regex')).hits, [])
  })

  it('ranks by the number of matching lines, and shows those lines', async () => {
    const found = await search('completed')
    assert.equal(found.hits[0]!.id, chatty)
    assert.deepEqual(
      found.hits.map((hit) => hit.kind),
      ['trajectory', 'decision'],
    )
    assert.ok(found.hits[0]!.matches.length >= 3, JSON.stringify(found.hits[0]))
    assert.ok(found.hits[0]!.matches.every((match) => /completed/i.test(match.text) && !/^status:/.test(match.text)))
    assert.equal(found.total, 2)
  })

  it('gives the same hits however many it shows', async () => {
    const few = await search('completed', '--limit', '5')
    const many = await search('completed', '--limit', '5000')
    assert.deepEqual(many, few)
    const byAgent = await search('completed', '--agent', 'b', '--limit', '5000')
    assert.deepEqual(
      byAgent.hits.map((hit) => hit.id),
      few.hits.map((hit) => hit.id),
    )
    assert.ok(
      byAgent.hits.every((hit) => hit.matches.every((match) => !/^agent:/.test(match.text))),
      'the agent line is not shown',
    )
  })

  it('reads only the records of the hits it shows: git grep reads the rest', async () => {
    // 1,000 trajectories and their 2,000 decisions, every one of them saying "feature" or "benchmark".
    const store = buildTestStore(1000)
    try {
      for (const [query, limit] of [
        ['feature', 5],
        ['benchmark', 20],
      ] as const) {
        const {stdout, trace} = await runTraced(store, ['relay', 'search', query, '--limit', String(limit), '--json'])
        const found = JSON.parse(stdout) as SearchJson
        assert.equal(found.hits.length, limit)
        assert.ok(found.total >= 1000, `${query}: ${found.total} records match`)
        const records = trace.blobPaths.filter((path) => path !== '.trail/format.yaml')
        assert.equal(records.length, limit, `${query}: ${records.length} records read for ${limit} hits shown`)
        assert.ok(trace.processes.includes('grep'))
      }
    } finally {
      rmSync(store, {recursive: true, force: true})
    }
  })

  it('refuses an invalid --regex in one line, as bad usage', async () => {
    const result = await runCli(repo.dir, ['relay', 'search', '--regex', 'hello ('])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^error: invalid regular expression 'hello \(': .+\nhint: .*drop --regex.*\n$/)
  })

  it('finds a record whose text holds a NUL: no record is written as a binary file git grep passes over', async () => {
    const other = newRepo()
    await ok(other.dir, ['relay', 'continuity', 'save', '--agent', 'n'], {input: 'Current task: findme\u0000zz\n'})
    const output = '[[SUMMARY]]\n{"currentTask": "nulsummary\u0000x"}\n[[/SUMMARY]]\n->relay:Peer <<<\nthe nulmessage\u0000here\n>>>\n'
    await ok(other.dir, ['relay', 'ingest', '--agent', 'n'], {input: output})
    for (const file of other.git(['ls-tree', '-r', '--name-only', 'refs/trail/records']).trim().split('\n')) {
      assert.doesNotMatch(other.git(['cat-file', 'blob', `refs/trail/records:${file}`]), /\0/, file)
    }
    for (const query of ['findme', 'nulmessage', 'nulsummary']) {
      const found = JSON.parse(await ok(other.dir, ['relay', 'search', '--json', '--', query])) as SearchJson
      assert.equal(found.hits.length, 1, query)
    }
    const loaded = JSON.parse(await ok(other.dir, ['relay', 'continuity', 'load', '--agent', 'n', '--json'])) as {markdown: string}
    assert.match(loaded.markdown, /findme\u0000zz/, 'the record keeps the text as it was given')
  })

  it('knows which text could sit on a line of ids, times or states', () => {
    for (const text of [
      'completed',
      'status: completed',
      ': completed',
      'traj_01',
      '2026-11-21T10',
      'us: act',
      ' completed',
      'id:',
      '- Status: completed',
      '- ',
      'ended: "2026',
    ]) {
      assert.equal(mayMatchMachineLine(text), true, text)
    }
    for (const text of ['flaky fixture', 'rate limit', 'a.*b', 'café', 'status:  completed', 'status: completed now', '--help me']) {
      assert.equal(mayMatchMachineLine(text), false, text)
    }
  })
})
