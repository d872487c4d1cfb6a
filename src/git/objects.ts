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
 * entry: its mode starts at `at`, its name runs from `space` + 1 to `nul`, its binary id follows `nul`. `text` is
 * the tree's bytes as a string, one character per byte (latin1), at the same offsets: what a visit reads of an
 * entry it reads from there (a slice is a name's bytes), not with a Buffer method per entry.
 *
 * The walk itself searches that string: String.prototype.indexOf is a builtin V8 runs at full speed before it has
 * compiled anything, where each Buffer.indexOf or Buffer.toString with offsets first runs its argument checks in
 * JavaScript (3-20 µs in a short process). A folder of 1,000 events was 11 ms to walk that way, 0.7 ms this way.
 */
export function walkTree(data: Buffer, format: ObjectFormat, visit: (at: number, space: number, nul: number, text: string) => void): void {
  const hashBytes = oidLength(format) / 2
  const text = data.toString('latin1')
  let at = 0
  while (at < text.length) {
    const space = text.indexOf(' ', at)
    const nul = space < 0 ? -1 : text.indexOf('\0', space)
    if (space < 0 || nul < 0 || nul + 1 + hashBytes > text.length) throw new Error('corrupt tree object')
    visit(at, space, nul, text)
    at = nul + 1 + hashBytes
  }
}

const NOT_ASCII = /[\x80-\xff]/

/** A name from a tree's latin1 text (walkTree's `text`): its bytes, read as the UTF-8 they are. */
export function treeName(text: string, start: number, end: number): string {
  const bytes = text.slice(start, end)
  return NOT_ASCII.test(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes
}

/** A name of a tree entry, as its bytes (latin1: a character per byte), and whether it is a folder's. */
export interface NameAt {
  bytes: string
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
  // Latin1 strings compare as their bytes do. Only where one name is the other's start does git's rule count: the
  // shorter name goes on with "/" when it is a folder's, with nothing (0) when a file's. No slice, array or closure:
  // a write compares every entry of the folders it changes, mostly in the interpreter, where each was garbage.
  const x = a.bytes
  const y = b.bytes
  if (x.length <= y.length && y.startsWith(x)) return (a.isTree ? 0x2f : 0) - (y.length > x.length ? y.charCodeAt(x.length) : b.isTree ? 0x2f : 0)
  if (x.startsWith(y)) return x.charCodeAt(y.length) - (b.isTree ? 0x2f : 0)
  return x < y ? -1 : 1
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
    let text = ''
    if (data !== null)
      walkTree(data, format, (at, space, nul, whole) => {
        text = whole
        found.push(at, space, nul)
      })
    return {found, text}
  }
  const {found: a, text: aText} = positions(before)
  const {found: b, text: bText} = positions(after)
  const nameAt = (data: Buffer, text: string, list: number[], i: number): NameAt => ({
    bytes: text.slice(list[i + 1]! + 1, list[i + 2]!),
    isTree: isTreeMode(data, list[i]!, list[i + 1]!),
  })
  const decode = (data: Buffer, text: string, list: number[], i: number): TreeEntry => {
    const [at, space, nul] = [list[i]!, list[i + 1]!, list[i + 2]!]
    return {mode: text.slice(at, space), name: treeName(text, space + 1, nul), oid: data.toString('hex', nul + 1, nul + 1 + hashBytes)}
  }
  const differences: [TreeEntry | null, TreeEntry | null][] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const order = i >= a.length ? 1 : j >= b.length ? -1 : compareNames(nameAt(before!, aText, a, i), nameAt(after!, bText, b, j))
    if (order < 0) {
      differences.push([decode(before!, aText, a, i), null])
      i += 3
    } else if (order > 0) {
      differences.push([null, decode(after!, bText, b, j)])
      j += 3
    } else {
      const aEnd = a[i + 2]! + 1 + hashBytes
      const bEnd = b[j + 2]! + 1 + hashBytes
      if (aText.slice(a[i]!, aEnd) !== bText.slice(b[j]!, bEnd)) differences.push([decode(before!, aText, a, i), decode(after!, bText, b, j)])
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
  // The ids as one hex string, sliced: one Buffer.toString, not one per entry (see walkTree).
  let hex = ''
  walkTree(data, format, (at, space, nul, text) => {
    if (hex === '') hex = data.toString('hex')
    entries.push({mode: text.slice(at, space), name: treeName(text, space + 1, nul), oid: hex.slice(2 * (nul + 1), 2 * (nul + 1 + hashBytes))})
  })
  return entries
}

/**
 * The names of a tree's entries, optionally only its subtrees: parseTree without building objects or hex ids,
 * for listings of large folders (a day folder holds hundreds of trajectories, a list reads hundreds of them).
 */
export function parseTreeNames(data: Buffer, format: ObjectFormat, onlyTrees: boolean): string[] {
  const names: string[] = []
  walkTree(data, format, (at, space, nul, text) => {
    if (!onlyTrees || isTreeMode(data, at, space)) names.push(treeName(text, space + 1, nul))
  })
  return names
}

/**
 * The entry named `name` in a raw tree object (compared byte for byte, as git compares names), or null.
 *
 * @example findTreeEntry(tree, 'sha1', 'format.yaml')   // {mode: '100644', oid: '3b18e5...'}
 */
export function findTreeEntry(data: Buffer, format: ObjectFormat, name: string): {mode: string; oid: Oid} | null {
  const wanted = Buffer.from(name, 'utf8').toString('latin1')
  const hashBytes = oidLength(format) / 2
  let found: {mode: string; oid: Oid} | null = null
  walkTree(data, format, (at, space, nul, text) => {
    if (found === null && nul - space - 1 === wanted.length && text.startsWith(wanted, space + 1))
      found = {mode: text.slice(at, space), oid: data.toString('hex', nul + 1, nul + 1 + hashBytes)}
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
