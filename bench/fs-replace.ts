import {closeSync, mkdtempSync, openSync, renameSync, rmSync, unlinkSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {markdownTable, mean, median, perRound} from './harness.js'

// Replacing a small state file, as every record write replaces the mirror's (src/files.ts, `mayVanish`): a new
// file renamed over the old one, against the old one removed and the new one renamed in. On ext4 the first makes
// the kernel start writing the new file out (auto_da_alloc); the baseline is the rename over, in the same rounds.

const STATE = `${JSON.stringify({tip: '0'.repeat(40), disabled: null, indexStamp: '4096:1764633600000:1234567', partial: false})}\n`

export function benchFsReplace(rounds: number, perRoundOps = 200): string {
  const dir = mkdtempSync(join(tmpdir(), 'relay-trail-bench-fs-'))
  try {
    const state = join(dir, 'mirror.json')
    const temporary = join(dir, '.mirror.json.tmp')
    const create = () => {
      const fd = openSync(temporary, 'wx')
      writeSync(fd, STATE)
      closeSync(fd)
    }
    create()
    renameSync(temporary, state)
    const ways = {
      'renamed over the old file': () => {
        create()
        renameSync(temporary, state)
      },
      'old file removed, then renamed in (mayVanish)': () => {
        create()
        unlinkSync(state)
        renameSync(temporary, state)
      },
    }
    const times = new Map<string, number[]>(Object.keys(ways).map((name) => [name, []]))
    for (let round = 0; round < rounds + 1; round++) {
      const order = round % 2 === 0 ? Object.entries(ways) : Object.entries(ways).reverse()
      for (const [name, replace] of order) {
        const start = process.hrtime.bigint()
        for (let op = 0; op < perRoundOps; op++) replace()
        if (round > 0) times.get(name)!.push(Number(process.hrtime.bigint() - start) / 1e3 / perRoundOps)
      }
    }
    const [baseline, ...others] = [...times.entries()]
    const ratios = (values: number[]) => perRound(values.length, (round) => values[round]! / baseline![1][round]!)
    const row = ([name, values]: [string, number[]]) => [
      name,
      `${median(values).toFixed(0)} µs, mean ${mean(values).toFixed(0)} µs`,
      `${median(ratios(values)).toFixed(2)}x, mean ${mean(ratios(values)).toFixed(2)}x`,
    ]
    return [
      `### Replacing the mirror's state file (${tmpdir()}; ${rounds} interleaved rounds of ${perRoundOps}; time per replacement, median and mean; ratio to the rename over, per round)`,
      '',
      markdownTable(['how', 'time', 'ratio'], [row(baseline!), ...others.map(row)]),
    ].join('\n')
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
