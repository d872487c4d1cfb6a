import {fstatSync, readSync, statSync, writeSync} from 'node:fs'
import {EXIT} from '../errors.js'

// The standard descriptors used without a stream where they are pipes, sockets, files or /dev/null: process.stdin, stdout and
// stderr are net.Sockets, tty streams or SyncWriteStreams, and making one loads node:net and the stream modules
// (8 ms of stdin and 6 ms of stdout in a CPU profile of the edit hook, whose own work is a few milliseconds). Reads
// and writes are then plain blocking calls, which is what Node does for these on Linux anyway. A terminal, or a
// descriptor another process left non-blocking, goes back to the stream, which handles both.

/**
 * Whether `fd` is a pipe, a socket, a regular file or /dev/null: not a terminal, or another character device. Output
 * thrown away (`> /dev/null`, as a benchmark or a script does) would otherwise load the stream modules for nothing.
 */
export function isPipeOrFile(fd: number): boolean {
  try {
    const stat = fstatSync(fd)
    return stat.isFIFO() || stat.isSocket() || stat.isFile() || (stat.isCharacterDevice() && stat.rdev === devNull())
  } catch {
    return false // closed: the stream says what it makes of that
  }
}

let nullDevice: number | undefined

/** /dev/null's device number (-1 where there is none). */
function devNull(): number {
  if (nullDevice === undefined) {
    try {
      nullDevice = statSync('/dev/null').rdev
    } catch {
      nullDevice = -1
    }
  }
  return nullDevice
}

/**
 * Reads `fd` to its end into `chunks`. False when it cannot be read that way (not a pipe, socket or file; or a
 * non-blocking descriptor with nothing to read yet): what was read is in `chunks`, and the stream reads the rest.
 */
export function readFdToEnd(fd: number, chunks: Buffer[]): boolean {
  if (!isPipeOrFile(fd)) return false
  for (;;) {
    const buffer = Buffer.allocUnsafe(64 * 1024)
    let read: number
    try {
      read = readSync(fd, buffer, 0, buffer.length, null)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return false
      if (code === 'EOF') return true // Windows: the writer closed the pipe
      throw error
    }
    if (read === 0) return true
    chunks.push(buffer.subarray(0, read))
  }
}

/** What the commands write to: a stream's write, and whether it is a terminal (with its size, for the pager). */
export interface Output {
  write(data: string | Uint8Array): unknown
  isTTY?: boolean
  rows?: number
  columns?: number
}

/**
 * `fd` written with blocking writes when it is a pipe, a socket, a file or /dev/null, else `stream()` (a terminal).
 * A descriptor left non-blocking that is full hands the bytes not written to the stream, and every write after them,
 * so nothing is lost or reordered. A reader that went away (EPIPE) gets nothing more, as with git; any other failure
 * (a full disk) is one line on stderr and exit code 1. The stream, when used, is held to the same.
 */
export function fdOutput(fd: number, stream: () => NodeJS.WriteStream): Output {
  const guarded = () => guardStream(stream(), fd)
  if (!isPipeOrFile(fd)) return guarded()
  let to: 'fd' | 'stream' | 'nowhere' = 'fd'
  return {
    isTTY: false,
    write(data: string | Uint8Array) {
      if (to === 'stream') return guarded().write(data)
      if (to === 'nowhere') return false
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
      let written = 0
      try {
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
          to = 'stream'
          return guarded().write(bytes.subarray(written))
        }
        to = 'nowhere'
        outputFailed(fd, error as NodeJS.ErrnoException)
        return false
      }
      return true
    },
  }
}

const guardedStreams = new WeakSet<NodeJS.WriteStream>()

/** `stream` with a handler for its write errors (without one, Node prints a stack trace and exits 1). */
function guardStream(stream: NodeJS.WriteStream, fd: number): NodeJS.WriteStream {
  if (!guardedStreams.has(stream)) {
    guardedStreams.add(stream)
    stream.on('error', (error: NodeJS.ErrnoException) => outputFailed(fd, error))
  }
  return stream
}

let reported = false

/** A write to stdout or stderr failed: nothing for a reader that went away; else, once, a line on stderr and exit 1. */
function outputFailed(fd: number, error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE' || reported) return
  reported = true
  process.once('exit', () => {
    if (!process.exitCode) process.exitCode = EXIT.failure
  })
  if (fd === 2) return // nowhere left to say it
  try {
    writeSync(
      2,
      `error: could not write the output: ${error.code ?? error.message}\nhint: check where the output goes (a full disk, a file that cannot grow)\n`,
    )
  } catch {
    // stderr failed too: the exit code says it
  }
}
