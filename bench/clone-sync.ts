import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {benchEnv, markdownTable, msFigure, ratioFigure, TRAIL, timeOnce} from './harness.js'
import {buildStore} from './stores.js'

// A fresh clone meets a store (issue 8): `trail sync` in a new clone of a repository whose remote holds N
// trajectories, against what git itself does for the same files (fetch the ref, read its tree into a private
// index, check out every file into a folder), and the first write after it against an ordinary write in the same
// store. Each round makes new clones (not timed); the ratios are taken round by round, then their median and mean.

interface Round {
  sync: number
  git: number
  first: number
  ordinary: number
}

export function benchCloneSync(sizes: readonly number[], rounds: number): string {
  const rows: string[][] = []
  for (const size of sizes) {
    process.stderr.write(`clone and sync: building a store of ${size} trajectories...\n`)
    const origin = buildStore(size)
    const scratch = mkdtempSync(join(tmpdir(), 'relay-trail-bench-clone-'))
    try {
      const results: Round[] = []
      for (let round = 0; round < rounds + 1; round++) {
        const measured = oneRound(origin, join(scratch, `round-${round}`))
        if (round > 0) results.push(measured) // the first round warms the page cache
      }
      const ratio = (pick: (r: Round) => number, over: (r: Round) => number) => results.map((r) => pick(r) / over(r))
      const stat = ratioFigure
      const ms = msFigure
      rows.push([
        size.toLocaleString('en'),
        ms(results.map((r) => r.sync)),
        ms(results.map((r) => r.git)),
        stat(
          ratio(
            (r) => r.sync,
            (r) => r.git,
          ),
        ),
        ms(results.map((r) => r.first)),
        ms(results.map((r) => r.ordinary)),
        stat(
          ratio(
            (r) => r.first,
            (r) => r.ordinary,
          ),
        ),
      ])
    } finally {
      rmSync(scratch, {recursive: true, force: true})
      rmSync(origin, {recursive: true, force: true})
    }
  }
  return [
    `### A fresh clone meets a store (${rounds} rounds; median and mean of the times, and of the per-round ratios)`,
    '',
    "trail sync: in a new clone, fetch and adopt the remote's records and bring the mirror up. git: in another new clone, " +
      '`git fetch` of the ref, `read-tree` into a private index, `checkout-index -a` into a folder (goal: trail sync at most 1.5x). ' +
      'First write: `trail start` right after the sync, against a second `trail start` (another agent) in the same store (goal: at most 2x).',
    '',
    markdownTable(['trajectories', 'trail sync', 'git fetch + checkout-index', 'ratio', 'first write', 'ordinary write', 'ratio'], rows),
  ].join('\n')
}

function oneRound(origin: string, dir: string): Round {
  const git = (cwd: string, args: string[]) => {
    const result = spawnSync('git', args, {cwd, env: benchEnv(), stdio: ['ignore', 'ignore', 'pipe']})
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
  }
  const ours = `${dir}-ours`
  const theirs = `${dir}-git`
  git(origin, ['clone', '--quiet', '--no-local', origin, ours])
  git(origin, ['clone', '--quiet', '--no-local', origin, theirs])
  const env = benchEnv({GIT_INDEX_FILE: join(theirs, '.git', 'bench-index')})
  const sync = timeOnce({name: 'trail sync', argv: [process.execPath, TRAIL, 'sync'], cwd: ours})
  const gitTime = timeOnce({
    name: 'git',
    argv: [
      'sh',
      '-c',
      'git fetch --quiet origin refs/trail/records:refs/trail/records && git read-tree refs/trail/records && git checkout-index -a --prefix=.copy/',
    ],
    cwd: theirs,
    env,
  })
  const first = timeOnce({
    name: 'first write',
    argv: [process.execPath, TRAIL, 'start', 'First after the sync', '--agent', 'bench-first', '--quiet'],
    cwd: ours,
  })
  const ordinary = timeOnce({name: 'ordinary write', argv: [process.execPath, TRAIL, 'start', 'Then another', '--agent', 'bench-second', '--quiet'], cwd: ours})
  rmSync(ours, {recursive: true, force: true})
  rmSync(theirs, {recursive: true, force: true})
  return {sync, git: gitTime, first, ordinary}
}
