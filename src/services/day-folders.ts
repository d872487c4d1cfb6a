import type {Snapshot} from '../store/snapshot.js'

// Records that accumulate (trajectories, handoffs, summaries, messages) live in YYYY/MM/DD folders named from
// their ids. Walking those folders newest first, and skipping those outside a time range, is how lists, prefix
// lookups and `--since` avoid reading the whole store.

export interface TimeRange {
  /** Milliseconds since the epoch, inclusive. */
  from?: number
  to?: number
}

/**
 * The day folders under `base` ("<base>/YYYY/MM/DD"), newest first, keeping only days that overlap `range`.
 * Reads the year and month trees, never a record.
 *
 * @example await dayFolders(snapshot, '.trail/trajectories', {from: Date.parse('2026-11-01')})
 */
export async function dayFolders(snapshot: Snapshot, base: string, range: TimeRange = {}): Promise<string[]> {
  const from = range.from ?? -Infinity
  const to = range.to ?? Infinity
  const overlaps = (start: number, end: number) => end >= from && start <= to
  const years = (await snapshot.listDirs(base)).filter((y) => /^\d{4}$/.test(y) && overlaps(Date.UTC(+y, 0, 1), Date.UTC(+y + 1, 0, 1) - 1))
  const months = (
    await Promise.all(
      years.map(async (y) =>
        (
          await snapshot.listDirs(`${base}/${y}`)
        )
          .filter((m) => /^\d\d$/.test(m) && overlaps(Date.UTC(+y, +m - 1, 1), Date.UTC(+y, +m, 1) - 1))
          .map((m) => `${y}/${m}`),
      ),
    )
  ).flat()
  const days = (
    await Promise.all(
      months.map(async (ym) => {
        const [y, m] = ym.split('/').map(Number) as [number, number]
        return (await snapshot.listDirs(`${base}/${ym}`))
          .filter((d) => /^\d\d$/.test(d) && overlaps(Date.UTC(y, m - 1, +d), Date.UTC(y, m - 1, +d + 1) - 1))
          .map((d) => `${base}/${ym}/${d}`)
      }),
    )
  ).flat()
  return days.sort().reverse()
}
