import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ok} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'
import {gitChildren, startMcp} from './mcp-client.js'

// A request the client cancels (notifications/cancelled) stops the git processes started for it: a search that the
// agent gave up on does not keep a core busy until its time limit.

/** A back-reference after a nested repetition: glibc's matcher backtracks for minutes on a line of 3,000 "a". */
const SLOW = '(a*)*\\1b'

/** Waits until `done` holds, looking every 50 ms; whether it did within `ms`. */
async function within(ms: number, done: () => boolean): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 50))) if (done()) return true
  return done()
}

describe('relay mcp and a cancelled request', () => {
  const makeRepo = useRepos()

  it('stops the git grep of a search the client cancels, and serves the next call', async () => {
    const repo = makeRepo()
    await ok(repo.dir, ['relay', 'continuity', 'save', '--agent', 'worker', `Current task: tidy the fixtures ${'a'.repeat(3000)}`])
    const before = repo.userState()
    const mcp = await startMcp({cwd: repo.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    const greps = () => gitChildren(mcp.pid).filter((child) => child.command.startsWith('git grep'))
    try {
      for (const tool of ['relay_search', 'relay_continuity_search']) {
        const cancel = new AbortController()
        // The SDK's client sends notifications/cancelled for a request whose signal aborts.
        const search = mcp.client.callTool({name: tool, arguments: {query: SLOW, regex: true, timeout: 600}}, undefined, {signal: cancel.signal})
        search.catch(() => {})
        assert.ok(await within(30_000, () => greps().length > 0), `${tool}: git grep started`)
        cancel.abort()
        await assert.rejects(search, /abort/i)
        assert.ok(await within(5_000, () => greps().length === 0), `${tool}: git grep is still running: ${JSON.stringify(greps())}`)
        assert.match(await mcp.ok(tool, {query: 'tidy the fixtures'}), /worker/, `${tool}: the next call is served`)
      }
      assert.equal(mcp.stderr(), '')
      repo.assertUserStateUnchanged(before)
    } finally {
      await mcp.close()
    }
  })
})
