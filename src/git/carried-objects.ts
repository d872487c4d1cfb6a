import {closeSync, constants, fstatSync, openSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {writeFileAtomic} from '../files.js'
import {objectId} from './hash.js'
import type {GitObject} from './object-reader.js'
import type {ObjectFormat, ObjectType} from './objects.js'

// What one command's write leaves for the next command's (GitRepo.commitInProcess): the objects of the commit it
// made that it read or wrote on the way, the new tip's commit, the trees on the paths it changed and the records
// it read, in the repository's private state (<common dir>/trail/carried-objects). The next write of the same agent
// reads the same folders and records, so it finds them here and starts no `git cat-file`.
//
// Nothing in the file is trusted but its bytes: each object's id is the hash of its content, computed here as
// it is read, so a damaged or altered file can only lose objects, never answer with a wrong one. An object is
// only ever reached from the ref's tip, read from the ref's own file at each use (./object-cache.ts), so whatever
// the new commit names this way is reachable, and so present, in the repository. The file is state that can be
// rebuilt: when it is missing, damaged, foreign or a link, git is asked, as before.

const MAGIC = 'relay-trail carried objects 1\n'
const FILE = 'carried-objects'
/** At most this many bytes of objects are carried: a write's trees and records take a few dozen kilobytes. */
export const CARRIED_BYTES = 1024 * 1024

const TYPES: ReadonlySet<string> = new Set<ObjectType>(['blob', 'tree', 'commit'])

function carriedPath(commonDir: string): string {
  return join(commonDir, 'trail', FILE)
}

/**
 * The objects the last write carried, each with its id computed from its content; [] when there are none that
 * can be read (a link is never followed). What follows a damaged entry is dropped with it.
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
    if (!fstatSync(fd).isFile() || fstatSync(fd).size > 2 * CARRIED_BYTES) return []
    data = readFileSync(fd)
  } catch {
    return []
  } finally {
    closeSync(fd)
  }
  if (data.toString('latin1', 0, MAGIC.length) !== MAGIC) return []
  const objects: GitObject[] = []
  let at = MAGIC.length
  while (at < data.length) {
    const newline = data.indexOf(0x0a, at)
    const header = newline < 0 ? null : /^(blob|tree|commit) (0|[1-9][0-9]{0,8})$/.exec(data.toString('latin1', at, newline))
    if (header === null || !TYPES.has(header[1]!)) break
    const size = Number(header[2])
    const end = newline + 1 + size
    if (end + 1 > data.length || data[end] !== 0x0a) break
    const content = data.subarray(newline + 1, end)
    const type = header[1] as ObjectType
    const oid = objectId(format, type, content)
    objects.push({oid, type, data: content, size})
    at = end + 1
  }
  return objects
}

/** Replaces the carried objects with `objects` (their ids are not written: they are computed again when read). */
export function saveCarriedObjects(commonDir: string, objects: readonly GitObject[]): void {
  const parts: Buffer[] = [Buffer.from(MAGIC, 'latin1')]
  for (const object of objects) parts.push(Buffer.from(`${object.type} ${object.data.length}\n`, 'latin1'), object.data, Buffer.from('\n', 'latin1'))
  try {
    // The old file removed, then the new one renamed in: a rename over a file makes ext4 write it out first
    // (../files.ts); a reader between the two finds nothing and asks git.
    writeFileAtomic(carriedPath(commonDir), Buffer.concat(parts), {mayVanish: true})
  } catch {
    // state that can be rebuilt: the next write asks git
  }
}
