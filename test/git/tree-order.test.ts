import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {compareNames, type NameAt} from '../../src/git/objects.js'
import {useRepos} from '../helpers/repo.js'

// Git's order of the entries of a tree (tree.c, base_name_compare): by the bytes of the names, and where one name is
// the start of the other, the shorter goes on with "/" when it names a folder and with nothing when a file. The
// warm writer (src/git/warm-commit.ts) sorts and merges trees by compareNames: an entry out of that order makes a
// tree git calls corrupt.

const newRepo = useRepos()

/** base_name_compare, transcribed: memcmp of the common part, then the next byte, "/" for a folder's end. */
function gitOrder(a: NameAt, b: NameAt): number {
  const x = Buffer.from(a.bytes, 'latin1')
  const y = Buffer.from(b.bytes, 'latin1')
  const common = Math.min(x.length, y.length)
  const cmp = Buffer.compare(x.subarray(0, common), y.subarray(0, common))
  if (cmp !== 0) return cmp
  const c1 = common < x.length ? x[common]! : a.isTree ? 0x2f : 0
  const c2 = common < y.length ? y[common]! : b.isTree ? 0x2f : 0
  return Math.sign(c1 - c2)
}

/** Names that meet at their starts, with the bytes around "/" (".", "-", "0") and bytes above ASCII (UTF-8's). */
function randomName(random: () => number): string {
  const alphabet = ['a', 'b', '.', '-', '0', '_', '\x7f', '\xc3', '\xa9', ' ']
  const length = 1 + Math.floor(random() * 4)
  let name = ''
  for (let i = 0; i < length; i++) name += alphabet[Math.floor(random() * alphabet.length)]
  return name
}

/** A seeded generator (mulberry32): the same cases on every run. */
function seeded(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe("git's order of tree entries", () => {
  it('compareNames orders every pair as base_name_compare does, files and folders, prefixes and bytes above ASCII', () => {
    const random = seeded(15)
    for (let i = 0; i < 20_000; i++) {
      const a = {bytes: randomName(random), isTree: random() < 0.5}
      const b = random() < 0.3 ? {bytes: a.bytes + randomName(random), isTree: random() < 0.5} : {bytes: randomName(random), isTree: random() < 0.5}
      const [first, second] = random() < 0.5 ? [a, b] : [b, a]
      assert.equal(Math.sign(compareNames(first, second)), gitOrder(first, second), JSON.stringify([first, second]))
    }
    // The cases the rule is for: "a" the folder sorts after "a-b" and "a.b" ("/" is 0x2f), before "a0"; "a" the file before all.
    const order = (names: NameAt[]) => [...names].sort(compareNames).map((name) => `${name.bytes}${name.isTree ? '/' : ''}`)
    assert.deepEqual(
      order([
        {bytes: 'a0', isTree: false},
        {bytes: 'a', isTree: true},
        {bytes: 'a.b', isTree: false},
        {bytes: 'a-b', isTree: false},
      ]),
      ['a-b', 'a.b', 'a/', 'a0'],
    )
    assert.deepEqual(
      order([
        {bytes: 'a0', isTree: false},
        {bytes: 'a', isTree: false},
        {bytes: 'a-b', isTree: true},
      ]),
      ['a', 'a-b/', 'a0'],
    )
  })

  it('sorts a folder of names as git mktree does', () => {
    const repo = newRepo()
    const blob = repo.git(['hash-object', '-w', '--stdin'], {input: 'x\n'}).trim()
    const tree = repo.git(['mktree'], {input: ''}).trim()
    const random = seeded(7)
    const names = new Map<string, NameAt>()
    while (names.size < 300) {
      // Names git accepts in a tree: no "/", no NUL; ASCII here, as mktree reads its input as text.
      const bytes = randomName(random).replace(/[^\x20-\x7e]/g, 'z')
      if (bytes !== '.' && bytes !== '..' && !names.has(bytes)) names.set(bytes, {bytes, isTree: random() < 0.4})
    }
    const listing = [...names.values()].map((name) => (name.isTree ? `040000 tree ${tree}\t${name.bytes}` : `100644 blob ${blob}\t${name.bytes}`))
    const made = repo.git(['mktree'], {input: `${listing.join('\n')}\n`}).trim()
    const gitsOrder = repo
      .git(['ls-tree', '-z', '--name-only', made])
      .split('\0')
      .filter((name) => name !== '')
    assert.deepEqual(
      [...names.values()].sort(compareNames).map((name) => name.bytes),
      gitsOrder,
    )
  })
})
