import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {parseAgentName} from '../../src/model/names.js'
import {recordSummary} from '../../src/services/agent-output.js'
import {createContext} from '../../src/services/context.js'
import {markUncertain, saveContinuity} from '../../src/services/continuity.js'
import {WriteBatch, type BatchTag} from '../../src/services/ingest-batch.js'
import {sendMessage} from '../../src/services/messages.js'
import {testEnv, useRepos} from '../helpers/repo.js'

// Many writes of one ingest run, one commit: each change sees the ones before it, nothing is lost, and a change
// that fails only at the commit is reported on its own.

const newRepo = useRepos()
const agent = parseAgentName('claude')

function commits(_dir: string, repo: ReturnType<typeof newRepo>): number {
  return Number(repo.gitOrEmpty(['rev-list', '--count', 'refs/trail/records']).trim() || '0')
}

describe('a batch of writes', () => {
  it('commits many changes as one commit, each seeing the ones before it', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const ctx = createContext({cwd: repo.dir, env: testEnv()})
    try {
      const batch = new WriteBatch(ctx, () => assert.fail('no late failure'))
      await saveContinuity(batch.context, {agent, content: 'Current task: first', handoff: false})
      await markUncertain(batch.context, {agent, text: 'one'})
      const ledger = await markUncertain(batch.context, {agent, text: 'two'})
      assert.equal(ledger.currentTask, 'first', 'the second change saw the first before any commit')
      for (let i = 0; i < 20; i++) await recordSummary(batch.context, agent, {currentTask: `task ${i}`}, '{}')
      assert.equal(commits(repo.dir, repo), 0, 'nothing is committed before the flush')
      assert.equal(batch.size, 23)
      await batch.flush()
      assert.equal(commits(repo.dir, repo), 1)
      assert.match(repo.git(['show', 'refs/trail/records:.relay/ledger/claude.md']), /currentTask: first\n[\s\S]*uncertain:\n {2}- one\n {2}- two\n/)
      assert.equal(repo.git(['ls-tree', '-r', '--name-only', 'refs/trail/records', '.relay/ledger/summaries']).trim().split('\n').length, 20)
      repo.assertUserStateUnchanged(before)
    } finally {
      ctx.close()
    }
  })

  it('runs every change again on the new records when another writer committed in between', async () => {
    const repo = newRepo()
    const ctx = createContext({cwd: repo.dir, env: testEnv()})
    const other = createContext({cwd: repo.dir, env: testEnv()})
    try {
      const batch = new WriteBatch(ctx, () => assert.fail('no late failure'))
      await markUncertain(batch.context, {agent, text: 'from the batch'})
      await markUncertain(other, {agent, text: 'from another writer'})
      await batch.flush()
      assert.match(
        repo.git(['show', 'refs/trail/records:.relay/ledger/claude.md']),
        /uncertain:\n {2}- from another writer\n {2}- from the batch\n/,
        "the other writer's item is kept",
      )
    } finally {
      ctx.close()
      other.close()
    }
  })

  it('commits the others and reports the one when a change fails only at the commit', async () => {
    const repo = newRepo()
    const ctx = createContext({cwd: repo.dir, env: testEnv()})
    const other = createContext({cwd: repo.dir, env: testEnv()})
    try {
      const failures: [BatchTag, string][] = []
      const batch = new WriteBatch(ctx, (tag, error) => failures.push([tag, error.message]))
      let fail = false
      const store = await batch.context.store()
      batch.tag = {source: 'test', line: 1}
      await markUncertain(batch.context, {agent, text: 'kept'})
      batch.tag = {source: 'test', line: 2}
      await store.transact(async () => {
        if (fail) throw new Error('the world changed')
        return {writes: [{path: '.relay/ledger/notes/x.md', content: 'x\n'}], subject: 'x', result: undefined}
      })
      // Another writer moves the ref, so every change runs again at the flush, and this one now fails.
      await markUncertain(other, {agent, text: 'from another writer'})
      fail = true
      await batch.flush()
      assert.deepEqual(failures, [[{source: 'test', line: 2}, 'the world changed']])
      assert.match(repo.git(['show', 'refs/trail/records:.relay/ledger/claude.md']), /- from another writer\n {2}- kept\n/)
    } finally {
      ctx.close()
      other.close()
    }
  })

  it('commits at once a change that lists a folder the batch writes to, after the batch', async () => {
    const repo = newRepo()
    const ctx = createContext({cwd: repo.dir, env: testEnv()})
    try {
      const batch = new WriteBatch(ctx, () => assert.fail('no late failure'))
      await recordSummary(batch.context, agent, {currentTask: 'a'}, '{}')
      const store = await batch.context.store()
      const seen = await store.transact(async (snapshot) => ({
        writes: [{path: '.relay/ledger/notes/y.md', content: 'y\n'}],
        subject: 'y',
        result: (await snapshot.listFiles('.relay/ledger/summaries')).length,
      }))
      assert.equal(seen, 1, 'the listing saw the summary: the batch was committed first')
      assert.equal(commits(repo.dir, repo), 2)
      assert.equal(batch.size, 0)
      await sendMessage(batch.context, {from: agent, to: 'Bob', thread: null, body: 'after'})
      await batch.flush()
      assert.equal(commits(repo.dir, repo), 3)
    } finally {
      ctx.close()
    }
  })
})
