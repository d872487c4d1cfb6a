import {spawnSync, type SpawnSyncOptions} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

// Timing whole commands on a noisy machine: every command of a round runs once per round, rounds interleave, and
// each figure is reported as the median and the mean of its per-round ratios to a baseline measured in the same
// rounds (`node -e 0`, or raw git where git is the floor): a median alone hides a periodic spike, a mean alone
// a quiet machine.

/** The repository root (bench/ is compiled to dist/bench/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const TRAIL = join(ROOT, 'bin', 'trail.cjs')
export const RELAY = join(ROOT, 'bin', 'relay.cjs')

/** The environment every measured command gets: NODE_EXTRA_CA_CERTS unset (it adds ~110 ms to every node start). */
export function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = {...process.env, ...extra}
  delete env.NODE_EXTRA_CA_CERTS
  delete env.DEBUG
  return env
}

export interface Step {
  name: string
  argv: string[]
  cwd: string
  env?: NodeJS.ProcessEnv
  /** Only timed when true; false steps still run (to reset state) but are not reported. */
  timed?: boolean
  input?: string
  /** The name of the step this one is a ratio to (default: the first step of its table, node -e 0). */
  versus?: string
  /** Exit codes that are not failures (1 for a git grep that finds nothing). */
  okExitCodes?: number[]
}

/** Runs a command once and returns its wall time in milliseconds; throws when it fails. */
export function timeOnce(step: Step): number {
  const options: SpawnSyncOptions = {cwd: step.cwd, env: step.env ?? benchEnv(), stdio: ['pipe', 'ignore', 'pipe'], input: step.input}
  const start = process.hrtime.bigint()
  const result = spawnSync(step.argv[0]!, step.argv.slice(1), options)
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0 && !step.okExitCodes?.includes(result.status ?? -1))
    throw new Error(`${step.argv.join(' ')} failed (${result.status}): ${result.stderr?.toString().slice(0, 500)}`)
  return ms
}

/** Each timed step's wall times in ms, one per round, in round order: index i of every step is the same round. */
export type Timings = Map<string, number[]>

/**
 * Waits until what the set-up wrote is on disk (`sync`). A first write of a 100,000-trajectory store puts 300,000
 * files in its work-tree mirror; measured, the kernel's write-back of them ran into the rounds after it and made
 * every step slower while it lasted, raw git too (git rev-parse 33 ms against 10 ms at 10,000 in the same run).
 * A store used day to day has no such write-back pending.
 */
export function settle(): void {
  spawnSync('sync', [], {stdio: 'ignore'})
}

/**
 * Runs `rounds` rounds of `steps` (after `warmup` untimed rounds, and what they wrote settled: settle) and returns
 * each timed step's times, per round.
 */
export function measure(steps: readonly Step[], rounds: number, warmup = 2): Timings {
  const samples: Timings = new Map()
  for (let round = 0; round < warmup + rounds; round++) {
    if (round === warmup) settle()
    for (const step of steps) {
      const ms = timeOnce(step)
      if (round >= warmup && step.timed !== false) samples.set(step.name, [...(samples.get(step.name) ?? []), ms])
    }
  }
  return samples
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length
}

/** The samples of `name` in `timings`; throws when the step was not timed (a misspelt name must not print NaN). */
export function samplesOf(timings: Timings, name: string): number[] {
  const values = timings.get(name)
  if (values === undefined || values.length === 0) throw new Error(`no timings for "${name}"`)
  return values
}

/** Round by round, `value(round)`: e.g. a step's time over its baseline's in the same round. */
export function perRound(count: number, value: (round: number) => number): number[] {
  return Array.from({length: count}, (_, round) => value(round))
}

/** The ratio of `name` to `baseline` in each round (both measured in the same rounds). */
export function roundRatios(timings: Timings, name: string, baseline: string): number[] {
  const mine = samplesOf(timings, name)
  const base = samplesOf(timings, baseline)
  return perRound(Math.min(mine.length, base.length), (round) => mine[round]! / base[round]!)
}

/** "1.63x, mean 1.70x": the median and the mean of per-round ratios, so a spike cannot hide in either. */
export function ratioFigure(ratios: readonly number[]): string {
  return `${median(ratios).toFixed(2)}x, mean ${mean(ratios).toFixed(2)}x`
}

/** "41.2 ms (1.63x, mean 1.70x)": the median time of `name`, the median and mean of its per-round ratio to `baseline`. */
export function figure(timings: Timings, name: string, baseline: string): string {
  return `${median(samplesOf(timings, name)).toFixed(1)} ms (${ratioFigure(roundRatios(timings, name, baseline))})`
}

/** "16.2 ms, mean 17.0 ms": a baseline's own row. */
export function msFigure(values: readonly number[]): string {
  return `${median(values).toFixed(1)} ms, mean ${mean(values).toFixed(1)} ms`
}

/** The phrase every table's title carries: how its figures were made. */
export const RATIO_METHOD = 'median time of the rounds; median and mean of the per-round ratio to the baseline, measured in the same rounds'

/** A Markdown table: one header row, then rows of cells. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export const NODE_BASELINE: Omit<Step, 'cwd'> = {name: 'node -e 0', argv: [process.execPath, '-e', '0']}
