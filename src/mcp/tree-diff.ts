import type {ObjectReader} from '../git/object-reader.js'
import {treeDifferences, type ObjectFormat, type Oid} from '../git/objects.js'
import type {FileChangeKind} from './resource-changes.js'

// The files that differ between two commits, read through the server's warm `git cat-file --batch` rather than a
// `git diff-tree` process: a process started after every write would land on the next call's time (starting one
// costs a few milliseconds of this process's own time, in spawn). Only subtrees whose ids differ are read, one
// round trip per level, so a commit of one record costs as many round trips as its path is deep; and only the
// entries that differ are decoded (objects.ts treeDifferences).

const TREE = '40000'

/**
 * Path → added, removed or changed, for every file (blob, symlink or submodule entry) that differs between the trees
 * of `from` (null: nothing) and `to`. The same files `git diff-tree -r --no-renames from to` lists.
 *
 * @example await changedFiles(repo.reader, 'sha1', oldTip, newTip)   // Map {'.relay/ledger/claude.md' => 'changed'}
 */
export async function changedFiles(reader: ObjectReader, format: ObjectFormat, from: Oid | null, to: Oid): Promise<Map<string, FileChangeKind>> {
  const changes = new Map<string, FileChangeKind>()
  const [before, after] = await reader.readMany([from === null ? to : `${from}^{tree}`, `${to}^{tree}`])
  if (after?.type !== 'tree') throw new Error(`${to} has no tree`)
  let level: {path: string; before: Buffer | null; after: Buffer | null}[] = [
    {path: '', before: from === null || before?.type !== 'tree' ? null : before.data, after: after.data},
  ]
  while (level.length > 0) {
    const next: {path: string; before: Oid | null; after: Oid | null}[] = []
    for (const {path, before, after} of level) {
      for (const [a, b] of treeDifferences(before, after, format)) {
        const full = path === '' ? (a ?? b)!.name : `${path}/${(a ?? b)!.name}`
        const aTree = a?.mode === TREE ? a.oid : null
        const bTree = b?.mode === TREE ? b.oid : null
        if (aTree !== null || bTree !== null) next.push({path: full, before: aTree, after: bTree})
        // A file on one side (or both): a folder on the other side is read in the next round.
        const aFile = a !== null && a.mode !== TREE
        const bFile = b !== null && b.mode !== TREE
        if (aFile && bFile) changes.set(full, 'changed')
        else if (aFile) changes.set(full, 'removed')
        else if (bFile) changes.set(full, 'added')
      }
    }
    const wanted = [...new Set(next.flatMap((pair) => [pair.before, pair.after]).filter((oid): oid is Oid => oid !== null))]
    const objects = await reader.readMany(wanted)
    const trees = new Map(wanted.map((oid, index) => [oid, objects[index]?.type === 'tree' ? objects[index].data : null]))
    level = next.map((pair) => ({
      path: pair.path,
      before: pair.before === null ? null : (trees.get(pair.before) ?? null),
      after: pair.after === null ? null : (trees.get(pair.after) ?? null),
    }))
  }
  return changes
}
