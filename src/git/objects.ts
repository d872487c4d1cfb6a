// Git's object encodings, as `git cat-file` prints them and as loose objects store them (before compression).
// Reference: Documentation/technical/hash-function-transition.txt and `git help format-tree` (there is no
// such page; the tree format is documented in git's source, tree-walk.c: "<mode> SP <name> NUL <binary oid>").

/** A hex object id: 40 characters in a SHA-1 repository, 64 in a SHA-256 one. */
export type Oid = string

export type ObjectFormat = 'sha1' | 'sha256'

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag'

/** One entry of a tree object. */
export interface TreeEntry {
  mode: string
  name: string
  oid: Oid
}

/** 40 hex characters for SHA-1, 64 for SHA-256. */
export function oidLength(format: ObjectFormat): number {
  return format === 'sha1' ? 40 : 64
}

/**
 * Walks a raw tree object, "<mode> <name>\0<binary oid>" repeated, calling `visit` with the byte offsets of each
 * entry: its mode starts at `at`, its name runs from `space` + 1 to `nul`, its binary id follows `nul`.
 */
export function walkTree(data: Buffer, format: ObjectFormat, visit: (at: number, space: number, nul: number) => void): void {
  const hashBytes = oidLength(format) / 2
  let at = 0
  while (at < data.length) {
    const space = data.indexOf(0x20, at)
    const nul = data.indexOf(0, space)
    if (space < 0 || nul < 0 || nul + 1 + hashBytes > data.length) throw new Error('corrupt tree object')
    visit(at, space, nul)
    at = nul + 1 + hashBytes
  }
}

/** A name in a buffer (a raw tree, or an entry's own bytes), and whether it is a folder's. */
export interface NameAt {
  bytes: Buffer
  start: number
  end: number
  isTree: boolean
}

/** Whether the entry whose mode starts at `at` and ends at `space` is a folder's: its mode is "40000". */
export function isTreeMode(data: Buffer, at: number, space: number): boolean {
  return space - at === 5 && data[at] === 0x34
}

/**
 * Git's order of tree entries: by name, bytewise, a folder's name compared as if it ended with "/" (tree.c,
 * base_name_compare).
 */
export function compareNames(a: NameAt, b: NameAt): number {
  const common = Math.min(a.end - a.start, b.end - b.start)
  const order = a.bytes.compare(b.bytes, b.start, b.start + common, a.start, a.start + common)
  if (order !== 0) return order
  const next = (name: NameAt) => (name.end - name.start > common ? name.bytes[name.start + common]! : name.isTree ? 0x2f : 0)
  return next(a) - next(b)
}

/**
 * The entries in which two raw trees (null: an empty one) differ, in git's order, as pairs [before, after]: both
 * when a name keeps its kind (file or folder) but not its mode or object, one side null when a name is only on the
 * other (a file that became a folder is one of each). Both trees are walked side by side in git's order and only the
 * entries that differ are decoded: a folder of hundreds with one new entry costs one entry's decoding.
 */
export function treeDifferences(before: Buffer | null, after: Buffer | null, format: ObjectFormat): [TreeEntry | null, TreeEntry | null][] {
  const hashBytes = oidLength(format) / 2
  const positions = (data: Buffer | null) => {
    const found: number[] = []
    if (data !== null) walkTree(data, format, (at, space, nul) => found.push(at, space, nul))
    return found
  }
  const a = positions(before)
  const b = positions(after)
  const nameAt = (data: Buffer, list: number[], i: number): NameAt => ({
    bytes: data,
    start: list[i + 1]! + 1,
    end: list[i + 2]!,
    isTree: isTreeMode(data, list[i]!, list[i + 1]!),
  })
  const decode = (data: Buffer, list: number[], i: number): TreeEntry => {
    const [at, space, nul] = [list[i]!, list[i + 1]!, list[i + 2]!]
    return {mode: data.toString('latin1', at, space), name: data.toString('utf8', space + 1, nul), oid: data.toString('hex', nul + 1, nul + 1 + hashBytes)}
  }
  const differences: [TreeEntry | null, TreeEntry | null][] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const order = i >= a.length ? 1 : j >= b.length ? -1 : compareNames(nameAt(before!, a, i), nameAt(after!, b, j))
    if (order < 0) {
      differences.push([decode(before!, a, i), null])
      i += 3
    } else if (order > 0) {
      differences.push([null, decode(after!, b, j)])
      j += 3
    } else {
      const aEnd = a[i + 2]! + 1 + hashBytes
      const bEnd = b[j + 2]! + 1 + hashBytes
      if (before!.compare(after!, b[j]!, bEnd, a[i]!, aEnd) !== 0) differences.push([decode(before!, a, i), decode(after!, b, j)])
      i += 3
      j += 3
    }
  }
  return differences
}

