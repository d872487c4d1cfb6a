import assert from 'node:assert/strict'
import {rmSync} from 'node:fs'
import {after, before, describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {TestRepo} from '../helpers/repo.js'
import {buildTestStore} from '../helpers/stores.js'
import {dayFolders, eventFiles, runTraced, trajectoryFiles, type Trace} from '../helpers/trace.js'
import type {ListJson, TrajectoryDetailJson} from '../../src/render/trajectory.js'

// Lists over a store of 5,000 trajectories (written by one git fast-import): pages, exact totals where they are
// cheap, an open total for a common filter (the page fills after a few hundred records), and git grep for a rare
// one (past the scan budget). What each command reads is counted from its trace (RELAY_TRAIL_TRACE): the claims
// "without reading the store" and "only the day folders" are numbers here.

/** Trajectories read per round trip while a filter is scanned (SCAN_BATCH in src/services/trajectories.ts). */
const SCAN_BATCH = 256
/** Trajectories scanned before a rare filter switches to git grep (SCAN_BUDGET there). */
const SCAN_BUDGET = 4096
/** The bench store: 5,000 trajectories, 500 a day, two decisions each, over the days before yesterday. */
const TRAJECTORIES = 5000

/** What a traced command read, in numbers. */
function counts(trace: Trace) {
  return {
    trajectories: trajectoryFiles(trace.blobPaths).length,
    events: eventFiles(trace.blobPaths).length,
    days: dayFolders(trace.treePaths),
    processes: trace.processes,
  }
}

describe('trail list and show over 5,000 trajectories', () => {
  let dir = ''
  /** How many day folders the store has (the bench's days and today's). */
  let days = 0
  before(async () => {
    // Ending yesterday at 23:00 UTC, whatever the time now: ending a day before now, a run just after midnight made
    // the newest day folder hold a few minutes' trajectories, and a page then needed one folder more.
    dir = buildTestStore(TRAJECTORIES, {perDay: 500, end: new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3_600_000)})
    await ok(dir, ['trail', 'init'])
    await ok(dir, ['trail', 'start', 'Rare one', '--agent', 'rare'])
    await ok(dir, ['trail', 'complete', '--summary', 'done', '--agent', 'rare'])
    await ok(dir, ['trail', 'start', 'Rare two', '--agent', 'rare'])
    const folders = new TestRepo(dir).git(['ls-tree', '-r', '-d', '--name-only', 'refs/trail/records', '--', '.trail/trajectories'])
    days = dayFolders(folders.split('\n')).length
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('pages through everything with an exact total', async () => {
    const first = await json<ListJson>(dir, ['trail', 'list', '--limit', '5'])
    assert.equal(first.total, 5002)
    assert.equal(first.more, true)
    assert.deepEqual(
      first.trajectories.slice(0, 2).map((t) => t.title),
      ['Rare two', 'Rare one'],
    )
    const last = await json<ListJson>(dir, ['trail', 'list', '--limit', '5', '--page', '1001'])
    assert.deepEqual(
      last.trajectories.map((t) => t.title),
      ['Bench trajectory 1: implement feature 1', 'Bench trajectory 0: implement feature 0'],
    )
    assert.equal(last.more, false)
    const past = await runCli(dir, ['trail', 'list', '--limit', '5', '--page', '2000'])
    assert.equal(past.stdout, '')
    assert.equal(past.stderr, 'page 2000 is past the end: 5002 trajectories match\n')
  })

  it("counts the total from the day folders and reads only the page's records", async () => {
    for (const [page, shown] of [
      ['1', 5],
      ['1001', 2],
    ] as const) {
      const {stdout, trace} = await runTraced(dir, ['trail', 'list', '--limit', '5', '--page', page, '--json'])
      assert.equal((JSON.parse(stdout) as ListJson).total, 5002)
      const read = counts(trace)
      assert.equal(read.trajectories, shown, `page ${page}: the page's trajectories, and no other`)
      assert.equal(read.events, 0)
      assert.equal(read.days.length, days, 'every day folder is listed, for the total')
      assert.deepEqual(read.processes, ['cat-file'], 'one git process, reading')
    }
  })

  it('fills a page of a common filter without reading the store, and says more match', async () => {
    const result = await runTraced(dir, ['trail', 'list', '--agent', 'claude', '--limit', '5', '--page', '2'])
    assert.equal(result.code, 0)
    assert.equal(result.stdout.trim().split('\n').length, 5)
    assert.ok(
      result.stdout
        .trim()
        .split('\n')
        .every((line) => line.split('\t')[2] === 'claude'),
    )
    assert.equal(result.stderr, 'showing 6-10; more match; next page: trail list --agent claude --limit 5 --page 3\n')
    // One agent in four: the 11 matches wanted (two pages and one more) are in the first batch read.
    const read = counts(result.trace)
    assert.ok(read.trajectories > 0 && read.trajectories <= SCAN_BATCH, `${read.trajectories} trajectories read of 5,002: one batch at most`)
    assert.equal(read.events, 0)
    assert.ok(read.days.length <= 2 && days > 10, `${read.days.length} day folders listed of ${days}`)
    assert.deepEqual(read.processes, ['cat-file'], 'no git grep')
    const asJson = await json<ListJson>(dir, ['trail', 'list', '--agent', 'claude', '--status', 'completed', '--limit', '5'])
    assert.equal(asJson.total, null)
    assert.equal(asJson.more, true)
  })

  it('finds a rare filter through git grep, with an exact total', async () => {
    const rare = await runTraced(dir, ['trail', 'list', '--agent', 'rare', '--json'])
    assert.equal((JSON.parse(rare.stdout) as ListJson).total, 2)
    assert.deepEqual(
      (JSON.parse(rare.stdout) as ListJson).trajectories.map((t) => t.title),
      ['Rare two', 'Rare one'],
    )
    // The scan gives up after its budget, one git grep finds the rest, and only the page is read after it.
    const read = counts(rare.trace)
    assert.equal(read.processes.filter((name) => name === 'grep').length, 1, 'one git grep')
    assert.ok(read.trajectories <= SCAN_BUDGET + 2, `${read.trajectories} trajectories read`)
    assert.equal(read.events, 0)
    const completed = await json<ListJson>(dir, ['trail', 'list', '--agent', 'rare', '--status', 'completed'])
    assert.deepEqual(
      completed.trajectories.map((t) => t.title),
      ['Rare one'],
    )
    const none = await runCli(dir, ['trail', 'list', '--agent', 'nobody'])
    assert.equal(none.code, 0)
    assert.equal(none.stdout, '')
    const active = await runTraced(dir, ['trail', 'list', '--status', 'active', '--json'])
    assert.equal((JSON.parse(active.stdout) as ListJson).total, 1)
    const fromMarkers = counts(active.trace)
    assert.equal(fromMarkers.trajectories, 1, '--status active reads the active markers, then only the active trajectory')
    assert.deepEqual(fromMarkers.days, [], 'and lists no day folder')
  })

  it('restricts to --since by the folders, before reading anything', async () => {
    const {stdout, trace} = await runTraced(dir, ['trail', 'list', '--since', '1d', '--limit', '1', '--json'])
    const recent = JSON.parse(stdout) as ListJson
    assert.ok(recent.total !== null && recent.total >= 2 && recent.total < 5002, String(recent.total))
    const read = counts(trace)
    assert.equal(read.trajectories, 1, 'the page of one')
    // Today's folder and at most yesterday's (the bench's last day): never the days before.
    const oldest = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '/')
    assert.ok(read.days.length >= 1 && read.days.length <= 2, read.days.join(', '))
    assert.ok(
      read.days.every((day) => day.slice('.trail/trajectories/'.length) > oldest),
      read.days.join(', '),
    )
  })

  it('shows a trajectory by a prefix of its id, listing only the day folder that prefix falls in', async () => {
    const [listed] = (await json<ListJson>(dir, ['trail', 'list', '--limit', '1', '--page', '2500'])).trajectories
    const id = listed!.id
    // "traj_" and 9 characters of the ULID's 10 characters of time: a span of 32 ms.
    const {stdout, trace} = await runTraced(dir, ['trail', 'show', id.slice(0, 14), '--json'])
    const shown = JSON.parse(stdout) as TrajectoryDetailJson
    assert.equal(shown.id, id)
    assert.equal(shown.decisions.length, 2)
    const read = counts(trace)
    assert.equal(read.days.length, 1, `day folders listed: ${read.days.join(', ')}`)
    assert.ok(read.days[0]!.startsWith(`.trail/trajectories/${shown.started.slice(0, 10).replaceAll('-', '/')}`), read.days[0])
    assert.equal(read.trajectories, 1, 'only the trajectory shown')
    assert.deepEqual(
      eventFiles(trace.blobPaths).map((path) => path.split('/')[5]),
      [id, id],
      'and its two decisions',
    )
  })
})
