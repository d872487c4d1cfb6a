import {closeSync, constants, fstatSync, openSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../files.js'
import {oidLength, type Oid} from '../git/objects.js'
import type {RepositoryLocation} from '../git/discover.js'
import {treeChanges, type GitPlace} from '../git/diffs.js'
import {parseCommitLink} from '../model/commit-link.js'
import {linkKeyDir} from '../model/layout.js'
import type {MirrorFiles} from './mirror-read.js'

// The path index of the edit hook (../services/edit-fast.ts): every path a commit link of the store names (so
// every path that has a file link key: a per-file patch id, own or combined) at one tip of refs/trail/records. A commit nobody linked can only be
// found by the patch id of its change to a file when some linked commit changed a file at the same path (a patch
// id hashes the file's name), so a file whose history holds only such commits, at paths not in the index, has no
// recorded decision, and its patch ids need not be computed (two git processes).
//
// It lives in the repository's private state (<common dir>/trail/why-paths.json), never in the user's files, and
// is trusted only for the tip it names: a store at another tip is read by a diff of the two tips limited to the
// commit links (one short git process), the links added since extend it; a link changed or removed (a store
// rewritten), or an index file that is missing, damaged, foreign or a link, makes it rebuilt whole.

const INDEX_VERSION = 1
/** The commit links on the ref (the kind registry's commitLink path). */
const LINK_RECORDS = ':(glob).trail/trajectories/*/*/*/*/commits/*.yaml'
/** The link keys' folder (.trail/links/ab/cd/<key>/<trajectory>.yaml). */
const LINKS_DIR = linkKeyDir('0'.repeat(40)).split('/').slice(0, 2).join('/')

export interface PathIndex {
  /** The tip of refs/trail/records it describes. */
  tip: Oid
  /** The paths that have file link keys at that tip. */
  paths: Set<string>
}

function indexFile(commonDir: string): string {
  return join(commonDir, 'trail', 'why-paths.json')
}

/**
 * The index as stored, or null when there is none that can be trusted: missing, not a regular file (a link is never
 * followed), not JSON of this version, or holding anything but an object id and paths.
 */
export function readPathIndex(commonDir: string, length: number): PathIndex | null {
  let fd: number
  try {
    fd = openSync(indexFile(commonDir), constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch {
    return null
  }
  try {
    if (!fstatSync(fd).isFile()) return null
    const data = JSON.parse(readFileSync(fd, 'utf8')) as {version?: unknown; tip?: unknown; paths?: unknown}
    if (data === null || typeof data !== 'object' || data.version !== INDEX_VERSION) return null
    if (typeof data.tip !== 'string' || !new RegExp(`^[0-9a-f]{${length}}$`).test(data.tip)) return null
    if (!Array.isArray(data.paths) || !data.paths.every((path) => typeof path === 'string')) return null
    return {tip: data.tip, paths: new Set(data.paths as string[])}
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}

function writePathIndex(commonDir: string, index: PathIndex): void {
  try {
    writeFileAtomic(indexFile(commonDir), `${JSON.stringify({version: INDEX_VERSION, tip: index.tip, paths: [...index.paths].sort()})}\n`)
  } catch {
    // State that can be rebuilt: the next edit builds it again.
  }
}

/**
 * The index for `tip`, whose commit links are read from `mirror` (the work-tree mirror, which the caller has found
 * showing `tip`): the stored one when it names `tip`; else extended from it by the links added since (one git
 * process: the diff of the two tips, limited to commit links); else built whole (the same diff from the empty
 * tree); an empty one, without git, when the store has no link key at all (each link comes with its keys). Null
 * when a commit link cannot be read: the index would not know every path, so it is not used.
 *
 * @example const index = await pathIndexAt(repo, tip, new MirrorFiles(repo.workTree))
 */
export async function pathIndexAt(repo: GitPlace & Pick<RepositoryLocation, 'commonDir'>, tip: Oid, mirror: MirrorFiles): Promise<PathIndex | null> {
  const stored = readPathIndex(repo.commonDir, oidLength(repo.objectFormat))
  if (stored?.tip === tip) return stored
  let index: PathIndex | null = null
  if (mirror.list(LINKS_DIR).length === 0) index = {tip, paths: new Set()}
  else if (stored !== null) {
    const changes = await treeChanges(repo, stored.tip, tip, [LINK_RECORDS]).catch(() => null)
    // Links are immutable: one changed or removed means the store was rewritten; build it whole.
    if (changes?.every((change) => change.oldOid === null && change.newOid !== null)) {
      const paths = linkedPaths(
        mirror,
        changes.map((change) => change.path),
      )
      index = paths === null ? null : {tip, paths: new Set([...stored.paths, ...paths])}
    }
  }
  if (index === null) {
    const changes = await treeChanges(repo, null, tip, [LINK_RECORDS])
    const paths = linkedPaths(
      mirror,
      changes.flatMap((change) => (change.newOid === null ? [] : [change.path])),
    )
    if (paths === null) return null
    index = {tip, paths}
  }
  writePathIndex(repo.commonDir, index)
  return index
}

/** The paths named by these commit links (read from the mirror), or null when one cannot be read. */
function linkedPaths(mirror: MirrorFiles, links: readonly string[]): Set<string> | null {
  const paths = new Set<string>()
  for (const path of links) {
    const text = mirror.readText(path)
    if (text === null) return null
    let files: {path: string}[]
    try {
      files = parseCommitLink(text, path).files
    } catch {
      return null
    }
    // The keys written for a link (linkKeys) are its first MAX_KEYED_FILES files' patch ids: every file is taken
    // (more paths only send more files to git's patch ids, never fewer).
    for (const file of files) paths.add(file.path)
  }
  return paths
}