/** Decodes a raw tree object into its entries. */
export function parseTree(data: Buffer, format: ObjectFormat): TreeEntry[] {
  const entries: TreeEntry[] = []
  const hashBytes = oidLength(format) / 2
  walkTree(data, format, (at, space, nul) =>
    entries.push({
      mode: data.toString('latin1', at, space),
      name: data.toString('utf8', space + 1, nul),
      oid: data.toString('hex', nul + 1, nul + 1 + hashBytes),
    }),
  )
  return entries
}

/**
 * The names of a tree's entries, optionally only its subtrees: parseTree without building objects or hex ids,
 * for listings of large folders (a day folder holds hundreds of trajectories, a list reads hundreds of them).
 */
export function parseTreeNames(data: Buffer, format: ObjectFormat, onlyTrees: boolean): string[] {
  const names: string[] = []
  walkTree(data, format, (at, space, nul) => {
    if (!onlyTrees || isTreeMode(data, at, space)) names.push(data.toString('utf8', space + 1, nul))
  })
  return names
}

/**
 * The entry named `name` in a raw tree object (compared byte for byte, as git compares names), or null.
 *
 * @example findTreeEntry(tree, 'sha1', 'format.yaml')   // {mode: '100644', oid: '3b18e5...'}
 */
export function findTreeEntry(data: Buffer, format: ObjectFormat, name: string): {mode: string; oid: Oid} | null {
  const wanted = Buffer.from(name, 'utf8')
  const hashBytes = oidLength(format) / 2
  let found: {mode: string; oid: Oid} | null = null
  walkTree(data, format, (at, space, nul) => {
    if (found === null && nul - space - 1 === wanted.length && data.compare(wanted, 0, wanted.length, space + 1, nul) === 0)
      found = {mode: data.toString('latin1', at, space), oid: data.toString('hex', nul + 1, nul + 1 + hashBytes)}
  })
  return found
}

/** Reads the fields of a raw commit object that the store needs: its tree, parents, signatures and message. */
export function parseCommit(data: Buffer): {tree: Oid; parents: Oid[]; message: string; author: string; committer: string} {
  const text = data.toString('utf8')
  const split = text.indexOf('\n\n')
  const header = split < 0 ? text : text.slice(0, split)
  let tree = ''
  let author = ''
  let committer = ''
  const parents: Oid[] = []
  for (const line of header.split('\n')) {
    if (line.startsWith('tree ')) tree = line.slice(5)
    else if (line.startsWith('parent ')) parents.push(line.slice(7))
    else if (line.startsWith('author ')) author = line.slice(7)
    else if (line.startsWith('committer ')) committer = line.slice(10)
  }
  return {tree, parents, author, committer, message: split < 0 ? '' : text.slice(split + 2)}
}

/**
 * The time of a commit's signature ("Name <email> <seconds> <zone>"), in milliseconds since 1970, or null.
 *
 * @example signatureMs('A U Thor <a@example.com> 1800000000 +0200')   // 1800000000000
 */
export function signatureMs(signature: string): number | null {
  const match = / (\d+) [+-]\d{4}$/.exec(signature)
  return match ? Number(match[1]) * 1000 : null
}
