import {existsSync, statSync, watch, type FSWatcher} from 'node:fs'
import {join} from 'node:path'

// Tells the dashboard that a ref may have moved. Git updates a loose ref by renaming `<ref>.lock` over it, rewrites
// packed-refs whole, and in a reftable repository rewrites reftable/tables.list: each shows as an event on its
// folder. fs.watch is told of those at once; a stat of the same files every `pollMs` catches what a watcher misses
// (a folder made after the watch started, a file system without notifications), and a full check every
// `fullCheckMs` catches anything else. The listener then reads the tips (through the running `git cat-file`).

export interface RefWatcherOptions {
  /** The repository's common git dir. */
  commonDir: string
  /** Called, debounced, when a ref or the configuration may have changed. */
  onChange: () => void
  pollMs?: number
  fullCheckMs?: number
}

/** The folders whose entries are watched, and the files whose stat is polled, relative to the common git dir. */
function watchedPaths(commonDir: string, siblings: readonly string[]): {dirs: string[]; files: string[]} {
  const dirs = ['.', 'refs', 'refs/trail', 'refs/trail/siblings', ...siblings.map((name) => `refs/trail/siblings/${name}`), 'reftable']
  const files = ['packed-refs', 'config', 'refs/trail/records', 'reftable/tables.list', ...siblings.map((name) => `refs/trail/siblings/${name}/records`)]
  return {dirs: dirs.map((dir) => join(commonDir, dir)), files: files.map((file) => join(commonDir, file))}
}

export class RefWatcher {
  private readonly watchers = new Map<string, FSWatcher>()
  private stats = ''
  private siblings: readonly string[] = []
  private pending: NodeJS.Timeout | undefined
  private readonly timers: NodeJS.Timeout[] = []

  constructor(private readonly options: RefWatcherOptions) {}

  start(): void {
    this.rewatch(this.siblings)
    this.stats = this.statAll()
    const poll = setInterval(() => {
      const now = this.statAll()
      if (now !== this.stats) {
        this.stats = now
        this.signal()
      }
    }, this.options.pollMs ?? 1000)
    const full = setInterval(() => this.signal(), this.options.fullCheckMs ?? 10_000)
    poll.unref()
    full.unref()
    this.timers.push(poll, full)
  }

  /** Watches the folders of these siblings too (and those that exist now, of the rest). */
  rewatch(siblings: readonly string[]): void {
    this.siblings = siblings
    const {dirs} = watchedPaths(this.options.commonDir, siblings)
    for (const dir of dirs) {
      if (this.watchers.has(dir) || !existsSync(dir)) continue
      try {
        // In the git dir itself only these names matter: `git status` alone rewrites the index there.
        const isRoot = dir === join(this.options.commonDir, '.')
        const watcher = watch(dir, {persistent: false}, (_event, name) => {
          if (!isRoot || name === null || /^(packed-refs|config|refs|reftable)$/.test(String(name))) this.signal()
        })
        watcher.on('error', () => {
          watcher.close()
          this.watchers.delete(dir)
        })
        this.watchers.set(dir, watcher)
      } catch {
        // no notifications here: the poll covers it
      }
    }
  }

  stop(): void {
    for (const watcher of this.watchers.values()) watcher.close()
    this.watchers.clear()
    for (const timer of this.timers) clearInterval(timer)
    if (this.pending) clearTimeout(this.pending)
  }

  /** Coalesces a burst of events (a lock file made, renamed, a log appended) into one call. */
  private signal(): void {
    if (this.pending) return
    this.pending = setTimeout(() => {
      this.pending = undefined
      this.options.onChange()
    }, 25)
    this.pending.unref()
  }

  private statAll(): string {
    return watchedPaths(this.options.commonDir, this.siblings)
      .files.map((file) => {
        try {
          const info = statSync(file)
          return `${info.ino}:${info.size}:${info.mtimeMs}`
        } catch {
          return '-'
        }
      })
      .join(' ')
  }
}
