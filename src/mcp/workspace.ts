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

export class Workspace {
  private opened: Promise<Store> | undefined
  private readonly warnings = new AsyncLocalStorage<string[]>()
  private settingsTaken: string | undefined
  readonly ids: IdGenerator

  constructor(private readonly options: WorkspaceOptions) {
    this.ids = new IdGenerator(() => new Date(), randomBytes)
  }

  /** The store, opened on first use; a failure (no repository yet) is retried by the next call. */
  store(): Promise<Store> {
    this.opened ??= this.open().catch((error: unknown) => {
      this.opened = undefined
      throw error
    })
    return this.opened
  }

  /** The store if it is open (or opening), else null: for work that should not open it (notifications). */
  openedStore(): Promise<Store> | null {
    return this.opened ?? null
  }

  private async open(): Promise<Store> {
    const dir = await this.projectDir()
    const store = await Store.open({cwd: dir, env: this.options.env, now: () => new Date(), warn: (message) => this.warn(message)})
    store.repo.keepCommitsWarm()
    this.settingsTaken = fingerprint(store.repo, this.options.env)
    return store
  }

  /**
   * The folder whose repository holds the store: the server's cwd when it is inside one (clients start servers in
   * the project's folder), else $CLAUDE_PROJECT_DIR or $GEMINI_PROJECT_DIR, else the client's first root that is.
   * When none is, the cwd, so the error names it.
   */
  private async projectDir(): Promise<string> {
    const {cwd, env} = this.options
    const candidates = [cwd, ...PROJECT_DIR_VARIABLES.map((name) => env[name]).filter((dir): dir is string => Boolean(dir))]
    const found = candidates.find((dir) => isInRepository(dir, env))
    if (found) return found
    const roots = (await this.options.roots?.().catch(() => [])) ?? []
    for (const root of roots) {
      if (!root.startsWith('file:')) continue
      const dir = fileURLToPath(root)
      if (isInRepository(dir, env)) return dir
    }
    return cwd
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
    const value = await this.warnings.run(warnings, () => work(ctx))
    return {value, warnings}
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
