import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {benchEnv, figure, markdownTable, measure, median, NODE_BASELINE, RATIO_METHOD, ratioFigure, ROOT, roundRatios, TRAIL, type Step} from './harness.js'
import {MIRROR_WRITE_LIMIT} from '../src/services/import.js'
import {buildAgentTrajectoriesStore, buildStore} from './stores.js'

// agent-trajectories users moving over (issue: a drop-in `trail`): `trail import` of 10,000 trajectories in its
// format (goal: under 10 s), and the commands both CLIs have, side by side at 1,000 trajectories, against the
// agent-trajectories 0.6.1 of the devDependencies; relay-trail also with TRAJECTORIES_DATA_DIR set (the files
// agent-relay reads are kept up to date after each write).

const INCUMBENT = join(ROOT, 'node_modules', 'agent-trajectories', 'dist', 'cli', 'index.js')

/** A repository whose .agentworkforce/trajectories/ holds `count` trajectories as agent-trajectories 0.6 writes them. */
export function buildIncumbentHistory(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'relay-trail-bench-import-'))
  spawnSync('git', ['init', '--quiet', dir])
  spawnSync('git', ['-C', dir, '-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '--quiet', '--allow-empty', '-m', 'init'])
  const base = Date.parse('2025-01-01T00:00:00Z')
  for (let i = 0; i < count; i++) {
    const id = `traj_${i.toString(36).padStart(12, '0')}`
    // Two a day, over the years before: day folders as a real history has them.
    const at = base + i * 43_200_000
    const iso = (ms: number) => new Date(ms).toISOString()
    const status = i % 10 === 0 ? 'abandoned' : i % 97 === 0 ? 'active' : 'completed'
    const folder =
      status === 'active'
        ? join(dir, '.agentworkforce', 'trajectories', 'active', id)
        : join(dir, '.agentworkforce', 'trajectories', 'completed', iso(at).slice(0, 7), id)
    mkdirSync(folder, {recursive: true})
    const events = [
      {
        ts: at + 1000,
        type: 'decision',
        content: `Approach ${i}?: Option A`,
        raw: {
          question: `Approach ${i}?`,
          chosen: 'Option A',
          alternatives: [{option: 'Option B', reason: ''}],
          reasoning: i % 3 ? `Because ${i} measured better` : '',
        },
        significance: 'high',
      },
      {ts: at + 2000, type: 'tool_call', content: 'Tool: Edit'},
      {ts: at + 3000, type: 'reflection', content: `Halfway through ${i}`, significance: 'high', tags: ['focal:tests'], raw: {focalPoints: ['tests']}},
      ...(status === 'abandoned' ? [{ts: at + 4000, type: 'note', content: 'Abandoned: blocked', significance: 'high'}] : []),
    ]
    const trajectory = {
      id,
      version: 1,
      task: {title: `Bench trajectory ${i}: implement feature ${i % 977}`, ...(i % 4 === 0 ? {source: {system: 'linear', id: `ENG-${i}`}} : {})},
      status,
      startedAt: iso(at),
      ...(status === 'active' ? {} : {completedAt: iso(at + 5000)}),
      agents: [{name: 'claude', role: 'lead', joinedAt: iso(at)}],
      chapters: [
        {
          id: `chap_${i.toString(36).padStart(12, '0')}`,
          title: 'Initial work',
          agentName: 'claude',
          startedAt: iso(at),
          ...(status === 'active' ? {} : {endedAt: iso(at + 5000)}),
          events,
        },
      ],
      ...(status === 'completed' ? {retrospective: {summary: `Implemented feature ${i % 977}`, approach: 'Standard approach', confidence: 0.85}} : {}),
      commits: [],
      filesChanged: [],
      projectId: 'org/app',
      tags: [],
    }
    writeFileSync(join(folder, 'trajectory.json'), JSON.stringify(trajectory, null, 2))
  }
  return dir
}

/** `trail import` of `count` trajectories, `runs` times in a new repository each; wall times in ms. */
function timeImport(count: number, runs: number): number[] {
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    const dir = buildIncumbentHistory(count)
    try {
      const start = process.hrtime.bigint()
      const result = spawnSync(process.execPath, [TRAIL, 'import'], {cwd: dir, env: benchEnv(), encoding: 'utf8'})
      times.push(Number(process.hrtime.bigint() - start) / 1e6)
      if (result.status !== 0) throw new Error(`trail import failed: ${result.stderr}`)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }
  return times
}

const COMMANDS = ['start', 'decision', 'reflect', 'status', 'list', 'complete'] as const

function roundSteps(trail: string[], cwd: string, label: string, env: NodeJS.ProcessEnv): Step[] {
  return [
    {...NODE_BASELINE, cwd},
    {name: `${label} start`, argv: [...trail, 'start', 'Benchmark round'], cwd, env},
    {name: `${label} decision`, argv: [...trail, 'decision', 'Chose JWT over sessions', '--reasoning', 'Stateless scaling'], cwd, env},
    {name: `${label} reflect`, argv: [...trail, 'reflect', 'Halfway there', '--focal-points', 'tests'], cwd, env},
    {name: `${label} status`, argv: [...trail, 'status'], cwd, env},
    {name: `${label} list`, argv: [...trail, 'list'], cwd, env},
    {name: `${label} complete`, argv: [...trail, 'complete', '--summary', 'Added JWT auth', '--confidence', '0.85'], cwd, env},
  ]
}

/** The section `npm run bench` prints: import times, then the commands side by side. */
export function benchCompat(rounds: number, options: {importCount?: number; importRuns?: number} = {}): string {
  const importCount = options.importCount ?? 10_000
  process.stderr.write(`timing trail import of ${importCount.toLocaleString('en-US')} agent-trajectories trajectories...\n`)
  const imports = timeImport(importCount, options.importRuns ?? 3)

  process.stderr.write('building 1,000-trajectory stores for the comparison...\n')
  const theirs = buildAgentTrajectoriesStore(1000)
  const ours = buildStore(1000)
  const projected = buildStore(1000)
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-trail-bench-datadir-'))
  try {
    const env = benchEnv({AGENT_RELAY_NAME: 'bench'})
    // One run, rounds interleaved: the three set-ups meet the same noise, and each round gives a ratio of theirs to ours.
    const times = measure(
      [
        ...roundSteps([process.execPath, TRAIL], ours, 'trail', env),
        ...roundSteps([process.execPath, TRAIL], projected, 'trail+datadir', {...env, TRAJECTORIES_DATA_DIR: dataDir}).slice(1),
        ...roundSteps([process.execPath, INCUMBENT], theirs, 'agent-trajectories', benchEnv()).slice(1),
      ],
      rounds,
    )
    const rows = COMMANDS.map((command) => [
      command,
      figure(times, `trail ${command}`, 'node -e 0'),
      figure(times, `trail+datadir ${command}`, 'node -e 0'),
      figure(times, `agent-trajectories ${command}`, 'node -e 0'),
      ratioFigure(roundRatios(times, `agent-trajectories ${command}`, `trail ${command}`)),
    ])
    return [
      `### trail import of ${importCount.toLocaleString('en-US')} agent-trajectories trajectories (goal: under 10 s)`,
      '',
      `${imports.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')} (median ${(median(imports) / 1000).toFixed(1)} s; one commit each; past ${MIRROR_WRITE_LIMIT.toLocaleString('en-US')} files the .trail/ mirror is left to trail init, as the import says)`,
      '',
      `### trail against agent-trajectories 0.6.1, 1,000 trajectories each (${RATIO_METHOD}; baseline: node -e 0)`,
      '',
      markdownTable(
        [
          'command',
          'relay-trail',
          'relay-trail, TRAJECTORIES_DATA_DIR set',
          'agent-trajectories',
          'relay-trail is faster by (per-round ratio, median and mean)',
        ],
        rows,
      ),
    ].join('\n')
  } finally {
    for (const dir of [theirs, ours, projected, dataDir]) rmSync(dir, {recursive: true, force: true})
  }
}
