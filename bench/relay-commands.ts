import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {siblingRef} from '../src/services/projects.js'
import {
  benchEnv,
  figure,
  markdownTable,
  measure,
  median,
  msFigure,
  NODE_BASELINE,
  perRound,
  RATIO_METHOD,
  ratioFigure,
  RELAY,
  samplesOf,
  type Step,
} from './harness.js'
import {buildStore} from './stores.js'
import type {StoreTable} from './store-tables.js'

// The `relay` commands. Hot ones (continuity save and load, ingest of a short block, send, inbox, thread) as ratios
// to `node -e 0`: goal at most 2.0x (issue 14: writes at most 1.5x, reads at most 2x), flat at 100,000 records. Search as a ratio to raw `git grep` over the same ref
// (goal: at most 1.5x at 100,000). Sync with 10 siblings and nothing new as a ratio to the `git fetch` calls it
// makes, run one after another (goal: under 2x).

const SAVE =
  'Current task: Implementing user authentication\nCompleted: User model, JWT utils\nIn progress: Login endpoint\nKey decisions: Using refresh tokens\nFiles: src/auth/jwt.ts:10-50, src/models/user.ts'

const relay = (...args: string[]) => [process.execPath, RELAY, ...args]

export const RELAY_HOT: StoreTable = {
  title: 'relay, hot commands',
  steps: (cwd) => {
    const env = benchEnv({AGENT_RELAY_NAME: 'bench'})
    return [
      {...NODE_BASELINE, cwd},
      {name: 'relay continuity save', argv: relay('continuity', 'save', SAVE), cwd, env},
      {name: 'relay continuity save --handoff', argv: relay('continuity', 'save', '--handoff', SAVE), cwd, env},
      {name: 'relay continuity load', argv: relay('continuity', 'load'), cwd, env},
      {name: 'relay continuity uncertain', argv: relay('continuity', 'uncertain', 'API rate limit handling unclear'), cwd, env},
      {name: 'relay ingest (a short block on stdin)', argv: relay('ingest'), input: '->continuity:uncertain "rate limits"\n', cwd, env},
      {name: 'relay send', argv: relay('send', 'frontend:Designer', 'Please update the login UI', '--thread', 'auth-feature'), cwd, env},
      // The same writes in their own process (RELAY_TRAIL_SERVER=0): without the write server.
      {name: 'relay continuity save (own process)', argv: relay('continuity', 'save', SAVE), cwd, env: {...env, RELAY_TRAIL_SERVER: '0'}},
      {
        name: 'relay ingest (a short block, own process)',
        argv: relay('ingest'),
        input: '->continuity:uncertain "rate limits"\n',
        cwd,
        env: {...env, RELAY_TRAIL_SERVER: '0'},
      },
      // Reads (goal at most 2x): the messages sent in the rounds before, to bench and in the thread.
      {name: 'relay send bench (to read)', argv: relay('send', 'bench', 'Rebase before the review'), cwd, env},
      {name: 'relay inbox', argv: relay('inbox'), cwd, env},
      {name: 'relay thread auth-feature', argv: relay('thread', 'auth-feature'), cwd, env},
    ]
  },
}

/** git grep as relay search runs it (case-insensitive, line numbers, the literal query escaped), minus the pathspecs. */
const rawGrep = (query: string): string[] => ['git', 'grep', '-n', '--null', '-I', '-E', '-i', '-e', query, 'refs/trail/records']

export const RELAY_SEARCH: StoreTable = {
  title: 'relay search, against raw git grep over the same ref',
  roundsDivisor: 3,
  steps: (cwd) => {
    const env = benchEnv({AGENT_RELAY_NAME: 'bench'})
    // "implement feature 42" is in 11 of every 977 trajectories; "flaky fixture" is in every one.
    return [
      {...NODE_BASELINE, cwd},
      {name: 'git grep "implement feature 42"', argv: rawGrep('implement feature 42'), cwd, okExitCodes: [1]},
      {name: 'relay search "implement feature 42"', argv: relay('search', 'implement feature 42'), cwd, env, versus: 'git grep "implement feature 42"'},
      {name: 'git grep "flaky fixture"', argv: rawGrep('flaky fixture'), cwd, okExitCodes: [1]},
      {name: 'relay search "flaky fixture"', argv: relay('search', 'flaky fixture'), cwd, env, versus: 'git grep "flaky fixture"'},
      {
        name: 'relay search "flaky fixture" --kind decision --agent codex',
        argv: relay('search', 'flaky fixture', '--kind', 'decision', '--agent', 'codex'),
        cwd,
        env,
      },
    ]
  },
}

/** How many siblings the sync benchmark bridges. */
const SIBLINGS = 10

/**
 * `relay sync` with 10 siblings (each a store of 1,000 trajectories on a local path) and nothing new, against the
 * same 10 `git fetch` commands run one after another.
 */
export function benchSiblingSync(rounds: number): string {
  process.stderr.write(`building a project and ${SIBLINGS} siblings...\n`)
  const project = buildStore(0)
  const siblings = Array.from({length: SIBLINGS}, () => buildStore(1000))
  const env = benchEnv({AGENT_RELAY_NAME: 'bench'})
  const run = (argv: string[]) => {
    const result = spawnSync(argv[0]!, argv.slice(1), {cwd: project, env, encoding: 'utf8'})
    if (result.status !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`)
  }
  try {
    const names = siblings.map((_, index) => `sibling-${index}`)
    names.forEach((name, index) => {
      run(relay('bridge', 'add', name, siblings[index]!))
    })
    run(relay('sync'))
    // Exactly the fetch relay sync runs for each sibling (src/git/repo.ts fetch, src/services/sibling-sync.ts).
    const fetches: Step[] = names.map((name, index) => ({
      name: `git fetch ${name}`,
      argv: ['git', 'fetch', '--no-tags', '--no-write-fetch-head', '--quiet', '--', siblings[index]!, `+refs/trail/records:${siblingRef(name)}`],
      cwd: project,
    }))
    const times = measure([{...NODE_BASELINE, cwd: project}, ...fetches, {name: 'relay sync', argv: relay('sync'), cwd: project, env}], rounds)
    const node = samplesOf(times, 'node -e 0')
    const sync = samplesOf(times, 'relay sync')
    // Per round: the fetches of that round, one after another, summed; relay sync over that sum and over node -e 0.
    const fetchTotal = perRound(node.length, (round) => fetches.reduce((sum, step) => sum + samplesOf(times, step.name)[round]!, 0))
    const rows = [
      ['node -e 0', msFigure(node), ''],
      [
        `${SIBLINGS} × git fetch, one after another`,
        `${median(fetchTotal).toFixed(1)} ms (${ratioFigure(perRound(node.length, (round) => fetchTotal[round]! / node[round]!))})`,
        '1.00x',
      ],
      ['relay sync', figure(times, 'relay sync', 'node -e 0'), ratioFigure(perRound(node.length, (round) => sync[round]! / fetchTotal[round]!))],
    ]
    return [
      `### relay sync, ${SIBLINGS} siblings of 1,000 trajectories each, nothing new (${RATIO_METHOD}; baseline: node -e 0, and the git fetch calls)`,
      '',
      markdownTable(['command', 'time (vs node -e 0)', 'against the git fetch calls'], rows),
    ].join('\n')
  } finally {
    for (const dir of [project, ...siblings]) rmSync(dir, {recursive: true, force: true})
  }
}
