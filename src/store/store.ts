import type {Env} from '../git/process.js'
import {GitRepo} from '../git/repo.js'
import {STORE_REF} from '../model/layout.js'
import {Mirror} from './mirror.js'
import {Snapshot} from './snapshot.js'
import {transact, type Draft, type TransactOptions} from './transaction.js'

/** Where the store is, and the clock its commits use. */
export interface StoreOptions {
  cwd: string
  env: Env
  now: () => Date
  /** Where warnings go (stderr): problems that do not fail the command. */
  warn?: (message: string) => void
}

/**
 * The record store of one repository: reads at a commit (`snapshot`) and writes as transactions (`transact`).
 *
 * @example
 * const store = await Store.open({cwd: process.cwd(), env: process.env, now: () => new Date()})
 * const snapshot = await store.snapshot()
 * store.close()
 */
export class Store {
  readonly ref = STORE_REF
  readonly mirror: Mirror

  private constructor(
    readonly repo: GitRepo,
    readonly now: () => Date,
    readonly warn: (message: string) => void,
  ) {
    this.mirror = new Mirror(repo)
  }

  static async open(options: StoreOptions): Promise<Store> {
    const repo = GitRepo.open(options.cwd, options.env)
    // Every command reads the store: starting `git cat-file` now lets git start up while the command goes on,
    // unless the objects the last write carried may answer every read (GitRepo.commitInProcess).
    if (!repo.commitInProcess()) repo.reader.start()
    return new Store(repo, options.now, options.warn ?? ((message) => process.stderr.write(`warning: ${message}\n`)))
  }

  /**
   * The records as they are now. When this worktree's mirror shows an older commit (another worktree wrote, or
   * a sync arrived), it catches up first, so reading a record in the mirror after any command shows the ref.
   */
  async snapshot(): Promise<Snapshot> {
    const snapshot = await Snapshot.read(this.repo, this.ref)
    if (snapshot.tip !== null) await this.mirror.catchUp(this.ref, snapshot.tip)
    return snapshot
  }

  /** Commits the writes that `change` computes from the current records; see ./transaction.ts. */
  transact<T>(change: (snapshot: Snapshot) => Promise<Draft<T>>, options?: TransactOptions): Promise<T> {
    return transact(this, change, options)
  }

  close(): void {
    this.repo.close()
  }
}
