import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync, readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {after, describe, it} from 'node:test'
import {BIN, json, ok, runCli} from '../helpers/cli.js'
import {makeRepo, makeTempDir, testEnv} from '../helpers/repo.js'
import {Trace} from '../helpers/trace.js'
import {lockPath} from '../../src/store/writer-lock.js'
import {createContext} from '../../src/services/context.js'
import {STORE_REF} from '../../src/model/layout.js'
import type {TrajectoryDetailJson} from '../../src/render/trajectory.js'

// Nothing is lost: concurrent writers (processes, agents, worktrees) all land, the ref only moves forward, and a
// writer killed at any moment leaves the ref at a valid commit.

const WORKERS = 8
const DECISIONS_EACH = 30
/** Kills of writers: at least MIN_ROUNDS, and more (up to MAX_ROUNDS) until WANTED_INSIDE landed inside a write. */
const MIN_ROUNDS = 24
const MAX_ROUNDS = 120
const WANTED_INSIDE = 3

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
      // trail status shows the latest decisions only: trail show has them all.
      const status = await json<{active: TrajectoryDetailJson}>(repo.dir, ['trail', 'status', '--agent', agent])
      const shown = await json<TrajectoryDetailJson>(repo.dir, ['trail', 'show', status.active.id])
      const titles = shown.decisions.map((decision) => decision.title).sort()
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

