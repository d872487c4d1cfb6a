import {closeSync, constants, existsSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {oidLength, type ObjectFormat, type Oid} from './objects.js'
import {readPackedRefs} from './ref-files.js'

// A compare-and-swap of a loose ref done in this process, the way git's files backend does it
// (refs/files-backend.c): create `<ref>.lock` exclusively, read the ref under that lock (its loose file, else its
// line in packed-refs), write the new id into the lock file and rename it onto the ref. Git's own writers take the
// same lock file, so a swap here and a `git update-ref` (or `git pack-refs`, which locks each loose ref it prunes)
// exclude each other exactly as two git processes do. For relay mcp, where a `git update-ref --stdin` kept running
// costs two process wake-ups and git's own look-ups per write (about 1.5 ms of a 10 ms budget, measured).
//
// What git would do more than this is left to git ('unsupported', and the caller runs `git update-ref`): a reflog
// to append to, a reference-transaction hook to run, a symbolic or linked ref, a ref that is a folder, or a file
// that holds no object id. The caller knows the rest from the configuration (see WriteSettings.refHooksDir).

/** How one swap ended: the ref moved; it was not at `expected`; its lock is held; or git must do it. */
export type LooseRefSwap = 'updated' | 'stale' | {locked: string} | 'unsupported'

export interface LooseRefPlace {
  commonDir: string
  /** Where git runs hooks from (core.hooksPath, else <common dir>/hooks). */
  hooksDir: string
  format: ObjectFormat
}

/**
 * Moves `ref` to `next` if it is at `expected` (null: if it does not exist).
 *
 * @example swapLooseRef({commonDir: '.git', hooksDir: '.git/hooks', format: 'sha1'}, 'refs/trail/records', next, tip)
 */
export function swapLooseRef(place: LooseRefPlace, ref: string, next: Oid, expected: Oid | null): LooseRefSwap {
  if (!/^refs\/trail\/[\w-]+(\/[\w-]+)*$/.test(ref) || existsSync(join(place.commonDir, 'logs', ref)) || isHook(place.hooksDir)) return 'unsupported'
  const path = join(place.commonDir, ref)
  const lockPath = `${path}.lock`
  const lock = createLock(lockPath)
  if (typeof lock !== 'number') return lock
  let renamed = false
  try {
    const loose = readLooseRef(path, oidLength(place.format))
    const packed = loose === null ? readPackedRefs(place.commonDir, place.format) : null
    if (loose === 'unsupported' || (loose === null && packed === null)) return 'unsupported'
    const current = loose ?? packed?.get(ref) ?? null
    if (current !== expected) return 'stale'
    writeAll(lock, Buffer.from(`${next}\n`, 'latin1'))
    closeSync(lock)
    renameSync(lockPath, path)
    renamed = true
    return 'updated'
  } catch {
    return 'unsupported' // git tries, and says what is wrong
  } finally {
    if (!renamed) {
      try {
        closeSync(lock)
      } catch {
        // closed before the rename failed
      }
      try {
        unlinkSync(lockPath)
      } catch {
        // gone already
      }
    }
  }
}

/** The lock file, open for writing; or what stopped it: another writer's lock, or a place git must handle. */
function createLock(lockPath: string): number | {locked: string} | 'unsupported' {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return {locked: lockPath}
      if (code !== 'ENOENT' || attempt > 0) return 'unsupported'
      try {
        mkdirSync(dirname(lockPath), {recursive: true}) // the store's first ref under refs/trail/
      } catch {
        return 'unsupported'
      }
    }
  }
  return 'unsupported'
}

/** The id in the ref's loose file; null when there is none; 'unsupported' for a link, a folder or other content. */
function readLooseRef(path: string, hexLength: number): Oid | null | 'unsupported' {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'unsupported'
  }
  try {
    const buffer = Buffer.alloc(hexLength + 2)
    let length = 0
    try {
      for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null)
    } catch {
      return 'unsupported' // a folder
    }
    return parseRefLine(buffer.toString('latin1', 0, length), hexLength)
  } finally {
    closeSync(fd)
  }
}

/** "<id>\n" (git also reads one without the newline); anything else, a symbolic ref included, is git's to handle. */
function parseRefLine(text: string, hexLength: number): Oid | 'unsupported' {
  const id = text.endsWith('\n') ? text.slice(0, -1) : text
  return id.length === hexLength && /^[0-9a-f]+$/.test(id) ? id : 'unsupported'
}

function isHook(hooksDir: string): boolean {
  return existsSync(join(hooksDir, 'reference-transaction'))
}

function writeAll(fd: number, data: Buffer): void {
  for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written)
}
