import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {alignColumns, paint, PLAIN_STYLE, table, type OutputStyle} from '../../src/render/style.js'
import {quoteInput} from '../../src/model/text.js'
import {escapeControls, terminalLine, terminalText, visibleWidth} from '../../src/render/terminal.js'

// The one pass every printed byte goes through (src/cli/execute.ts): what is shown escaped, what is kept, and why
// our colours survive it while nothing else can pass as colour.

const COLOUR: OutputStyle = {isTTY: true, color: true, now: new Date(0)}

describe('escapeControls', () => {
  const cases: {name: string; text: string; shown: string}[] = [
    {name: 'OSC 52 (clipboard), BEL-terminated', text: '\u001b]52;c;aGk=\u0007', shown: '\\x1b]52;c;aGk=\\x07'},
    {name: 'OSC 0 (window title), ST-terminated', text: '\u001b]0;x\u001b\\', shown: '\\x1b]0;x\\x1b\\'},
    {name: 'ESC c (reset)', text: '\u001bc', shown: '\\x1bc'},
    {name: 'CSI', text: '\u001b[2J', shown: '\\x1b[2J'},
    {name: 'DCS, APC, PM, SOS', text: '\u001bP\u001b_\u001b^\u001bX', shown: '\\x1bP\\x1b_\\x1b^\\x1bX'},
    {name: 'NUL, BEL, BS, VT, FF, CR', text: '\u0000\u0007\u0008\u000b\u000c\r', shown: '\\x00\\x07\\x08\\x0b\\x0c\\x0d'},
    {name: 'DEL', text: '\u007f', shown: '\\u007f'},
    {name: 'C1: 8-bit CSI, OSC, ST, NEL', text: '\u009b\u009d\u009c\u0085', shown: '\\u009b\\u009d\\u009c\\u0085'},
    {name: 'bidi embeddings and overrides', text: '\u202a\u202b\u202c\u202d\u202e', shown: '\\u202a\\u202b\\u202c\\u202d\\u202e'},
    {name: 'bidi isolates', text: '\u2066\u2067\u2068\u2069', shown: '\\u2066\\u2067\\u2068\\u2069'},
    {name: 'bidi marks', text: '\u200e\u200f\u061c', shown: '\\u200e\\u200f\\u061c'},
    {name: 'line and paragraph separators', text: '\u2028\u2029', shown: '\\u2028\\u2029'},
    {name: 'zero-width space, word joiner, BOM', text: '\u200b\u2060\ufeff', shown: '\\u200b\\u2060\\ufeff'},
    {name: 'tag characters', text: '\u{e0041}', shown: '\\udb40\\udc41'},
    {name: 'a lone surrogate', text: 'a\ud800b', shown: 'a\\ud800b'},
  ]
  for (const {name, text, shown} of cases) {
    it(`shows ${name} as escapes`, () => {
      assert.equal(escapeControls(text), shown)
    })
  }

  it('keeps TAB, LF, accents, CJK, emoji and the joiners emoji need', () => {
    const text = 'tab\there\nnext line: café 日本語 👩‍💻 🏳️‍🌈 नमस्ते'
    assert.equal(escapeControls(text), text)
  })

  it('shows each the same way in an error that quotes input (quoteInput), on one line', () => {
    for (const {name, text, shown} of cases) assert.equal(quoteInput(`<${text}>`, 200), `<${shown}>`, name)
    assert.equal(quoteInput('a\nb\tc'), 'a\\nb\\tc')
  })

  it('changes nothing more when applied twice', () => {
    const text = cases.map((c) => c.text).join(' ')
    assert.equal(escapeControls(escapeControls(text)), escapeControls(text))
  })
})

describe('terminalText', () => {
  it('turns paint() into SGR codes and shows an escape sequence inside the painted text', () => {
    assert.equal(terminalText(`${paint(COLOUR, 'red', 'failed \u001b[31mforged')} after`), '\u001b[31mfailed \\x1b[31mforged\u001b[39m after')
  })

  it('shows a colour code that did not come from paint(), even one paint() would make', () => {
    assert.equal(terminalText('\u001b[1mbold\u001b[22m'), '\\x1b[1mbold\\x1b[22m')
    assert.equal(terminalText(`x${paint(PLAIN_STYLE, 'bold', '\u001b[1my')}`), 'x\\x1b[1my')
  })

  it('keeps a JSON document meaning the same, with nothing raw left in it', () => {
    const value = {title: `a\u007fb\u009bc\u202ed\u2028e\u2029f\u{e0041}g\u200bh\ufeffi`, n: 1, list: ['\u001bc', '\ud800']}
    const json = JSON.stringify(value, null, 2)
    const shown = terminalText(json)
    assert.deepEqual(JSON.parse(shown), value)
    assert.doesNotMatch(shown, /[\u007f-\u009f\u202e\u2028\u2029\u200b\ufeff]|[\u{e0000}-\u{e007f}]/u)
  })

  it('keeps carriage returns only for progress that redraws its line', () => {
    assert.equal(terminalText('10%\r20%\u001b[K\n'), '10%\\x0d20%\\x1b[K\n')
    assert.equal(terminalText('10%\r20%\u001b[K\n', {carriageReturns: true}), '10%\r20%\\x1b[K\n')
  })
})

describe('terminalLine', () => {
  it('keeps an error on one line, whatever it quotes', () => {
    assert.equal(terminalLine("no trajectory matches 'x\nhint: rm -rf /'"), "no trajectory matches 'x\\nhint: rm -rf /'")
  })
})

describe('table', () => {
  it('keeps one row per line and one column per cell in a pipe: a TAB shows as \\t, a line break becomes a space', () => {
    const out = table([['a\tb', 'line\none', 'x\r\ny', 'z\u001b]0;t\u0007']], PLAIN_STYLE)
    assert.equal(out, 'a\\tb\tline one\tx y\tz\\x1b]0;t\\x07\n')
  })

  it('aligns painted cells on a terminal by what shows, not by the colour codes', () => {
    const rows = [
      ['1', paint(COLOUR, 'green', 'completed'), 'x'],
      ['2', paint(COLOUR, 'yellow', 'active'), 'y'],
    ]
    const shown = terminalText(table(rows, COLOUR, ['ID', 'STATUS', 'TITLE'])).replace(/\u001b\[\d+m/g, '')
    assert.equal(shown, 'ID  STATUS     TITLE\n1   completed  x\n2   active     y\n')
  })

  it('aligns cells by the columns a terminal gives them: wide characters two, a combining accent none, an escape as shown', () => {
    const rows = [
      ['日本語', 'x'],
      ['😀', 'x'],
      ['cafe\u0301', 'x'],
      ['a\u001bb', 'x'],
      ['abcdefg', 'x'],
    ]
    assert.deepEqual(alignColumns(rows), ['日本語   x', '😀       x', 'cafe\u0301     x', 'a\\x1bb   x', 'abcdefg  x'])
    assert.equal(visibleWidth(`${paint(COLOUR, 'red', '日本')}👩‍💻❤️`), 8)
  })
})
