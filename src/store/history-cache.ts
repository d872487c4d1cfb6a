import {closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../files.js'
import {oidLength, type Oid} from '../git/objects.js'
import {readRefFile, readRefFiles} from '../git/ref-files.js'
import type {RepositoryLocation} from '../git/discover.js'
import type {FileHistoryEntry} from '../git/file-history.js'

// The edit hook's memory of file histories (../services/edit-fast.ts): `git log --follow` of a path from a commit
// never changes (the commit names its whole history), so what it gave for (HEAD's commit, path, limit) answers the
// same question again without a process, in this session or the next. One file per commit of HEAD, in the
// repository's private state (<common dir>/trail/why-history/<commit>.json); a file for another commit is removed
// when one for the new commit is written, so it holds the paths edited since HEAD last moved. Not used when git's
// view of history can be changed from outside the commit (replace refs, grafts, a shallow clone), when HEAD cannot
// be read from git's files, or when the file is damaged, foreign or a link.

const CACHE_VERSION = 1
const CACHE_DIR = 'why-history'

/** A file's history, newest first (`git log --follow`: ../git/file-history.ts). */
export type FileHistory = FileHistoryEntry[]

/** What of a repository the memory needs: where its files are, and its object format. */
type RepoFiles = Pick<RepositoryLocation, 'gitDir' | 'commonDir' | 'objectFormat'>

/** The commit HEAD names, read from git's files (no process), or null when git must be asked. */
export function readHeadCommit(repo: RepoFiles): Oid | null {
  const head = readHead(repo)
  return head === 'unborn' ? null : head
}

/**
 * The commit HEAD names, read from git's files (no process): 'unborn' on a branch with no commit yet (a new
 * repository), null when git must be asked (a reftable store, a ref git's files cannot tell).
 */
export function readHead(repo: RepoFiles): Oid | 'unborn' | null {
  const length = oidLength(repo.objectFormat)
  let head: string
  try {
    if (!lstatSync(join(repo.gitDir, 'HEAD')).isFile()) return null
    head = readFileSync(join(repo.gitDir, 'HEAD'), 'utf8').trim()
  } catch {
    return null
  }
  if (new RegExp(`^[0-9a-f]{${length}}$`).test(head)) return head
  const ref = /^ref: (refs\/heads\/\S+)$/.exec(head)?.[1]
  if (ref === undefined) return null
  const found = readRefFile(repo.commonDir, ref, repo.objectFormat)
  return found === 'absent' ? 'unborn' : found === null ? null : found.oid
}

/** Whether a commit's history as git shows it depends only on the commit (no replace refs, grafts or shallow roots). */
function historyIsFixed(repo: RepoFiles): boolean {
  const replaced = readRefFiles(repo.commonDir, 'refs/replace/', repo.objectFormat)
  return replaced !== null && replaced.length === 0 && !existsSync(join(repo.commonDir, 'info', 'grafts')) && !existsSync(join(repo.commonDir, 'shallow'))
}

interface CacheFile {
  version: number
  head: Oid
  entries: Record<string, FileHistory>
}

/** The memory of histories for `head`; null when it is not to be used. */
export class HistoryCache {
  private constructor(
    private readonly repo: RepoFiles,
    readonly head: Oid,
    private readonly entries: Record<string, FileHistory>,
  ) {}

  static open(repo: RepoFiles): HistoryCache | null {
    const head = readHeadCommit(repo)
    if (head === null || !historyIsFixed(repo)) return null
    return new HistoryCache(repo, head, readCache(join(repo.commonDir, 'trail', CACHE_DIR, `${head}.json`), head, oidLength(repo.objectFormat)))
  }

  private static key(path: string, limit: number): string {
    return `${limit}\0${path}`
  }

  get(path: string, limit: number): FileHistory | undefined {
    return Object.hasOwn(this.entries, HistoryCache.key(path, limit)) ? this.entries[HistoryCache.key(path, limit)] : undefined
  }

  /** Remembers a history of `head`, and forgets those of other commits. State that can be rebuilt: errors are ignored. */
  set(path: string, limit: number, history: FileHistory): void {
    this.entries[HistoryCache.key(path, limit)] = history
    const dir = join(this.repo.commonDir, 'trail', CACHE_DIR)
    try {
      writeFileAtomic(join(dir, `${this.head}.json`), `${JSON.stringify({version: CACHE_VERSION, head: this.head, entries: this.entries})}\n`)
      for (const name of readdirSync(dir)) if (name !== `${this.head}.json` && name.endsWith('.json')) rmSync(join(dir, name), {force: true})
    } catch {
      // the next first edit asks git again
    }
  }
}

function readCache(file: string, head: Oid, length: number): Record<string, FileHistory> {
  const entries: Record<string, FileHistory> = Object.create(null) as Record<string, FileHistory>
  let fd: number
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch {
    return entries
  }
  try {
    if (!fstatSync(fd).isFile()) return entries
    const data = JSON.parse(readFileSync(fd, 'utf8')) as Partial<CacheFile>
    if (data?.version !== CACHE_VERSION || data.head !== head || data.entries === null || typeof data.entries !== 'object') return entries
    const oid = new RegExp(`^[0-9a-f]{${length}}$`)
    for (const [key, history] of Object.entries(data.entries)) {
      if (!Array.isArray(history)) continue
      if (
        !history.every(
          (entry) => entry !== null && typeof entry === 'object' && typeof entry.oid === 'string' && oid.test(entry.oid) && typeof entry.path === 'string',
        )
      )
        continue
      entries[key] = history.map((entry) => ({oid: entry.oid, path: entry.path}))
    }
  } catch {
    // damaged: nothing remembered
  } finally {
    closeSync(fd)
  }
  return entries
}
