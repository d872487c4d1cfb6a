import type {GitObject} from './object-reader.js'
import {findTreeEntry, isTreeMode, oidLength, walkTree, type ObjectFormat, type Oid} from './objects.js'
import {readTrailRef} from './ref-files.js'

// Objects a long-lived process (relay mcp) has already seen, by id, so the reads of a write answer without a round
// trip to `git cat-file`. An object's id is the hash of its content: a cached object can never be stale. What can
// move is a ref, so a ref is read from git's files at every read (./ref-files.ts: readTrailRef), never cached. What
// this does not answer exactly as git would (reftable, a path with "." or "..", a submodule, an object not seen
// yet) it leaves to git.
//
// A write keeps every tree on the paths it changed (the writer puts what it writes here: warm-commit.ts), and the
// next write of the same agent changes the same folders: after the first, a decision reads nothing from git.

/** A revision this cache may answer: an object id or a ref under refs/trail/, then `^{tree}`, then `:<path>`. */
const REVISION = /^([0-9a-f]+|refs\/trail\/[\w./-]+)(\^\{tree\})?(?::(.*))?$/s

/** The paths remembered (see `named`) before they are forgotten at once: a few megabytes at most. */
const NAMED_LIMIT = 20_000

/** Objects larger than this are not kept: records are a few kilobytes, a day's folder of trees a few dozen. */
const LARGEST_OBJECT = 256 * 1024

/** Trees at least this large (about 50 entries) are looked up through an index of their names (see entryIn). */
const INDEXED_TREE_BYTES = 4096

/** Where a tree's entry is: its mode starts at `at`, its name runs from `space` + 1 to `nul` (walkTree). */
interface TreeEntryAt {
  at: number
  space: number
  nul: number
}

/** Each large tree's names, and where their entries are: for as long as the tree object is kept. */
const treeIndexes = new WeakMap<GitObject, Map<string, TreeEntryAt>>()

export class ObjectCache {
  /** By id, least recently used first (a Map iterates in insertion order; a hit is moved to the end). */
  private readonly objects = new Map<Oid, GitObject>()
  /**
   * `<id>^{tree}` and `<id>:<path>` walked before: the ids of the objects on the way, the last being what they
   * name (null: nothing).
   */
  private readonly named = new Map<string, Oid[] | null>()
  private bytes = 0
  private readonly hexLength: number
  /** Objects kept with the id they came with, not checked yet (./carried-objects.ts), and how to check them. */
  private readonly unchecked = new Set<Oid>()
  private check: ((object: GitObject) => boolean) | undefined
  /** Where objects another process carried come from, when a ref names a commit not kept here (see refillWith). */
  private refill: (() => readonly GitObject[]) | undefined
  /** The objects used since `beginUse` (null: not counted), which a long-lived process's write carries. */
  private used: Set<Oid> | null = null

  constructor(
    private readonly commonDir: string,
    private readonly format: ObjectFormat,
    /** At most this many bytes of content are kept. */
    private readonly capacity = 32 * 1024 * 1024,
  ) {
    this.hexLength = oidLength(format)
  }

  /**
   * What `git cat-file --batch` would answer for `revision`: the object, null when git would say "missing", or
   * undefined when only git can tell.
   */
  answer(revision: string): GitObject | null | undefined {
    const match = REVISION.exec(revision)
    if (!match) return undefined
    const [, base, peel, path] = match
    let oid: Oid | undefined
    if (base!.startsWith('refs/')) {
      const found = readTrailRef(this.commonDir, base!, this.format)
      oid = found === null || found === 'absent' ? undefined : found
      // Another process moved the ref: what its write carried (./carried-objects.ts) may hold the new tip's trees.
      if (oid !== undefined && this.refill !== undefined && !this.objects.has(oid)) for (const object of this.refill()) this.putUnchecked(object)
    } else if (base!.length === this.hexLength) oid = base
    if (oid === undefined) return undefined
    if (peel === undefined && path === undefined) return this.get(oid)
    // What an object id and a path name never changes: the walk below is done once for each.
    const key = `${oid}${revision.slice(base!.length)}`
    const known = this.named.get(key)
    if (known === null) return null
    const found = known === undefined ? undefined : this.get(known.at(-1)!)
    if (found !== undefined) {
      for (const passed of known!) this.used?.add(passed) // as the walk would have
      return found
    }
    const way: Oid[] = []
    const walked = this.walk(oid, peel, path, way)
    if (walked !== undefined) {
      if (this.named.size >= NAMED_LIMIT) this.named.clear()
      this.named.set(key, walked === null ? null : way)
    }
    return walked
  }

