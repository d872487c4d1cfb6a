import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, it} from 'node:test'
import {ok} from '../helpers/cli.js'
import {TestRepo, useRepos, useTempDirs} from '../helpers/repo.js'
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

/** The processes of process group `group` still alive (a git started for a request runs in its own group). */
function groupMembers(group: number): number[] {
  const members: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      // /proc/<pid>/stat: "pid (command) state ppid pgrp ..."; the command may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(pgrp) === group && state !== 'Z') members.push(Number(name))
    } catch {
      // gone while listed
    }
  }
  return members
}

describe('relay mcp and a cancelled request', () => {
  const makeRepo = useRepos()
  const tempDir = useTempDirs()

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

  it('stops the git blame of a trail_why the client cancels, with what it started, and serves the next call', async () => {
    // A partial clone whose promisor remote never answers: blaming a line needs an older version of the file, which
    // git fetches on demand, so git blame waits (as it would on a slow network) until it is stopped.
    const origin = makeRepo({dirty: false})
    origin.write('src/app.js', 'console.log("hello")\nconsole.log("again")\n')
    origin.git(['commit', '--quiet', '-am', 'again'])
    origin.git(['config', 'uploadpack.allowFilter', 'true'])
    const clone = new TestRepo(`${tempDir('partial')}/clone`)
    origin.git(['clone', '--quiet', '--filter=blob:none', '--no-local', `file://${origin.dir}`, clone.dir])
    clone.git(['config', 'remote.origin.uploadpack', "sh -c 'sleep 600'"])
    await ok(clone.dir, ['trail', 'start', 'Explain the app', '--agent', 'claude'])
    const before = clone.userState()
    const mcp = await startMcp({cwd: clone.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    const blames = () => gitChildren(mcp.pid).filter((child) => child.command.startsWith('git blame'))
    try {
      const cancel = new AbortController()
      const why = mcp.client.callTool({name: 'trail_why', arguments: {target: 'src/app.js:1'}}, undefined, {signal: cancel.signal})
      why.catch(() => {})
      assert.ok(await within(30_000, () => blames().length > 0), 'git blame started')
      const [blame] = blames()
      // The lazy fetch it started: git fetch, then the remote's command.
      assert.ok(await within(30_000, () => groupMembers(blame!.pid).length > 1), 'git blame is waiting for its fetch')
      cancel.abort()
      await assert.rejects(why, /abort/i)
      assert.ok(await within(5_000, () => blames().length === 0), 'git blame is still running')
      assert.ok(await within(5_000, () => groupMembers(blame!.pid).length === 0), `still running: ${groupMembers(blame!.pid).join(' ')}`)
      assert.match(await mcp.ok('trail_status', {}), /Explain the app/, 'the next call is served')
      assert.equal(mcp.stderr(), '')
      clone.assertUserStateUnchanged(before)
    } finally {
      await mcp.close()
    }
  })
})
