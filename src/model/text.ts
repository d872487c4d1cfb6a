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
 * User input quoted in an error message: escaped as a JSON string body (so a newline or an escape byte shows as
 * \n or \u001b), and cut, so a 1 MB argument does not become a 1 MB error.
 *
 * @example quoteInput('a\nb') // 'a\\nb'
 */
export function quoteInput(text: string, maxChars = 60): string {
  const visible = JSON.stringify(text).slice(1, -1)
  return visible.length > maxChars ? `${visible.slice(0, maxChars)}…` : visible
}
