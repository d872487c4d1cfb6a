import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {agentNameOfPerson, GONE_AFTER_MS, overviewOf, presenceOf, WORKING_WINDOW_MS, type AgentFacts} from '../../src/model/presence.js'
import type {AgentName} from '../../src/model/names.js'

// The presence rule (working, idle, gone) from an agent's records, and the agent name a person sends as.

const NOW = new Date('2026-11-21T12:00:00.000Z')
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString()

describe('presence', () => {
  const cases: [string, Parameters<typeof presenceOf>[0], string][] = [
    ['nothing known', {lastActivity: null, hasActiveTrajectory: false, lastSessionEnd: null}, 'gone'],
    ['an active trajectory and a record a minute ago', {lastActivity: ago(60_000), hasActiveTrajectory: true, lastSessionEnd: null}, 'working'],
    [
      'an active trajectory, the last record just inside the window',
      {lastActivity: ago(WORKING_WINDOW_MS), hasActiveTrajectory: true, lastSessionEnd: null},
      'working',
    ],
    [
      'an active trajectory, quiet for longer than the window',
      {lastActivity: ago(WORKING_WINDOW_MS + 1), hasActiveTrajectory: true, lastSessionEnd: null},
      'idle',
    ],
    ['no active trajectory, a record a minute ago', {lastActivity: ago(60_000), hasActiveTrajectory: false, lastSessionEnd: null}, 'idle'],
    ['a record just inside a day', {lastActivity: ago(GONE_AFTER_MS), hasActiveTrajectory: false, lastSessionEnd: null}, 'idle'],
    [
      'nothing for more than a day, even with an active trajectory',
      {lastActivity: ago(GONE_AFTER_MS + 1), hasActiveTrajectory: true, lastSessionEnd: null},
      'gone',
    ],
    ['a session end as its last record', {lastActivity: ago(60_000), hasActiveTrajectory: true, lastSessionEnd: ago(60_000)}, 'gone'],
    ['a record after its last session end', {lastActivity: ago(60_000), hasActiveTrajectory: true, lastSessionEnd: ago(120_000)}, 'working'],
    ['an unreadable time', {lastActivity: 'yesterday-ish', hasActiveTrajectory: true, lastSessionEnd: null}, 'gone'],
  ]
  for (const [name, facts, expected] of cases) {
    it(`${name}: ${expected}`, () => assert.equal(presenceOf(facts, NOW), expected))
  }

  it('takes the newest of every record it knows as the last activity, and says what the agent works on', () => {
    const facts: AgentFacts = {
      agent: 'Architect' as AgentName,
      ledger: {updated: ago(3_600_000), currentTask: 'From the ledger', uncertain: ['Rate limits?']},
      active: [{id: 'traj_1', title: 'From the trajectory', started: ago(7_200_000), updated: ago(7_200_000)}],
      latestEventAt: ago(120_000),
      latestSummary: {created: ago(5_000_000), currentTask: 'From the summary'},
      latestSessionEnd: null,
      otherActivity: [null, ago(600_000)],
      unread: 2,
    }
    const overview = overviewOf({project: 'backend', sibling: null, lead: 'Architect'}, facts, NOW)
    assert.deepEqual(
      [overview.facts.lastActivity, overview.presence, overview.workingOn, overview.isLead, overview.uncertain, overview.unread],
      [ago(120_000), 'working', 'From the trajectory', true, ['Rate limits?'], 2],
    )
    assert.equal(overviewOf({project: 'backend', sibling: null}, {...facts, active: []}, NOW).workingOn, 'From the ledger')
    assert.equal(overviewOf({project: 'backend', sibling: null}, {...facts, active: [], ledger: null}, NOW).workingOn, 'From the summary')
  })
})

describe('the agent name of a person', () => {
  const cases: [string, string][] = [
    ['Ada Lovelace', 'Ada-Lovelace'],
    ['Zoë Ünal', 'Zoe-Unal'],
    ['  -- leading dashes', 'leading-dashes'],
    ['dots... and more', 'dots.-and-more'],
    ['ends with a dot.', 'ends-with-a-dot'],
    ['../../etc/passwd', 'etc-passwd'],
    ['李小龙', 'human'],
    ['', 'human'],
    ['x'.repeat(100), 'x'.repeat(64)],
    ['name.lock', 'human'],
  ]
  for (const [given, expected] of cases) {
    it(`${JSON.stringify(given.slice(0, 20))} → ${expected.slice(0, 20)}`, () => assert.equal(agentNameOfPerson(given), expected))
  }
})
