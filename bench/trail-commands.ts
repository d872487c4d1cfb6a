import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {benchEnv, figure, markdownTable, measure, NODE_BASELINE, RATIO_METHOD, RELAY, ratioFigure, ROOT, roundRatios, TRAIL, type Step} from './harness.js'
import {buildAgentTrajectoriesStore, buildStore} from './stores.js'
import type {StoreTable} from './store-tables.js'

// The hot `trail` commands at 0, 10,000 and 100,000 trajectories, as ratios to `node -e 0` and beside raw git;
// and the same commands of the agent-trajectories package (the best-known `trail` CLI) at 1,000 trajectories.
// Goal (issue: the git-native store): at most 2.0x `node -e 0`, flat as the store grows, and at least 10x faster
// than agent-trajectories at 1,000 trajectories.

const AGENT_TRAJECTORIES_VERSION = '0.6.1'
const COMMANDS = ['start', 'decision', 'status', 'complete']

function roundSteps(trail: string[], cwd: string, label: string): Step[] {
  const env = benchEnv({AGENT_RELAY_NAME: 'bench', TRAIL_AGENT: 'bench'})
  return [
    {...NODE_BASELINE, cwd},
    {name: 'git rev-parse (raw git)', argv: ['git', 'rev-parse', '--git-dir'], cwd},
    {name: `${label} start`, argv: [...trail, 'start', 'Benchmark round'], cwd, env},
    {name: `${label} decision`, argv: [...trail, 'decision', 'Chose JWT over sessions', '--reasoning', 'Stateless scaling'], cwd, env},
    {name: `${label} status`, argv: [...trail, 'status'], cwd, env},
    {name: `${label} complete`, argv: [...trail, 'complete', '--summary', 'Added JWT auth', '--confidence', '0.85'], cwd, env},
  ]
}

/**
 * The writes run by the write server (bin/write-server.cjs) when one is there, as above, and the same in their own
 * process (RELAY_TRAIL_SERVER=0), each a trajectory of its own agent: what a write costs without a server, the
 * first of a session or with it turned off.
 */
function serverSteps(cwd: string): Step[] {
  const alone = benchEnv({AGENT_RELAY_NAME: 'bench-alone', TRAIL_AGENT: 'bench-alone', RELAY_TRAIL_SERVER: '0'})
  const trail = (...args: string[]) => [process.execPath, TRAIL, ...args]
  return [
    {name: 'trail start (own process)', argv: trail('start', 'Benchmark round'), cwd, env: alone},
    {name: 'trail decision (own process)', argv: trail('decision', 'Chose JWT over sessions', '--reasoning', 'Stateless scaling'), cwd, env: alone},
    {name: 'trail complete (own process)', argv: trail('complete', '--summary', 'Added JWT auth', '--confidence', '0.85'), cwd, env: alone},
  ]
}

export const TRAIL_HOT: StoreTable = {
  title: 'trail, hot commands',
  steps: (cwd) => [...roundSteps([process.execPath, TRAIL], cwd, 'trail'), ...serverSteps(cwd)],
}

/** Read commands that go through oclif: they must stay fast at 100,000 trajectories, not within 2x. */
export const TRAIL_READS: StoreTable = {
  title: 'trail, reads through oclif (list, show)',
  roundsDivisor: 2,
  steps: (cwd) => {
    const env = benchEnv({AGENT_RELAY_NAME: 'bench'})
    return [
      {...NODE_BASELINE, cwd},
      {
        name: 'git grep (raw git, whole store)',
        argv: ['git', 'grep', '-l', '-e', '^agent: claude$', 'refs/trail/records', '--', '.trail/trajectories'],
        cwd,
        okExitCodes: [1],
      },
      {name: 'trail list', argv: [process.execPath, TRAIL, 'list'], cwd, env},
      {name: 'trail list --page 100', argv: [process.execPath, TRAIL, 'list', '--page', '100'], cwd, env},
      {name: 'trail list --agent claude', argv: [process.execPath, TRAIL, 'list', '--agent', 'claude'], cwd, env},
      {name: 'trail list --status completed --since 7d', argv: [process.execPath, TRAIL, 'list', '--status', 'completed', '--since', '7d'], cwd, env},
      {name: 'trail show <prefix>', argv: [process.execPath, TRAIL, 'show', firstTrajectoryPrefix(cwd)], cwd, env},
    ]
  },
}

