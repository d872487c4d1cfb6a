import {GitRepo} from '../git/repo.js'
import type {Context} from '../services/context.js'
import {listSiblings, siblingDefaultId} from '../services/projects.js'
import {STORE_REF} from '../model/layout.js'
import {RefWatcher} from './ref-watcher.js'
import {StoreIndex, type ChangeKind, type StoreChange} from './store-index.js'

// Every store the dashboard shows (this project's and each synced sibling's), moved forward whenever a ref moves:
// the tips are read through the long-running `git cat-file`, and each store that moved reads what changed between
// its old and new tip. Each round of changes gets a version, kept for a while so a page that reconnects is told exactly what
// it missed.

/** A change as the page is told of it (one server-sent event). */
export interface ChangeEvent {
  /** "<instance>-<counter>". */
  version: string
  /** Which panels to refresh; "all" after a gap too long to describe. */
  kinds: ChangeKind[] | 'all'
  /** Projects whose records changed. */
  projects: string[]
  /** Trajectories whose record, events or links changed, as "project/id". */
  trajectories: string[]
}

/** After start-up, the background reads begin this much later, unless a request needs them first. */
const BACKGROUND_DELAY_MS = 1000

/** How many past changes are kept for pages that reconnect. */
const KEPT_CHANGES = 500

export class LiveIndex {
  here: StoreIndex
  readonly siblings = new Map<string, StoreIndex>()
  /** A random id of this server's run: a page that saw another run's versions catches up with everything. */
  readonly instance: string
  private counter = 0
  private readonly history: {counter: number; event: ChangeEvent}[] = []
  private readonly listeners = new Set<(event: ChangeEvent) => void>()
  private watcher: RefWatcher | undefined
  /** Refreshes run one after another; a request for one while one runs schedules exactly one more. */
  private running: Promise<void> = Promise.resolve()
  private queued = false
  /** The second `git cat-file` of the start-up's background reads. */
  private background: GitRepo | undefined
  private readOnce = false

  constructor(
    private readonly ctx: Context,
    instance: string,
  ) {
    this.instance = instance
    this.here = undefined as unknown as StoreIndex
  }

  get version(): string {
    return `${this.instance}-${this.counter}`
  }

  /** Every store, this project's first, siblings by name. */
  get stores(): StoreIndex[] {
    return [this.here, ...[...this.siblings.values()].sort((a, b) => (a.sibling! < b.sibling! ? -1 : 1))]
  }

  /**
   * Reads what lists need of every store and starts watching the refs; the rest is read in the background
   * (`ready()`), and when it is in, pages are told that everything may have changed.
   */
  async start(options: {watch: boolean}): Promise<void> {
    const store = await this.ctx.store()
    this.here = new StoreIndex(store.repo, null, STORE_REF, undefined)
    // A second `git cat-file` (started on its first read) for what is read in the background, closed when done.
    const background = GitRepo.open(this.ctx.cwd, this.ctx.env)
    // The tips through the running `git cat-file` (listSiblings reads the siblings' too): no other process.
    const [tip, siblings] = await Promise.all([store.repo.resolveRef(STORE_REF), listSiblings(this.ctx)])
    await Promise.all([
      this.here.load(tip, background),
      ...siblings.map(async (sibling) => {
        const index = new StoreIndex(store.repo, sibling.name, sibling.ref, siblingDefaultId(sibling))
        this.siblings.set(sibling.name, index)
        await index.load(sibling.tip, background)
      }),
    ])
    this.background = background
    // The rest is read once the first page is likely served, or at once when a request needs it (ready()).
    setTimeout(() => void this.ready().catch(() => {}), BACKGROUND_DELAY_MS).unref()
    if (options.watch) {
      this.watcher = new RefWatcher({commonDir: store.repo.commonDir, onChange: () => void this.refresh()})
      this.watcher.rewatch([...this.siblings.keys()])
      this.watcher.start()
    }
  }

  /**
   * Resolves when every store is read whole (see StoreIndex.load), starting what is left. The first time it
   * completes, pages are told that everything may have changed.
   */
  ready(): Promise<void> {
    const all = Promise.all(this.stores.map((store) => store.ready())).then(() => {})
    if (!this.readOnce) {
      this.readOnce = true
      const background = this.background
      void all
        .then(
          () =>
            this.announce([
              {
                project: this.here.project,
                sibling: null,
                kinds: new Set(['projects', 'agents', 'trajectories', 'messages', 'summaries']),
                trajectories: new Set(),
              },
            ]),
          (error: Error) => this.ctx.warn(`could not read the records: ${error.message}`),
        )
        .finally(() => background?.close())
    }
    return all
  }

