import {closeSync, constants, fstatSync, openSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {RepositoryLocation} from '../git/discover.js'
import {oidLength, type Oid} from '../git/objects.js'
import {trace} from '../git/process.js'
import {lstatOptional} from '../files.js'

// Reading records from the work-tree mirror (./mirror.ts) as files, without git: for the edit hook, when the
// mirror's state says it shows the ref's tip. Nothing is read through a symbolic link: every folder on the way is
// checked with lstat, and files are opened with O_NOFOLLOW. What cannot be read that way reads as absent, and the
// caller decides whether absent is an answer or a reason to ask git. With RELAY_TRAIL_TRACE (../git/process.ts),
// each read is a line of the trace: `<pid>  file  read|list  <path>` (test/helpers/trace.ts: Trace.files).

/** What the state file in the worktree's git dir says. */
export interface MirrorState {
  /** The commit the mirror shows; null when it has never been written. */
  tip: Oid | null
  /** Why the mirror is off in this worktree (tracked files in the folders), or null. */
  disabled: string | null
  /** The index file as it was when tracked files were last looked for ("size:mtime:inode"). */
  indexStamp: string | null
  /** True when the mirror holds only what writes made here since: it was never built from the whole ref. */
  partial: boolean
}

const NO_STATE: MirrorState = {tip: null, disabled: null, indexStamp: null, partial: false}

/** The mirror's state file (<git dir>/trail/mirror.json): each worktree has its own mirror. */
export function mirrorStatePath(gitDir: string): string {
  return join(gitDir, 'trail', 'mirror.json')
}

/** The mirror's state as stored; a missing or damaged file reads as a mirror never written. */
export function readMirrorState(place: Pick<RepositoryLocation, 'gitDir' | 'objectFormat'>): MirrorState {
  try {
    const state = JSON.parse(readFileSync(mirrorStatePath(place.gitDir), 'utf8')) as Partial<MirrorState>
    const tip = typeof state.tip === 'string' && new RegExp(`^[0-9a-f]{${oidLength(place.objectFormat)}}$`).test(state.tip) ? state.tip : null
    return {
      tip,
      disabled: typeof state.disabled === 'string' ? state.disabled : null,
      indexStamp: typeof state.indexStamp === 'string' ? state.indexStamp : null,
      partial: state.partial === true,
    }
  } catch {
    return NO_STATE
  }
}

/**
 * Whether the mirror's files show the commit `tip`, whole: there is a work tree, the state names that commit, and
 * the mirror is neither off nor partial. Reads of the files may then stand for reads of the commit (the edit hook's,
 * an inbox's).
 */
export function mirrorShows(place: Pick<RepositoryLocation, 'gitDir' | 'objectFormat' | 'workTree'>, tip: Oid | null): boolean {
  if (place.workTree === null || tip === null) return false
  const state = readMirrorState(place)
  return state.tip === tip && !state.partial && state.disabled === null
}

/** The mirror of a work tree, read as files. */
export class MirrorFiles {
  private readonly folders = new Map<string, boolean>()

  constructor(private readonly workTree: string) {}

  /**
   * Whether every folder of `path` ("a/b/c": a, a/b) is a real folder (no link, no file). Most folders asked about
   * are absent (the edit hook asks for a link folder of each of a file's commits): asked without an exception each,
   * and without normalising paths that are ours and normal already.
   */
  private foldersOf(path: string): boolean {
    for (let end = path.indexOf('/'); end !== -1; end = path.indexOf('/', end + 1)) {
      const dir = path.slice(0, end)
      let real = this.folders.get(dir)
      if (real === undefined) {
        real = lstatOptional(`${this.workTree}/${dir}`)?.isDirectory() === true
        this.folders.set(dir, real)
      }
      if (!real) return false
    }
    return true
  }

  /** The text of the file at `path` (from the top of the work tree), or null when it is absent, a link or not a file. */
  readText(path: string): string | null {
    trace?.('file', 'read', path)
    if (!this.foldersOf(path)) return null
    let fd: number
    try {
      fd = openSync(join(this.workTree, path), constants.O_RDONLY | constants.O_NOFOLLOW)
    } catch {
      return null
    }
    try {
      if (!fstatSync(fd).isFile()) return null
      return readFileSync(fd, 'utf8')
    } catch {
      return null
    } finally {
      closeSync(fd)
    }
  }

  /**
   * Every file under the folder at `path`, as paths from the top of the work tree, in git's order ([] when the folder
   * is not there); null when there are more than `limit` (the caller asks git then), or when the folder, one above
   * it or anything below it is a link or neither a folder nor a file.
   */
  listFiles(path: string, limit: number): string[] | null {
    // The folder and each one above it: a real folder, or absent (the mirror shows the tip: nothing there), never a link.
    const parts = path.split('/')
    for (let i = 1; i <= parts.length; i++) {
      const info = lstatOptional(join(this.workTree, parts.slice(0, i).join('/')))
      if (info === null) return []
      if (!info.isDirectory()) return null
    }
    const found: string[] = []
    const walk = (dir: string): boolean => {
      for (const name of this.list(dir)) {
        const child = `${dir}/${name}`
        const info = lstatOptional(join(this.workTree, child))
        if (info === null) return false // gone meanwhile: a writer is at work
        if (info.isDirectory()) {
          if (!walk(child)) return false
        } else if (info.isFile()) {
          if (found.push(child) > limit) return false
        } else return false
      }
      return true
    }
    return walk(path) ? found : null
  }

  /**
   * The names in the folder at `path`, sorted as git sorts a tree's entries (by bytes), or [] when it is absent, a
   * link or not a folder.
   */
  list(path: string): string[] {
    trace?.('file', 'list', path)
    if (!this.foldersOf(`${path}/x`)) return []
    let names: string[]
    try {
      names = readdirSync(join(this.workTree, path))
    } catch {
      return []
    }
    // JavaScript's order (UTF-16 code units) is the bytes' for ASCII names, which all of ours are.
    return names.every((name) => /^[\x00-\x7f]*$/.test(name)) ? names.sort() : names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  }
}
