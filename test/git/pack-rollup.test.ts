import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {packsToRollUp, type SmallPack} from '../../src/git/pack-rollup.js'

// Which small packs a roll-up takes (src/git/pack-rollup.ts): a geometric progression of packs stays, so an object
// is packed again a logarithmic number of times, and the number of packs stays bounded.

const LIMIT = 16
const packs = (counts: readonly number[], prefix = 'p'): SmallPack[] =>
  counts.map((objects, index) => ({name: `pack-${prefix}${String(index).padStart(3, '0')}.pack`, objects}))

describe('packsToRollUp', () => {
  it('takes nothing while there are no more than the limit of packs to roll up', () => {
    assert.deepEqual(packsToRollUp(packs(Array(LIMIT).fill(10)), LIMIT), [])
    assert.deepEqual(packsToRollUp([], LIMIT), [])
  })

  it('takes every pack of a write once they are past the limit', () => {
    const all = packs(Array(LIMIT + 1).fill(10))
    assert.deepEqual(packsToRollUp(all, LIMIT).sort(), all.map((pack) => pack.name).sort())
  })

  it('leaves a pack with at least twice the objects of those taken, and every larger one', () => {
    const small = packs(Array(LIMIT + 1).fill(10))
    const big = packs([2 * 10 * (LIMIT + 1), 10_000], 'big')
    assert.deepEqual(packsToRollUp([...big, ...small], LIMIT).sort(), small.map((pack) => pack.name).sort())
  })

  it('takes a pack with fewer than twice the objects taken, and goes on up the progression', () => {
    const small = packs(Array(LIMIT + 1).fill(10))
    const medium = packs([2 * 10 * (LIMIT + 1) - 1], 'mid')
    const next = packs([4 * 10 * (LIMIT + 1) - 2], 'next')
    const last = packs([1_000_000], 'last')
    const taken = packsToRollUp([...last, ...next, ...medium, ...small], LIMIT)
    assert.deepEqual(taken.sort(), [...small, ...medium, ...next].map((pack) => pack.name).sort())
  })

  it('over many writes, packs each object again a logarithmic number of times and keeps the packs bounded', () => {
    // A write leaves a pack of 10 objects; a roll-up merges what it takes into one pack at once.
    let store: SmallPack[] = []
    let made = 0
    let written = 0
    let repacked = 0
    let most = 0
    const writes = 5000
    for (let write = 0; write < writes; write++) {
      store.push({name: `pack-w${String(made++).padStart(6, '0')}.pack`, objects: 10})
      written += 10
      most = Math.max(most, store.length)
      const taken = new Set(packsToRollUp(store, LIMIT))
      if (taken.size === 0) continue
      const objects = store.filter((pack) => taken.has(pack.name)).reduce((sum, pack) => sum + pack.objects, 0)
      repacked += objects
      store = [...store.filter((pack) => !taken.has(pack.name)), {name: `pack-r${String(made++).padStart(6, '0')}.pack`, objects}]
    }
    const bound = LIMIT + 1 + Math.ceil(Math.log2(written))
    assert.ok(most <= bound, `at most ${bound} packs at once, saw ${most}`)
    // Rolling every small pack each time would re-pack the growing pack on every roll-up: quadratic.
    const perObject = repacked / written
    assert.ok(perObject <= Math.log2(written), `each object packed again ${perObject.toFixed(1)} times on average`)
    assert.equal(
      store.reduce((sum, pack) => sum + pack.objects, 0),
      written,
      'no object lost or counted twice',
    )
  })
})
