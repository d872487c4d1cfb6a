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

/** The length of `text` as shown: paint()'s markers take no room. */
export function visibleLength(text: string): number {
  return [...text.replace(MARKERS, '')].length
}
