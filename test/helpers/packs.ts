import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {packObjectCount} from '../../src/git/pack-rollup.js'
import {SMALL_PACK_LIMIT} from '../../src/git/repo.js'

// The object store's packs as the roll-up of small packs (src/git/pack-rollup.ts) leaves them.

/** The pack files (pack-*.pack) in an objects/pack folder. */
export function packFiles(packDir: string): string[] {
  return readdirSync(packDir).filter((name) => name.endsWith('.pack'))
}

/**
 * The most packs a settled store holds: the limit, one more, and a geometric progression of rolled-up packs (each
 * at least twice the objects of all smaller ones), which the objects in the packs bound.
 */
export function settledPackBound(packDir: string): number {
  const objects = packFiles(packDir).reduce((sum, name) => sum + (packObjectCount(join(packDir, name.replace(/\.pack$/, '.idx'))) ?? 0), 0)
  return SMALL_PACK_LIMIT + 1 + Math.ceil(Math.log2(objects + 1))
}
