import assert from 'node:assert/strict'
import {rmSync} from 'node:fs'
import {before, describe, it} from 'node:test'
import {search as searchCommand} from '../../src/cli/definitions/relay/search.js'
import {describeConfidence} from '../../src/model/confidence.js'
import {parseDocument, type Value} from '../../src/model/front-matter.js'
import {kindOfPath} from '../../src/model/kinds.js'
import type {SearchJson} from '../../src/render/search.js'
import {grouped, mayMatchFormat} from '../../src/services/search-term.js'
import {ok, runCli} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'
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

  it('knows which text could stand only in a name or a line of the format', () => {
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
      'agent',
      'title',
      'flaky fixture',
      'Current task',
      'x@y: z',
      '"reasoning"',
      '# Decision',
    ]) {
      assert.equal(mayMatchFormat(text), true, text)
    }
    for (const text of ['a.*b', 'café', "it's", 'user@example.com', '1+1=2', 'naïve approach']) {
      assert.equal(mayMatchFormat(text), false, text)
    }
  })

  it('groups a --regex query, renumbering its back-references, and leaves bracket expressions alone', () => {
    assert.equal(grouped('a|b', 2), '(a|b)')
    assert.equal(grouped('(a*)*\\1b', 2), '((a*)*\\3b)')
    assert.equal(grouped('[\\1](x)\\1', 1), '([\\1](x)\\2)')
    assert.equal(grouped('[]\\1][[:digit:]\\2]\\.', 2), '([]\\1][[:digit:]\\2]\\.)')
    assert.equal(grouped('(a)(b)(c)(d)(e)(f)(g)\\7', 2), '((a)(b)(c)(d)(e)(f)(g)\\9)')
    assert.equal(grouped('(a)(b)(c)(d)(e)(f)(g)(h)\\8', 2), null)
  })

  it('matches a --regex query after a name as it matches it alone: alternatives, back-references, anchors', async () => {
    for (const [query, expected] of [
      ['nothing|schema', 1],
      ['(migrat)ion.*\\1ion', 0],
      ['(t)he migration completed faster', 1],
      ['(fast)er th(a)t w\\2y', 1],
      ['schema first$', 1],
    ] as const) {
      assert.equal((await search(query, '--regex', '--kind', 'decision')).hits.length, expected, query)
    }
  })
})