  /**
   * For reads this cache could not answer, the revisions of the objects on their way that it does not keep: the
   * commit or tree they start from, its root tree and each folder above the file (`<base>`, `<base>^{tree}`,
   * `<base>:a`, `<base>:a/b` for `<base>:a/b/c`). Read with them, these make the next read of the same paths an
   * answer from here; only for a few reads at a time (a write's), never a listing's thousands.
   */
  onTheWay(revisions: readonly string[]): string[] {
    if (revisions.length > 64) return []
    const wanted = new Set<string>()
    for (const revision of revisions) {
      const match = REVISION.exec(revision)
      if (!match || match[3] === undefined) continue
      const base = match[1]!
      const names = match[3].split('/')
      const prefixes = [base, `${base}^{tree}`, ...names.slice(0, -1).map((_, at) => `${base}:${names.slice(0, at + 1).join('/')}`)]
      for (const prefix of prefixes) if (!wanted.has(prefix) && !revisions.includes(prefix) && this.answer(prefix) === undefined) wanted.add(prefix)
    }
    return [...wanted]
  }

  /**
   * The object `<oid>[^{tree}][:<path>]` names, by walking the trees kept here; undefined when one is not kept.
   * `way` gets the ids of the objects walked through, the last being the one found.
   */
  private walk(oid: Oid, peel: string | undefined, path: string | undefined, way: Oid[]): GitObject | null | undefined {
    const get = (next: Oid) => {
      way.push(next)
      return this.get(next)
    }
    let object = get(oid)
    if (object === undefined) return undefined
    if (peel === undefined && path === undefined) return object
    if (object.type === 'commit') {
      object = get(object.data.toString('latin1', 5, 5 + this.hexLength))
      if (object === undefined) return undefined
    }
    if (object.type !== 'tree') return undefined
    if (path === undefined || path === '') return object
    const names = path.split('/')
    if (names.some((name) => name === '' || name === '.' || name === '..')) return undefined
    for (const name of names) {
      if (object.type !== 'tree') return null
      const entry = this.entryIn(object, name)
      if (entry === null) return null
      if (entry.mode === '160000') return undefined // a submodule's commit: not in this repository
      const next = get(entry.oid)
      if (next === undefined) return undefined
      object = next
    }
    return object
  }

  /**
   * The entry `name` of a tree kept here. A large tree (a trajectory's 1,000 events, a day's folder of trajectories)
   * is walked once into an index of its names, kept as long as the tree is: looking each of the 20 newest events up
   * by a walk of the whole tree made `trail status` cost more at 1,000 decisions than at 10.
   */
  private entryIn(tree: GitObject, name: string): {mode: string; oid: Oid} | null {
    if (tree.data.length < INDEXED_TREE_BYTES) return findTreeEntry(tree.data, this.format, name)
    let index = treeIndexes.get(tree)
    if (index === undefined) {
      const names = new Map<string, TreeEntryAt>()
      walkTree(tree.data, this.format, (at, space, nul, text) => names.set(text.slice(space + 1, nul), {at, space, nul}))
      treeIndexes.set(tree, names)
      index = names
    }
    // Names as their bytes (latin1 keeps one character per byte): a name that is not UTF-8 is matched exactly too.
    const found = index.get(Buffer.from(name, 'utf8').toString('latin1'))
    if (found === undefined) return null
    const {at, space, nul} = found
    return {mode: tree.data.toString('latin1', at, space), oid: tree.data.toString('hex', nul + 1, nul + 1 + this.hexLength / 2)}
  }

  /**
   * Keeps an object whose id is as it was stored, not computed (./carried-objects.ts): once `checkWith` is called,
   * it is checked against its content at its first use, and dropped if it does not match.
   */
  putUnchecked(object: GitObject, copy = true): void {
    if (this.objects.has(object.oid)) return
    this.put(object, copy)
    if (this.objects.has(object.oid)) this.unchecked.add(object.oid)
  }

  /**
   * Copies the bytes of every object kept as a view (put with `copy` false): for a process that turns out to keep
   * them (relay mcp opens its store as a command does, then keeps its commits warm), which would otherwise hold the
   * whole buffer they were read into for as long as any of them stays.
   */
  ownViews(): void {
    for (const [oid, object] of this.objects) this.objects.set(oid, {...object, data: Buffer.from(object.data)})
  }

