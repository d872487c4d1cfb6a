import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {hashBytes, objectId} from '../../src/git/hash.js'
import {useRepos} from '../helpers/repo.js'

// The ids the writes made in process give their objects (src/git/hash.ts): a wrong byte in the header would write
// objects under ids git does not give them. Checked against git's own ids, in both object formats.

describe('hashBytes', () => {
  it('hashes the parts one after the other, wherever they are split', () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog, and then some more to pass a block.')
    for (const format of ['sha1', 'sha256'] as const) {
      const whole = hashBytes(format, [data]).toString('hex')
      for (let cut = 0; cut <= data.length; cut += 7) assert.equal(hashBytes(format, [data.subarray(0, cut), data.subarray(cut)]).toString('hex'), whole)
    }
    assert.equal(hashBytes('sha1', [Buffer.from('abc')]).toString('hex'), 'a9993e364706816aba3e25717850c26c9cd0d89d', 'FIPS 180 example')
  })
})

describe('objectId', () => {
  const repos = useRepos()
  it("gives git's id for a blob and a tree, in both formats", () => {
    for (const format of ['sha1', 'sha256'] as const) {
      const repo = repos({empty: true, init: [`--object-format=${format}`]})
      for (const content of ['', 'hello\n', 'é'.repeat(100)]) {
        repo.write('file', content)
        const git = repo.git(['hash-object', 'file']).trim()
        assert.equal(objectId(format, 'blob', Buffer.from(content, 'utf8')), git, `${format} of ${JSON.stringify(content.slice(0, 10))}`)
      }
      repo.git(['add', 'file'])
      const tree = repo.git(['write-tree']).trim()
      const raw = Buffer.concat([Buffer.from('100644 file\0', 'latin1'), Buffer.from(repo.git(['rev-parse', ':file']).trim(), 'hex')])
      assert.equal(objectId(format, 'tree', raw), tree, `${format} tree`)
    }
  })
})
