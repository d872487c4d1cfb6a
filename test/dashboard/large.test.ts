import assert from 'node:assert/strict'
import {rmSync} from 'node:fs'
import {after, before, describe, it} from 'node:test'
import type {OverviewJson, TrajectoryPageJson, TrajectoryViewJson} from '../../src/render/dashboard.js'
import {buildStore} from '../../bench/stores.js'
import {ok} from '../helpers/cli.js'
import {TestRepo} from '../helpers/repo.js'
import {api, as, eventually, startDashboard, type Dashboard} from './fixture.js'

// A store larger than what the dashboard reads before it serves (the newest day folders, at least 500 ids): the
// first page comes from those, the rest of the ids arrive in the background, and every other page, filter and
// lookup waits for them, so no answer is ever cut short.

describe('relay dashboard on a store larger than its first read', () => {
  const TRAJECTORIES = 1300
  let dir: string
  let dashboard: Dashboard

  before(async () => {
    // 100 a day: 13 day folders, of which the first read takes the newest few.
    dir = buildStore(TRAJECTORIES, {perDay: 100})
    dashboard = await startDashboard(dir)
  })

  after(async () => {
    await dashboard?.stop()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('pages through every trajectory, newest first, once each, with the total', async () => {
    const ids: string[] = []
    let page = 1
    for (let more = true; more; page++) {
      const answer = await api<TrajectoryPageJson>(dashboard, `/api/trajectories?limit=100&page=${page}`)
      ids.push(...answer.trajectories.map((t) => t.id))
      more = answer.more
      if (page > 1) assert.equal(answer.total, TRAJECTORIES)
    }
    assert.equal(ids.length, TRAJECTORIES)
    assert.deepEqual(ids, [...new Set(ids)].sort().reverse())
    const first = await api<TrajectoryPageJson>(dashboard, '/api/trajectories')
    assert.deepEqual([first.total, first.trajectories[0]!.id], [TRAJECTORIES, ids[0]])
  })

  it('opens the oldest trajectory and filters over all of them', async () => {
    const overview = await api<OverviewJson>(dashboard, '/api/overview')
    assert.ok(overview.projects[0]!.trajectories <= TRAJECTORIES)
    const last = await api<TrajectoryPageJson>(dashboard, `/api/trajectories?limit=100&page=${TRAJECTORIES / 100}`)
    const oldest = last.trajectories.at(-1)!
    const view = await api<TrajectoryViewJson>(dashboard, `/api/trajectories/${oldest.project}/${oldest.id}`)
    assert.equal(view.events.length, 2)
    const codex = await api<TrajectoryPageJson>(dashboard, '/api/trajectories?agent=codex&limit=100&page=4')
    assert.deepEqual([codex.trajectories.length, codex.more], [TRAJECTORIES / 4 - 300, false])
  })

  it('counts a trajectory written while it runs', async () => {
    const repo = new TestRepo(dir)
    const before_ = repo.userState()
    await ok(dir, ['trail', 'start', 'One more'], as('Latecomer'))
    await eventually(async () => (await api<TrajectoryPageJson>(dashboard, '/api/trajectories?page=2')).total === TRAJECTORIES + 1, 10_000, 'the new total')
    const first = await api<TrajectoryPageJson>(dashboard, '/api/trajectories?limit=1')
    assert.equal(first.trajectories[0]!.title, 'One more')
    repo.assertUserStateUnchanged(before_)
  })
})