  stop(): void {
    this.watcher?.stop()
    this.background?.close()
  }

  /** Calls `listener` with each change from now on; returns the function that stops it. */
  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * What changed after `since` (a version this run gave), as one event; null when nothing did; everything when
   * `since` is another run's or too old to tell.
   */
  changesSince(since: string | null): ChangeEvent | null {
    if (since === this.version) return null
    const match = since === null ? null : /^(.+)-(\d+)$/.exec(since)
    const counter = match && match[1] === this.instance ? Number(match[2]) : null
    // History is contiguous: it holds every change after `first - 1`.
    const first = this.history[0]?.counter ?? this.counter + 1
    if (counter === null || counter > this.counter || counter < first - 1) {
      return {version: this.version, kinds: 'all', projects: this.stores.map((store) => store.project), trajectories: []}
    }
    const missed = this.history.filter((entry) => entry.counter > counter)
    if (missed.length === 0) return null
    const kinds = new Set<ChangeKind>()
    for (const {event} of missed) if (event.kinds !== 'all') for (const kind of event.kinds) kinds.add(kind)
    return {
      version: this.version,
      kinds: missed.some(({event}) => event.kinds === 'all') ? 'all' : [...kinds],
      projects: [...new Set(missed.flatMap(({event}) => event.projects))],
      trajectories: [...new Set(missed.flatMap(({event}) => event.trajectories))],
    }
  }

  /** Looks at the refs now, and moves every store that moved. */
  refresh(): Promise<void> {
    if (this.queued) return this.running
    this.queued = true
    this.running = this.running.then(async () => {
      this.queued = false
      try {
        await this.refreshNow()
      } catch (error) {
        this.ctx.warn(`could not read the records: ${(error as Error).message}`)
      }
    })
    return this.running
  }

  private async refreshNow(): Promise<void> {
    const repo = this.here.repo
    // Every tip through the running `git cat-file` (listSiblings resolves the siblings'): no process is started
    // unless a store moved (then one `git diff-tree`).
    const [hereTip, siblings] = await Promise.all([repo.resolveRef(STORE_REF), listSiblings(this.ctx)])
    const tips = new Map<string, string | null>([[STORE_REF, hereTip], ...siblings.map((sibling) => [sibling.ref, sibling.tip] as [string, string | null])])
    const changes: StoreChange[] = []
    // Siblings removed from the configuration go; new ones are read whole.
    for (const name of [...this.siblings.keys()]) {
      if (!siblings.some((sibling) => sibling.name === name)) {
        const gone = this.siblings.get(name)!
        this.siblings.delete(name)
        changes.push({
          project: gone.project,
          sibling: name,
          kinds: new Set(['projects', 'agents', 'trajectories', 'messages', 'summaries']),
          trajectories: new Set(),
        })
      }
    }
    for (const sibling of siblings) {
      if (this.siblings.has(sibling.name)) continue
      const index = new StoreIndex(repo, sibling.name, sibling.ref, siblingDefaultId(sibling))
      await index.load(tips.get(sibling.ref) ?? null)
      this.siblings.set(sibling.name, index)
      changes.push({
        project: index.project,
        sibling: sibling.name,
        kinds: new Set(['projects', 'agents', 'trajectories', 'messages', 'summaries']),
        trajectories: new Set(),
      })
    }
    // Folders made since (refs/trail on the first record, a sibling's on its first sync) are watched from now on.
    this.watcher?.rewatch([...this.siblings.keys()])
    for (const store of this.stores) {
      const change = await store.update(tips.get(store.ref) ?? null)
      if (change) changes.push(change)
    }
    this.announce(changes)
  }

  /** Gives the changes a version and tells every listener. */
  private announce(changes: StoreChange[]): void {
    if (changes.length === 0) return
    const kinds = new Set<ChangeKind>()
    for (const change of changes) for (const kind of change.kinds) kinds.add(kind)
    // Unread counts and answers depend on every store's messages and receipts: any message change touches agents.
    if (kinds.has('messages')) kinds.add('agents')
    this.counter++
    const event: ChangeEvent = {
      version: this.version,
      kinds: [...kinds],
      projects: [...new Set(changes.map((change) => change.project))],
      trajectories: [...new Set(changes.flatMap((change) => [...change.trajectories].map((id) => `${change.project}/${id}`)))],
    }
    this.history.push({counter: this.counter, event})
    if (this.history.length > KEPT_CHANGES) this.history.splice(0, this.history.length - KEPT_CHANGES)
    for (const listener of this.listeners) listener(event)
  }
}
