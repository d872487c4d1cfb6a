import {getSystemErrorName} from 'node:util'

// Starting a process whose standard streams are all files or /dev/null, without loading node:child_process.
//
// Loading child_process costs a process about 5 ms (it brings net, stream and dgram: 37 internal modules compiled on
// first use), and its spawn() 2-3 ms more of option checks and stream set-up, before the fork. A git process that
// needs no pipe (no input, its output collected in an unlinked file: ./process.ts) needs none of that: this starts it
// through the binding child_process itself is built on (`process.binding('process_wrap')`, the same libuv spawn),
// measured 3.7 ms from the call to git running against 11-12 ms through child_process (whole process, 4 runs each).
// The edit hook's first edit of a file, which runs exactly one such git (its log), is on every agent's edit path.
//
// The binding is not a public API, and a call it does not expect stops the process (a C++ CHECK, no exception): it
// is used only on the Node versions whose binding takes these options (20 to 24: src/process_wrap.cc reads file,
// args, cwd, envPairs, stdio, detached, uid and gid alike in each). Wherever it is missing or different (another
// Node, a runtime with a permission model), where Node would warn that process.binding is deprecated
// (--pending-deprecation), or where an argument could not reach the process whole (a NUL byte, which child_process
// refuses and a C string would cut), this gives up (undefined) and the caller spawns through child_process as
// before. The answer is the same either way.

/** The Node major versions whose process_wrap binding takes the options below. */
const KNOWN_MAJORS = [20, 21, 22, 23, 24]

/** Where a child's stream goes: nowhere (/dev/null), or an open file descriptor of ours. */
export type PipelessStdio = 'ignore' | number

/** A child started without pipes: its process id, and its exit code (null when a signal ended it). */
export interface PipelessChild {
  pid: number
  exited: Promise<number | null>
}

/** The handle the binding makes: what child_process's ChildProcess wraps. */
interface ProcessHandle {
  pid?: number
  onexit: (exitCode: number, signalCode: string | number) => void
  spawn(options: object): number
  close(): void
}

type ProcessHandleClass = new () => ProcessHandle

let handleClass: ProcessHandleClass | null | undefined

/** The binding's Process class, looked up once; null when this Node does not offer it as expected. */
function processHandleClass(): ProcessHandleClass | null {
  if (handleClass !== undefined) return handleClass
  handleClass = null
  if (!KNOWN_MAJORS.includes(Number(process.versions.node.split('.')[0])) || pendingDeprecation()) return handleClass
  try {
    const binding = (process as unknown as {binding?: (name: string) => {Process?: unknown}}).binding?.('process_wrap')
    const Process = binding?.Process
    if (typeof Process === 'function' && typeof (Process.prototype as Partial<ProcessHandle>).spawn === 'function') {
      handleClass = Process as ProcessHandleClass
    }
  } catch {
    // not offered (a permission model, a runtime other than Node): child_process it is
  }
  return handleClass
}

/**
 * Whether Node would warn on process.binding (DEP0111, only under --pending-deprecation, which Node also reads as
 * --pending_deprecation, and NODE_PENDING_DEPRECATION=1, of which it reads the first character).
 */
function pendingDeprecation(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
  return flags.some((flag) => /^--pending[-_]deprecation$/.test(flag)) || (process.env.NODE_PENDING_DEPRECATION ?? '').startsWith('1')
}

/**
 * Starts `file` with `args` (args[0] is what the process sees as its name), in `cwd`, with exactly `env`, its stdin,
 * stdout and stderr as `stdio` says. Undefined when it cannot be done this way (see above): spawn through
 * child_process then. Throws, as child_process's 'error' event reports it, an error with the system's code (ENOENT,
 * EACCES) when the process could not start.
 *
 * @example const child = spawnPipeless('/usr/bin/git', ['git', 'log'], {cwd, env, stdio: ['ignore', fd, fd]})
 */
export function spawnPipeless(
  file: string,
  args: readonly string[],
  options: {cwd: string; env: Readonly<Record<string, string>>; stdio: readonly [PipelessStdio, PipelessStdio, PipelessStdio]},
): PipelessChild | undefined {
  const Process = processHandleClass()
  if (Process === null) return undefined
  const envPairs = Object.entries(options.env).map(([key, value]) => `${key}=${value}`)
  if ([file, options.cwd, ...args, ...envPairs].some((text) => text.includes('\0'))) return undefined
  const handle = new Process()
  let settle: (code: number | null) => void = () => {}
  const exited = new Promise<number | null>((resolve) => {
    settle = resolve
  })
  handle.onexit = (exitCode, signalCode) => {
    handle.close()
    settle(signalCode ? null : exitCode)
  }
  const errno = handle.spawn({
    file,
    args: [...args],
    cwd: options.cwd,
    envPairs,
    stdio: options.stdio.map((where) => (where === 'ignore' ? {type: 'ignore'} : {type: 'fd', fd: where})),
    detached: false,
    windowsHide: false,
    windowsVerbatimArguments: false,
  })
  if (errno !== 0 || handle.pid === undefined) {
    handle.close()
    const code = errno < 0 ? getSystemErrorName(errno) : 'UNKNOWN'
    throw Object.assign(new Error(`spawn ${file} ${code}`), {errno, code, syscall: 'spawn', path: file})
  }
  return {pid: handle.pid, exited}
}
