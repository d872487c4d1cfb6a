import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import type {AgentName} from '../../src/model/names.js'
import {listAgents} from '../../src/services/agents.js'
import {recordSessionEnd, recordSummary} from '../../src/services/agent-output.js'
import {createContext, type Context} from '../../src/services/context.js'
import {readLatestSessionRecords, readSessionHistory, readTrajectoryLinks} from '../../src/services/summaries.js'
import {readTrajectory} from '../../src/services/trajectory-records.js'
import {testEnv} from '../helpers/repo.js'
import {seedProjects, type Projects} from './fixture.js'

// The read services the dashboard adds, for the MCP server and the CLI too: the agents of a project and its
// siblings, and an agent's summaries and session ends.

describe('the agents and summaries services', () => {
  let projects: Projects
  let ctx: Context

  before(async () => {
    projects = await seedProjects()
    ctx = createContext({cwd: projects.backend.dir, env: testEnv(), warn: () => {}})
  })

  after(() => {
    ctx?.close()
    projects?.remove()
  })

  it('lists every agent of this project and of its synced siblings, with presence, work and unread messages', async () => {
    const agents = await listAgents(ctx)
    const line = (project: string, agent: string) => {
      const a = agents.find((candidate) => candidate.project === project && candidate.agent === agent)!
      return [a.presence, a.isLead, a.workingOn, a.uncertain.length, a.unread]
    }
    assert.deepEqual(agents.map((a) => `${a.project}:${a.agent}`).sort(), ['backend:Architect', 'backend:Worker', 'frontend:Designer', 'frontend:Mallory'])
    assert.deepEqual(line('backend', 'Architect'), ['working', true, 'Design the auth API', 0, 1])
    assert.deepEqual(line('backend', 'Worker'), ['gone', false, null, 1, 0])
    assert.deepEqual(line('frontend', 'Designer'), ['idle', true, 'Login UI', 0, 0])
  })

  it("pages an agent's summaries and session ends together, newest first", async () => {
    const agent = 'Historian' as AgentName
    const before_ = projects.backend.userState()
    for (const task of ['one', 'two']) await recordSummary(ctx, agent, {currentTask: task}, JSON.stringify({currentTask: task}))
    await recordSessionEnd(ctx, agent, {summary: 'three'}, '{"summary":"three"}')
    await recordSummary(ctx, agent, {currentTask: 'four'}, '{"currentTask":"four"}')
    projects.backend.assertUserStateUnchanged(before_)
    const snapshot = await (await ctx.store()).snapshot()
    const describe = (entries: Awaited<ReturnType<typeof readSessionHistory>>['entries']) =>
      entries.map((entry) => (entry.kind === 'summary' ? entry.summary.currentTask : entry.sessionEnd.summary))
    const first = await readSessionHistory(snapshot, agent, {page: 1, limit: 3})
    const second = await readSessionHistory(snapshot, agent, {page: 2, limit: 3})
    assert.deepEqual([describe(first.entries), first.more, describe(second.entries), second.more], [['four', 'three', 'two'], true, ['one'], false])
    const latest = await readLatestSessionRecords(snapshot, agent)
    assert.deepEqual([latest.summary?.currentTask, latest.sessionEnd?.summary], ['four', 'three'])
    assert.deepEqual(await readSessionHistory(snapshot, 'Nobody' as AgentName, {page: 1, limit: 3}), {entries: [], more: false})
  })

  it('finds the handoffs and session ends written during a trajectory', async () => {
    const snapshot = await (await ctx.store()).snapshot()
    const trajectory = (await readTrajectory(snapshot, projects.ids.auth))!
    const links = await readTrajectoryLinks(snapshot, trajectory, new Date())
    assert.deepEqual(
      links.handoffs.map((handoff) => handoff.currentTask),
      ['Auth API'],
    )
    assert.deepEqual(links.sessionEnds, [])
    const abandoned = (await readTrajectory(snapshot, projects.ids.abandoned))!
    assert.deepEqual(await readTrajectoryLinks(snapshot, abandoned, new Date()), {handoffs: [], sessionEnds: []})
  })
})
