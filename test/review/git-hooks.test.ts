import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {testEnv, useRepos} from '../helpers/repo.js'
import {commitAs, gitAs, linkedCommits, refPaths, trailersOf} from './helpers.js'

// The git hooks `trail init --hooks` installs (DESIGN.md section 6), run by real commits: prepare-commit-msg adds
// the Trajectory trailer for an agent with an active trajectory, post-commit and post-rewrite record links. They
// honour core.hooksPath, chain to the hooks already there, never block a commit, and come out again.

const newRepo = useRepos()
const HOOKS = ['prepare-commit-msg', 'post-commit', 'post-rewrite']

describe('trail init --hooks', () => {
  it("installs the three hooks, chained to the user's own, and --remove hooks puts the user's back", async () => {
    const repo = newRepo()
    const hooks = join(repo.dir, '.git', 'hooks')
    const log = join(repo.dir, '.git', 'user-hook.log')
    // The user's hooks record their arguments and stdin; their prepare-commit-msg edits the message.
    writeFileSync(join(hooks, 'prepare-commit-msg'), `#!/bin/sh\necho "pcm $*" >> '${log}'\necho "Edited-By: user-hook" >> "$1"\n`)
    writeFileSync(join(hooks, 'post-rewrite'), `#!/bin/sh\necho "rewrite $1 $(cat | wc -l)" >> '${log}'\n`)
    chmodSync(join(hooks, 'prepare-commit-msg'), 0o755)
    chmodSync(join(hooks, 'post-rewrite'), 0o755)
    const userHook = readFileSync(join(hooks, 'prepare-commit-msg'), 'utf8')
    const before = repo.userState()
    const first = await json<{installed: {path: string; action: string}[]}>(repo.dir, ['trail', 'init', '--hooks'])
    assert.deepEqual(
      first.installed.map((file) => file.path.split('/').pop()),
      HOOKS,
    )
    repo.assertUserStateUnchanged(before)
    for (const hook of HOOKS) assert.match(readFileSync(join(hooks, hook), 'utf8'), /^#!\/bin\/sh\n# relay-trail git hook: /)
    assert.equal(readFileSync(join(hooks, 'prepare-commit-msg.before-trail'), 'utf8'), userHook)
    const again = await json<{installed: {action: string}[]}>(repo.dir, ['trail', 'init', '--hooks'])
    assert.ok(
      again.installed.every((file) => file.action === 'unchanged'),
      JSON.stringify(again.installed),
    )

    await ok(repo.dir, ['trail', 'start', 'Chained hooks', '--agent', 'alice'])
    const commit = commitAs(repo, 'alice', {'a.txt': 'a\n'}, 'Add a')
    const message = repo.git(['log', '-1', '--format=%B', commit])
    assert.match(message, /Edited-By: user-hook/, "the user's hook still ran")
    assert.match(message, /^Trajectory: traj_[0-9a-z]{26}$/m)
    gitAs(repo, null, ['commit', '--quiet', '--amend', '-m', 'Add a (amended)'])
    assert.match(readFileSync(log, 'utf8'), /^pcm \S+COMMIT_EDITMSG message\n[\s\S]*^rewrite amend 1$/m, "the user's hooks got git's arguments and stdin")

    const removed = await json<{installed: {path: string; action: string}[]}>(repo.dir, ['trail', 'init', '--remove', 'hooks'])
    assert.deepEqual(
      removed.installed.map((file) => file.action),
      ['updated', 'deleted', 'updated'],
    )
    assert.equal(readFileSync(join(hooks, 'prepare-commit-msg'), 'utf8'), userHook)
    assert.equal(existsSync(join(hooks, 'post-commit')), false)
    assert.equal(existsSync(join(hooks, 'prepare-commit-msg.before-trail')), false)
  })

  it('installs into core.hooksPath when it is set, and a failing user hook still stops the commit', async () => {
    const repo = newRepo()
    repo.git(['config', 'core.hooksPath', '.githooks'])
    repo.write('.githooks/prepare-commit-msg', '#!/bin/sh\necho "the user\'s hook says no" >&2\nexit 1\n')
    chmodSync(join(repo.dir, '.githooks', 'prepare-commit-msg'), 0o755)
    await ok(repo.dir, ['trail', 'init', '--hooks'])
    for (const hook of HOOKS) assert.ok(existsSync(join(repo.dir, '.githooks', hook)), hook)
    assert.equal(existsSync(join(repo.dir, '.git', 'hooks', 'post-commit')), false)
    await ok(repo.dir, ['trail', 'start', 'Refused', '--agent', 'alice'])
    repo.write('a.txt', 'a\n')
    repo.git(['add', 'a.txt'])
    assert.throws(() => gitAs(repo, 'alice', ['commit', '--quiet', '-m', 'Add a', '--', 'a.txt']), /the user's hook says no/)
  })
})

describe('the git hooks link commits to trajectories', () => {
  it('adds the trailer and records the commit for an agent with an active trajectory, and nothing for a person', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--hooks'])
    const trajectory = (await ok(repo.dir, ['trail', 'start', 'Add a', '--agent', 'alice', '--quiet'])).trim()
    const agentCommit = commitAs(repo, 'alice', {'a.txt': 'a\n'}, 'Add a')
    assert.equal(trailersOf(repo, agentCommit), `Trajectory: ${trajectory}`)
    assert.doesNotMatch(repo.git(['log', '-1', '--format=%B', agentCommit]), /Co-Authored-By/i)
    const personCommit = commitAs(repo, null, {'b.txt': 'b\n'}, 'Add b')
    assert.equal(trailersOf(repo, personCommit), '', "a person's commit names no trajectory")
    const idle = commitAs(repo, 'bob', {'c.txt': 'c\n'}, 'Add c')
    assert.equal(trailersOf(repo, idle), '', 'an agent with nothing active adds nothing')
    assert.deepEqual(linkedCommits(repo), [agentCommit])
    const link = repo.git(['show', `refs/trail/records:${refPaths(repo, '.trail/trajectories').find((path) => path.includes('/commits/'))!}`])
    assert.match(link, new RegExp(`^commit: "?${agentCommit}"?\\ntrajectory: ${trajectory}\\nagent: alice\\n`))
    assert.match(link, /^patch: "?[0-9a-f]{40}"?$/m)
    assert.match(link, /^files:\n {2}- \{"path": "a.txt", "patch": "[0-9a-f]{40}"\}$/m)
    // The keys: the commit id and the patch id, each a folder of its own.
    assert.ok(refPaths(repo, '.trail/links').some((path) => path.includes(`/${agentCommit}/${trajectory}.yaml`)))
  })

  it('never adds the trailer twice: an amend keeps one, a squash message that quotes it gets none', async () => {
    // A clean work tree: the test switches branches, as a person does between commits.
    const repo = newRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--hooks'])
    const trajectory = (await ok(repo.dir, ['trail', 'start', 'Work', '--agent', 'alice', '--quiet'])).trim()
    gitAs(repo, 'alice', ['checkout', '--quiet', '-b', 'feature'])
    commitAs(repo, 'alice', {'a.txt': 'a\n'}, 'Add a')
    gitAs(repo, 'alice', ['commit', '--quiet', '--amend', '--no-edit'])
    assert.equal(repo.git(['log', '-1', '--format=%B']).match(/^Trajectory:/gm)?.length, 1)
    gitAs(repo, 'alice', ['checkout', '--quiet', 'main'])
    gitAs(repo, 'alice', ['merge', '--quiet', '--squash', 'feature'])
    gitAs(repo, 'alice', ['commit', '--quiet', '--no-edit', '--', 'a.txt'])
    const message = repo.git(['log', '-1', '--format=%B'])
    assert.equal(message.match(new RegExp(`Trajectory: ${trajectory}`, 'g'))?.length, 1, message)
  })

  it('carries links over an amend and a rebase made by a person, to the new commits', async () => {
    const repo = newRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--hooks'])
    await ok(repo.dir, ['trail', 'start', 'Feature', '--agent', 'alice'])
    gitAs(repo, null, ['checkout', '--quiet', '-b', 'feature'])
    commitAs(repo, 'alice', {'a.txt': 'a\n'}, 'Add a')
    commitAs(repo, 'alice', {'b.txt': 'b\n'}, 'Add b')
    gitAs(repo, null, ['commit', '--quiet', '--amend', '-m', 'Add b, reworded'])
    const amended = repo.git(['rev-parse', 'HEAD']).trim()
    assert.ok(linkedCommits(repo).includes(amended), 'the amended commit is linked')
    gitAs(repo, null, ['checkout', '--quiet', 'main'])
    commitAs(repo, null, {'main.txt': 'main moved\n'}, 'Main moves on')
    gitAs(repo, null, ['checkout', '--quiet', 'feature'])
    gitAs(repo, null, ['rebase', '--quiet', 'main'])
    const rebased = repo.git(['rev-list', 'main..feature']).trim().split('\n')
    assert.equal(rebased.length, 2)
    for (const commit of rebased) assert.ok(linkedCommits(repo).includes(commit), `rebased ${commit} is linked`)
  })

  it('warns and lets the commit go on when the store is broken', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--hooks'])
    await ok(repo.dir, ['trail', 'start', 'Work', '--agent', 'alice'])
    // The ref now names a blob: every read of the store fails.
    const blob = repo.git(['hash-object', '-w', '--stdin'], {input: 'not a commit\n'}).trim()
    repo.git(['update-ref', 'refs/trail/records', blob])
    repo.write('a.txt', 'a\n')
    repo.git(['add', 'a.txt'])
    const result = await runCli(repo.dir, ['trail', 'status'], {env: {AGENT_RELAY_NAME: 'alice'}})
    assert.notEqual(result.code, 0, 'the store is broken indeed')
    const commit = spawnSync('git', ['commit', '--quiet', '-m', 'Add a', '--', 'a.txt'], {
      cwd: repo.dir,
      env: testEnv({AGENT_RELAY_NAME: 'alice'}),
      encoding: 'utf8',
    })
    assert.equal(commit.status, 0, commit.stderr)
    assert.match(commit.stderr, /^warning: relay-trail prepare-commit-msg hook: .*; the commit is not affected$/m)
    assert.match(commit.stderr, /^warning: relay-trail post-commit hook: .*; the commit is not affected$/m)
    assert.equal(repo.git(['log', '-1', '--format=%s']).trim(), 'Add a', 'the commit was made')
    assert.equal(trailersOf(repo, 'HEAD'), '')
  })
})
