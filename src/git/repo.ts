import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {GitError, RepositoryError} from '../errors.js'
import {discoverRepository} from './discover.js'
import {ObjectReader} from './object-reader.js'
import {zeroOid, type ObjectFormat, type Oid} from './objects.js'
import {runGit, type Env, type GitResult, type RunOptions} from './process.js'

/** Used when git has no identity configured, so that a record is never lost for want of a name. */
export const FALLBACK_IDENTITY = {name: 'relay-trail', email: 'relay-trail@localhost'}

export interface Identity {
  name: string
  email: string
  /** The time zone git would write, as "+hhmm". */
  zone: string
  /** True when git has no usable identity and FALLBACK_IDENTITY stands in. */
  isFallback: boolean
}

export interface RepoSettings {
  /** Configuration as `git var -l` lists it: keys normalised as git compares them, every value in order. */
  config: ReadonlyMap<string, readonly string[]>
  author: Identity
  committer: Identity
  /** The value git uses for a key (the last one). */
  value(key: string): string | undefined
}

/**
 * A git repository as the store sees it: where its directories are, its configuration, and the few operations the
 * store needs, each named for its purpose. With ./process.ts and ./object-reader.ts, the only code that starts git;
 * every call is an argument array.
 *
 * @example
 * const repo = await GitRepo.open(process.cwd(), process.env)
 * const branch = await repo.currentBranch()
 */
export class GitRepo {
  private objectReader: ObjectReader | undefined
  private loadedSettings: Promise<RepoSettings> | undefined

  private constructor(
    /** This worktree's git directory (`.git`, or `.git/worktrees/<name>` for a linked worktree). */
    readonly gitDir: string,
    /** The directory shared by all worktrees: objects, refs, config, info/exclude. */
    readonly commonDir: string,
    /** The top of the work tree, or null in a bare repository. */
    readonly workTree: string | null,
    readonly objectFormat: ObjectFormat,
    readonly env: Env,
  ) {}

  /**
   * Finds the repository containing `cwd`, as git does, without starting a process (./discover.ts).
   * Throws RepositoryError outside a repository.
   */
  static open(cwd: string, env: Env): GitRepo {
    const ceilings = (env.GIT_CEILING_DIRECTORIES ?? '').split(':').filter(Boolean)
    const found = discoverRepository(cwd, ceilings)
    if (!found) {
      throw new RepositoryError(
        'not a git repository (or any of its parent directories)',
        'run this inside a git repository, or create one with: git init',
        'E_NOT_A_REPO',
      )
    }
    return new GitRepo(found.gitDir, found.commonDir, found.workTree, found.objectFormat, env)
  }

  /**
   * Configuration and identity, from one `git var -l`, started on first use (writes need it; reads do not).
   * Call early to overlap it with other work.
   */
  settings(): Promise<RepoSettings> {
    this.loadedSettings ??= this.run(['var', '-l'], {okExitCodes: [128]}).then((result) =>
      parseVarList(result.stdout.toString('utf8')),
    )
    return this.loadedSettings
  }

  /** The directory git commands run in: the work tree, or the git directory of a bare repository. */
  get cwd(): string {
    return this.workTree ?? this.gitDir
  }

  /** The shared `git cat-file --batch` reader, started on first use. */
  get reader(): ObjectReader {
    this.objectReader ??= new ObjectReader(this.cwd, this.env)
    return this.objectReader
  }

  /** Runs any git command in this repository. */
  run(args: readonly string[], options: Omit<RunOptions, 'cwd' | 'env'> = {}): Promise<GitResult> {
    return runGit(args, {...options, cwd: this.cwd, env: this.env})
  }

