import {closeSync, mkdirSync, openSync, renameSync, writevSync} from 'node:fs'
import {join} from 'node:path'
import type {ObjectFormat, ObjectType, Oid} from './objects.js'
import {hashBytes} from './hash.js'
import {onFirstUse} from '../lazy-module.js'

// A commit's few objects written as one pack and its index (git's pack format version 2, index version 2:
// Documentation/gitformat-pack.txt), as `git fast-import` leaves one per write: two files instead of a file and a
// fan-out folder per object. On this project's machines creating a file costs about half a millisecond, so a
// decision's ten loose objects were most of a warm write's time. Each object is stored whole (no deltas), its data a
// zlib stream of stored blocks (./warm-commit.ts storedZlib): what git writes at compression level 0, and what
// `git repack` or the roll-up (./pack-rollup.ts) compresses later. Each file is written beside its place and
// renamed in, the pack before its index, as git does: git finds a pack by its index, so a reader sees all of the
// pack or none of it, and a crash leaves at most a temporary file that `git gc` removes.

export interface PackObject {
  oid: Oid
  type: Exclude<ObjectType, 'tag'>
  /** The object's content, without git's "<type> <size>\0" header. */
  content: Buffer
}

const TYPE_CODES = {commit: 1, tree: 2, blob: 3} as const

const zlib = onFirstUse<{crc32?: (data: Uint8Array, value?: number) => number}>('node:zlib')

/**
 * Writes `objects` as one pack in `<commonDir>/objects/pack/` and returns its name (`pack-<checksum>`).
 *
 * @example writeSmallPack('.git', 'sha1', [{oid, type: 'blob', content: Buffer.from('hi\n')}], storedZlib)
 */
export function writeSmallPack(commonDir: string, format: ObjectFormat, objects: readonly PackObject[], deflate: (data: Buffer) => Buffer): string {
  const unique = [...new Map(objects.map((object) => [object.oid, object])).values()]
  const parts: Buffer[] = [packHeader(unique.length)]
  const entries: {oid: Oid; offset: number; crc: number}[] = []
  let offset = parts[0]!.length
  for (const object of unique) {
    const header = entryHeader(TYPE_CODES[object.type], object.content.length)
    const data = deflate(object.content)
    entries.push({oid: object.oid, offset, crc: crc32(data, crc32(header))})
    parts.push(header, data)
    offset += header.length + data.length
  }
  const checksum = hashBytes(format, parts)
  parts.push(checksum)
  const index = packIndex(entries, checksum, (data) => hashBytes(format, [data]))
  const name = `pack-${checksum.toString('hex')}`
  const folder = join(commonDir, 'objects', 'pack')
  const place = (suffix: string, data: readonly Buffer[]) => {
    const temporary = join(folder, `tmp_${suffix}_${process.pid}_${Math.random().toString(36).slice(2)}`)
    let fd: number
    try {
      fd = openSync(temporary, 'wx', 0o444)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      mkdirSync(folder, {recursive: true})
      fd = openSync(temporary, 'wx', 0o444)
    }
    try {
      writeAll(fd, data)
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, join(folder, `${name}.${suffix}`))
  }
  place('pack', parts)
  place('idx', [index])
  return name
}

/** Writes every buffer, in order, however many calls the kernel takes. */
function writeAll(fd: number, buffers: readonly Buffer[]): void {
  let pending = buffers.filter((buffer) => buffer.length > 0)
  while (pending.length > 0) {
    let written = writevSync(fd, pending.slice(0, 1024))
    const rest: Buffer[] = []
    for (const buffer of pending) {
      if (written >= buffer.length) written -= buffer.length
      else {
        rest.push(written > 0 ? buffer.subarray(written) : buffer)
        written = 0
      }
    }
    pending = rest
  }
}

/** "PACK", version 2, the number of objects. */
function packHeader(count: number): Buffer {
  const header = Buffer.alloc(12)
  header.write('PACK', 0, 'latin1')
  header.writeUInt32BE(2, 4)
  header.writeUInt32BE(count, 8)
  return header
}

/** An entry's type and size: 3 bits of type and 4 of size, then 7 bits of size per byte, low bits first. */
function entryHeader(type: number, size: number): Buffer {
  const bytes = [(type << 4) | (size & 0x0f)]
  let rest = Math.floor(size / 16)
  while (rest > 0) {
    bytes[bytes.length - 1]! |= 0x80
    bytes.push(rest & 0x7f)
    rest = Math.floor(rest / 128)
  }
  return Buffer.from(bytes)
}

/** Index version 2: fan-out table, sorted names, CRC-32s, offsets, the pack's checksum, the index's own. */
function packIndex(entries: readonly {oid: Oid; offset: number; crc: number}[], packChecksum: Buffer, hash: (data: Buffer) => Buffer): Buffer {
  const sorted = [...entries].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0))
  const hashBytes = packChecksum.length
  const fanout = Buffer.alloc(256 * 4)
  for (let byte = 0, at = 0; byte < 256; byte++) {
    while (at < sorted.length && Number.parseInt(sorted[at]!.oid.slice(0, 2), 16) <= byte) at++
    fanout.writeUInt32BE(at, byte * 4)
  }
  const names = Buffer.concat(sorted.map((entry) => Buffer.from(entry.oid, 'hex')))
  const crcs = Buffer.alloc(sorted.length * 4)
  const offsets = Buffer.alloc(sorted.length * 4)
  sorted.forEach((entry, at) => {
    crcs.writeUInt32BE(entry.crc, at * 4)
    // Offsets of 2 GiB and more go to a table of their own: a commit's few objects never reach it.
    if (entry.offset >= 0x80000000) throw new Error('a small pack over 2 GiB')
    offsets.writeUInt32BE(entry.offset, at * 4)
  })
  const body = Buffer.concat([Buffer.from([0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]), fanout, names, crcs, offsets, packChecksum])
  if (names.length !== sorted.length * hashBytes) throw new Error('object names of the wrong length for this repository')
  return Buffer.concat([body, hash(body)])
}

let crcTable: Uint32Array | undefined

/**
 * CRC-32 (ISO-HDLC, zlib's) of `data`, continuing from `crc`, as a pack index records for each entry: node:zlib's
 * (Node 20.15 and later) costs a millisecond to load, less than the table below takes for a pack's first
 * kilobytes in a command that has not run it before (2-3 ms for 5-20 KB, measured).
 */
export function crc32(data: Uint8Array, crc = 0): number {
  const {crc32: native} = zlib()
  return native ? native(data, crc) : tableCrc32(data, crc)
}

/** crc32 computed here, for Node before 20.15 (no zlib.crc32). */
export function tableCrc32(data: Uint8Array, crc = 0): number {
  crcTable ??= Uint32Array.from({length: 256}, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const table = crcTable
  let value = ~crc >>> 0
  for (let i = 0; i < data.length; i++) value = table[(value ^ data[i]!) & 0xff]! ^ (value >>> 8)
  return ~value >>> 0
}
