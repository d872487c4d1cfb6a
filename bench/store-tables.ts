import {rmSync} from 'node:fs'
import {figure, markdownTable, measure, msFigure, RATIO_METHOD, samplesOf, type Step, type Timings} from './harness.js'
import {buildStore} from './stores.js'

// Tables of commands measured on stores of several sizes: each store is built once (one git fast-import) and
// every table's rounds run on it, so the 100,000-record store is built a single time.

export interface StoreTable {
  title: string
  /** The steps of one round, in the store at `cwd`; the first is the baseline (node -e 0). */
  steps: (cwd: string) => Step[]
  /** Fewer rounds for slow commands: rounds / roundsDivisor. */
  roundsDivisor?: number
}

export function benchStoreTables(tables: readonly StoreTable[], sizes: readonly number[], rounds: number): string {
  const columns = tables.map(() => [] as Timings[])
  const versus = tables.map(() => new Map<string, string>())
  for (const size of sizes) {
    process.stderr.write(`building a store of ${size} trajectories...\n`)
    const repo = buildStore(size)
    try {
      tables.forEach((table, index) => {
        process.stderr.write(`measuring ${table.title} (${size})...\n`)
        const steps = table.steps(repo)
        for (const step of steps) if (step.versus) versus[index]!.set(step.name, step.versus)
        columns[index]!.push(measure(steps, Math.max(5, Math.floor(rounds / (table.roundsDivisor ?? 1)))))
      })
    } finally {
      rmSync(repo, {recursive: true, force: true})
    }
  }
  const header = ['command', ...sizes.map((size) => `${size.toLocaleString('en')} trajectories`)]
  return tables
    .map((table, index) => {
      const names = [...columns[index]![0]!.keys()]
      const baseline = (name: string) => versus[index]!.get(name) ?? names[0]!
      const rows = names.map((name) => [
        versus[index]!.has(name) ? `${name} (vs ${baseline(name)})` : name,
        ...columns[index]!.map((column) => (name === baseline(name) ? msFigure(samplesOf(column, name)) : figure(column, name, baseline(name)))),
      ])
      const baselines = versus[index]!.size > 0 ? 'baseline: node -e 0, or the step named' : 'baseline: node -e 0'
      return [`### ${table.title} (${RATIO_METHOD}; ${baselines})`, '', markdownTable(header, rows)].join('\n')
    })
    .join('\n\n')
}
