import {rmSync} from 'node:fs'
import {figure, markdownTable, measure, type Step} from './harness.js'
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
  const columns = tables.map(() => [] as Map<string, number>[])
  for (const size of sizes) {
    process.stderr.write(`building a store of ${size} trajectories...\n`)
    const repo = buildStore(size)
    try {
      tables.forEach((table, index) => {
        process.stderr.write(`measuring ${table.title} (${size})...\n`)
        columns[index]!.push(measure(table.steps(repo), Math.max(5, Math.floor(rounds / (table.roundsDivisor ?? 1)))))
      })
    } finally {
      rmSync(repo, {recursive: true, force: true})
    }
  }
  const header = ['command', ...sizes.map((size) => `${size.toLocaleString('en')} trajectories`)]
  return tables
    .map((table, index) => {
      const names = [...columns[index]![0]!.keys()]
      const rows = names.map((name) => [name, ...columns[index]!.map((column) => figure(column.get(name)!, column.get(names[0]!)!))])
      return [`### ${table.title} (median of the rounds; ratio to node -e 0 in the same rounds)`, '', markdownTable(header, rows)].join('\n')
    })
    .join('\n\n')
}