/**
 * The commands a person runs now and then, served by the fast path's set-up bundles since oclif was taken off them
 * (issue 14: every command off oclif's cost, which was 3-4x `node -e 0` before doing anything).
 */
export const OTHER_COMMANDS: StoreTable = {
  title: 'the other commands (set-up, version, ledger search)',
  roundsDivisor: 2,
  steps: (cwd) => {
    const env = benchEnv({AGENT_RELAY_NAME: 'bench'})
    const run = (bin: string, ...args: string[]) => ({
      name: `${bin === TRAIL ? 'trail' : 'relay'} ${args.join(' ')}`,
      argv: [process.execPath, bin, ...args],
      cwd,
      env,
    })
    return [
      {...NODE_BASELINE, cwd},
      run(TRAIL, '-V'),
      run(TRAIL, 'completion', 'bash'),
      run(RELAY, 'project'),
      run(RELAY, 'bridge', 'list'),
      run(RELAY, 'continuity', 'search', 'refresh tokens'),
    ]
  },
}

/** A 14-character prefix of the newest trajectory's id, as a person would copy it from `trail list`. */
function firstTrajectoryPrefix(cwd: string): string {
  const newest = () => spawnSync(process.execPath, [TRAIL, 'list', '--limit', '1'], {cwd, env: benchEnv(), encoding: 'utf8'}).stdout.split('\t')[0]!
  let id = newest()
  if (id === '') {
    // An empty store has nothing to show: it gets the one trajectory `trail show` is timed on.
    spawnSync(process.execPath, [TRAIL, 'start', 'Shown by the benchmark', '--agent', 'bench-show'], {cwd, env: benchEnv()})
    id = newest()
  }
  if (id === '') throw new Error(`no trajectory to show in ${cwd}`)
  return id.slice(0, 14)
}

/** Installs agent-trajectories into bench/.cache (once) and returns its CLI's path. */
function agentTrajectoriesCli(): string {
  const dir = join(ROOT, 'bench', '.cache', `agent-trajectories-${AGENT_TRAJECTORIES_VERSION}`)
  const cli = join(dir, 'node_modules', 'agent-trajectories', 'dist', 'cli', 'index.js')
  if (!existsSync(cli)) {
    mkdirSync(dir, {recursive: true})
    const result = spawnSync('npm', ['install', '--no-save', '--prefix', dir, `agent-trajectories@${AGENT_TRAJECTORIES_VERSION}`], {
      stdio: 'inherit',
      env: process.env,
    })
    if (result.status !== 0) throw new Error('could not install agent-trajectories from the npm registry')
  }
  return cli
}

/** relay-trail against agent-trajectories, each with 1,000 trajectories in its own format. */
export function benchAgainstAgentTrajectories(rounds: number): string {
  const cli = agentTrajectoriesCli()
  process.stderr.write('building 1,000-trajectory stores for the comparison...\n')
  const theirs = buildAgentTrajectoriesStore(1000)
  const ours = buildStore(1000)
  try {
    // One run, rounds interleaved: both CLIs meet the same noise, and each round gives a ratio of theirs to ours.
    const ours_ = roundSteps([process.execPath, TRAIL], ours, 'trail')
    const theirs_ = roundSteps([process.execPath, cli], theirs, 'agent-trajectories').slice(2)
    const times = measure([...ours_, ...theirs_], rounds)
    const rows = COMMANDS.map((command) => [
      command,
      figure(times, `trail ${command}`, 'node -e 0'),
      figure(times, `agent-trajectories ${command}`, 'node -e 0'),
      ratioFigure(roundRatios(times, `agent-trajectories ${command}`, `trail ${command}`)),
    ])
    return [
      `### trail against agent-trajectories ${AGENT_TRAJECTORIES_VERSION}, 1,000 trajectories each (${RATIO_METHOD}; baseline: node -e 0)`,
      '',
      markdownTable(['command', 'relay-trail', 'agent-trajectories', 'relay-trail is faster by (per-round ratio, median and mean)'], rows),
    ].join('\n')
  } finally {
    rmSync(theirs, {recursive: true, force: true})
    rmSync(ours, {recursive: true, force: true})
  }
}
