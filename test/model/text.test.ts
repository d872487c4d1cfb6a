import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {isBlank} from '../../src/model/text.js'

// "Empty" means "shows nothing": a text of invisible characters is as empty as one of spaces.

describe('isBlank', () => {
  const cases: [string, string, boolean][] = [
    ['nothing', '', true],
    ['spaces, tabs and line breaks', ' \t\n\r\u00a0\u3000\u2028', true],
    ['zero-width space, non-joiner and joiner', '\u200b\u200c\u200d', true],
    ['word joiner and byte-order mark', '\u2060\ufeff', true],
    ['bidirectional controls', '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c', true],
    ['combining marks alone', '\u0301\u0308\u20dd', true],
    ['soft hyphen, Mongolian vowel separator, Hangul fillers', '\u00ad\u180e\u115f\u3164\uffa0', true],
    ['variation selectors and tags', '\ufe0f\u{e0001}\u{e0041}', true],
    ['control characters', '\u0000\u0007\u001b\u007f\u0085', true],
    ['the blank braille pattern', '\u2800', true],
    ['a letter among them', '\u200ba\u200b', false],
    ['a letter with its accent', 'e\u0301', false],
    ['a digit', '0', false],
    ['punctuation', '.', false],
    ['an emoji', '🎉', false],
    ['CJK', '日本', false],
  ]
  for (const [name, text, blank] of cases) {
    it(`${name}: ${blank ? 'blank' : 'not blank'}`, () => assert.equal(isBlank(text), blank))
  }
})
