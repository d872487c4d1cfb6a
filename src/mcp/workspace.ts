import {AsyncLocalStorage} from 'node:async_hooks'
import {fileURLToPath} from 'node:url'
import type {Env} from '../git/process.js'
import {GitRepo} from '../git/repo.js'
import {fingerprint} from '../git/settings-cache.js'
import {IdGenerator} from '../model/ids.js'
import type {Context} from '../services/context.js'
import {Store} from '../store/store.js'
import {terminalText} from '../render/terminal.js'

// What the server keeps warm between calls: one Store (its `git cat-file --batch` stays running, a `git
// fast-import` is started ahead of the next write, the identity is read once), and one id generator. Every call
// gets a context of its own on that store: its reads take a snapshot of the ref as it is then (other processes
// write too), its writes are the usual transactions (the tip re-read under the writer lock, then a
// compare-and-swap), and its warnings are collected for its answer.

export interface WorkspaceOptions {
  /** The folder the server was started in. */
  cwd: string
  env: Env
  /** The client's roots (MCP `roots/list`) as file:// URIs, asked only when neither cwd nor the environment names a repository. */
  roots?: () => Promise<string[]>
}

/** Variables agent tools set to the project's folder, honoured when the server runs outside any repository. */
export const PROJECT_DIR_VARIABLES = ['CLAUDE_PROJECT_DIR', 'GEMINI_PROJECT_DIR'] as const

/** Where the store's folder was found (see projectDir): the server's folder, a variable, the client's roots, or nowhere. */
type FoundBy = 'cwd' | (typeof PROJECT_DIR_VARIABLES)[number] | 'roots' | 'none'

/** What a change of the client's roots did: the store it served was let go for the one the roots lead to, or kept (why). */
export interface RootsChange {
  switched: boolean
  /** One line for the server's log. */
  said: string
}

export class Workspace {
  private opened: Promise<Store> | undefined
  /** How the open store's folder was found. */
  private foundBy: FoundBy | undefined
  /** The last change of the client's roots, once handled: the store is not opened before (see rootsChanged). */
  private rootsHandled: Promise<unknown> = Promise.resolve()
  /** The calls at work on the store. */
  private readonly running = new Set<Promise<unknown>>()
  private readonly warnings = new AsyncLocalStorage<string[]>()
  private settingsTaken: string | undefined
  readonly ids: IdGenerator

  constructor(private readonly options: WorkspaceOptions) {
    this.ids = new IdGenerator(() => new Date(), randomBytes)
  }

  /** The store, opened on first use; a failure (no repository yet) is retried by the next call. */
  store(): Promise<Store> {
    return this.rootsHandled.then(() => {
      this.opened ??= this.open().catch((error: unknown) => {
        this.opened = undefined
        throw error
      })
      return this.opened
    })
  }

  /** The store if it is open (or opening), else null: for work that should not open it (notifications). */
  openedStore(): Promise<Store> | null {
    return this.opened ?? null
  }

  private async open(): Promise<Store> {
    const {dir, by} = await this.projectDir()
    const store = await Store.open({cwd: dir, env: this.options.env, now: () => new Date(), warn: (message) => this.warn(message)})
    store.repo.keepCommitsWarm()
    this.settingsTaken = fingerprint(store.repo, this.options.env)
    this.foundBy = by
    return store
  }

  /**
   * The client's roots changed (notifications/roots/list_changed). A store found through them is let go when they
   * now lead to another repository, or to none: the next call opens the one they name, and the old one closes once
   * the calls at work on it are done. A store found from the server's folder or a variable is kept: those come
   * first (projectDir), and a roots change does not change them. Calls that come after the notification wait for it
   * to be handled.
   */
  rootsChanged(): Promise<RootsChange | null> {
    const change = this.followRoots()
    this.rootsHandled = change.catch(() => null)
    return change
  }

  private async followRoots(): Promise<RootsChange | null> {
    const opened = this.opened
    const store = await opened?.catch(() => null)
    if (!opened || !store) return null // nothing open: the next call looks, with the new roots
    const serving = store.repo.workTree ?? store.repo.gitDir
    const by = this.foundBy ?? 'none'
    if (by !== 'roots' && by !== 'none') {
      const why = by === 'cwd' ? 'the folder the server was started in is inside it' : `$${by} names it`
      return {switched: false, said: `the client's roots changed; still serving ${serving}: ${why}, which comes before the roots`}
    }
    const next = await this.projectDir()
    if (next.by === 'roots' && isSameRepository(next.dir, store, this.options.env)) return null
    if (this.opened === opened) this.opened = undefined
    void Promise.allSettled([...this.running]).then(() => store.close())
    return {
      switched: true,
      said:
        next.by === 'roots'
          ? `the client's roots changed: serving ${next.dir} (was ${serving})`
          : `the client's roots changed and none is in a repository: no longer serving ${serving}`,
    }
  }

