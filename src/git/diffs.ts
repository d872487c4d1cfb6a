import {literalPath} from './file-history.js'
import {oidLength, type ObjectFormat, type Oid} from './objects.js'
import {parsePatchIds, patchIdRequest, splitByCommit, type PatchIds} from './patch-ids.js'
import {runGit, type Env, type GitResult, type RunOptions} from './process.js'

// git's diffs between trees and commits, and the patch ids of those diffs (./patch-ids.ts), run where a GitRepo
// (./repo.ts, which delegates here) is not loaded: the edit hook's fast answer (../services/edit-fast.ts) runs them
// from a bundle that holds no write machinery.

/** Where git runs, and what it needs to parse ids: a GitRepo is one. */
export interface GitPlace {
  /** The work tree, or the git directory of a bare repository. */
  readonly cwd: string
  readonly env: Env
  readonly objectFormat: ObjectFormat
}

/** One file that differs between two trees. */
export interface TreeChange {
  path: string
  oldMode: string
  newMode: string
  oldOid: Oid | null
  newOid: Oid | null
}

/** Configuration that would change a diff's text (and so its patch ids): fixed for every patch-id diff. */
const PATCH_DIFF = ['-c', 'core.quotePath=true']
const PATCH_DIFF_OPTIONS = ['-r', '-p', '--no-color', '--no-ext-diff', '--full-index', '--binary', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/']

function run(place: GitPlace, args: readonly string[], options: Omit<RunOptions, 'cwd' | 'env'> = {}): Promise<GitResult> {
  return runGit(args, {...options, cwd: place.cwd, env: place.env})
}

/** The empty tree's id in `format`. */
export function emptyTree(format: ObjectFormat): Oid {
  return format === 'sha1' ? '4b825dc642cb6eb9a060e54bf8d69288fbee4904' : '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321'
}

/**
 * The files that differ between two trees (`from` null: the empty tree), with each side's mode and object id (a
 * symlink is 120000, a regular file 100644 or 100755), limited to `paths` (pathspecs) when given.
 *
 * @example const changes = await treeChanges(repo, oldTip, newTip, [':(glob).trail/**'])
 */
export async function treeChanges(place: GitPlace, from: Oid | null, to: Oid, paths: readonly string[] = []): Promise<TreeChange[]> {
  const result = await run(place, ['diff-tree', '-r', '-z', '--no-renames', from ?? emptyTree(place.objectFormat), to, '--', ...paths])
  const fields = result.stdout.toString('utf8').split('\0')
  const changes: TreeChange[] = []
  const absent = (oid: string) => (/^0+$/.test(oid) ? null : oid)
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [oldMode, newMode, oldOid, newOid] = fields[i]!.replace(/^:/, '').split(' ')
    changes.push({path: fields[i + 1]!, oldMode: oldMode!, newMode: newMode!, oldOid: absent(oldOid!), newOid: absent(newOid!)})
  }
  return changes
}

/**
 * The patch ids of commits (./patch-ids.ts): each commit's change from its first parent, whole and file by file.
 * Two processes for any number of commits: one `git diff-tree --stdin -p`, one `git patch-id --stable`. A merge
 * or an empty commit has no patch id. Options are fixed (quoted paths, a/ b/ prefixes, no renames, full index,
 * binary patches) so that the ids do not depend on the user's configuration. With `paths`, only those files are
 * read: their per-file ids are the same, and the whole id is then of those files alone.
 *
 * @example const ids = await commitPatchIds(repo, [oid]); ids.get(oid)?.files.get('src/app.js')
 */
export async function commitPatchIds(
  place: GitPlace,
  commits: readonly Oid[],
  paths: readonly string[] = [],
  signal?: AbortSignal,
): Promise<Map<Oid, PatchIds>> {
  const unique = [...new Set(commits)]
  if (unique.length === 0) return new Map()
  const limit = paths.length > 0 ? ['--', ...paths.map(literalPath)] : []
  const output = await run(place, [...PATCH_DIFF, 'diff-tree', '--stdin', '--root', ...PATCH_DIFF_OPTIONS, ...limit], {
    input: `${unique.join('\n')}\n`,
    stdoutToFile: true,
    signal,
  })
  const diffs = splitByCommit(output.stdout.toString('utf8'), unique)
  const ids = await patchIds(
    place,
    unique.map((oid) => diffs.get(oid) ?? ''),
    signal,
  )
  return new Map(unique.map((oid, index) => [oid, ids[index]!]))
}

/**
 * The patch ids of the change between two commits (`from` null: the empty tree), whole and file by file, limited to
 * `paths` when given: what a squash of everything between them would carry.
 */
export async function diffPatchIds(place: GitPlace, from: Oid | null, to: Oid, paths: readonly string[] = []): Promise<PatchIds> {
  const output = await run(
    place,
    [...PATCH_DIFF, 'diff-tree', ...PATCH_DIFF_OPTIONS, from ?? emptyTree(place.objectFormat), to, '--', ...paths.map(literalPath)],
    {
      stdoutToFile: true,
    },
  )
  return (await patchIds(place, [output.stdout.toString('utf8')]))[0]!
}

async function patchIds(place: GitPlace, diffs: readonly string[], signal?: AbortSignal): Promise<PatchIds[]> {
  const request = patchIdRequest(diffs, oidLength(place.objectFormat))
  if (request.parts.length === 0) return diffs.map(() => ({patch: null, files: new Map()}))
  const result = await run(place, ['patch-id', '--stable'], {input: request.input, signal})
  return parsePatchIds(request, result.stdout.toString('utf8'), diffs.length)
}

/**
 * For lines of a file in `to`, the same line in `from` when the diff between them leaves it unchanged (`git diff
 * -U0`: a line outside every hunk moves by the lines added and removed above it); a changed line is left out.
 * `signal` stops git (a cancelled request).
 *
 * @example const same = await unchangedLines(repo, branchTip, squash, 'src/app.js', [1, 2, 3])   // Map {1 => 1, 3 => 4}
 */
export async function unchangedLines(
  place: GitPlace,
  from: Oid,
  to: Oid,
  path: string,
  lines: readonly number[],
  signal?: AbortSignal,
): Promise<Map<number, number>> {
  // The file's own lines: no textconv filter (git diff applies the user's), as blame reads them (GitRepo.blame).
  const args = ['diff', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', from, to, '--', literalPath(path)]
  const output = await run(place, args, {signal})
  const hunks = [...output.stdout.toString('utf8').matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)].map((m) => ({
    removed: m[2] === undefined ? 1 : Number(m[2]),
    start: Number(m[3]),
    added: m[4] === undefined ? 1 : Number(m[4]),
  }))
  const same = new Map<number, number>()
  for (const line of lines) {
    let shift = 0
    let changed = false
    for (const hunk of hunks) {
      // An added hunk covers lines start..start+added-1; a removal (added 0) sits after line `start`.
      if (hunk.added > 0 && line >= hunk.start && line < hunk.start + hunk.added) changed = true
      else if (hunk.added > 0 ? hunk.start + hunk.added <= line : hunk.start < line) shift += hunk.added - hunk.removed
    }
    if (!changed) same.set(line, line - shift)
  }
  return same
}
