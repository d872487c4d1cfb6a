import {spawn} from 'node:child_process'
import {accessSync, appendFileSync, closeSync, constants, fstatSync, openSync, readSync, statSync, unlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {isAbsolute, join} from 'node:path'
import {GitError, GitTimeoutError} from '../errors.js'
import {spawnPipeless} from './pipeless.js'

export type Env = Readonly<Record<string, string | undefined>>

/**
 * RELAY_TRAIL_TRACE=<file>: a record of the git work this process does, appended to <file> as it happens, one line
 * each, tab-separated, starting with the process id (for tests that count what a command reads, and for debugging):
 *   <pid>  git       <subcommand>  <args>        a git process started (cat-file --batch included)
 *   <pid>  git-exit  <subcommand>  <exit code>   it exited (a process killed first never writes this line)
 *   <pid>  read      <type>        <name>        an object the cat-file reader returned (type: missing when absent),
 *                                               by the name it was asked for: <tree>:<path>, an oid, a ref
 *   <pid>  write     cursor        <file>        relay ingest wrote an input file's cursor (.git/trail/ingest/)
 *   <pid>  fast-path <bundle>                    bin/fast-path.cjs loaded dist/<bundle>.cjs (hot-trail-writes, ...)
 *   <pid>  oclif     <bin>                       the fast path left the command to oclif
 * Read once at start-up: unset, `trace` is undefined and each call site `trace?.(...)` costs one check (its
 * arguments are not even built).
 */
export const trace: ((...fields: string[]) => void) | undefined = process.env.RELAY_TRAIL_TRACE
  ? (
      (file: string) =>
      (...fields: string[]) =>
        appendFileSync(file, `${[process.pid, ...fields].join('\t')}\n`)
    )(process.env.RELAY_TRAIL_TRACE)
  : undefined

/** The subcommand of a git argument list, past any `-c name=value` options. */
function subcommand(args: readonly string[]): string {
  let i = 0
  while (args[i] === '-c' || args[i]?.startsWith('-')) i += args[i] === '-c' ? 2 : 1
  return args[i] ?? ''
}

/**
 * Variables that would point a child git at another repository, index or work tree than the one it is run in.
 * A hook runs with GIT_DIR and GIT_INDEX_FILE set, and a git alias may set GIT_PREFIX: all of them are dropped so
 * git discovers the repository from the working directory we give it, and never touches the user's index.
 */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_QUARANTINE_PATH',
]

/**
 * The environment every git child gets: the caller's, minus repository overrides, with messages in English (we
 * match a few of them) and no prompts (a credential prompt would hang an agent forever).
 *
 * @example spawn('git', args, {env: gitEnv(process.env)})
 */
export function gitEnv(env: Env, extra: Env = {}): Record<string, string> {
  const clean: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !REPOSITORY_VARIABLES.includes(key)) clean[key] = value
  }
  clean.LC_ALL = 'C'
  clean.GIT_TERMINAL_PROMPT = '0'
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete clean[key]
    else clean[key] = value
  }
  return clean
}

/**
 * The git every git process of this one runs: the first executable regular file named `git` in `env.PATH`'s
 * directories, in their order, as execvp would find it; found once per PATH value. Spawning `git` by name made
 * every spawn try each directory before it in turn (about 9 failed execve calls here, version managers' shims
 * first). 'git' (a search by name, as before) when PATH is unset, names a directory by a relative path or an empty
 * entry (those depend on the working directory), or holds no git: spawning it then fails with the usual
 * GitError ("git is not installed or not on PATH"). Spawned with `argv0: 'git'`, so the process reads as it did when
 * found by name (its argv[0], what ps and /proc/<pid>/cmdline show).
 *
 * @example spawn(gitExecutable(env), args, {argv0: 'git', cwd, env})
 */
export function gitExecutable(env: Env): string {
  const path = env.PATH
  if (path === undefined || process.platform === 'win32') return 'git'
  let found = gitExecutables.get(path)
  if (found === undefined) {
    found = findExecutable('git', path) ?? 'git'
    gitExecutables.set(path, found)
  }
  return found
}

const gitExecutables = new Map<string, string>()

/**
 * What a git process that could not start (its 'error' event) is reported as: no git (ENOENT, or EACCES when PATH
 * holds only something named git that is not one, a folder or a file we may not run) is a GitError with a hint.
 */
export function spawnFailure(args: readonly string[], error: NodeJS.ErrnoException): Error {
  if (error.code !== 'ENOENT' && error.code !== 'EACCES') return error
  return new GitError(args, null, 'git is not installed or not on PATH', 'install git, or put the folder that holds it on PATH')
}

