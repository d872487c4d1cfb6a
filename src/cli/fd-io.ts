import {fstatSync, readSync, writeSync} from 'node:fs'

// The standard descriptors used without a stream where they are pipes, sockets or files: process.stdin, stdout and
// stderr are net.Sockets, tty streams or SyncWriteStreams, and making one loads node:net and the stream modules
// (8 ms of stdin and 6 ms of stdout in a CPU profile of the edit hook, whose own work is a few milliseconds). Reads
// and writes are then plain blocking calls, which is what Node does for these on Linux anyway. A terminal, or a
// descriptor another process left non-blocking, goes back to the stream, which handles both.

/** Whether `fd` is a pipe, a socket or a regular file: not a terminal (a character device may be one, or /dev/null). */
export function isPipeOrFile(fd: number): boolean {
  try {
    const stat = fstatSync(fd)
    return stat.isFIFO() || stat.isSocket() || stat.isFile()
  } catch {
    return false // closed: the stream says what it makes of that
  }
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
  write(text: string): unknown
  isTTY?: boolean
  rows?: number
  columns?: number
}

/**
 * `fd` written with blocking writes when it is a pipe, a socket or a file, else `stream()` (a terminal). A write the
 * descriptor refuses (non-blocking and full, a reader gone) goes to the stream, as does every write after it, so
 * the order holds and the stream reports a failure as it always has.
 */
export function fdOutput(fd: number, stream: () => Output): Output {
  if (!isPipeOrFile(fd)) return stream()
  let handedOver = false
  return {
    isTTY: false,
    write(text: string) {
      if (handedOver) return stream().write(text)
      const bytes = Buffer.from(text, 'utf8')
      let written = 0
      try {
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
      } catch {
        handedOver = true
        return stream().write(bytes.subarray(written).toString('utf8'))
      }
      return true
    },
  }
}
