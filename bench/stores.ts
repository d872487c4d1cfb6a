import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {IdGenerator} from '../src/model/ids.js'
import {eventPath, FORMAT_PATH, trajectoryPath} from '../src/model/layout.js'
import {parseAgentName} from '../src/model/names.js'
import {renderEvent, renderTrajectory} from '../src/model/trajectory.js'
import {benchEnv, TRAIL} from './harness.js'

// Stores of a given size for the benchmarks, built with one `git fast-import` (writing 100,000 trajectories one
// command at a time would take hours). Records are rendered by the real model code, so they are what the CLI
// writes: a trajectory.md and two decisions per trajectory, spread over the days before `end`.

const AGENTS = ['claude', 'codex', 'gemini', 'cursor'].map(parseAgentName)

/**
 * A new repository (one commit on main) whose refs/trail/records holds `trajectories` completed trajectories; for 0,
 * the store as `trail init` leaves it (the ref and the format file, no record), so that raw git has a ref to read.
 */
export function buildStore(trajectories: number, options: {perDay?: number; end?: Date} = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `relay-trail-bench-${trajectories}-`))
  const git = (args: string[], input?: string | Buffer) => {
    const result = spawnSync('git', args, {cwd: dir, input, env: benchEnv(), maxBuffer: 1 << 30})
    if (result.status !== 0) throw new Error(`git ${args[0]}: ${result.stderr}`)
    return result.stdout.toString()
  }
  git(['init', '--quiet', '--initial-branch=main'])
  git(['config', 'user.name', 'Bench'])
  git(['config', 'user.email', 'bench@example.com'])
  writeFileSync(join(dir, 'README.md'), '# bench\n')
  git(['add', 'README.md'])
  git(['commit', '--quiet', '-m', 'init'])
  if (trajectories === 0) {
    const init = spawnSync(process.execPath, [TRAIL, 'init'], {cwd: dir, env: benchEnv(), encoding: 'utf8'})
    if (init.status !== 0) throw new Error(`trail init: ${init.stderr}`)
    return dir
  }

  const perDay = options.perDay ?? 250
  const end = options.end ?? new Date(Date.now() - 86_400_000)
  const days = Math.ceil(trajectories / perDay)
  let clock = end.getTime() - days * 86_400_000
  const step = 86_400_000 / perDay
  const ids = new IdGenerator(
    () => new Date(clock),
    (count) => Uint8Array.from({length: count}, () => Math.floor(Math.random() * 256)),
  )
  const chunks: Buffer[] = []
  const file = (path: string, content: string) => {
    const bytes = Buffer.from(content)
    chunks.push(Buffer.from(`M 100644 inline ${path}\ndata ${bytes.length}\n`), bytes, Buffer.from('\n'))
  }
  const message = `bench: ${trajectories} trajectories`
  chunks.push(
    Buffer.from(
      `commit refs/trail/records\ncommitter Bench <bench@example.com> ${Math.floor(end.getTime() / 1000)} +0000\ndata ${message.length}\n${message}\n`,
    ),
  )
  file(FORMAT_PATH, 'format: 1\n')
  for (let i = 0; i < trajectories; i++) {
    clock += step
    const agent = AGENTS[i % AGENTS.length]!
    const id = ids.next('traj')
    const started = new Date(clock).toISOString()
    const decisions = [0, 1].map((n) => {
      clock += 1
      const eventId = ids.next('ev')
      return {
        id: eventId,
        kind: 'decision' as const,
        trajectory: id,
        agent,
        at: new Date(clock).toISOString(),
        title: `Decision ${n} of trajectory ${i}`,
        reasoning: `Because option ${n} measured better in benchmark ${i}; the other one needed a migration.`,
        alternatives: ['the other option'],
      }
    })
    const ended = new Date(clock + 1000).toISOString()
    file(
      trajectoryPath(id),
      renderTrajectory({
        id,
        title: `Bench trajectory ${i}: implement feature ${i % 977}`,
        status: 'completed',
        agent,
        started,
        updated: ended,
        ended,
        task: `BENCH-${i}`,
        branch: 'main',
        summary: `Implemented feature ${i % 977} with tests; see the decisions for the trade-offs.`,
        confidence: 0.85,
        challenges: ['Flaky fixture'],
        learnings: ['Measure first'],
      }),
    )
    for (const decision of decisions) file(eventPath(id, decision.id), renderEvent(decision))
  }
  chunks.push(Buffer.from('\n'))
  git(['fast-import', '--quiet'], Buffer.concat(chunks))
  return dir
}

/** A folder holding `count` completed trajectories in agent-trajectories' own format (its version 0.6.1). */
export function buildAgentTrajectoriesStore(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-trajectories-bench-'))
  spawnSync('git', ['init', '--quiet', dir])
  for (let i = 0; i < count; i++) {
    const id = `traj_bench${i.toString(36).padStart(6, '0')}`
    const folder = join(dir, '.agentworkforce', 'trajectories', 'completed', '2026-10', id)
    mkdirSync(folder, {recursive: true})
    const at = Date.parse('2026-10-01T00:00:00Z') + i * 60_000
    const iso = (ms: number) => new Date(ms).toISOString()
    const trajectory = {
      id,
      version: 1,
      task: {title: `Bench trajectory ${i}`},
      status: 'completed',
      startedAt: iso(at),
      completedAt: iso(at + 50_000),
      agents: [{name: 'default', role: 'lead', joinedAt: iso(at)}],
      chapters: [
        {
          id: `chap_bench${i}`,
          title: 'Work',
          agentName: 'default',
          startedAt: iso(at),
          endedAt: iso(at + 50_000),
          events: [0, 1].map((n) => ({
            ts: at + n * 1000,
            type: 'decision',
            content: `Decision ${n}: Decision ${n}`,
            raw: {question: `Decision ${n}`, chosen: `Decision ${n}`, alternatives: [], reasoning: 'Because'},
            significance: 'high',
          })),
        },
      ],
      retrospective: {summary: 'done', approach: 'Standard approach', confidence: 0.85},
      commits: [],
      filesChanged: [],
      tags: [],
    }
    writeFileSync(join(folder, 'trajectory.json'), JSON.stringify(trajectory, null, 2))
    writeFileSync(join(folder, 'summary.md'), `# Bench trajectory ${i}\n\ndone\n`)
  }
  mkdirSync(join(dir, '.agentworkforce', 'trajectories', 'active'), {recursive: true})
  return dir
}