  /**
   * The folder whose repository holds the store: the server's cwd when it is inside one (clients start servers in
   * the project's folder), else $CLAUDE_PROJECT_DIR or $GEMINI_PROJECT_DIR, else the client's first root that is.
   * When none is, the cwd, so the error names it.
   */
  private async projectDir(): Promise<{dir: string; by: FoundBy}> {
    const {cwd, env} = this.options
    if (isInRepository(cwd, env)) return {dir: cwd, by: 'cwd'}
    for (const name of PROJECT_DIR_VARIABLES) {
      const dir = env[name]
      if (dir && isInRepository(dir, env)) return {dir, by: name}
    }
    const roots = (await this.options.roots?.().catch(() => [])) ?? []
    for (const root of roots) {
      if (!root.startsWith('file:')) continue
      const dir = fileURLToPath(root)
      if (isInRepository(dir, env)) return {dir, by: 'roots'}
    }
    return {dir: cwd, by: 'none'}
  }

  /**
   * Runs `work` with a context of its own on the shared store; returns its result and the warnings it gave.
   * Before a write, a change to git's configuration since the last one (a new identity) is picked up. `signal`: the
   * request's cancellation (Context.signal).
   */
  async run<T>(work: (ctx: Context) => Promise<T>, signal?: AbortSignal): Promise<{value: T; warnings: string[]}> {
    const warnings: string[] = []
    // A call opens the store once (outside a repository, one look, and one error); its paths (trail_why's target)
    // are from the top of the work tree, as the tools' descriptions say, wherever the server was started.
    const opening = this.store()
    const top = await opening.then(
      (store) => store.repo.workTree,
      () => null,
    )
    // git's configuration is looked at once a call (seven files' stats), not at each of the call's store() asks.
    let looked = false
    const ctx: Context = {
      cwd: top ?? this.options.cwd,
      env: this.options.env,
      now: () => new Date(),
      ids: this.ids,
      store: async () => {
        const store = await opening
        if (!looked) this.refreshSettings(store)
        looked = true
        return store
      },
      warn: (message) => void warnings.push(message),
      close: () => {},
      ...(signal === undefined ? {} : {signal}),
    }
    const working = this.warnings.run(warnings, () => work(ctx))
    this.running.add(working)
    try {
      return {value: await working, warnings}
    } finally {
      this.running.delete(working)
    }
  }

  /** A warning from the store (after a commit) goes to the call that wrote; outside any call, to stderr. */
  private warn(message: string): void {
    const collected = this.warnings.getStore()
    if (collected) collected.push(message)
    else process.stderr.write(terminalText(`warning: ${message}\n`))
  }

  private refreshSettings(store: Store): void {
    const now = fingerprint(store.repo, this.options.env)
    if (now === this.settingsTaken) return
    this.settingsTaken = now
    store.repo.forgetSettings()
  }

  /** Ends the store's git processes. */
  async close(): Promise<void> {
    const opened = this.opened
    this.opened = undefined
    const store = await opened?.catch(() => null)
    store?.close()
  }
}

/** Whether `dir` is in the repository (and work tree) of `store`. */
function isSameRepository(dir: string, store: Store, env: Env): boolean {
  try {
    const repo = GitRepo.open(dir, env)
    return repo.commonDir === store.repo.commonDir && repo.workTree === store.repo.workTree
  } catch {
    return false
  }
}

function isInRepository(dir: string, env: Env): boolean {
  try {
    GitRepo.open(dir, env)
    return true
  } catch {
    return false // not a repository (RepositoryError), or a folder that cannot be read
  }
}

/** As src/services/context.ts: Math.random is seeded from the system's entropy, which is what id uniqueness needs. */
function randomBytes(count: number): Uint8Array {
  const bytes = new Uint8Array(count)
  for (let i = 0; i < count; i++) bytes[i] = Math.floor(Math.random() * 256)
  return bytes
}