describe('relay search: values and text, never the names the format gives them', () => {
  const newRepo = useRepos()
  let repo: TestRepo
  /** Every record search reads: its path, its words, and its values as the record shows them (lower case). */
  const records: {path: string; words: string[]; values: string; searchable: string}[] = []
  /** What `relay search <query>` finds: the records' paths. */
  const found = async (query: string, ...flags: string[]) => {
    const result = await runInProcess(repo.dir, searchCommand, [...flags, '--limit', '500', '--json', '--', query])
    assert.equal(result.code, 0, result.stderr)
    return (JSON.parse(result.stdout) as SearchJson).hits.map((hit) => hit.path).sort()
  }

  before(async () => {
    // A record of every kind search reads, with every field the commands write: names and labels everywhere.
    repo = newRepo()
    const as = ['--agent', 'zq1']
    await ok(repo.dir, ['relay', 'project', '--id', 'zqproj'])
    await ok(repo.dir, [
      'trail',
      'start',
      'Quokka wrangling',
      ...as,
      '--task',
      'QX-9',
      '--source',
      'jira',
      '--url',
      'https://example.com/qx',
      '--workflow',
      'wf9',
    ])
    await ok(repo.dir, [
      'trail',
      'decision',
      'Pick a quokka',
      ...as,
      '--reasoning',
      'Because the agent index said: title first',
      '--alternatives',
      'wombat,numbat',
      '--question',
      'Which one?',
      '--confidence',
      '0.8',
    ])
    await ok(repo.dir, ['trail', 'decision', 'Unexplained pick', ...as])
    await ok(repo.dir, ['trail', 'phase', 'design', ...as])
    await ok(repo.dir, ['trail', 'event', 'Saw a zebra', '--type', 'observation', ...as])
    await ok(repo.dir, ['trail', 'reflect', 'Looked back', ...as, '-f', 'one,two', '-c', '0.7', '-a', 'go slower'])
    const ledger =
      'Current task: herd\nCompleted: hay bales\nIn progress: fences\nNext steps: gates\nKey decisions: barns\nFiles: src/zq.ts:10-50\nUncertain: weather\n\n## Gotchas\n- careful\n'
    await ok(repo.dir, ['relay', 'continuity', 'save', '--handoff', ...as], {input: ledger})
    await ok(repo.dir, [
      'trail',
      'complete',
      ...as,
      '--summary',
      'Herded them',
      '--approach',
      'Slowly',
      '--challenges',
      'mud',
      '--learnings',
      'patience',
      '--confidence',
      '0.9',
    ])
    await ok(repo.dir, ['trail', 'start', 'Second go', '--agent', 'zq2'])
    await ok(repo.dir, ['trail', 'abandon', '--agent', 'zq2', '--reason', 'Out of hay'])
    await ok(repo.dir, ['relay', 'send', 'zq2', 'Hello there', ...as, '--thread', 'hay'])
    const output =
      '[[SUMMARY]]\n{"currentTask": "count", "completedTasks": ["sheep"], "context": "barn", "files": ["a.ts"]}\n[[/SUMMARY]]\n' +
      '[[SESSION_END]]\n{"summary": "bye", "completedTasks": ["goats"]}\n[[/SESSION_END]]\n'
    await ok(repo.dir, ['relay', 'ingest', ...as], {input: output})
    for (const path of repo.git(['ls-tree', '-r', '--name-only', 'refs/trail/records']).trim().split('\n')) {
      if (!kindOfPath(path)?.kind.search) continue
      const text = repo.git(['cat-file', 'blob', `refs/trail/records:${path}`])
      const {fields} = parseDocument(text)
      const shown = (value: Value, key: string): string[] =>
        value === null || typeof value !== 'object'
          ? [String(value), ...(key === 'confidence' && typeof value === 'number' ? [describeConfidence(value)] : [])]
          : Array.isArray(value)
            ? value.flatMap((item) => shown(item, key))
            : Object.entries(value).flatMap(([name, item]) => shown(item, name))
      const values = Object.entries(fields).map(([key, value]) => ({key, text: shown(value, key).join('\n').toLowerCase()}))
      records.push({
        path,
        words: [...new Set(text.match(/[A-Za-z]{2,}/g) ?? [])],
        values: values.map((value) => value.text).join('\n'),
        // Ids, times and states make no hit (the test above).
        searchable: values
          .filter(({key}) => !['id', 'trajectory', 'handoff', 'at', 'created', 'started', 'updated', 'ended', 'kind', 'status'].includes(key))
          .map((value) => value.text)
          .join('\n'),
      })
    }
    assert.equal(new Set(records.map((record) => kindOfPath(record.path)!.kind.search)).size, 7, 'a record of every kind search reads')
  })

  it('finds a field name only in the records whose values hold it', async () => {
    const decision = records.find((record) => record.values.includes('pick a quokka') && kindOfPath(record.path)!.kind.name === 'event')!
    const handoff = records.find((record) => kindOfPath(record.path)!.kind.name === 'handoff')!
    for (const query of ['agent', 'agent:', 'title', 'reasoning', 'confidence']) {
      const expected = [decision.path, handoff.path].filter((path) => records.find((record) => record.path === path)!.searchable.includes(query))
      assert.deepEqual(await found(query), expected.sort(), query)
    }
    for (const query of ['status:', 'nextSteps', 'Current task', 'decisions', 'Focal points', 'thread', 'Message', 'events']) {
      assert.deepEqual(await found(query), [], query)
    }
  })

  it('finds every word of every record in the records whose values hold it, and only there', async () => {
    const words = [...new Set(records.flatMap((record) => record.words))].sort()
    for (const word of words) {
      const query = word.toLowerCase()
      const hits = await found(word)
      for (const path of hits) {
        assert.ok(records.find((record) => record.path === path)!.values.includes(query), `'${word}' finds ${path}, whose values do not hold it`)
      }
      for (const record of records.filter((r) => r.searchable.split(/[^a-z]+/).includes(query))) {
        assert.ok(hits.includes(record.path), `'${word}' misses ${record.path}, a value of which holds it`)
      }
    }
  })
})
