import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {rmSync} from 'node:fs'
import {after, describe, it} from 'node:test'
import {BIN, json, ok, runCli} from '../helpers/cli.js'
import {makeRepo, testEnv} from '../helpers/repo.js'
import {createContext} from '../../src/services/context.js'
import {STORE_REF} from '../../src/store/store.js'
import type {TrajectoryDetailJson} from '../../src/render/trajectory.js'

// Nothing is lost: concurrent writers (processes, agents, worktrees) all land, the ref only moves forward, and a
// writer killed at any moment leaves the ref at a valid commit.

const WORKERS = 8
const DECISIONS_EACH = 50

describe('concurrent writers', () => {
  const repo = makeRepo()
  const worktree = `${repo.dir}-wt`
  after(() => {
    rmSync(worktree, {recursive: true, force: true})
    repo.remove()
  })

  it(`${WORKERS} processes writing ${DECISIONS_EACH} decisions each lose nothing, and git fsck is clean`, async () => {
    repo.git(['worktree', 'add', '--quiet', '-b', 'parallel', worktree])
    const agents = ['alpha', 'beta', 'gamma', 'delta']
    for (const agent of agents) await ok(repo.dir, ['trail', 'start', `Work of ${agent}`, '--agent', agent])
    const before = repo.userState()
    // Two processes per agent (so two writers share each active trajectory), two of the eight in the worktree.
    const worker = async (index: number) => {
      const cwd = index >= WORKERS - 2 ? worktree : repo.dir
      for (let n = 0; n < DECISIONS_EACH; n++) {
        await ok(cwd, ['trail', 'decision', `w${index} d${n}`, '--reasoning', `worker ${index}`, '--agent', agents[index % agents.length]!])
      }
    }
    await Promise.all(Array.from({length: WORKERS}, (_, index) => worker(index)))

    for (const [position, agent] of agents.entries()) {
      const status = await json<{active: TrajectoryDetailJson}>(repo.dir, ['trail', 'status', '--agent', agent])
      const titles = status.active.decisions.map((decision) => decision.title).sort()
      const expected = [position, position + agents.length].flatMap((index) => Array.from({length: DECISIONS_EACH}, (_, n) => `w${index} d${n}`)).sort()
      assert.deepEqual(titles, expected, agent)
    }
    assert.equal(repo.git(['rev-list', '--count', STORE_REF]).trim(), String(agents.length + WORKERS * DECISIONS_EACH))
    assert.equal(repo.git(['rev-list', '--merges', '--count', STORE_REF]).trim(), '0', 'a linear history: every write was a fast-forward')
    repo.git(['fsck', '--no-dangling', '--no-progress', STORE_REF])
    repo.assertUserStateUnchanged(before)
    const doctor = await runCli(repo.dir, ['trail', 'doctor'])
    assert.equal(doctor.code, 0, doctor.stdout)
    const worktreeDoctor = await runCli(worktree, ['trail', 'doctor'])
    assert.equal(worktreeDoctor.code, 0, worktreeDoctor.stdout)
  })
})

describe('the compare-and-swap', () => {
  it('recomputes and retries when the ref moved after the tip was read, so both writes land', async () => {
    const repo = makeRepo()
    try {
      await ok(repo.dir, ['trail', 'start', 'Raced'])
      const ctx = createContext({cwd: repo.dir, env: testEnv()})
      const store = await ctx.store()
      let attempts = 0
      await store.transact(async (snapshot) => {
        attempts++
        // A writer that does not take the lock (another machine's push, an older tool) moves the ref under us.
        if (attempts === 1) {
          const tree = repo.git(['rev-parse', `${snapshot.tip}^{tree}`]).trim()
          const commit = repo.git(['commit-tree', tree, '-p', snapshot.tip!, '-m', 'trail: from elsewhere']).trim()
          repo.git(['update-ref', STORE_REF, commit, snapshot.tip!])
        }
        return {writes: [{path: `.trail/notes/attempt-${attempts}.md`, content: `attempt ${attempts}\n`}], subject: `note ${attempts}`, result: null}
      })
      ctx.close()
      assert.equal(attempts, 2)
      const subjects = repo.git(['log', '--format=%s', STORE_REF]).trim().split('\n')
      assert.deepEqual(subjects.slice(0, 2), ['trail: note 2', 'trail: from elsewhere'])
      assert.equal(repo.git(['ls-tree', '--name-only', `${STORE_REF}:.trail/notes`]).trim(), 'attempt-2.md')
    } finally {
      repo.remove()
    }
  })
})

describe('a writer killed with SIGKILL', () => {
  it('leaves the ref at a valid commit every time, and the next write succeeds', async () => {
    const repo = makeRepo()
    try {
      await ok(repo.dir, ['trail', 'start', 'Killed repeatedly'])
      let landed = 0
      for (let round = 0; round < 24; round++) {
        const child = spawn(process.execPath, [BIN.trail, 'decision', `round ${round}`], {cwd: repo.dir, env: testEnv(), stdio: 'ignore'})
        const closed = new Promise((resolve) => child.on('close', resolve))
        // From "before anything" to "after the commit": node starts in ~25 ms and a write takes ~30 ms more.
        const delay = (round * 7) % 90
        await new Promise((resolve) => setTimeout(resolve, delay))
        child.kill('SIGKILL')
        await closed
        const tip = repo.git(['rev-parse', '--verify', `${STORE_REF}^{commit}`]).trim()
        await repo.fsck(tip)
        const next = await runCli(repo.dir, ['trail', 'decision', `after round ${round}`])
        assert.equal(next.code, 0, `round ${round} (killed after ${delay} ms): ${next.stderr}`)
        landed++
      }
      const status = await json<{active: TrajectoryDetailJson}>(repo.dir, ['trail', 'status'])
      const titles = new Set(status.active.decisions.map((decision) => decision.title))
      for (let round = 0; round < 24; round++) assert.ok(titles.has(`after round ${round}`))
      assert.equal(landed, 24)
      const doctor = await json<{checks: {name: string; status: string}[]}>(repo.dir, ['trail', 'doctor'])
      assert.equal(doctor.checks.find((check) => check.name === 'records')?.status, 'ok')
    } finally {
      repo.remove()
    }
  })
})
