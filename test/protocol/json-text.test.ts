import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {stringifyJson} from '../../src/protocol/json-text.js'

// JSON text of what agents print, at any depth: JSON.stringify overflows the stack a few thousand levels down.

const DEPTH = 100_000

describe('JSON text of agent-supplied values', () => {
  it('is the text JSON.stringify gives, for every kind of value JSON.parse returns', () => {
    const values: unknown[] = [
      null,
      true,
      0,
      -1.5e-7,
      'plain',
      'quotes " and \\ and \n and \u0000 and é😀',
      [],
      {},
      [1, 'two', null, [3, [4, {five: 5}]], {}],
      {a: 1, b: [true, false], 'key with "quotes"': {nested: {deeper: ['x']}}, '': ''},
      JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}'),
      {skipped: undefined, kept: 1, inArray: [undefined, () => 1]},
    ]
    for (const value of values) assert.equal(stringifyJson(value), JSON.stringify(value))
  })

  it(`writes arrays and objects nested ${DEPTH} levels deep`, () => {
    const arrays = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`
    assert.throws(() => JSON.stringify(JSON.parse(arrays)), RangeError, 'JSON.stringify itself cannot')
    assert.equal(stringifyJson(JSON.parse(arrays)), arrays)
    const objects = `${'{"a":'.repeat(DEPTH)}"leaf"${'}'.repeat(DEPTH)}`
    assert.equal(stringifyJson(JSON.parse(objects)), objects)
    const mixed = `${'{"a":[1,'.repeat(DEPTH / 2)}2${']}'.repeat(DEPTH / 2)}`
    assert.equal(stringifyJson(JSON.parse(mixed)), mixed)
  })
})
