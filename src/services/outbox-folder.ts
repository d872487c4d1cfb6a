import {closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readSync, unlinkSync, type Stats} from 'node:fs'
import {join} from 'node:path'
import {NotFoundError, UsageError} from '../errors.js'
import type {AgentName} from '../model/names.js'
import {parseOutboxFileName} from '../model/names.js'

// An agent's outbox folder, <base>/<agent>/, is in /tmp by default: a folder every user can write to. What this
// module guarantees, whoever else is on the machine:
//
// - The base folder is not a symbolic link, belongs to this user or to root, and, when others can write to it,
//   has the sticky bit (as /tmp has), so no one else can rename or replace the agent's folder in it.
// - The agent's folder is opened once (O_DIRECTORY | O_NOFOLLOW) and checked on that handle (a folder of this
//   user's that no one else can write to). Every later step acts through the handle, never through the path again.
//   Node has no openat/unlinkat; on Linux, /proc/self/fd/<fd>/<name> is their equivalent: the kernel resolves
//   /proc/self/fd/<fd> to the folder the descriptor holds, wherever that folder is now and whatever the path
//   <base>/<agent> names by then. Swapping the folder for a symbolic link after the check changes nothing: the
//   file read and the file deleted are in the folder that was checked.
// - The file is opened with O_NOFOLLOW | O_NONBLOCK (a FIFO cannot hang the open) and checked on its descriptor:
//   a regular file of this user's. Before it is deleted, the name is looked up again in the same folder and must
//   still be the same file (device and inode); only this user (or root) can write to that folder, so nothing else
//   can slip another file under the name between that look-up and the unlink.
//
// Without /proc (not Linux), the path is used, and the folder's identity is checked again just before the unlink:
// a much narrower window, not none.

/** The largest outbox file read: a save or a message, not a document. */
export const MAX_OUTBOX_BYTES = 1024 * 1024 + 4096

const HAS_PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd')

/** A file as the kernel knows it: the same device and inode is the same file. */
export interface FileIdentity {
  dev: number
  ino: number
}

/**
 * @example
 * const folder = OutboxFolder.open('/tmp/relay-outbox', agent)
 * try {
 *   const file = folder.read('continuity')
 *   // ... carry out file.bytes, commit ...
 *   folder.remove('continuity', file.identity)
 * } finally {
 *   folder.close()
 * }
 */
export class OutboxFolder {
  private constructor(
    /** <base>/<agent>, for messages. */
    readonly path: string,
    private readonly fd: number,
    private readonly identity: FileIdentity,
  ) {}

  /** Opens and checks `<base>/<agent>/`; throws NotFoundError or an E_OUTBOX UsageError naming the problem. */
  static open(base: string, agent: AgentName): OutboxFolder {
    const path = join(base, agent)
    const uid = process.getuid?.()
    const baseFd = openFolder(base, `no outbox folder ${base}`, `write the file first: mkdir -p ${path} && cat > ${path}/<name> << 'EOF' ... EOF`)
    let fd: number
    try {
      const info = fstatSync(baseFd)
      if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
        throw new UsageError(
          `outbox base folder ${base} belongs to another user (uid ${info.uid})`,
          `use a folder of your own: --outbox <dir> or $RELAY_OUTBOX`,
          'E_OUTBOX',
        )
      }
      if ((info.mode & 0o022) !== 0 && (info.mode & 0o1000) === 0) {
        throw new UsageError(
          `outbox base folder ${base} can be written to by others and has no sticky bit: another user could replace your folder in it`,
          `chmod +t ${base} (as /tmp is), or chmod go-w ${base}`,
          'E_OUTBOX',
        )
      }
      fd = openFolder(
        HAS_PROC_FD ? `/proc/self/fd/${baseFd}/${agent}` : path,
        `no outbox folder ${path}`,
        `write the file first: mkdir -p ${path} && cat > ${path}/<name> << 'EOF' ... EOF`,
        path,
      )
    } finally {
      closeSync(baseFd)
    }
    try {
      const info = fstatSync(fd)
      if ((uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0) {
        throw new UsageError(
          `outbox folder ${path} is not a folder of yours that only you can write to`,
          `remove it, or fix it: chown ${uid ?? '$USER'} ${path} && chmod go-w ${path}`,
          'E_OUTBOX',
        )
      }
      return new OutboxFolder(path, fd, {dev: info.dev, ino: info.ino})
    } catch (error) {
      closeSync(fd)
      throw error
    }
  }

  /** `name` inside the folder held open: through /proc on Linux, else through the path. */
  private at(name: string): string {
    return HAS_PROC_FD ? `/proc/self/fd/${this.fd}/${parseOutboxFileName(name)}` : join(this.path, parseOutboxFileName(name))
  }

