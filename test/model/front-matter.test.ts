import assert from 'node:assert/strict'
import {FrontMatterError} from '../../src/errors.js'
import {describe, it} from 'node:test'
import {parse as parseWithYamlPackage} from 'yaml'
import {parseDocument, parseYaml, quote, renderDocument, renderYaml, type Value} from '../../src/model/front-matter.js'

// The canonical form must mean the same to any YAML reader: every case is parsed by our fast parser and by the
// `yaml` package, and both must give back exactly what was rendered.

function roundTrip(fields: Record<string, Value>): void {
  const text = renderYaml(fields)
  assert.deepEqual(parseYaml(text), fields, `fast parser, text:\n${text}`)
  assert.deepEqual(parseWithYamlPackage(text, {schema: 'core'}), fields, `yaml package, text:\n${text}`)
  // YAML 1.1 readers (PyYAML, js-yaml by default) read yes/no/on/off, sexagesimals and dates differently.
  assert.deepEqual(parseWithYamlPackage(text, {version: '1.1'}), fields, `yaml package as YAML 1.1, text:\n${text}`)
}

const TRICKY_STRINGS = [
  '',
  ' ',
  'plain words',
  'Chose JWT over sessions',
  'true',
  'False',
  'null',
  '~',
  'yes',
  'no',
  'on',
  'y',
  '123',
  '0.85',
  '1e3',
  '0x1f',
  '.inf',
  '-',
  '- item',
  '---',
  '...',
  'key: [',
  'key: value',
  'a: b',
  '#comment',
  'a #b',
  'ends with colon:',
  '"quoted"',
  "'single'",
  '[a, b]',
  '{a: 1}',
  '*anchor',
  '&ref',
  '!tag',
  '%directive',
  '@at',
  '`tick`',
  '|',
  '>',
  'two  spaces',
  'trailing ',
  ' leading',
  'line\nbreak',
  'crlf\r\nline',
  'tab\there',
  'nul\u0000byte',
  'bell\u0007',
  'escape \u001b[31mred\u001b[0m',
  'del\u007f',
  'nel\u0085',
  'c1\u0090',
  'line sep\u2028para\u2029',
  'bom\ufeff',
  'nonchar\uffff\ufffe',
  'lone \ud800 surrogate',
  'lone \udc00 low',
  'emoji 🎉 pair',
  'café au lait',
  '日本語のタイトル',
  'Ünïcödé words',
  '../../etc/passwd',
  'C:\\Windows\\path',
  'https://example.com/a?b=c#d',
  '2026-11-21T10:00:00.000Z',
  '2026-11-21',
  '1:20',
  '0755',
  'Yes',
  'NO',
  'x'.repeat(5000),
]

describe('front matter', () => {
  it('renders and parses every tricky string as itself, the same way the yaml package reads it', () => {
    for (const text of TRICKY_STRINGS) roundTrip({title: text})
  })

  it('keeps numbers, booleans, null, lists and nested values', () => {
    roundTrip({confidence: 0.85, count: 3, negative: -2, tiny: 1e-7, huge: 1e21, flag: true, disabled: false, none: null})
    roundTrip({challenges: ['one', 'two: three', '', 'line\nbreak'], empty: []})
    roundTrip({nested: {a: 1, 'b c': ['x', null, {deep: 'y'}]}, list: [{path: 'src/a.ts', lines: '10-50'}]})
  })

  it('keeps key order', () => {
    const text = renderYaml({zeta: 1, alpha: 2, mid: 'x'})
    assert.equal(text, 'zeta: 1\nalpha: 2\nmid: x\n')
  })

  it('writes plain words plainly and quotes the rest', () => {
    assert.equal(renderYaml({a: 'Chose JWT over sessions'}), 'a: Chose JWT over sessions\n')
    assert.equal(renderYaml({a: 'true'}), 'a: "true"\n')
    assert.equal(renderYaml({a: 'key: ['}), 'a: "key: ["\n')
    assert.equal(renderYaml({a: 'x\u001by'}), 'a: "x\\u001by"\n')
    assert.equal(renderYaml({a: undefined, b: 'kept'}), 'b: kept\n')
  })

  it('survives random strings (property test)', () => {
    const alphabet = [
      'a',
      'Z',
      '0',
      ' ',
      ':',
      '-',
      '#',
      '"',
      "'",
      '\\',
      '\n',
      '\r',
      '\t',
      '[',
      '{',
      ',',
      '|',
      '>',
      '\u0000',
      '\u001b',
      '\u0085',
      '\u2028',
      'é',
      '😀',
      '\ud800',
      '---',
      'true',
      '.',
    ]
    let seed = 42
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(random() * 12)
      const text = Array.from({length}, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
      roundTrip({title: text, list: [text, `${text}!`]})
    }
  })

  it('splits a document into fields and body, and renders one back', () => {
    const text = renderDocument({id: 'x', title: 'A title'}, '# A title\n\nBody.\n')
    assert.equal(text, '---\nid: x\ntitle: A title\n---\n\n# A title\n\nBody.\n')
    assert.deepEqual(parseDocument(text), {fields: {id: 'x', title: 'A title'}, body: '# A title\n\nBody.\n'})
    assert.deepEqual(parseDocument(text.replace(/\n/g, '\r\n')).fields, {id: 'x', title: 'A title'})
  })

  it('reads front matter a person edited by hand through the yaml package', () => {
    const text = "---\ntitle: 'single quoted'\nlist: [a, b]\nblock: |\n  line one\n  line two\n# a comment\n---\nbody\n"
    assert.deepEqual(parseDocument(text).fields, {title: 'single quoted', list: ['a', 'b'], block: 'line one\nline two\n'})
  })

  it('names the problem with malformed front matter', () => {
    assert.throws(() => parseDocument('no front matter'), FrontMatterError)
    assert.throws(() => parseDocument('---\ntitle: x\n'), /not closed/)
    assert.throws(() => parseDocument('---\ntitle: [unclosed\n---\n'), /invalid YAML/)
    assert.throws(() => parseDocument('---\n- a list\n---\n'), /not a mapping/)
  })

  it('quotes as JSON that YAML also reads', () => {
    assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"')
    assert.equal(quote('\u2028'), '"\\u2028"')
  })
})
