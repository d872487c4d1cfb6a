import {
  chmodSync,
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs'
import {basename, dirname, join} from 'node:path'

// Files relay-trail writes itself, outside git's objects: state in the git dir (the mirror's commit, cached
// settings, ingest cursors, hook sessions), files of the work-tree mirror, and what `trail init` installs. Each is
// written whole or not at all: into a temporary file beside it, then renamed over it, so a reader never sees half
// a file and a crash (or a full disk) leaves the old file, never a torn one, and no temporary file behind.

export interface AtomicWriteOptions {
  /** Create the folder when it is missing (default true). */
  mkdir?: boolean
  /** Flush to disk before the rename (files a person edits: settings). Default false: state can be rebuilt. */
  sync?: boolean
  /** Keep the permissions of the file being replaced (default false). */
  keepMode?: boolean
  /**
   * The file is state its readers take as "nothing known" when it is missing (the mirror's commit): the old file
   * is removed just before the new one is renamed in, instead of being renamed over. ext4 (auto_da_alloc) starts
   * writing a file out when it is renamed over another, so that is 150-450 µs against 30-60 µs on this project's
   * machines (`npm run bench -- --only fs`), on every record write. A reader may find no file for that moment; a
   * crash between the two leaves none. Default false.
   */
  mayVanish?: boolean
}

/**
 * Writes `content` to `path` atomically. The temporary file is created exclusively (O_EXCL: never opened through
 * a link someone put there) with a name no other process uses; on any failure it is removed and the error thrown.
 *
 * @example writeFileAtomic(join(gitDir, 'trail', 'mirror.json'), JSON.stringify(state))
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const folder = dirname(path)
  const temporary = join(folder, `.${basename(path)}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`)
  let fd: number
  try {
    fd = openSync(temporary, 'wx', 0o644)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || options.mkdir === false) throw error
    mkdirSync(folder, {recursive: true})
    fd = openSync(temporary, 'wx', 0o644)
  }
  try {
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written)
      if (options.sync) fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    if (options.keepMode) {
      try {
        chmodSync(temporary, statSync(path).mode & 0o7777)
      } catch {
        // no file to replace: the default mode
      }
    }
    if (options.mayVanish) removeIfThere(path)
    renameSync(temporary, path)
  } catch (error) {
    try {
      unlinkSync(temporary)
    } catch {
      // already gone
    }
    throw error
  }
}

function removeIfThere(path: string): void {
  try {
    unlinkSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

/**
 * Whether a file name is a temporary file this code (or an earlier version, which named them `<name>.<pid>.tmp`)
 * left behind when a process was killed mid-write.
 */
export function isLeftoverTemporary(name: string): boolean {
  return /^\..+\.\d+-[0-9a-z]+\.tmp$/.test(name) || /\.(md|yaml)\.\d+\.tmp$/.test(name)
}

/** `path` with its links resolved, or as given when it cannot be (it does not exist). */
export function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** Whether a file system error says nothing is at the path: ENOENT, or ENOTDIR (a file where a folder on the way is). */
export function isNothingThere(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** What lstat says of `path` (a link is not followed); null when nothing is there or it cannot be asked. */
export function lstatOptional(path: string): Stats | null {
  try {
    return lstatSync(path, {throwIfNoEntry: false}) ?? null
  } catch {
    return null // not a folder on the way, or not readable
  }
}

/** The bytes of the file at `path`; null when it cannot be read. */
export function readOptional(path: string): Buffer | null {
  try {
    return readFileSync(path)
  } catch {
    return null
  }
}
