import assert from 'node:assert/strict'
import {rmSync} from 'node:fs'
import {after, before, describe, it} from 'node:test'
import {buildStore} from '../../bench/stores.js'
import {json, ok, runCli} from '../helpers/cli.js'
import type {ListJson} from '../../src/render/trajectory.js'

// Lists over a store of 5,000 trajectories (written by one git fast-import): pages, exact totals where they are
// cheap, an open total for a common filter (the page fills after a few hundred records), and git grep for a rare
// one (past the scan budget).

describe('trail list over 5,000 trajectories', () => {
  let dir = ''
  before(async () => {
    dir = buildStore(5000, {perDay: 500, end: new Date(Date.now() - 86_400_000)})
    await ok(dir, ['trail', 'init'])
    await ok(dir, ['trail', 'start', 'Rare one', '--agent', 'rare'])
    await ok(dir, ['trail', 'complete', '--summary', 'done', '--agent', 'rare'])
    await ok(dir, ['trail', 'start', 'Rare two', '--agent', 'rare'])
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('pages through everything with an exact total', async () => {
    const first = await json<ListJson>(dir, ['trail', 'list', '--limit', '5'])
    assert.equal(first.total, 5002)
    assert.equal(first.more, true)
    assert.deepEqual(first.trajectories.slice(0, 2).map((t) => t.title), ['Rare two', 'Rare one'])
    const last = await json<ListJson>(dir, ['trail', 'list', '--limit', '5', '--page', '1001'])
    assert.deepEqual(last.trajectories.map((t) => t.title), ['Bench trajectory 1: implement feature 1', 'Bench trajectory 0: implement feature 0'])
    assert.equal(last.more, false)
    const past = await runCli(dir, ['trail', 'list', '--limit', '5', '--page', '2000'])
    assert.equal(past.stdout, '')
    assert.equal(past.stderr, 'page 2000 is past the end: 5002 trajectories match\n')
  })

  it('fills a page of a common filter without reading the store, and says more match', async () => {
    const result = await runCli(dir, ['trail', 'list', '--agent', 'claude', '--limit', '5', '--page', '2'])
    assert.equal(result.code, 0)
    assert.equal(result.stdout.trim().split('\n').length, 5)
    assert.ok(result.stdout.trim().split('\n').every((line) => line.split('\t')[2] === 'claude'))
    assert.equal(result.stderr, 'showing 6-10; more match; next page: trail list --agent claude --limit 5 --page 3\n')
    const asJson = await json<ListJson>(dir, ['trail', 'list', '--agent', 'claude', '--status', 'completed', '--limit', '5'])
    assert.equal(asJson.total, null)
    assert.equal(asJson.more, true)
  })

  it('finds a rare filter through git grep, with an exact total', async () => {
    const rare = await json<ListJson>(dir, ['trail', 'list', '--agent', 'rare'])
    assert.equal(rare.total, 2)
    assert.deepEqual(rare.trajectories.map((t) => t.title), ['Rare two', 'Rare one'])
    const completed = await json<ListJson>(dir, ['trail', 'list', '--agent', 'rare', '--status', 'completed'])
    assert.deepEqual(completed.trajectories.map((t) => t.title), ['Rare one'])
    const none = await runCli(dir, ['trail', 'list', '--agent', 'nobody'])
    assert.equal(none.code, 0)
    assert.equal(none.stdout, '')
    assert.equal((await json<ListJson>(dir, ['trail', 'list', '--status', 'active'])).total, 1)
  })

  it('restricts to --since by the folders, before reading anything', async () => {
    const recent = await json<ListJson>(dir, ['trail', 'list', '--since', '1d', '--limit', '1'])
    assert.ok(recent.total !== null && recent.total >= 2 && recent.total < 5002, String(recent.total))
  })
})
