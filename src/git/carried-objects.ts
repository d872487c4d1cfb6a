import {closeSync, constants, fstatSync, lstatSync, openSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../files.js'
import type {GitObject} from './object-reader.js'
import {oidLength, type ObjectFormat, type ObjectType} from './objects.js'

// What one command's write leaves for the next command's (GitRepo.commitInProcess): the objects of the commit it
// made that it read or wrote on the way, the new tip's commit, the trees on the paths it changed and the records
// it read, in the repository's private state (<common dir>/trail/carried-objects). The next write of the same agent
// reads the same folders and records, so it finds them here and starts no `git cat-file`. A long-lived process
// (relay mcp) carries its writes' objects the same way, once each answer is on its way, and reads what a command's
// write carried when it finds the ref moved (GitRepo.keepCommitsWarm): a write beside the other reads nothing
// from git either way.
//
// Each object is stored with its id, as git's own object store is, and read back as it was stored: a read (`trail
// status`) uses them as git uses its objects, without hashing them again (which would cost a command that reads
// the 6-12 ms of loading node:crypto). A write checks each one it uses against its id first (ObjectCache.checkWith:
// it hashes its own objects anyway), so a damaged file can never make it build on a wrong tree or record; an
// object that fails is dropped and git asked. An object is only ever reached from the ref's tip, read from the
// ref's own file at each use (./object-cache.ts), so whatever the new commit names this way is reachable, and so
// present, in the repository. The file is state that can be rebuilt: when it is missing, damaged, foreign or a
// link, git is asked, as before.

const MAGIC = 'relay-trail carried objects 2\n'
const FILE = 'carried-objects'
/** At most this many bytes of objects are carried: a write's trees and records take a few dozen kilobytes. */
export const CARRIED_BYTES = 1024 * 1024
/**
 * Of a folder's records, a write carries the newest this many (ObjectCache.reachableFrom): as many as `trail status`
 * reads of a trajectory's decisions (STATUS_EVENTS) and a few more. Every folder on the way is carried whole, another
 * agent's too: two agents writing in turn each find what the other carried.
 */
export const CARRIED_FILES_PER_FOLDER = 24

function carriedPath(commonDir: string): string {
  return join(commonDir, 'trail', FILE)
}

/**
 * The objects the last write carried, each with the id it was stored with (see above: not checked here); [] when
 * there are none that can be read (a link is never followed). What follows a damaged entry is dropped with it.
 */
export function loadCarriedObjects(commonDir: string, format: ObjectFormat): GitObject[] {
  let fd: number
  try {
    fd = openSync(carriedPath(commonDir), constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch {
    return []
  }
  let data: Buffer
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile() || stat.size > 2 * CARRIED_BYTES) return []
    data = readFileSync(fd)
  } catch {
    return []
  } finally {
    closeSync(fd)
  }
  if (data.toString('latin1', 0, MAGIC.length) !== MAGIC) return []
  const objects: GitObject[] = []
  const entry = new RegExp(`^(blob|tree|commit) (0|[1-9][0-9]{0,8}) ([0-9a-f]{${oidLength(format)}})$`)
  let at = MAGIC.length
  while (at < data.length) {
    const newline = data.indexOf(0x0a, at)
    const header = newline < 0 ? null : entry.exec(data.toString('latin1', at, newline))
    if (header === null) break
    const size = Number(header[2])
    const end = newline + 1 + size
    if (end + 1 > data.length || data[end] !== 0x0a) break
    const content = data.subarray(newline + 1, end)
    objects.push({oid: header[3]!, type: header[1] as ObjectType, data: content, size})
    at = end + 1
  }
  return objects
}

/**
 * What tells one carried file from the next (its inode, size and change time: each write renames a new file in),
 * or null when there is none; for a long-lived process, which reads another process's carried objects only when
 * they are new.
 */
export function carriedStamp(commonDir: string): string | null {
  try {
    const stat = lstatSync(carriedPath(commonDir), {bigint: true})
    return stat.isFile() ? `${stat.ino}:${stat.size}:${stat.ctimeNs}` : null
  } catch {
    return null
  }
}

/** Replaces the carried objects with `objects`: "<type> <size> <id>", a newline, the content, a newline, each. */
export function saveCarriedObjects(commonDir: string, objects: readonly GitObject[]): void {
  const parts: Buffer[] = [Buffer.from(MAGIC, 'latin1')]
  for (const object of objects)
    parts.push(Buffer.from(`${object.type} ${object.data.length} ${object.oid}\n`, 'latin1'), object.data, Buffer.from('\n', 'latin1'))
  try {
    // The old file removed, then the new one renamed in: a rename over a file makes ext4 write it out first
    // (../files.ts); a reader between the two finds nothing and asks git.
    writeFileAtomic(carriedPath(commonDir), Buffer.concat(parts), {mayVanish: true})
  } catch {
    // state that can be rebuilt: the next write asks git
  }
}
