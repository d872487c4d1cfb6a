import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {mergeRecordText} from '../../src/model/kinds.js'
import {trajectoryPath} from '../../src/model/layout.js'
import {mergeFields, mergeTrajectory} from '../../src/model/merge.js'
import {renderReceipt} from '../../src/model/message.js'
import {parseAgentName} from '../../src/model/names.js'
import {renderProject} from '../../src/model/project.js'
import {parseTrajectory, renderTrajectory, type Trajectory} from '../../src/model/trajectory.js'
import {normaliseLocation} from '../../src/services/projects.js'

// Merging by meaning: what two clones changed in one owner-written record comes together field by field.

const agent = parseAgentName('claude')
const base: Trajectory = {
  id: 'traj_01kaaaaaaaaaaaaaaaaaaaaaaa',
  title: 'Auth',
  status: 'active',
  agent,
  started: '2026-11-21T10:00:00.000Z',
  updated: '2026-11-21T10:00:00.000Z',
  challenges: ['Flaky test'],
  learnings: [],
}

describe('merging a trajectory changed on two clones', () => {
  it("takes each side's own changes, and the later side for a field both changed", () => {
    const ours = {...base, title: 'Auth with JWT', updated: '2026-11-21T11:00:00.000Z', approach: 'ours'}
    const theirs = {...base, task: 'AUTH-1', updated: '2026-11-21T12:00:00.000Z', approach: 'theirs'}
    assert.deepEqual(mergeTrajectory(base, ours, theirs), {
      ...base,
      title: 'Auth with JWT',
      task: 'AUTH-1',
      updated: '2026-11-21T12:00:00.000Z',
      approach: 'theirs',
    })
  })

  it('lets a finished status beat an active one, whatever the times', () => {
    const finished = {...base, status: 'completed' as const, summary: 'Done', ended: '2026-11-21T11:00:00.000Z', updated: '2026-11-21T11:00:00.000Z'}
    const stillActive = {...base, status: 'active' as const, title: 'Auth, renamed later', updated: '2026-11-21T13:00:00.000Z'}
    for (const merged of [mergeTrajectory(base, finished, stillActive), mergeTrajectory(base, stillActive, finished)]) {
      assert.equal(merged.status, 'completed')
      assert.equal(merged.summary, 'Done')
      assert.equal(merged.title, 'Auth, renamed later')
    }
  })

  it('unites lists both sides added to, and merges two versions with no common one', () => {
    const ours = {...base, challenges: ['Flaky test', 'Slow CI'], learnings: ['Measure']}
    const theirs = {...base, challenges: ['Flaky test', 'Token expiry'], learnings: ['Measure', 'Ask']}
    assert.deepEqual(mergeTrajectory(base, ours, theirs).challenges, ['Flaky test', 'Slow CI', 'Token expiry'])
    assert.deepEqual(mergeTrajectory(null, ours, theirs).learnings, ['Measure', 'Ask'])
    assert.deepEqual(mergeFields(null, {a: 1, updated: 't1'}, {b: 2, updated: 't2'}), {a: 1, b: 2, updated: 't2'})
  })
})

describe('merging record text by kind', () => {
  const path = trajectoryPath(base.id)

  it('merges trajectory.md, a ledger and project.yaml; leaves any other file to the caller', () => {
    const merged = mergeRecordText(path, renderTrajectory(base), renderTrajectory({...base, title: 'Ours'}), renderTrajectory({...base, task: 'T-1'}))
    assert.deepEqual(parseTrajectory(merged!, path), {...base, title: 'Ours', task: 'T-1'})
    const project = mergeRecordText(
      '.relay/project.yaml',
      null,
      renderProject({id: 'app' as never, updated: 't1'}),
      renderProject({id: 'app' as never, lead: agent, updated: 't2'}),
    )
    assert.match(project!, /^lead: claude$/m)
    assert.equal(mergeRecordText('.relay/messages/2026/11/21/msg_01kaaaaaaaaaaaaaaaaaaaaaaa.md', null, 'a', 'b'), null)
  })

  it('keeps the earlier read of a message marked read on both clones', () => {
    const receipt = (read: string) => renderReceipt({message: 'msg_01kaaaaaaaaaaaaaaaaaaaaaaa', agent, read})
    const receiptPath = '.relay/receipts/claude/msg_01kaaaaaaaaaaaaaaaaaaaaaaa.yaml'
    const early = receipt('2026-11-21T10:00:00.000Z')
    const late = receipt('2026-11-21T12:00:00.000Z')
    assert.equal(mergeRecordText(receiptPath, null, late, early), early)
    assert.equal(mergeRecordText(receiptPath, null, early, late), early)
  })

  it('refuses a record it cannot read rather than guessing', () => {
    assert.throws(() => mergeRecordText(path, null, renderTrajectory(base), '---\nnot: a trajectory\n---\n'))
  })
})

describe('sibling locations', () => {
  it('keeps URLs and scp-like addresses as given, and makes a local path absolute', () => {
    for (const url of [
      'https://example.com/org/web.git',
      'ssh://git@example.com/web.git',
      'file:///srv/web',
      'git@example.com:org/web.git',
      'myhost:repos/web.git',
    ]) {
      assert.equal(normaliseLocation(url, '/work/app'), url)
    }
    assert.equal(normaliseLocation('../web', '/work/app'), '/work/web')
    assert.equal(normaliseLocation('./a:b', '/work/app'), '/work/app/a:b')
    assert.equal(normaliseLocation('/srv/web', '/work/app'), '/srv/web')
  })
})
