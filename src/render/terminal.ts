// The way out to a terminal (or a pipe, or a file): every byte a command prints passes through terminalText() or
// terminalLine() in src/cli/execute.ts, which owns the process's output (a command's output and notes, what a
// streaming command prints, warnings, progress, errors). What is printed holds text from outside our code: records
// of this store and of siblings, agent output, outbox files, configured URLs and paths, input quoted in an error.
// Such text may carry escape sequences that reset the screen (ESC c), write the clipboard (OSC 52), retitle the
// window (OSC 0) or move the cursor (CSI); C1 controls that some terminals honour as 8-bit CSI and OSC; or
// bidirectional overrides and invisible characters that make a line read otherwise than it is ("Trojan Source",
// CVE-2021-42574). They are shown, never sent: a C0 control as \x1b, anything from U+007F up as \u202e. A person
// sees that something is there; a script or an agent reading the text cannot be steered by it.
//
// Our own colours survive because they are structure, not bytes. paint() (./style.ts) wraps text in markers that
// carry a token drawn when the process starts, and only terminalText() turns a marker into an SGR colour code,
// in the same pass that escapes every other control character. Foreign text cannot forge a marker: the token
// never leaves the process (every marker is turned into a colour code or escaped on the way out). So a renderer
// has nothing to remember: a raw title interpolated anywhere is still printed safely, and the only escape
// sequences that reach a terminal are the colours a renderer chose. What renderers still do themselves is keep
// one-line fields on one line (printableLine in ./style.ts), as only they know which fields those are.
//
// Which characters are unsafe, and how one is shown, is in ../model/text.ts (UNSAFE_CHARACTER, escapeCharacter):
// errors that quote input (quoteInput) show them the same way.

import {escapeCharacter, UNSAFE_CHARACTER} from '../model/text.js'

/**
 * Drawn once per process: 20 letters and digits (about 100 bits). Math.random is seeded from the system's entropy
 * in every process (as ids are: ../model/ids.ts); the token is never printed, so nothing outside can learn it.
 */
const TOKEN = Array.from({length: 20}, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 36)]).join('')
const MARKER = `\\u001b\\[${TOKEN};(\\d+)m`

/** A marker or an unsafe character; the marker's colour code is the capture. */
const SCAN = new RegExp(`${MARKER}|${UNSAFE_CHARACTER}`, 'gu')
const MARKERS = new RegExp(MARKER, 'g')

/**
 * The marker for SGR code `code` (./style.ts paint()): becomes `ESC [ code m` on the way out, and nothing else
 * can become one.
 */
export function colourMarker(code: number): string {
  return `\u001b[${TOKEN};${code}m`
}

/**
 * Shows unsafe characters as visible escapes; keeps TAB, LF and paint()'s markers. Applying it twice changes
 * nothing more.
 *
 * @example escapeControls('\u001b]52;c;aGk=\u0007 \u202eevil') // '\\x1b]52;c;aGk=\\x07 \\u202eevil'
 */
export function escapeControls(text: string): string {
  return text.replace(SCAN, (match, code: string | undefined) => (code === undefined ? escapeCharacter(match) : match))
}

/**
 * Text as it may reach a terminal: paint()'s markers become colour codes, every other unsafe character is shown
 * escaped. A JSON document keeps its meaning (the escapes it may gain are JSON escapes inside its strings).
 * `carriageReturns` keeps CR, for progress lines that redraw themselves.
 *
 * @example terminalText(`${paint(style, 'red', 'failed')} \u001bc`) // '\u001b[31mfailed\u001b[39m \\x1bc'
 */
export function terminalText(text: string, options: {carriageReturns?: boolean} = {}): string {
  return text.replace(SCAN, (match, code: string | undefined) => {
    if (code !== undefined) return `\u001b[${code}m`
    return match === '\r' && options.carriageReturns ? match : escapeCharacter(match)
  })
}

/**
 * One line (an error, a hint, a warning): escapeControls, and a line break is shown as \n, so what the line
 * quotes cannot start a line of its own ("error: ...\nhint: run this").
 */
export function terminalLine(text: string): string {
  return escapeControls(text.replace(/\n/g, '\\n'))
}

/**
 * How many columns of a terminal `text` takes: paint()'s markers take none; a wide character (CJK, Hangul, full-width
 * forms, an emoji shown as one) takes two; a combining mark or a joiner takes none, as part of the character it
 * follows. Text is measured as it is printed: escaped first (an escape like \x1b takes its four columns).
 *
 * @example visibleWidth(`${paint(style, 'red', 'ok')} 日本`) // 7
 */
export function visibleWidth(text: string): number {
  const shown = text.replace(MARKERS, '')
  if (/^[\x20-\x7e]*$/.test(shown)) return shown.length
  segmenter ??= new Intl.Segmenter(undefined, {granularity: 'grapheme'})
  let width = 0
  for (const {segment} of segmenter.segment(shown)) width += graphemeWidth(segment)
  return width
}

let segmenter: Intl.Segmenter | undefined

/**
 * Two columns: East Asian Wide and Fullwidth characters (Unicode's EastAsianWidth.txt, the ranges in use), and
 * emoji shown as pictures (Emoji_Presentation, or a pictograph followed by VS16), as terminals draw them (wcwidth).
 */
const WIDE =
  /^(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}.*\ufe0f|[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{1b000}-\u{1b2ff}\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}])/su
/** No column: a grapheme of combining marks and format characters only (a joiner, a mark with nothing before it). */
const ZERO = /^[\p{Mn}\p{Me}\p{Cf}]+$/u

function graphemeWidth(grapheme: string): number {
  if (WIDE.test(grapheme)) return 2
  return ZERO.test(grapheme) ? 0 : 1
}
