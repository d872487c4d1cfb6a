import {RecordFormatError, RepositoryError} from '../errors.js'
import {parseCommit, parseTree, parseTreeNames, type Oid, type TreeEntry} from '../git/objects.js'
import type {GrepLine, GrepQuery as GrepOptions} from '../git/grep.js'
import type {GitRepo} from '../git/repo.js'
import {formatBytes, RECORDS_PER_READ_AT_LIMIT} from '../model/foreign-entries.js'
import {FORMAT_VERSION, parseFormat, versionToRead} from '../model/format.js'
import {FORMAT_PATH} from '../model/layout.js'

/**
 * The store as it is at one commit: every read goes through the repository's single `git cat-file --batch`, by
 * `<root tree>:<path>`, so git walks the trees and only the objects asked for cross the pipe (or by id, for many
 * files of one folder: see `revisions`). Reads are pipelined: `readTexts` of a thousand paths is one round trip.
 *
 * @example
 * const snapshot = await Snapshot.read(repo, 'refs/trail/records')
 * const text = await snapshot.readText('.trail/format.yaml')   // null when absent
 */
export class Snapshot {
  private readonly trees = new Map<string, Promise<Buffer | null>>()
  private readonly names = new Map<string, Promise<Map<string, TreeEntry> | null>>()
  /** Paths already reported to the bound as left out: each is said once. */
  private readonly reported = new Set<string>()

  private constructor(
    readonly repo: GitRepo,
    /** The commit this snapshot shows, or null when the store has no commit yet. */
    readonly tip: Oid | null,
    /** That commit's root tree. */
    readonly root: Oid | null,
    /** For another store's snapshot (a sibling's): what is read of it, at most. */
    readonly bound?: ReadBound,
  ) {}

  /**
   * The store at `revision` (a ref or a commit), checking that this version can read its format. With `bound`
   * (another store: a sibling's), no object over the bound is ever read whole: sizes are asked first (see
   * ReadBound), and a commit or format file over it makes the store unreadable (RepositoryError).
   */
  static async read(repo: GitRepo, revision: string, bound?: ReadBound): Promise<Snapshot> {
    if (bound) return Snapshot.readBounded(repo, revision, bound)
    // The format file is asked for in the same round trip. Should the ref move between the two reads, the
    // format seen is a newer commit's: the check still holds, as formats only go up.
    const [commit, format] = await repo.reader.readMany([revision, `${revision}:${FORMAT_PATH}`])
    if (!commit) return new Snapshot(repo, null, null)
    if (commit.type !== 'commit') throw new RepositoryError(`${revision} is a ${commit.type}, not a commit`, `check it with: git cat-file -t ${revision}`)
    if (format?.type === 'blob') checkFormat(format.data.toString('utf8'))
    return new Snapshot(repo, commit.oid, parseCommit(commit.data).tree)
  }

  private static async readBounded(repo: GitRepo, revision: string, bound: ReadBound): Promise<Snapshot> {
    const tooLarge = (what: string, size: number) =>
      new RepositoryError(
        `${what} is ${formatBytes(size)}, over the limit of ${formatBytes(bound.maxRecordBytes)} for a record from another store`,
        `look at it with: git cat-file -s ${revision}`,
      )
    const [info] = await repo.objectInfo([revision])
    if (!info) return new Snapshot(repo, null, null, bound)
    if (info.type !== 'commit') throw new RepositoryError(`${revision} is a ${info.type}, not a commit`, `check it with: git cat-file -t ${revision}`)
    if (info.size > bound.maxRecordBytes) throw tooLarge(`its commit ${info.oid.slice(0, 12)}`, info.size)
    const commit = await repo.reader.read(info.oid)
    const {tree} = parseCommit(commit!.data)
    const [format] = await repo.objectInfo([`${tree}:${FORMAT_PATH}`])
    if (format?.type === 'blob') {
      if (format.size > bound.maxRecordBytes) throw tooLarge(`its ${FORMAT_PATH}`, format.size)
      checkFormat((await repo.reader.read(format.oid))!.data.toString('utf8'))
    }
    return new Snapshot(repo, info.oid, tree, bound)
  }

  async readText(path: string): Promise<string | null> {
    const [text] = await this.readTexts([path])
    return text ?? null
  }

  /**
   * Reads many files in one round trip; a missing file (or a folder) reads as null. In a bounded snapshot, a file
   * over the bound reads as null too, and is reported to it (ReadBound).
   */
  async readTexts(paths: readonly string[]): Promise<(string | null)[]> {
    if (this.root === null || paths.length === 0) return paths.map(() => null)
    const revisions = await this.revisions(paths)
    if (this.bound) return this.readBoundedTexts(paths, revisions, this.bound)
    const objects = await askPresent(revisions, (asked) => this.repo.reader.readMany(asked))
    return objects.map((object) => (object?.type === 'blob' ? object.data.toString('utf8') : null))
  }

