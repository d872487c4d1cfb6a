import assert from 'node:assert/strict'
import {closeSync, existsSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {gitChildren, startMcp} from './mcp-client.js'

// The server outlives problems in the store: each one comes back as a tool error worded as the CLI words it, and
// the next call, once the problem is gone, works. Its own git processes may die under it (killed, a repack): it
// starts new ones.

/** Replaces one file on the ref by a commit of the test's own (as a broken tool or a bad merge could). */
function overwriteOnRef(repo: TestRepo, path: string, content: string): void {
  const bytes = Buffer.byteLength(content)
  repo.git(['fast-import', '--quiet'], {
    input: `commit refs/trail/records\ncommitter Test <test@example.com> 1800000000 +0000\ndata 11\ntest: break\nfrom refs/trail/records^0\nM 100644 inline ${path}\ndata ${bytes}\n${content}\n`,
  })
}

describe('relay mcp and a store with problems', () => {
  const makeRepo = useRepos()

  it("recovers git's lock on the ref as the CLI does: waits for a fresh one, removes one left behind by a killed git", async () => {
    const repo = makeRepo()
    await ok(repo.dir, ['trail', 'start', 'Locked out', '--agent', 'claude'])
    const before = repo.userState()
    const mcp = await startMcp({cwd: repo.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    try {
      const lock = join(repo.dir, '.git', 'refs', 'trail', 'records.lock')
      // A git process at work holds it for milliseconds: the write waits for it to go.
      writeFileSync(lock, '')
      const waiting = mcp.ok('trail_decision', {title: 'Waited'})
      setTimeout(() => rmSync(lock, {force: true}), 300)
      assert.match(await waiting, /^Recorded decision/)
      // A git process killed while it updated the ref leaves its lock behind: once it is too old to be held by a
      // live git, the write removes it and goes on.
      writeFileSync(lock, '')
      const old = new Date(Date.now() - 30_000)
      utimesSync(lock, old, old)
      assert.match(await mcp.ok('trail_decision', {title: 'Recovered'}), /^Recorded decision/)
      assert.ok(!existsSync(lock))
      assert.match(await mcp.ok('trail_status'), /decisions \(2\)/)
      await repo.fsck('refs/trail/records')
      repo.assertUserStateUnchanged(before)
    } finally {
      await mcp.close()
    }
  })

  it("answers a record it cannot read with the CLI's error, serves what it can, and recovers when it is fixed", async () => {
    const repo = makeRepo()
    await ok(repo.dir, ['trail', 'start', 'Soon broken', '--agent', 'claude'])
    await ok(repo.dir, ['relay', 'send', 'claude', 'Still readable', '--agent', 'codex'])
    const status = await json<{active: {id: string; started: string}}>(repo.dir, ['trail', 'status', '--agent', 'claude'])
    const path = repo
      .git(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', '.trail/trajectories'])
      .split('\n')
      .find((each) => each.endsWith('/trajectory.md'))!
    const good = repo.git(['show', `refs/trail/records:${path}`])
    const before = repo.userState()
    const mcp = await startMcp({cwd: repo.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    try {
      for (const broken of ['---\nid: [unclosed\n---\n', 'not a record at all', '---\nstatus: active\n---\n']) {
        overwriteOnRef(repo, path, broken)
        const cli = await runCli(repo.dir, ['trail', 'status', '--agent', 'claude'])
        assert.notEqual(cli.code, 0)
        assert.equal(await mcp.fails('trail_status'), cli.stderr.trimEnd(), JSON.stringify(broken))
        assert.match(
          await mcp.fails('trail_decision', {title: 'On a broken record'}),
          /^error: cannot read record \.trail\/trajectories\/.*\nhint: inspect it with: git show refs\/trail\/records:/,
        )
        assert.match(await mcp.ok('relay_inbox'), /Still readable/, 'what does not need the broken record is served')
        assert.equal((await mcp.client.listTools()).tools.length, 16)
      }
      overwriteOnRef(repo, path, good)
      assert.match(await mcp.ok('trail_status'), new RegExp(`active ${status.active.id}`))
      assert.match(await mcp.ok('trail_decision', {title: 'Fixed'}), /^Recorded decision/)
      assert.equal(mcp.stderr(), '', 'nothing crashed, nothing to report')
      repo.assertUserStateUnchanged(before)
    } finally {
      await mcp.close()
    }
  })

  it('warns of a message it cannot read, naming it, in relay_inbox, relay_thread, relay_continuity_load and relay inbox', async () => {
    const repo = makeRepo()
    await ok(repo.dir, ['relay', 'send', 'claude', 'Readable', '--thread', 'plan', '--agent', 'codex'])
    await ok(repo.dir, ['relay', 'send', 'claude', 'Soon unreadable', '--thread', 'plan', '--agent', 'codex'])
    const paths = repo.git(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', '.relay/messages']).trim().split('\n')
    const path = paths.find((each) => repo.git(['show', `refs/trail/records:${each}`]).includes('Soon unreadable'))!
    overwriteOnRef(repo, path, repo.git(['show', `refs/trail/records:${path}`]).replace(/^from: .*$/m, 'from: [unclosed'))
    const warning = `warning: 1 message cannot be read: ${path}; left out (run trail doctor)`
    const cli = await runCli(repo.dir, ['relay', 'inbox', '--agent', 'claude'])
    assert.equal(cli.code, 0)
    assert.match(cli.stdout, /Readable/)
    assert.equal(cli.stderr.trimEnd(), warning)
    const mcp = await startMcp({cwd: repo.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    try {
      for (const [name, args] of [
        ['relay_inbox', {}],
        ['relay_thread', {id: 'plan'}],
        ['relay_continuity_load', {}],
      ] as const) {
        const text = await mcp.ok(name, args)
        assert.match(text, /Readable/, name)
        assert.ok(text.includes(warning), `${name}: ${text}`)
      }
    } finally {
      await mcp.close()
    }
  })

  it('writes on the real tip after a tool rewrote packed-refs in place behind git (same size, same mtime)', async () => {
    const repo = makeRepo()
    // git's running processes (the server's `git cat-file`) keep what they read of packed-refs while its stat data
    // looks the same: the ctime is compared to the second only, and not at all with core.trustctime=false, which
    // makes the rewrite below invisible to them every time rather than within the same second.
    repo.git(['config', 'core.trustctime', 'false'])
    await ok(repo.dir, ['trail', 'start', 'Packed', '--agent', 'claude'])
    const older = repo.git(['rev-parse', 'refs/trail/records']).trim()
    await ok(repo.dir, ['trail', 'decision', 'Rolled back', '--agent', 'claude'])
    const newer = repo.git(['rev-parse', 'refs/trail/records']).trim()
    repo.git(['pack-refs', '--all'])
    const packedRefs = join(repo.dir, '.git', 'packed-refs')
    // A whole second, which utimes can put back exactly (a file system's nanoseconds it cannot).
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000)
    utimesSync(packedRefs, mtime, mtime)
    assert.ok(!existsSync(join(repo.dir, '.git', 'refs', 'trail', 'records')), 'the ref is packed')
    const before = repo.userState()
    const mcp = await startMcp({cwd: repo.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    try {
      assert.match(await mcp.ok('trail_status'), /decisions \(1\)/) // the server's git has read packed-refs
      // A tool that is not git (a backup restored, a sync) rewrites the file in place: same inode, same size, the
      // modification time put back.
      const stat = statSync(packedRefs)
      const text = readFileSync(packedRefs, 'utf8')
      assert.ok(text.includes(newer))
      const fd = openSync(packedRefs, 'r+')
      writeSync(fd, text.replace(newer, older), 0)
      closeSync(fd)
      utimesSync(packedRefs, mtime, mtime)
      const after = statSync(packedRefs)
      assert.deepEqual([after.ino, after.size, after.mtimeMs], [stat.ino, stat.size, stat.mtimeMs])
      assert.equal(repo.git(['rev-parse', 'refs/trail/records']).trim(), older)

      assert.match(await mcp.ok('trail_status'), /no decisions yet/, 'a read sees the tip packed-refs holds')
      const started = Date.now()
      assert.match(await mcp.ok('trail_decision', {title: 'On the real tip'}), /^Recorded decision/)
      assert.ok(Date.now() - started < 1000, 'no rounds of lost races first')
      assert.equal(repo.git(['rev-parse', 'refs/trail/records~1']).trim(), older, 'the write built on the real tip')
      assert.match(await mcp.ok('trail_status'), /decisions \(1\)/)
      await repo.fsck('refs/trail/records')
      repo.assertUserStateUnchanged(before)
    } finally {
      await mcp.close()
    }
  })

  it('starts its git processes again when they die under it (killed, or after a repack)', async () => {
    const repo = makeRepo()
    const before = repo.userState()
    const mcp = await startMcp({cwd: repo.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    try {
      await mcp.ok('trail_start', {title: 'Resilient'})
      await mcp.ok('trail_decision', {title: 'First'})
      const children = gitChildren(mcp.pid)
      assert.ok(
        children.some((child) => child.command.includes('cat-file --batch')),
        JSON.stringify(children),
      )
      for (const child of children) process.kill(child.pid, 'SIGKILL')
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.match(await mcp.ok('trail_status'), /decisions \(1\)/)
      assert.match(await mcp.ok('trail_decision', {title: 'After the kill'}), /^Recorded decision/)

      // Killed while answering: the call that was waiting fails or is retried, the next one works.
      const pending = mcp.call('trail_status')
      for (const child of gitChildren(mcp.pid)) process.kill(child.pid, 'SIGKILL')
      await pending
      assert.match(await mcp.ok('trail_status'), /decisions \(2\)/)

      // A repack moves every object into a new pack and deletes the old ones and the loose objects.
      repo.git(['repack', '-a', '-d', '-q'])
      repo.git(['prune-packed'])
      assert.match(await mcp.ok('trail_decision', {title: 'After the repack'}), /^Recorded decision/)
      repo.git(['gc', '--prune=now', '--quiet'])
      assert.match(await mcp.ok('trail_status'), /decisions \(3\)/)
      assert.match(await mcp.ok('trail_complete', {summary: 'Survived', confidence: 0.9}), /^Completed/)
      await repo.fsck('refs/trail/records')
      repo.assertUserStateUnchanged(before)
    } finally {
      await mcp.close()
    }
  })
})