  /** From now on, every object kept by putUnchecked is checked with `check` before it is used (a write's reads). */
  checkWith(check: (object: GitObject) => boolean): void {
    this.check = check
    this.named.clear() // paths walked through objects not checked then are walked again
  }

  /**
   * For a long-lived process: when a ref names a commit not kept here, the objects `load` gives (what another
   * process's write carried) are kept, unchecked (see putUnchecked; so `checkWith` must be called too). `load`
   * gives nothing when it has nothing new.
   */
  refillWith(load: () => readonly GitObject[]): void {
    this.refill = load
  }

  /**
   * From now on, until the next call, the objects used or kept are counted, and `reachableFrom` carries only those:
   * a long-lived process's write carries what that write read and made, not what its listings read.
   */
  beginUse(): void {
    this.used = new Set()
  }

  /** Stops counting (see beginUse): what is carried from now on is every object reachable, as before it. */
  endUse(): void {
    this.used = null
  }

  /**
   * Keeps an object, its bytes copied: a view into a larger buffer would keep all of it alive. `copy` false keeps
   * the view, for a process that ends soon and uses the whole buffer anyway (a command's carried objects).
   */
  put(object: GitObject, copy = true): void {
    if (object.data.length > LARGEST_OBJECT) return
    this.used?.add(object.oid)
    if (this.objects.has(object.oid)) return
    this.objects.set(object.oid, copy ? {...object, data: Buffer.from(object.data)} : object)
    this.bytes += object.data.length
    // The oldest go first, only when there are too many (an iterator made on every call was a write's garbage).
    if (this.bytes <= this.capacity) return
    for (const [oid, old] of this.objects) {
      if (this.bytes <= this.capacity) break
      this.objects.delete(oid)
      this.bytes -= old.data.length
    }
  }

  /**
   * The objects kept here that `commit` reaches through objects kept here (the commit, its root tree, the trees
   * and files below it that were read or written; only those used since `beginUse` if it was called), nearest
   * first, up to `maxBytes` of content: what a write carries to the next (./carried-objects.ts). The trees of older
   * commits are left behind. `filesPerFolder`: of a folder's files, only the last names (ids and days sort by time,
   * so the newest): a folder that grows by one file a write (a trajectory's decisions) is carried whole otherwise,
   * and every write after it reads, checks and writes out all of them again.
   */
  reachableFrom(commit: Oid, maxBytes: number, filesPerFolder = Number.POSITIVE_INFINITY): GitObject[] {
    const found: GitObject[] = []
    const seen = new Set<Oid>()
    const queue: Oid[] = [commit]
    let bytes = 0
    const hashBytes = this.hexLength / 2
    const wanted = (oid: Oid) => !seen.has(oid) && this.objects.has(oid) && (this.used === null || this.used.has(oid))
    const visit = (oid: Oid) => {
      seen.add(oid)
      queue.push(oid)
    }
    for (let next = 0; next < queue.length; next++) {
      const object = this.objects.get(queue[next]!)
      if (object === undefined || bytes + object.data.length > maxBytes) continue
      found.push(object)
      bytes += object.data.length
      if (object.type === 'commit') {
        const tree = object.data.toString('latin1', 5, 5 + this.hexLength)
        if (wanted(tree)) visit(tree)
      } else if (object.type === 'tree') {
        let hex = ''
        const files: Oid[] = []
        walkTree(object.data, this.format, (at, space, nul) => {
          hex ||= object.data.toString('hex') // one Buffer.toString, sliced (see walkTree)
          const oid = hex.slice(2 * (nul + 1), 2 * (nul + 1 + hashBytes))
          if (!wanted(oid)) return
          if (isTreeMode(object.data, at, space)) visit(oid)
          else files.push(oid)
        })
        for (const oid of files.slice(Math.max(0, files.length - filesPerFolder))) if (!seen.has(oid)) visit(oid)
      }
    }
    return found
  }

  private get(oid: Oid): GitObject | undefined {
    const object = this.objects.get(oid)
    if (object === undefined) return undefined
    if (this.check !== undefined && this.unchecked.has(oid)) {
      this.unchecked.delete(oid)
      if (!this.check(object)) {
        // Damaged: forgotten, with every path walked through it, and git is asked.
        this.objects.delete(oid)
        this.bytes -= object.data.length
        this.named.clear()
        return undefined
      }
    }
    this.objects.delete(oid)
    this.objects.set(oid, object)
    this.used?.add(oid)
    return object
  }
}