  /** Reads a file of the folder, refusing what another user could have planted or pointed elsewhere. */
  read(name: string): {bytes: Buffer; identity: FileIdentity} {
    const shown = join(this.path, name)
    let fd: number
    try {
      fd = openSync(this.at(name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw new NotFoundError(`no outbox file ${shown}`, `write it first: cat > ${shown} << 'EOF' ... EOF`)
      if (code === 'ELOOP') throw new UsageError(`outbox file ${shown} is a link; only regular files are read`, 'the file is left in place', 'E_OUTBOX')
      throw error
    }
    try {
      const info = fstatSync(fd)
      const uid = process.getuid?.()
      if (!info.isFile())
        throw new UsageError(
          `outbox file ${shown} is not a regular file (it is ${kindOf(info)})`,
          'write the outbox file with cat > ...; the entry is left in place',
          'E_OUTBOX',
        )
      if (uid !== undefined && info.uid !== uid)
        throw new UsageError(`outbox file ${shown} is not a regular file of yours`, 'the file is left in place', 'E_OUTBOX')
      if (info.size > MAX_OUTBOX_BYTES) {
        throw new UsageError(
          `outbox file ${shown} is ${info.size} bytes; the limit is ${MAX_OUTBOX_BYTES}`,
          'an outbox file holds one save or one message; the file is left in place',
          'E_TOO_LONG',
        )
      }
      const bytes = readAtMost(fd, MAX_OUTBOX_BYTES + 1)
      if (bytes.length > MAX_OUTBOX_BYTES)
        throw new UsageError(`outbox file ${shown} grew past ${MAX_OUTBOX_BYTES} bytes while it was read`, 'the file is left in place', 'E_TOO_LONG')
      if (bytes.includes(0)) throw new UsageError(`outbox file ${shown} is not text (it holds NUL bytes)`, 'the file is left in place', 'E_OUTBOX')
      return {bytes, identity: {dev: info.dev, ino: info.ino}}
    } finally {
      closeSync(fd)
    }
  }

  /**
   * Deletes the file read as `identity`, in the folder held open. Refuses (and deletes nothing) when the name now
   * holds another file, or, without /proc, when the path no longer leads to the folder that was checked.
   */
  remove(name: string, identity: FileIdentity): void {
    const shown = join(this.path, name)
    if (!HAS_PROC_FD && !sameFile(lstatOrNull(this.path), this.identity)) {
      throw new UsageError(
        `outbox folder ${this.path} was replaced while ${name} was carried out; nothing is deleted`,
        `look at ${this.path}: it is no longer the folder that was read`,
        'E_OUTBOX',
      )
    }
    const path = this.at(name)
    if (!sameFile(lstatOrNull(path), identity)) {
      throw new UsageError(
        `outbox file ${shown} was replaced while it was carried out; it is left in place`,
        `delete it yourself once you have looked at it: rm ${shown}`,
        'E_OUTBOX',
      )
    }
    unlinkSync(path)
  }

  close(): void {
    closeSync(this.fd)
  }
}

/** Opens a folder without following a link at its last step; a missing one is NotFoundError. */
function openFolder(path: string, missing: string, hint: string, shown = path): number {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new NotFoundError(missing, hint)
    // With O_DIRECTORY, Linux answers ENOTDIR for a link too.
    if (code === 'ELOOP' || (code === 'ENOTDIR' && lstatOrNull(path)?.isSymbolicLink())) {
      throw new UsageError(
        `outbox folder ${shown} is a symbolic link; only a real folder is used`,
        `remove the link and make a folder: rm ${shown} && mkdir -m 700 ${shown}`,
        'E_OUTBOX',
      )
    }
    if (code === 'ENOTDIR') throw new UsageError(`outbox folder ${shown} is not a folder`, `remove it and make a folder: mkdir -m 700 ${shown}`, 'E_OUTBOX')
    throw error
  }
}

function readAtMost(fd: number, limit: number): Buffer {
  const buffer = Buffer.alloc(limit)
  let read = 0
  while (read < limit) {
    const count = readSync(fd, buffer, read, limit - read, null)
    if (count === 0) break
    read += count
  }
  return buffer.subarray(0, read)
}

function sameFile(info: Stats | null, identity: FileIdentity): boolean {
  return info !== null && info.dev === identity.dev && info.ino === identity.ino
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path)
  } catch {
    return null
  }
}

/** What a file is, in words: "a FIFO", "a folder", ... */
export function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO'
  if (info.isSocket()) return 'a socket'
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device'
  if (info.isDirectory()) return 'a folder'
  if (info.isSymbolicLink()) return 'a symbolic link'
  return 'not a regular file'
}