  /**
   * Commits `changes` on top of `parent` and moves `ref` to the new commit, only if the ref is still at `parent`
   * (or, for a null parent, does not exist yet). Returns 'stale' when another writer moved the ref first.
   *
   * One `git fast-import`: git reads the parent's trees, writes the blobs, the trees on the changed paths and the
   * commit (as loose objects: fewer than fastimport.unpackLimit), then updates the ref in a transaction whose old
   * value it checked, refusing anything but a fast-forward. Measured (bench/write-path.ts): about 2 ms, flat as
   * the store grows, and no hashing or compression code in Node (loading node:crypto and node:zlib alone costs
   * 7 ms). The stream ends with "done": if this process dies mid-stream, git sees a truncated stream and changes
   * nothing.
   *
   * @example await repo.commitChanges('refs/trail/records', tip, [{path: 'a.md', content: 'hi\n'}], 'trail: x', new Date())
   */
  async commitChanges(
    ref: string,
    parent: Oid | null,
    changes: readonly FileChange[],
    message: string,
    when: Date,
  ): Promise<{outcome: 'updated'; commit: Oid} | {outcome: 'stale'}> {
    const {author, committer} = await this.settings()
    const parts: (string | Buffer)[] = [
      'feature done\n',
      `commit ${ref}\nmark :1\n`,
      `author ${signature(author, when)}\ncommitter ${signature(committer, when)}\n`,
      data(message),
      parent === null ? '' : `from ${parent}\n`,
    ]
    for (const change of changes) {
      if (change.content === null) parts.push(`D ${quotePath(change.path)}\n`)
      else parts.push(`M 100644 inline ${quotePath(change.path)}\n`, data(change.content))
    }
    parts.push('\nget-mark :1\ndone\n')
    const input = Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)))
    const result = await this.run(['fast-import', '--quiet', '--done', '--cat-blob-fd=1'], {input, okExitCodes: [1]})
    if (result.exitCode === 0) return {outcome: 'updated', commit: result.stdout.toString('utf8').trim()}
    // "warning: Not updating <ref> (new tip X does not contain Y)": the ref moved since `parent` was read.
    if (/Not updating/.test(result.stderr)) return {outcome: 'stale'}
    throw new GitError(['fast-import'], result.exitCode, result.stderr)
  }

  /**
   * Compare-and-swap: moves `ref` to `next` only if it is still at `expected` (null: only if it does not exist
   * yet). Returns 'stale' when another writer got there first, so the caller can re-read and retry.
   */
  async updateRef(ref: string, next: Oid, expected: Oid | null, reason: string): Promise<'updated' | 'stale'> {
    try {
      await this.run(['update-ref', '-m', reason, ref, next, expected ?? zeroOid(this.objectFormat)])
      return 'updated'
    } catch (error) {
      // git says "cannot lock ref" for all three ways of losing: the ref moved ("is at X but expected Y"), it
      // appeared ("reference already exists"), or another update-ref holds its lock file right now.
      if (error instanceof GitError && /cannot lock ref/.test(error.stderr)) return 'stale'
      throw error
    }
  }

  /**
   * The branch checked out in this worktree ("main"), or null on a detached HEAD. Read from the HEAD file (no
   * process); a reftable repository keeps a placeholder there, so git is asked instead.
   */
  async currentBranch(): Promise<string | null> {
    let head = ''
    try {
      head = readFileSync(join(this.gitDir, 'HEAD'), 'utf8')
    } catch {
      // an unreadable HEAD: treated as detached
    }
    const branch = /^ref: refs\/heads\/(.+)$/m.exec(head)?.[1] ?? null
    if (branch !== '.invalid') return branch
    const result = await this.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], {okExitCodes: [1]})
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : null
  }

  /** The lock file git creates beside a loose ref while updating it; a killed update-ref leaves it behind. */
  refLockPath(ref: string): string {
    return join(this.commonDir, `${ref}.lock`)
  }

  /** The commit a ref points to, or null when it does not exist. */
  async resolveRef(ref: string): Promise<Oid | null> {
    const result = await this.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {okExitCodes: [1]})
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : null
  }

  /**
   * Runs `git gc --auto` when loose objects pile up, judged the way git judges it (the fill of objects/17
   * against gc.auto / 256), so the common case costs one readdir instead of a process.
   */
  async collectGarbageIfNeeded(): Promise<boolean> {
    const limit = Number((await this.settings()).value('gc.auto') ?? 6700)
    if (!(limit > 0)) return false
    let names: string[] = []
    try {
      names = readdirSync(join(this.commonDir, 'objects', '17'))
    } catch {
      // no loose objects there yet
    }
    if (names.length <= Math.ceil(limit / 256)) return false
    await this.run(['gc', '--auto', '--quiet'])
    return true
  }

  close(): void {
    this.objectReader?.close()
    this.objectReader = undefined
  }
}

/** A file to add or replace (content) or remove (null), by its path from the root of the tree. */
export interface FileChange {
  path: string
  content: string | Buffer | null
}

/** fast-import's "data <byte count>" followed by the bytes and a newline. */
function data(content: string | Buffer): Buffer {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  return Buffer.concat([Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n')])
}

/** A path as fast-import reads it: C-style quoted when it holds a quote, a backslash, a control byte or LF. */
export function quotePath(path: string): string {
  if (!/["\\\u0000-\u001f\u007f]/.test(path) && !path.startsWith('"')) return path
  return `"${path.replace(/["\\]/g, (char) => `\\${char}`).replace(/[\u0000-\u001f\u007f]/g, (char) => `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`
}

function signature(identity: Identity, when: Date): string {
  return `${identity.name} <${identity.email}> ${Math.floor(when.getTime() / 1000)} ${identity.zone}`
}

/**
 * Parses `git var -l`: configuration lines "key=value" and the GIT_AUTHOR_IDENT / GIT_COMMITTER_IDENT logical
 * variables. `-l` never fails for a missing identity: it prints a guess like "root <root@host.(none)>", which
 * `git commit` would refuse; such a guess, or an empty name, means "no identity", and the fallback is used.
 */
export function parseVarList(text: string): RepoSettings {
  const config = new Map<string, string[]>()
  const idents: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=')
    if (equals <= 0) continue
    const key = line.slice(0, equals)
    const value = line.slice(equals + 1)
    if (key === 'GIT_AUTHOR_IDENT' || key === 'GIT_COMMITTER_IDENT') idents[key] = value
    else if (/^[a-z0-9-]+\./i.test(key)) {
      const normal = normaliseConfigKey(key)
      config.set(normal, [...(config.get(normal) ?? []), value])
    }
  }
  return {
    config,
    author: parseIdent(idents.GIT_AUTHOR_IDENT),
    committer: parseIdent(idents.GIT_COMMITTER_IDENT),
    value: (key) => config.get(normaliseConfigKey(key))?.at(-1),
  }
}

/** Section and variable names are case-insensitive in git, subsection names are not. */
function normaliseConfigKey(key: string): string {
  const first = key.indexOf('.')
  const last = key.lastIndexOf('.')
  if (first === last) return key.toLowerCase()
  return `${key.slice(0, first).toLowerCase()}${key.slice(first, last)}${key.slice(last).toLowerCase()}`
}

function parseIdent(value: string | undefined): Identity {
  const match = /^(.*) <(.*)> \d+ ([+-]\d{4})$/.exec(value ?? '')
  if (!match || match[1]!.trim() === '' || match[2]!.endsWith('(none)') || match[2] === '') {
    return {...FALLBACK_IDENTITY, zone: match?.[3] ?? '+0000', isFallback: true}
  }
  return {name: match[1]!, email: match[2]!, zone: match[3]!, isFallback: false}
}