/** The first executable regular file `name` in the directories of `path` (`:`-separated), or undefined. */
export function findExecutable(name: string, path: string): string | undefined {
  for (const dir of path.split(':')) {
    if (!isAbsolute(dir)) return undefined
    // As execvp makes it (no path.join, whose normalisation ran cold for each folder of a long PATH).
    const file = dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`
    try {
      // statSync follows symbolic links: a link to git is git.
      if (!statSync(file, {throwIfNoEntry: false})?.isFile()) continue
      accessSync(file, constants.X_OK)
      return file
    } catch {
      // not executable by us, or a directory we may not search: execvp goes on too
    }
  }
  return undefined
}

/** What a finished git command left. */
export interface GitResult {
  stdout: Buffer
  stderr: string
  exitCode: number
}

/** How to run one git command. */
export interface RunOptions {
  cwd: string
  env: Env
  /** Bytes written to git's stdin, which is then closed. */
  input?: string | Uint8Array
  /** Exit codes that are answers, not failures (for example 1 from `git grep` when nothing matched). */
  okExitCodes?: readonly number[]
  /** Extra variables for this call only (undefined removes one). */
  extraEnv?: Env
  /** Receives git's stderr as it comes (progress), besides collecting it. */
  onStderr?: (text: string) => void
  /**
   * Collect stdout through an unlinked temporary file instead of a pipe: for large outputs written in many small
   * pieces. `git grep` writes once per matching file, and through a pipe each write wakes Node: 12 MB from 100,000
   * files took 2.5 s through a pipe and 2.1 s through a file, as long as git alone (bench: relay search).
   */
  stdoutToFile?: boolean
  /**
   * Stops git after this many milliseconds, with every process it started (`git fetch` runs git-remote-https or
   * ssh): git runs in a process group of its own, and the whole group is killed. `finish` then rejects with
   * GitTimeoutError.
   */
  timeoutMs?: number
  /**
   * Stops git when this aborts (the MCP request it works for was cancelled), with every process it started, as a
   * time limit does; `finish` then rejects with the signal's reason. Never given to a process other calls share.
   */
  signal?: AbortSignal
}

/** A git process that has started and is waiting for its input. */
export interface RunningGit {
  /** Writes `input` (if any) to git's stdin, closes it, and waits for git to exit. */
  finish(input?: string | Uint8Array): Promise<GitResult>
}

/**
 * Starts git with an argument array (never a shell string), so it can start up while the caller prepares its
 * input. Throws (from `finish`) GitError for an exit code not listed in `okExitCodes`.
 *
 * @example const fastImport = startGit(['fast-import', '--quiet'], {cwd, env}); ...; await fastImport.finish(stream)
 */
export function startGit(args: readonly string[], options: Omit<RunOptions, 'input'>): RunningGit {
  return launchGit(args, options, true)
}

/**
 * startGit, with a stdin only when git is to get input. Where nothing reads them as they come, stdin and stderr are
 * no pipes (/dev/null, an unlinked file): a pipe is a socket in Node, and making the first ones costs the process
 * 3-4 ms of its first git command (measured on the edit hook's `git log`: 25 against 28.5 ms to its end). A git
 * with no pipe at all and no time limit is started without child_process (./pipeless.ts), when this Node allows it.
 */
function launchGit(args: readonly string[], options: Omit<RunOptions, 'input'>, withInput: boolean): RunningGit {
  if (options.signal?.aborted) return gone(options.signal.reason) // cancelled before it started: no git at all
  let file = options.stdoutToFile ? openUnlinkedFile() : null
  let errFile = options.onStderr === undefined ? openUnlinkedFile() : null
  const env = gitEnv(options.env, options.extraEnv)
  trace?.('git', subcommand(args), args.join(' '))
  const out: Buffer[] = []
  const err: Buffer[] = []
  /** What git wrote to stdout; the temporary file, if any, is closed (once: 'error' and 'close' may both come). */
  const takeStdout = (): Buffer => {
    if (file === null) return Buffer.concat(out)
    const data = readWholeFile(file)
    file = null
    return data
  }
  const takeStderr = (): string => {
    if (errFile === null) return Buffer.concat(err).toString('utf8')
    const data = readWholeFile(errFile)
    errFile = null
    return data.toString('utf8')
  }
  /** A git that could not start: its files closed, the error as a command reports it. */
  const failed = (error: NodeJS.ErrnoException): Error => {
    takeStdout()
    takeStderr()
    return spawnFailure(args, error)
  }
  const notStarted = (error: unknown): RunningGit => gone(failed(error as NodeJS.ErrnoException))
  const ended = (code: number | null, stopped: 'timeout' | 'aborted' | null = null): GitResult => {
    trace?.('git-exit', subcommand(args), String(code))
    const result = {stdout: takeStdout(), stderr: takeStderr(), exitCode: code ?? -1}
    if (stopped === 'timeout') throw new GitTimeoutError(args, options.timeoutMs!)
    if (stopped === 'aborted') throw options.signal!.reason
    if (![0, ...(options.okExitCodes ?? [])].includes(result.exitCode)) throw new GitError(args, code, result.stderr)
    return result
  }

  const {signal} = options
  // No pipe at all (no input, output and errors to files, nothing to stop it): started without child_process.
  if (!withInput && file !== null && errFile !== null && options.timeoutMs === undefined && signal === undefined) {
    let started: ReturnType<typeof spawnPipeless>
    try {
      started = spawnPipeless(gitExecutable(env), ['git', ...args], {cwd: options.cwd, env, stdio: ['ignore', file, errFile]})
    } catch (error) {
      return notStarted(error)
    }
    if (started !== undefined) {
      const exited = started.exited.then((code) => ended(code))
      exited.catch(() => {}) // reported through finish()
      return {finish: () => exited}
    }
  }

  const stoppable = options.timeoutMs !== undefined || signal !== undefined
  // detached: a process group of its own (setsid), so stopping git stops its children too.
  const stdio = [withInput ? 'pipe' : 'ignore', file ?? 'pipe', errFile ?? 'pipe'] as const
  let child: ReturnType<typeof spawn>
  try {
    // Throws for what it refuses outright (a NUL byte in an argument, E2BIG); other failures come as 'error'.
    child = spawn(gitExecutable(env), args, {argv0: 'git', cwd: options.cwd, env, stdio: [...stdio], detached: stoppable})
  } catch (error) {
    return notStarted(error)
  }
  let stopped: 'timeout' | 'aborted' | null = null
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  if (stoppable && child.pid !== undefined) {
    const group = child.pid
    liveGroups.add(group)
    forwardSignals()
    const stop = (why: 'timeout' | 'aborted') => {
      stopped ??= why
      killGroup(group)
    }
    if (options.timeoutMs !== undefined) timer = setTimeout(() => stop('timeout'), options.timeoutMs)
    if (signal !== undefined) {
      onAbort = () => stop('aborted')
      signal.addEventListener('abort', onAbort, {once: true})
    }
  }
  const settled = () => {
    if (timer) clearTimeout(timer)
    if (onAbort) signal?.removeEventListener('abort', onAbort)
    if (child.pid !== undefined && liveGroups.delete(child.pid) && liveGroups.size === 0) stopForwardingSignals()
  }
  const stdin = child.stdin
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr?.on('data', (chunk: Buffer) => {
    err.push(chunk)
    options.onStderr?.(chunk.toString('utf8'))
  })
  // A child that exits before reading all of stdin (an early error) makes the pipe fail with EPIPE; the exit
  // code already reports the failure.
  stdin?.on('error', () => {})
  const exited = new Promise<GitResult>((resolve, reject) => {
    let startFailed = false
    child.on('error', (error: NodeJS.ErrnoException) => {
      settled()
      startFailed = true
      reject(failed(error))
    })
    child.on('close', (code) => {
      settled()
      if (startFailed) return // a git that never ran: no exit to trace
      try {
        resolve(ended(code, stopped))
      } catch (error) {
        reject(error)
      }
    })
  })
  exited.catch(() => {}) // reported through finish()
  return {
    finish(input) {
      stdin?.end(input ?? undefined)
      return exited
    },
  }
}

/** A git that will not run: `finish` rejects with `error`. */
function gone(error: unknown): RunningGit {
  const rejected = Promise.reject(error)
  rejected.catch(() => {}) // reported through finish()
  return {finish: () => rejected}
}

/**
 * Runs git with an argument array (never a shell string) and collects its output.
 * Throws GitError for an exit code not listed in `okExitCodes`.
 *
 * @example const {stdout} = await runGit(['rev-parse', 'HEAD'], {cwd, env})
 */
export function runGit(args: readonly string[], options: RunOptions): Promise<GitResult> {
  return launchGit(args, options, options.input !== undefined).finish(options.input)
}

/** The process groups of git commands that may be stopped, still running (see RunOptions.timeoutMs and signal). */
const liveGroups = new Set<number>()
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL')
  } catch {
    // already gone
  }
}

/**
 * A timed git runs in a process group of its own, which Ctrl-C on the terminal does not reach: while one runs, the
 * signals that stop this process stop those groups first. The signal then takes its usual course: re-raised when no
 * other listener handles it (a long-running command that ends cleanly on SIGINT still does).
 */
function onStopSignal(signal: NodeJS.Signals): void {
  killLiveGroups()
  stopForwardingSignals()
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

/** Also when this process exits with a timed git still running (another source's search failed first). */
function killLiveGroups(): void {
  for (const group of liveGroups) killGroup(group)
  liveGroups.clear()
}

let forwarding = false

function forwardSignals(): void {
  if (forwarding) return
  forwarding = true
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onStopSignal)
  process.on('exit', killLiveGroups)
}

function stopForwardingSignals(): void {
  if (!forwarding) return
  forwarding = false
  for (const signal of FORWARDED_SIGNALS) process.off(signal, onStopSignal)
  process.off('exit', killLiveGroups)
}

/** A new temporary file, open for reading and writing and already unlinked: nothing is left behind, even on a crash. */
function openUnlinkedFile(): number {
  const path = join(tmpdir(), `relay-trail-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const fd = openSync(path, 'wx+', 0o600)
  unlinkSync(path)
  return fd
}

/** Everything written to `fd`, read from its start; then closes it. */
function readWholeFile(fd: number): Buffer {
  try {
    const data = Buffer.allocUnsafe(fstatSync(fd).size)
    for (let offset = 0; offset < data.length; ) {
      const read = readSync(fd, data, offset, data.length - offset, offset)
      if (read === 0) return data.subarray(0, offset)
      offset += read
    }
    return data
  } finally {
    closeSync(fd)
  }
}