// trail doctor run while agents write reports only what is wrong in a still moment: a record written between its
// reads of the ref and of the mirror, or a mirror file in the middle of its write, is not a problem.
describe('trail doctor beside writers', () => {
  it('finds nothing wrong in a sound store while processes in two worktrees write to it', async () => {
    const repo = makeRepo()
    const worktree = `${repo.dir}-wt`
    try {
      repo.git(['worktree', 'add', '--quiet', '-b', 'parallel', worktree])
      const agents = ['alpha', 'beta', 'gamma', 'delta']
      for (const agent of agents) await ok(repo.dir, ['trail', 'start', `Work of ${agent}`, '--agent', agent])
      let writing = true
      // Decisions, and a trajectory completed and started again now and then (files removed and added); four of the
      // writers in the other worktree, whose writes leave this worktree's mirror behind until a read catches it up.
      const writer = async (index: number) => {
        const cwd = index >= 2 ? worktree : repo.dir
        const agent = index === 5 ? 'delta' : agents[index % 3]! // delta's trajectory is writer 5's alone
        for (let n = 0; writing; n++) {
          if (index === 5 && n % 4 === 3) {
            await ok(cwd, ['trail', 'complete', '--summary', 'done', '--confidence', '0.8', '--agent', agent])
            await ok(cwd, ['trail', 'start', `More of ${agent}`, '--agent', agent])
          } else await ok(cwd, ['trail', 'decision', `w${index} d${n}`, '--agent', agent])
        }
      }
      // A writer's failure is kept for the end (never an unhandled rejection: the repositories are removed below).
      const failures: unknown[] = []
      const writers = Array.from({length: 6}, (_, index) => writer(index).catch((error: unknown) => failures.push(error)))
      const reports: string[] = []
      try {
        for (let round = 0; round < 12; round++) {
          // git's own exit codes of fsck are masks: one error while packs are rolled up must not end the check.
          const checked = await runCli(repo.dir, ['trail', 'doctor', '--json'])
          const doctor = JSON.parse(checked.stdout) as {checks?: {name: string; status: string; message: string}[]}
          const wrong = (doctor.checks ?? []).filter((check) => check.status !== 'ok')
          if (checked.code !== 0 || wrong.length > 0)
            reports.push(`round ${round}, exit ${checked.code}: ${JSON.stringify(wrong)} ${checked.stdout.slice(0, 300)}`)
        }
      } finally {
        writing = false
        await Promise.all(writers)
      }
      assert.deepEqual(failures, [], 'every write beside trail doctor succeeded')
      assert.deepEqual(reports, [])
      await ok(repo.dir, ['trail', 'doctor'])
      await ok(worktree, ['trail', 'doctor'])
    } finally {
      rmSync(worktree, {recursive: true, force: true})
      repo.remove()
    }
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
  it('leaves the ref at a valid commit every time, and the next write succeeds; some kills land inside a write', async (t) => {
    const repo = makeRepo()
    const traces = makeTempDir('kill-traces')
    try {
      await ok(repo.dir, ['trail', 'start', 'Killed repeatedly'])
      // How long a whole `trail decision` takes here, start-up to exit: the kills are spread from 0 to that.
      const durations: number[] = []
      for (let n = 0; n < 5; n++) {
        const started = performance.now()
        await ok(repo.dir, ['trail', 'decision', `timed ${n}`])
        durations.push(performance.now() - started)
      }
      const median = durations.sort((a, b) => a - b)[2]!
      const lockFile = lockPath(join(repo.dir, '.git'))
      const head = (rev: string) => repo.git(['rev-parse', '--verify', rev]).trim()

      // Killed while its commit was in flight (made in this process, or by a fast-import): after the writer lock,
      // before the outcome. The pause between the commit's pack and the move of the ref (30 ms, where it is a
      // millisecond otherwise) makes some kills land between the two.
      let landedInside = 0
      let lockLeft = 0 // killed while holding the writer lock
      let round = 0
      for (; round < MAX_ROUNDS && (round < MIN_ROUNDS || landedInside < WANTED_INSIDE); round++) {
        const before = head(STORE_REF)
        const trace = join(traces, `round-${round}`)
        const child = spawn(process.execPath, [BIN.trail, 'decision', `round ${round}`], {
          cwd: repo.dir,
          env: testEnv({RELAY_TRAIL_TRACE: trace, RELAY_TRAIL_TEST_PAUSE_BEFORE_REF_MS: '30'}),
          stdio: 'ignore',
        })
        const closed = new Promise((resolve) => child.on('close', resolve))
        // Spread over [0, median), in an order that mixes early and late kills.
        const delay = ((median + 30) * ((round * 37) % MIN_ROUNDS)) / MIN_ROUNDS
        await new Promise((resolve) => setTimeout(resolve, delay))
        child.kill('SIGKILL')
        await closed

        const killed = Trace.read(trace)
        const startedImport = killed.lines.some((line) => line.kind === 'git' && line.fields[0] === 'fast-import')
        const importEnded = killed.lines.some((line) => line.kind === 'git-exit' && line.fields[0] === 'fast-import')
        const startedCommit = killed.lines.some((line) => line.kind === 'commit')
        const commitEnded = killed.lines.some((line) => line.kind === 'commit-end')
        if ((startedImport && !importEnded) || (startedCommit && !commitEnded)) landedInside++
        if (existsSync(lockFile)) lockLeft++

        // The ref is at the old commit, or at the killed writer's commit on top of it: never anything else.
        const tip = head(`${STORE_REF}^{commit}`)
        if (tip !== before) {
          assert.equal(head(`${tip}^`), before, `round ${round} (killed after ${delay.toFixed(0)} ms)`)
          assert.match(repo.git(['log', '-1', '--format=%s', tip]), new RegExp(`^trail: decision "round ${round}" in traj_`))
        }
        await repo.fsck(tip)
        const next = await runCli(repo.dir, ['trail', 'decision', `after round ${round}`])
        assert.equal(next.code, 0, `round ${round} (killed after ${delay.toFixed(0)} ms): ${next.stderr}`)
      }
      const status = await json<{active: TrajectoryDetailJson}>(repo.dir, ['trail', 'status'])
      const shown = await json<TrajectoryDetailJson>(repo.dir, ['trail', 'show', status.active.id])
      const titles = new Set(shown.decisions.map((decision) => decision.title))
      for (let n = 0; n < round; n++) assert.ok(titles.has(`after round ${n}`), `every acknowledged write is kept: after round ${n}`)
      for (let n = 0; n < 5; n++) assert.ok(titles.has(`timed ${n}`))
      // A kill between a mirror file's temporary write and its rename leaves that temporary file: doctor names it
      // and --fix removes it. Nothing else may be wrong.
      const checked = await runCli(repo.dir, ['trail', 'doctor', '--json'])
      const doctor = JSON.parse(checked.stdout) as {checks: {name: string; status: string; message: string}[]}
      for (const check of doctor.checks) {
        if (check.name === 'mirror' && check.status !== 'ok') assert.match(check.message, /temporary files? left by an interrupted write/)
        else assert.equal(check.status, 'ok', `${check.name}: ${check.message}`)
      }
      if (checked.code !== 0) await ok(repo.dir, ['trail', 'doctor', '--fix'])
      await ok(repo.dir, ['trail', 'doctor'])
      await repo.fsck(STORE_REF)

      // The proof that the kills were not all before or after the writes: counts, not times.
      // Killed, yet committed: the ref had moved (or fast-import had all of its input) when its writer died.
      const killedWritesLanded = [...titles].filter((title) => /^round \d+$/.test(title)).length
      const crashReports = readdirSync(join(repo.dir, '.git')).filter((name) => name.startsWith('fast_import_crash_')).length
      const report = `${round} kills (write median ${median.toFixed(0)} ms): ${landedInside} inside a write, ${lockLeft} holding the writer lock, ${crashReports} fast-import crash reports, ${killedWritesLanded} killed writes landed anyway`
      t.diagnostic(report)
      assert.ok(round >= MIN_ROUNDS)
      assert.ok(landedInside > 0, report)
      assert.ok(lockLeft >= landedInside, `a write in flight holds the writer lock: ${report}`)
      assert.ok(crashReports <= landedInside, `a crash report comes only from a write cut short: ${report}`)
    } finally {
      rmSync(traces, {recursive: true, force: true})
      repo.remove()
    }
  })
})
