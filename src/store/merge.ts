import {TrailError} from '../errors.js'
import type {Oid} from '../git/objects.js'
import type {FileChange, GitRepo} from '../git/repo.js'

// The union of two commits of a store that went apart (two clones wrote while apart). Records are separate files
// with unique names, so almost every change of one side simply joins the other; a file both sides changed is
// handed to `resolve`, which merges it by meaning (model/merge.ts). Whatever happens, no conflict markers.

/** Merges a file changed differently on both sides; null keeps ours (and counts it as kept). */
export type Resolve = (path: string, base: string | null, ours: string, theirs: string) => string | null

export interface MergePlan {
  /** What turns `ours`'s tree into the merged tree. */
  changes: FileChange[]
  /** Files both sides changed that were merged by meaning. */
  merged: string[]
  /** Files both sides changed that could not be merged: ours was kept. */
  kept: string[]
}

/** Whether an entry of theirs may enter our tree (store/incoming.ts); what it refuses is left out of the merge. */
export type Admits = (entry: {path: string; mode: string; oid: Oid}) => boolean

/**
 * Plans the merge of `theirs` into `ours`: a three-way merge of trees against their merge base (none for two
 * stores started apart, or no `ours` at all: everything on either side is then an addition). An added or changed
 * entry of theirs that `admits` refuses is left out: ours stays as it was there.
 *
 * @example const plan = await planMerge(repo, localTip, remoteTip, mergeRecordText)
 */
export async function planMerge(repo: GitRepo, ours: Oid | null, theirs: Oid, resolve: Resolve, admits: Admits = () => true): Promise<MergePlan> {
  const base = ours === null ? null : await repo.mergeBase(ours, theirs)
  const [mine, their] = await Promise.all([
    ours === null ? new Map<string, [Oid | null, Oid | null]>() : repo.diffTrees(base, ours),
    repo.treeChanges(base, theirs),
  ])
  const changes: FileChange[] = []
  const both: {path: string; was: Oid | null; mine: Oid; theirs: Oid}[] = []
  const additions: {path: string; oid: Oid}[] = []
  for (const {path, newMode, oldOid: was, newOid: now} of their) {
    if (now !== null && !admits({path, mode: newMode, oid: now})) continue
    const ourChange = mine.get(path)
    if (!ourChange) {
      if (now === null) changes.push({path, content: null})
      else additions.push({path, oid: now})
      continue
    }
    const ourNow = ourChange[1]
    if (ourNow === now) continue
    // Deleted on one side, changed on the other: the change is kept (a record is never lost to a deletion).
    if (now === null) continue
    if (ourNow === null) additions.push({path, oid: now})
    else both.push({path, was, mine: ourNow, theirs: now})
  }
  const texts = await repo.reader.readMany([...additions.map((a) => a.oid), ...both.flatMap((b) => [b.was ?? b.mine, b.mine, b.theirs])])
  let at = 0
  for (const addition of additions) changes.push({path: addition.path, content: texts[at++]!.data})
  const merged: string[] = []
  const kept: string[] = []
  for (const conflict of both) {
    const [was, mineText, theirText] = [texts[at++], texts[at++], texts[at++]].map((object) => object!.data.toString('utf8'))
    const result = resolveOrExplain(resolve, conflict.path, conflict.was === null ? null : was!, mineText!, theirText!, ours!, theirs)
    if (result === null) kept.push(conflict.path)
    else {
      merged.push(conflict.path)
      if (result !== mineText) changes.push({path: conflict.path, content: result})
    }
  }
  return {changes, merged, kept}
}

/** `resolve`, with a record that cannot be read on either side reported by its path and how to look at it. */
function resolveOrExplain(resolve: Resolve, path: string, base: string | null, mine: string, theirs: string, ourTip: Oid, theirTip: Oid): string | null {
  try {
    return resolve(path, base, mine, theirs)
  } catch (error) {
    throw new TrailError(
      `cannot merge ${path}, changed on both sides: ${(error as Error).message}`,
      `compare the two with: git diff ${ourTip.slice(0, 12)} ${theirTip.slice(0, 12)} -- ${path}; fix the side that is broken, then sync again`,
      'E_MERGE',
    )
  }
}