  /**
   * What to ask git for, for each path (null: no such file): `<root>:<path>`, which git resolves by walking the
   * trees, but the file's id where many paths of one folder are asked (its tree is read once, here). git finds a
   * name by reading its tree from the start: reading each of 10,000 files of one folder by path cost 10,000 x
   * 10,000 entries read (`trail review` of a trajectory with 10,000 decisions: 12 s in git alone); by id, each is
   * found at once. A few paths are asked by path: as cheap for git, and the trace names them.
   */
  private async revisions(paths: readonly string[]): Promise<(string | null)[]> {
    const byFolder = new Map<string, number>()
    for (const path of paths) byFolder.set(folderOf(path), (byFolder.get(folderOf(path)) ?? 0) + 1)
    const folders = [...byFolder].filter(([, count]) => count >= MANY_IN_ONE_FOLDER).map(([dir]) => dir)
    if (folders.length === 0) return paths.map((path) => `${this.root}:${path}`)
    const entries = new Map(await Promise.all(folders.map(async (dir) => [dir, await this.entriesByName(dir)] as const)))
    return paths.map((path) => {
      const dir = folderOf(path)
      const names = entries.get(dir)
      if (names === undefined) return `${this.root}:${path}`
      const entry = names?.get(dir === '' ? path : path.slice(dir.length + 1))
      return entry === undefined || entry.mode === '40000' ? null : entry.oid
    })
  }

  /** A folder's entries by name (null: no such folder), made once per snapshot. */
  private entriesByName(dir: string): Promise<Map<string, TreeEntry> | null> {
    let entries = this.names.get(dir)
    if (!entries) {
      entries = this.tree(dir).then((list) => (list === null ? null : new Map(list.map((entry) => [entry.name, entry]))))
      this.names.set(dir, entries)
    }
    return entries
  }

  /** Sizes first (`cat-file --batch-check`), then the content of what fits, by object id: two round trips. */
  private async readBoundedTexts(paths: readonly string[], revisions: readonly (string | null)[], bound: ReadBound): Promise<(string | null)[]> {
    const infos = await askPresent(revisions, (asked) => this.repo.objectInfo(asked))
    let budget = bound.maxRecordBytes * RECORDS_PER_READ_AT_LIMIT
    const wanted: number[] = []
    infos.forEach((info, index) => {
      if (info?.type !== 'blob') return
      const problem =
        this.sizeProblem(info.size, bound) ??
        (info.size > budget ? `more than ${formatBytes(bound.maxRecordBytes * RECORDS_PER_READ_AT_LIMIT)} would be read at once` : null)
      if (problem !== null) this.report(paths[index]!, problem)
      else {
        budget -= info.size
        wanted.push(index)
      }
    })
    const objects = await this.repo.reader.readMany(wanted.map((index) => infos[index]!.oid))
    const texts: (string | null)[] = paths.map(() => null)
    wanted.forEach((index, at) => {
      texts[index] = objects[at]?.data.toString('utf8') ?? null
    })
    return texts
  }

  /**
   * Of `paths`, those a bounded snapshot will not read (over the bound), each reported to it; none otherwise. For
   * readers that hand paths to git (`git grep` prints a matching line whole, and a 600 MB line is no line).
   */
  async tooLarge(paths: readonly string[]): Promise<Set<string>> {
    const bound = this.bound
    if (!bound || this.root === null || paths.length === 0) return new Set()
    const infos = await this.repo.objectInfo(paths.map((path) => `${this.root}:${path}`))
    const large = new Set<string>()
    infos.forEach((info, index) => {
      const problem = info?.type === 'blob' ? this.sizeProblem(info.size, bound) : null
      if (problem !== null) {
        large.add(paths[index]!)
        this.report(paths[index]!, problem)
      }
    })
    return large
  }

  private sizeProblem(size: number, bound: ReadBound): string | null {
    return size > bound.maxRecordBytes ? `${formatBytes(size)}, over the limit of ${formatBytes(bound.maxRecordBytes)} for a record from another store` : null
  }

  private report(path: string, problem: string): void {
    if (this.reported.has(path)) return
    this.reported.add(path)
    this.bound?.leftOut(path, problem)
  }

  /** The entries of a folder, or [] when it does not exist. */
  async list(dir: string): Promise<TreeEntry[]> {
    return (await this.tree(dir)) ?? []
  }

  /** The names of a folder's subfolders, sorted as git sorts them ([] when there is no such folder). */
  async listDirs(dir: string): Promise<string[]> {
    const data = await this.rawTree(dir)
    return data === null ? [] : parseTreeNames(data, this.repo.objectFormat, true)
  }

  /** A folder's entries, or null when there is no folder at `dir` ("" is the root). */
  async tree(dir: string): Promise<TreeEntry[] | null> {
    const data = await this.rawTree(dir)
    return data === null ? null : parseTree(data, this.repo.objectFormat)
  }

