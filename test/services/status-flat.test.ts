import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {IdGenerator} from '../../src/model/ids.js'
import {eventPath} from '../../src/model/layout.js'
import {parseAgentName} from '../../src/model/names.js'
import {renderEvent} from '../../src/model/trajectory.js'
import {json} from '../helpers/cli.js'
import {commitOnRef, makeRepo, type TestRepo} from '../helpers/repo.js'
import {eventFiles, runTraced} from '../helpers/trace.js'

// Work proportional to what is asked (issue 14): `trail status` and `relay continuity load` read the same number
// of objects with 1,000 decisions in the active trajectory as with 30 (one listing of the events folder, the
// latest 20 events: with 10, they read 10), and still say how many there are and where to see them all.

const REF = 'refs/trail/records'
const AGENT = parseAgentName('a')

/** A repository whose agent `a` has an active trajectory with `count` decisions (the extra ones written by hand, at once). */
async function storeWithDecisions(count: number): Promise<{repo: TestRepo; id: string}> {
  const repo = makeRepo()
  const {id} = await json<{id: string}>(repo.dir, ['trail', 'start', 'Many decisions', '--agent', 'a'])
  let clock = Date.parse('2026-11-20T10:00:00Z')
  const ids = new IdGenerator(
    () => new Date(clock),
    (length) => Uint8Array.from({length}, (_, i) => (i * 37 + clock) & 0xff),
  )
  const files = Array.from({length: count}, (_, n) => {
    clock += 1000
    const eventId = ids.next('ev')
    return {
      path: eventPath(id, eventId),
      content: renderEvent({
        id: eventId,
        kind: 'decision',
        trajectory: id,
        agent: AGENT,
        at: new Date(clock).toISOString(),
        title: `Decision ${n + 1}`,
        reasoning: `Reason ${n + 1}`,
        alternatives: [],
      }),
    }
  })
  commitOnRef(repo, REF, files, `${count} decisions`)
  // The first command after a commit made behind the tool's back brings the mirror up to it (reading what is new,
  // once); the counts below are of a command's own reads.
  await json(repo.dir, ['trail', 'status', '--agent', 'a'])
  return {repo, id}
}

describe('trail status and relay continuity load with many decisions', () => {
  const made: TestRepo[] = []
  let ten: {repo: TestRepo; id: string}
  let few: {repo: TestRepo; id: string}
  let many: {repo: TestRepo; id: string}
  before(async () => {
    ten = await storeWithDecisions(10)
    few = await storeWithDecisions(30)
    many = await storeWithDecisions(1000)
    made.push(ten.repo, few.repo, many.repo)
  })
  after(() => {
    for (const repo of made) repo.remove()
  })

  for (const [name, argv] of [
    ['trail status', ['trail', 'status', '--agent', 'a']],
    ['relay continuity load', ['relay', 'continuity', 'load', '--agent', 'a']],
  ] as const) {
    it(`${name} reads as many objects with 1,000 decisions as with 30, and no more than 20 events`, async () => {
      const reads = async (repo: TestRepo) => {
        const result = await runTraced(repo.dir, [...argv])
        assert.equal(result.code, 0, result.stderr)
        return result.trace
      }
      const [smallest, small, large] = [await reads(ten.repo), await reads(few.repo), await reads(many.repo)]
      assert.equal(large.reads.length, small.reads.length, `${name}: ${small.reads.length} objects read at 30 decisions, ${large.reads.length} at 1,000`)
      assert.ok(
        large.reads.length <= smallest.reads.length + 10,
        `${name}: ${smallest.reads.length} objects read at 10 decisions, ${large.reads.length} at 1,000`,
      )
      assert.ok(eventFiles(large.blobPaths).length <= 20, `at most 20 events read, not ${eventFiles(large.blobPaths).length}`)
    })
  }

  it('trail status says how many decisions there are, shows the latest numbered as in the whole list, and where to see them all', async () => {
    const before_ = many.repo.userState()
    const result = await runTraced(many.repo.dir, ['trail', 'status', '--agent', 'a'])
    assert.match(result.stdout, new RegExp(`decisions \\(1000, the latest 20 shown; all of them: trail show ${many.id}\\):`))
    assert.match(result.stdout, /^ {4}981\. Decision 981: Reason 981$/m)
    assert.match(result.stdout, /^ {4}1000\. Decision 1000: Reason 1000$/m)
    assert.doesNotMatch(result.stdout, /Decision 980:/)
    const status = await json<{active: {decisions: unknown[]; eventCount: number}}>(many.repo.dir, ['trail', 'status', '--agent', 'a'])
    assert.equal(status.active.decisions.length, 20)
    assert.equal(status.active.eventCount, 1000)
    // With few, every decision is there and no count is added.
    const small = await json<{active: {decisions: unknown[]; eventCount?: number}}>(ten.repo.dir, ['trail', 'status', '--agent', 'a'])
    assert.equal(small.active.decisions.length, 10)
    assert.equal(small.active.eventCount, undefined)
    many.repo.assertUserStateUnchanged(before_)
  })

  it('relay continuity load gives the latest decisions and the count, with the command that shows them all', async () => {
    const result = await runTraced(many.repo.dir, ['relay', 'continuity', 'load', '--agent', 'a', '--max-chars', '0'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, new RegExp(`1000 decisions and other events, the latest 20 here \\(all of them: trail show ${many.id}\\)`))
    assert.match(result.stdout, /- Decision 1000: Reason 1000/)
    assert.doesNotMatch(result.stdout, /Decision 980:/)
  })
})
