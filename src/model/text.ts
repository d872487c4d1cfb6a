// Short text for one line: a heading, a list item, a commit subject, a table cell, an error that quotes input.
// Every place that shows text on one line goes through these, so a title is cut the same way everywhere.

/**
 * One line of text: line breaks (and the blanks around them) become one space, the ends are trimmed.
 *
 * @example oneLine('Fix\n  the bug ') // 'Fix the bug'
 */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim()
}

/**
 * Whether a text shows nothing: it holds only white space, invisible characters (zero-width spaces and joiners, the
 * word joiner, byte-order marks, bidirectional controls, other format and control characters, every code point
 * Unicode says to ignore by default, the blank braille pattern) and combining marks with no letter to sit on. A
 * title, a text or a message made of these would show as nothing wherever it is shown, so it is empty. The one
 * test of "empty" for what users and agents give.
 *
 * @example isBlank('\u200b\u2060 \u0301') // true
 */
export function isBlank(text: string): boolean {
  // A visible ASCII character is none of those: most texts are answered without the expression below, whose
  // Unicode classes V8 takes a millisecond to compile on first use.
  if (/[!-~]/.test(text)) return false
  return /^[\s\p{Cc}\p{Cf}\p{Cs}\p{M}\p{Default_Ignorable_Code_Point}\u2800]*$/u.test(text)
}

/**
 * At most `maxChars` characters (code points, so an emoji is never cut in half), ending in "…" when cut.
 *
 * @example clip('Implement user authentication', 10) // 'Implement…'
 */
export function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text
  const chars = [...text]
  return chars.length > maxChars ? `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…` : text
}

/**
 * An inline code span (Markdown) holding `line` as it is: delimited by one backtick more than the longest run
 * inside, padded when it starts or ends with one. Inside one, Markdown makes no link, emphasis or HTML.
 *
 * @example inlineCode('a `b` c') // '``a `b` c``'
 */
export function inlineCode(line: string): string {
  const longest = Math.max(0, ...[...line.matchAll(/`+/g)].map((match) => match[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad = line.startsWith('`') || line.endsWith('`') || line === '' ? ' ' : ''
  return `${fence}${pad}${line}${pad}${fence}`
}

/**
 * Characters never printed as themselves: C0 controls but TAB and LF, DEL, C1 controls, the bidirectional marks,
 * embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), zero-width and
 * invisible format characters (U+180E, U+200B, U+2060-U+206F, U+FEFF, U+FFF9-U+FFFB), the line and paragraph
 * separators (U+2028, U+2029), the tag characters (U+E0000-U+E007F, invisible text for a model to read), and lone
 * surrogates. The zero-width joiner and non-joiner (U+200C, U+200D) are kept: emoji and several scripts need them.
 * A regular expression source, for the `u` flag (../render/terminal.ts says why these).
 */
export const UNSAFE_CHARACTER =
  '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u180e\\u200b\\u200e\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}]|[\\ud800-\\udfff]'

/**
 * One unsafe character as it is shown, everywhere text reaches a terminal (output, warnings, errors quoting input):
 * \x1b below U+0020; \uXXXX per UTF-16 unit above, which is valid inside JSON strings too.
 *
 * @example escapeCharacter('\u001b') // '\\x1b'
 */
export function escapeCharacter(char: string): string {
  const code = char.charCodeAt(0)
  if (code < 0x20) return `\\x${code.toString(16).padStart(2, '0')}`
  let out = ''
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`
  return out
}

const UNSAFE_IN_LINE = new RegExp(`${UNSAFE_CHARACTER}|[\\n\\t]`, 'gu')

/**
 * User input quoted in an error message, on one line: unsafe characters shown as escapeCharacter shows them (as
 * the rest of the output does), a line break as \n and a TAB as \t; cut after `maxChars` characters, so a 1 MB
 * argument does not become a 1 MB error.
 *
 * @example quoteInput('a\nb\u001b[2J') // 'a\\nb\\x1b[2J'
 */
export function quoteInput(text: string, maxChars = 60): string {
  const head = Array.from(text.slice(0, maxChars * 2))
    .slice(0, maxChars)
    .join('')
  const shown = head.replace(UNSAFE_IN_LINE, (char) => (char === '\n' ? '\\n' : char === '\t' ? '\\t' : escapeCharacter(char)))
  return head.length < text.length ? `${shown}…` : shown
}
