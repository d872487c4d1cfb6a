import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ok} from '../helpers/cli.js'
import {useRepos, useTempDirs} from '../helpers/repo.js'
import {ResourceUpdatedNotificationSchema} from '@modelcontextprotocol/sdk/types.js'
import {startMcp} from './mcp-client.js'

// Which repository the server serves when the client's roots choose it (the server started outside any), and what
// a change of the roots (notifications/roots/list_changed) does: the server asks them again and serves the
// repository they name now; where its own folder chose the repository, it keeps it and says why.

/** Neither variable that names a project's folder: the roots are what chooses. */
const NO_PROJECT_DIR = {CLAUDE_PROJECT_DIR: undefined, GEMINI_PROJECT_DIR: undefined, AGENT_RELAY_NAME: 'claude'}

describe("relay mcp and the client's roots", () => {
  const makeRepo = useRepos()
  const tempDir = useTempDirs()

  it('serves the repository the roots name now, after the client says they changed', async () => {
    const [a, b] = [makeRepo(), makeRepo()]
    const before = [a.userState(), b.userState()]
    let roots = [a.dir]
    const mcp = await startMcp({cwd: tempDir('outside'), env: NO_PROJECT_DIR, roots: () => roots})
    try {
      assert.match(await mcp.ok('trail_start', {title: 'Work in A'}), /^Started traj_/)

      roots = [b.dir]
      await mcp.client.sendRootsListChanged()
      assert.match(await mcp.ok('trail_status'), /^No active trajectory for agent 'claude'/, 'the next call reads B')
      assert.match(await mcp.ok('trail_start', {title: 'Work in B'}), /^Started traj_/)
      assert.match(await ok(a.dir, ['trail', 'list']), /\tWork in A\n$/)
      assert.doesNotMatch(await ok(a.dir, ['trail', 'list']), /Work in B/)
      assert.match(await ok(b.dir, ['trail', 'list']), /\tWork in B\n$/)
      assert.doesNotMatch(await ok(b.dir, ['trail', 'list']), /Work in A/)

      // A write in B from another process is noticed: the refs watched are B's now.
      await mcp.client.subscribeResource({uri: 'relay-trail://context'})
      const updated = new Promise<void>((resolve) => mcp.client.setNotificationHandler(ResourceUpdatedNotificationSchema, () => resolve()))
      await ok(b.dir, ['trail', 'decision', 'Noticed', '--agent', 'claude'])
      await updated

      roots = [tempDir('no-repository')]
      await mcp.client.sendRootsListChanged()
      assert.match(await mcp.fails('trail_status'), /^error: not a git repository/)

      roots = [a.dir]
      await mcp.client.sendRootsListChanged()
      assert.match(await mcp.ok('trail_status'), /Work in A/)
      assert.match(mcp.stderr(), new RegExp(`the client's roots changed: serving ${b.dir} \\(was ${a.dir}\\)`))
      a.assertUserStateUnchanged(before[0]!)
      b.assertUserStateUnchanged(before[1]!)
    } finally {
      await mcp.close()
    }
  })

  it('keeps the repository it was started in, and says so, whatever the roots become', async () => {
    const [a, b] = [makeRepo(), makeRepo()]
    let roots = [b.dir]
    const mcp = await startMcp({cwd: a.dir, env: NO_PROJECT_DIR, roots: () => roots})
    try {
      assert.match(await mcp.ok('trail_start', {title: 'Work in A'}), /^Started traj_/)
      roots = [makeRepo().dir]
      await mcp.client.sendRootsListChanged()
      assert.match(await mcp.ok('trail_status'), /Work in A/)
      assert.match(
        mcp.stderr(),
        new RegExp(`the client's roots changed; still serving ${a.dir}: the folder the server was started in is inside it, which comes before the roots`),
      )
      assert.doesNotMatch(await ok(b.dir, ['trail', 'list']), /Work in A/)
    } finally {
      await mcp.close()
    }
  })
})
