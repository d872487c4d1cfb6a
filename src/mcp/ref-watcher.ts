import {readdirSync, watch, type FSWatcher} from 'node:fs'
import {join} from 'node:path'

// Tells the server when a ref it serves moved: this project's store (another agent's write, a CLI command, a
// sync) or a sibling's (relay sync). Git moves a loose ref by renaming `<ref>.lock` onto it, and `git pack-refs`
// rewrites packed-refs: watching refs/trail/, each sibling's folder refs/trail/siblings/<name>/ and the common git
// dir sees all of them. Each folder is watched on its own, never with `recursive`: Node 20 does a recursive watch
// on Linux in JavaScript, reading the folders again on every event (a millisecond of each write of ours, on the
// event loop, before the tool call's answer). A slow poll backs the watches up (a file system without
// notifications, a reftable repository, refs/trail/ or a sibling's folder created after the start) and watches a
// new sibling's folder. Each wake-up reads the tips (through the warm `git cat-file`, no process) and reports the
// ones that moved.

export type Tips = ReadonlyMap<string, string | null>

export interface RefWatcherOptions {
  /** The common git dir: refs/ and packed-refs. */
  commonDir: string
  /** The current tip of every ref served. */
  readTips: () => Promise<Tips>
  /** Called once per wake-up with the refs that moved, from → to, in order; never twice at once. */
  onMove: (moves: {ref: string; from: string | null; to: string | null}[]) => Promise<void>
  /** Between polls (default 2 s). */
  pollMs?: number
  /** How long to wait after a file event for the burst to end (default 15 ms). */
  settleMs?: number
  onError?: (error: unknown) => void
}

export class RefWatcher {
  private tips: Tips = new Map()
  private watchers: FSWatcher[] = []
  /** The folders watched (see `folders()`). */
  private watched: string[] = []
  private timer: NodeJS.Timeout | undefined
  private settle: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()
  private again = false
  private stopped = false

  constructor(private readonly options: RefWatcherOptions) {}

  /** Reads the tips as they are now (the baseline), then watches. */
  async start(): Promise<void> {
    this.tips = await this.options.readTips()
    this.watchFiles()
    this.timer = setInterval(() => {
      const folders = this.folders()
      if (this.watchers.length < folders.length || folders.some((folder) => !this.watched.includes(folder))) this.watchFiles()
      this.wake()
    }, this.options.pollMs ?? 2000)
    this.timer.unref()
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
    clearTimeout(this.settle)
    for (const watcher of this.watchers) watcher.close()
    this.watchers = []
  }

  /** Checks the tips now (after a file event, a poll, or a write of this server's own). */
  wake(): void {
    if (this.stopped) return
    clearTimeout(this.settle)
    this.settle = setTimeout(() => void this.check(), this.options.settleMs ?? 15)
    this.settle.unref()
  }

  /** Resolves once every check asked for so far has run. */
  idle(): Promise<void> {
    return this.running
  }

  private check(): Promise<void> {
    if (this.again) return this.running
    this.again = true
    this.running = this.running.then(async () => {
      this.again = false
      if (this.stopped) return
      try {
        const tips = await this.options.readTips()
        const moves = [...new Set([...this.tips.keys(), ...tips.keys()])]
          .map((ref) => ({ref, from: this.tips.get(ref) ?? null, to: tips.get(ref) ?? null}))
          .filter((move) => move.from !== move.to)
        this.tips = tips
        if (moves.length > 0) await this.options.onMove(moves)
      } catch (error) {
        this.options.onError?.(error)
      }
    })
    return this.running
  }

  /** The folders whose files are refs served: the common dir (packed-refs), refs/trail/, each sibling's folder. */
  private folders(): string[] {
    const siblings = join(this.options.commonDir, 'refs', 'trail', 'siblings')
    let names: string[] = []
    try {
      names = readdirSync(siblings, {withFileTypes: true})
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    } catch {
      // no sibling synced yet
    }
    return [this.options.commonDir, join(this.options.commonDir, 'refs', 'trail'), ...names.map((name) => join(siblings, name))]
  }

  /** Watches each folder of `folders()` on its own (see the top of this file). */
  private watchFiles(): void {
    for (const watcher of this.watchers) watcher.close()
    this.watchers = []
    const [commonDir, ...refFolders] = this.folders()
    this.watched = [commonDir!, ...refFolders]
    const add = (dir: string, relevant: (name: string) => boolean) => {
      try {
        const watcher = watch(dir, {persistent: false}, (_event, name) => {
          if (name === null || relevant(name.toString())) this.wake()
        })
        watcher.on('error', () => {
          watcher.close()
          this.watchers = this.watchers.filter((w) => w !== watcher)
        })
        this.watchers.push(watcher)
      } catch {
        // not there yet (no store yet): the poll looks again
      }
    }
    add(commonDir!, (name) => name === 'packed-refs')
    for (const folder of refFolders) add(folder, (name) => !name.endsWith('.lock'))
  }
}