  /**
   * `git grep` over this snapshot: the paths of the files where the extended regular expressions match (every one
   * of them somewhere in the file, with `allMatch`), under `pathspecs`.
   *
   * @example await snapshot.grepFiles({patterns: ['^status: completed$'], pathspecs: ['.trail/trajectories']})
   */
  async grepFiles(options: GrepOptions): Promise<string[]> {
    return this.tip === null ? [] : this.repo.grepFiles(this.tip, options)
  }

  /**
   * `git grep` over this snapshot, line by line: each matching file's path and its matching lines (number and
   * text), in git's order.
   */
  async grepLines(options: GrepOptions): Promise<Map<string, GrepLine[]>> {
    return this.tip === null ? new Map() : this.repo.grepLines(this.tip, options)
  }

  /**
   * `git grep -c` over this snapshot: each matching file's path and how many lines match. A search that matches
   * every record ranks 100,000 files: counting them is a third of the output of listing their lines, and Node
   * parses one short line per file.
   */
  async grepCounts(options: GrepOptions): Promise<Map<string, number>> {
    return this.tip === null ? new Map() : this.repo.grepCounts(this.tip, options)
  }

  /** Every file under `dir` (recursively), as paths from the root. */
  async listFiles(dir: string): Promise<string[]> {
    return this.tip === null ? [] : (await this.repo.listTree(this.tip, [dir])).map((entry) => entry.path)
  }

  /** A folder's tree object, read once per snapshot. */
  private rawTree(dir: string): Promise<Buffer | null> {
    let data = this.trees.get(dir)
    if (!data) {
      data =
        this.root === null
          ? Promise.resolve(null)
          : this.repo.reader.read(dir === '' ? this.root : `${this.root}:${dir}`).then((object) => (object?.type === 'tree' ? object.data : null))
      this.trees.set(dir, data)
    }
    return data
  }
}

/** From this many paths of one folder read at once, the folder's tree is read and the files asked for by id. */
const MANY_IN_ONE_FOLDER = 16

/** `ask`'s answers for the revisions that are not null (one request for them all), each in its place; null elsewhere. */
async function askPresent<T>(revisions: readonly (string | null)[], ask: (asked: string[]) => Promise<T[]>): Promise<(T | null)[]> {
  const answers = await ask(revisions.filter((revision) => revision !== null))
  let next = 0
  return revisions.map((revision) => (revision === null ? null : (answers[next++] ?? null)))
}

/** The folder of a path in the store ('' for the root). */
function folderOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? '' : path.slice(0, slash)
}

export {escapeExtended, type GrepExpression, type GrepLine, type GrepQuery as GrepOptions} from '../git/grep.js'

/**
 * How much of another store (a sibling's) is read: no record over `maxRecordBytes` (its size is asked first, so it
 * is never read whole), and at most RECORDS_PER_READ_AT_LIMIT records' worth in one read. What is left out is
 * reported, once per path, to `leftOut`, and reads as missing.
 */
export interface ReadBound {
  maxRecordBytes: number
  leftOut(path: string, reason: string): void
}

/**
 * Refuses a store written in a newer format than this version reads, naming the version to install
 * (model/format.ts). `whose` names the store in the message: this one, or a remote's about to be taken in.
 */
function checkFormat(text: string, whose = 'this store'): void {
  const stored = parseFormat(text, FORMAT_PATH)
  if (stored.format <= FORMAT_VERSION) return
  const shown = Number.isNaN(stored.format) ? `a format this version does not know (in ${FORMAT_PATH})` : `format ${stored.format}`
  const version = versionToRead(stored)
  throw new RepositoryError(
    `${whose} has ${shown}${version === 'latest' ? '' : `, which relay-trail ${version} and newer read`}; this version of relay-trail reads format ${FORMAT_VERSION}`,
    version === 'latest'
      ? 'install the newest relay-trail: npm install -g relay-trail@latest'
      : `install relay-trail ${version} or newer: npm install -g relay-trail@${version}`,
    'E_FORMAT',
  )
}

/**
 * Checks the format of another store before any of it becomes ours (a remote's records adopted, fast-forwarded to
 * or merged): refused like this store's own when newer. Its format file is read only when within `maxRecordBytes`.
 */
export async function checkIncomingFormat(repo: GitRepo, commit: Oid, maxRecordBytes: number, whose: string): Promise<void> {
  const [format] = await repo.objectInfo([`${commit}:${FORMAT_PATH}`])
  if (format?.type !== 'blob' || format.size > maxRecordBytes) return
  const text = (await repo.reader.read(format.oid))!.data.toString('utf8')
  try {
    checkFormat(text, whose)
  } catch (error) {
    // A format file that does not parse is merged like any broken record (and reported by doctor), as before.
    if (!(error instanceof RecordFormatError)) throw error
  }
}
