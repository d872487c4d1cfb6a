import type {Env} from '../git/process.js'
import {IdGenerator} from '../model/ids.js'
import {terminalLine, terminalText} from '../render/terminal.js'
import {Store} from '../store/store.js'

/**
 * What every service needs from the world, built once per command by the CLI (or per request by the dashboard).
 * The clock, randomness and environment are seams, so tests can pin them; git is not a seam: tests run real git.
 */
export interface Context {
  cwd: string
  env: Env
  now: () => Date
  ids: IdGenerator
  /** The store of the repository containing `cwd`, opened on first use. */
  store(): Promise<Store>
  /** A warning for the user (stderr), never mixed with data. */
  warn(message: string): void
  /** Releases the store's git processes. */
  close(): void
  /**
   * Aborts when the request is cancelled (an MCP client's notifications/cancelled): the git processes started for
   * it alone (git grep) are stopped. None for a command, which Ctrl-C stops whole.
   */
  signal?: AbortSignal
}

/** What createContext needs; the clock and randomness default to the real ones. */
export interface ContextOptions {
  cwd: string
  env: Env
  now?: () => Date
  random?: (count: number) => Uint8Array
  warn?: (message: string) => void
}

/**
 * Builds the context a command runs with; the store opens on first use.
 *
 * @example const ctx = createContext({cwd: process.cwd(), env: process.env})
 */
export function createContext(options: ContextOptions): Context {
  const now = options.now ?? (() => new Date())
  let opened: Promise<Store> | undefined
  // Without a front end's own warn (src/cli/execute.ts passes one), still made safe for a terminal.
  const warn = options.warn ?? ((message: string) => void process.stderr.write(terminalText(`warning: ${terminalLine(message)}\n`)))
  return {
    cwd: options.cwd,
    env: options.env,
    now,
    ids: new IdGenerator(now, options.random ?? randomBytes),
    store: () => (opened ??= Store.open({cwd: options.cwd, env: options.env, now, warn})),
    warn,
    close: () => {
      void opened?.then(
        (store) => store.close(),
        () => {},
      )
    },
  }
}

/**
 * Random bytes for ids, from Math.random: V8 seeds it from the operating system's entropy in every process, which
 * is what uniqueness needs (ids are not secrets). node:crypto would cost about 5 ms to load on every command.
 */
function randomBytes(count: number): Uint8Array {
  const bytes = new Uint8Array(count)
  for (let i = 0; i < count; i++) bytes[i] = Math.floor(Math.random() * 256)
  return bytes
}
