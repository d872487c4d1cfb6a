import {onFirstUse} from '../lazy-module.js'
import type {ObjectFormat, ObjectType, Oid} from './objects.js'

// The hashes of a repository's objects and packs, for the writes made in this process (./warm-commit.ts,
// ./small-pack.ts, ./carried-objects.ts) and the mirror's checks (../store/mirror.ts). node:crypto is loaded on
// first use: a command that does not hash does not pay for it (6-12 ms here, with the stream modules its Hash
// class brings). Tried instead, and measured no faster for a record write: SHA-1 in JavaScript (it runs in the
// interpreter for the few kilobytes a write hashes, 2 MB/s: 5 ms for 10 KB) and SHA-1 as WebAssembly (the first
// module a process compiles costs 4-5 ms); 100 pairs of `trail decision` in turns, WebAssembly against
// node:crypto: 1.003x.

const crypto = onFirstUse<typeof import('node:crypto')>('node:crypto')

/**
 * The hash of `parts`, one after the other, in the repository's object format.
 *
 * @example hashBytes('sha1', [Buffer.from('abc')]).toString('hex')   // 'a9993e36...'
 */
export function hashBytes(format: ObjectFormat, parts: readonly Uint8Array[]): Buffer {
  const hash = crypto().createHash(format)
  for (const part of parts) hash.update(part)
  return hash.digest()
}

/** The id git gives an object of `type` with this content (`git hash-object -t <type>`). */
export function objectId(format: ObjectFormat, type: ObjectType, content: Uint8Array): Oid {
  return hashBytes(format, [Buffer.from(`${type} ${content.length}\0`, 'latin1'), content]).toString('hex')
}
