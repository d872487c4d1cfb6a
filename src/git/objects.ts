import {createRequire} from 'node:module'

// Git's object encodings, as `git cat-file` prints them and as loose objects store them (before compression).
// Reference: Documentation/technical/hash-function-transition.txt and `git help format-tree` (there is no
// such page; the tree format is documented in git's source, tree-walk.c: "<mode> SP <name> NUL <binary oid>").

/** A hex object id: 40 characters in a SHA-1 repository, 64 in a SHA-256 one. */
export type Oid = string

export type ObjectFormat = 'sha1' | 'sha256'

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag'

export const TREE_MODE = '40000'

/** One entry of a tree object. */
export interface TreeEntry {
  mode: string
  name: string
  oid: Oid
}

/** True for a subfolder entry. */
export function isTree(entry: TreeEntry): boolean {
  return entry.mode === TREE_MODE
}

/** 40 hex characters for SHA-1, 64 for SHA-256. */
export function oidLength(format: ObjectFormat): number {
  return format === 'sha1' ? 40 : 64
}

/**
 * The id git gives a blob with this content (`git hash-object`). node:crypto is loaded on first use only: the
 * hot commands never hash (git fast-import does), and loading it costs about 5 ms.
 */
export function hashBlob(format: ObjectFormat, content: Uint8Array): Oid {
  const {createHash} = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
  return createHash(format).update(`blob ${content.length}\0`).update(content).digest('hex')
}

/** Decodes a raw tree object: "<mode> <name>\0<binary oid>" repeated. */
export function parseTree(data: Buffer, format: ObjectFormat): TreeEntry[] {
  const hashBytes = oidLength(format) / 2
  const entries: TreeEntry[] = []
  let at = 0
  while (at < data.length) {
    const space = data.indexOf(0x20, at)
    const nul = data.indexOf(0, space)
    if (space < 0 || nul < 0 || nul + 1 + hashBytes > data.length) throw new Error('corrupt tree object')
    entries.push({
      mode: data.toString('latin1', at, space),
      name: data.toString('utf8', space + 1, nul),
      oid: data.toString('hex', nul + 1, nul + 1 + hashBytes),
    })
    at = nul + 1 + hashBytes
  }
  return entries
}

/** Reads the fields of a raw commit object that the store needs: its tree, parents and message. */
export function parseCommit(data: Buffer): {tree: Oid; parents: Oid[]; message: string; committer: string} {
  const text = data.toString('utf8')
  const split = text.indexOf('\n\n')
  const header = split < 0 ? text : text.slice(0, split)
  let tree = ''
  let committer = ''
  const parents: Oid[] = []
  for (const line of header.split('\n')) {
    if (line.startsWith('tree ')) tree = line.slice(5)
    else if (line.startsWith('parent ')) parents.push(line.slice(7))
    else if (line.startsWith('committer ')) committer = line.slice(10)
  }
  return {tree, parents, committer, message: split < 0 ? '' : text.slice(split + 2)}
}
