import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ChunkDecoder} from '../../src/services/chunk-decoder.js'

// Bytes of agent output to text, chunk by chunk: the same text wherever the chunks are cut.

const SAMPLE = Buffer.concat([
  Buffer.from('\ufeffplain ASCII line\r\n->relay:Bob <<<\ncafé, 日本語, 😀 emoji\n>>>\n'),
  Buffer.from([0xe9, 0x0a, 0xf0, 0x9f, 0x0a, 0xc3]), // Latin-1 é, a cut 4-byte sequence, a lone lead byte at the end
])

function decodeIn(bytes: Buffer, cuts: number[], atStart = true): string {
  const decoder = new ChunkDecoder(atStart)
  let text = ''
  let from = 0
  for (const cut of [...cuts, bytes.length]) {
    text += decoder.decode(bytes.subarray(from, cut))
    from = cut
  }
  return text + decoder.end()
}

describe('the chunk decoder', () => {
  it('gives the text TextDecoder gives, cut at every byte, in two and three chunks', () => {
    const expected = new TextDecoder().decode(SAMPLE)
    for (let cut = 0; cut <= SAMPLE.length; cut++) {
      assert.equal(decodeIn(SAMPLE, [cut]), expected, `cut at ${cut}`)
      assert.equal(decodeIn(SAMPLE, [cut, Math.min(SAMPLE.length, cut + 1)]), expected, `cut at ${cut} and ${cut + 1}`)
    }
  })

  it('keeps every line end a line end, so line ends count bytes', () => {
    const text = decodeIn(SAMPLE, [5, 40, 41, 42])
    assert.equal(text.split('\n').length - 1, SAMPLE.filter((byte) => byte === 0x0a).length)
  })

  it('drops a byte order mark only at the start of the input', () => {
    assert.equal(decodeIn(Buffer.from('\ufeffx'), [1, 2]), 'x')
    assert.equal(decodeIn(Buffer.from('\ufeffx'), [], false), '\ufeffx')
  })
})
