import assert from 'node:assert/strict'
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {MirrorFiles} from '../../src/store/mirror-read.js'
import {useTempDirs} from '../helpers/repo.js'

// Listing a folder of the work-tree mirror as files (src/store/mirror-read.ts), for reads that spare a git process:
// every file below it, in git's order; nothing when there are more than the caller wants, or when something on the
// way is not a plain folder or file (the caller then asks git, and nothing is read through a link).

const tempDir = useTempDirs()

/** A work tree with `.relay/messages/<day>/<n>.md` files, `count` of them over three days. */
function workTree(count: number): string {
  const dir = tempDir('mirror-read')
  for (let n = 0; n < count; n++) {
    const day = join(dir, '.relay', 'messages', '2026', '12', `0${n % 3}`)
    mkdirSync(day, {recursive: true})
    writeFileSync(join(day, `m${n}.md`), `message ${n}\n`)
  }
  return dir
}

describe('MirrorFiles.listFiles', () => {
  it("lists every file below a folder, in git's order", () => {
    const dir = workTree(6)
    const listed = new MirrorFiles(dir).listFiles('.relay/messages', 10)
    const days = ['00', '01', '02']
    assert.deepEqual(
      listed,
      days.flatMap((day, index) => [index, index + 3].map((n) => `.relay/messages/2026/12/${day}/m${n}.md`)),
    )
  })

  it("sorts names as git sorts a tree's entries, by their bytes, also where JavaScript's order differs", () => {
    const dir = workTree(0)
    const folder = join(dir, '.relay', 'odd')
    mkdirSync(folder, {recursive: true})
    // U+FF21 is EF BC A1 in UTF-8, before U+1F600's F0 9F 98 80; as UTF-16 code units the emoji (D83D) comes first.
    const names = ['b.md', 'A.md', '\u{1F600}.md', '\uFF21.md', 'a.md', '\u00E9.md']
    for (const name of names) writeFileSync(join(folder, name), 'x\n')
    assert.deepEqual(new MirrorFiles(dir).list('.relay/odd'), ['A.md', 'a.md', 'b.md', '\u00E9.md', '\uFF21.md', '\u{1F600}.md'])
    assert.deepEqual(new MirrorFiles(dir).list('.relay'), ['odd'])
  })

  it('gives up past the limit', () => {
    const dir = workTree(6)
    assert.equal(new MirrorFiles(dir).listFiles('.relay/messages', 5), null)
    assert.equal(new MirrorFiles(dir).listFiles('.relay/messages', 6)?.length, 6)
  })

  it('gives up at a symbolic link, to a folder or to a file, and at a folder that is a link', () => {
    for (const plant of ['folder', 'file', 'top'] as const) {
      const dir = workTree(3)
      const target = tempDir('mirror-read-target')
      writeFileSync(join(target, 'planted.md'), 'planted\n')
      if (plant === 'folder') symlinkSync(target, join(dir, '.relay', 'messages', '2026', 'link'))
      else if (plant === 'file') symlinkSync(join(target, 'planted.md'), join(dir, '.relay', 'messages', '2026', '12', '00', 'link.md'))
      else {
        const other = workTree(2)
        symlinkSync(join(other, '.relay', 'messages'), join(dir, '.relay', 'linked'))
      }
      const files = new MirrorFiles(dir)
      assert.equal(files.listFiles(plant === 'top' ? '.relay/linked/2026' : '.relay/messages', 100), null, plant)
    }
  })

  it('lists nothing for a folder that is not there, and gives up when it is a file', () => {
    const dir = workTree(0)
    assert.deepEqual(new MirrorFiles(dir).listFiles('.relay/messages', 10), [])
    mkdirSync(join(dir, '.relay'))
    writeFileSync(join(dir, '.relay', 'messages'), 'not a folder\n')
    assert.equal(new MirrorFiles(dir).listFiles('.relay/messages', 10), null)
  })
})
