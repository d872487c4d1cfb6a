import {spawnSync, type SpawnSyncOptions} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

// Timing whole commands on a noisy machine: every command of a round runs once per round, rounds interleave, and
// each figure is reported as the ratio of medians to a baseline measured in the same rounds (`node -e 0`).

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
  if (result.status !== 0 && !step.okExitCodes?.includes(result.status ?? -1)) throw new Error(`${step.argv.join(' ')} failed (${result.status}): ${result.stderr?.toString().slice(0, 500)}`)
  return ms
}

/** Runs `rounds` rounds of `steps` (after `warmup` untimed rounds) and returns each timed step's median, in ms. */
export function measure(steps: readonly Step[], rounds: number, warmup = 2): Map<string, number> {
  const samples = new Map<string, number[]>()
  for (let round = 0; round < warmup + rounds; round++) {
    for (const step of steps) {
      const ms = timeOnce(step)
      if (round >= warmup && step.timed !== false) samples.set(step.name, [...(samples.get(step.name) ?? []), ms])
    }
  }
  return new Map([...samples].map(([name, values]) => [name, median(values)]))
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** "41.2 ms (1.63x)" */
export function figure(ms: number, baselineMs: number): string {
  return `${ms.toFixed(1)} ms (${(ms / baselineMs).toFixed(2)}x)`
}

/** A Markdown table: one header row, then rows of cells. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export const NODE_BASELINE: Omit<Step, 'cwd'> = {name: 'node -e 0', argv: [process.execPath, '-e', '0']}
