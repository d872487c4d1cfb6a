import {clip, inlineCode, oneLine} from '../model/text.js'

// Text written by agents (and by anyone who can push records: a fork, a sibling) going into GitHub-flavoured
// Markdown that GitHub renders in a pull request: every string is hostile. What each function guarantees, for
// whatever it is given:
// - no HTML: `<`, `>`, `&` and quotes become character references, so no tag opens or closes (`</details>`), no
//   comment opens or closes (`<!--`, `-->`), no entity is smuggled in;
// - no Markdown structure: every ASCII punctuation character that can start or end markup is backslash-escaped
//   (links, images, emphasis, code spans, tables, headings, lists, quotes, footnotes), and line breaks are the
//   caller's to place (inline text is one line);
// - no notification and no cross-reference: `@name` and `@org/team` get a word joiner (`&#8288;`) after the `@` (GitHub
//   then neither mentions nor links them), `#123`, `GH-123` and `owner/repo#123` too, so a record cannot ping
//   people or add a "mentioned this" event to other issues;
// - code spans and fenced blocks take a fence longer than any run of backticks inside them.

/**
 * Placed after `@` and `#` so GitHub sees no mention or reference; invisible on the page. Written as a character
 * reference (U+2060, the word joiner): the Markdown stays ASCII, and the terminal guard (render/terminal.ts), which
 * shows a raw invisible character as an escape, leaves it as it is.
 */
const JOINER = '\u2060'

/**
 * One line of record text for a Markdown context (a list item, a paragraph, a heading).
 *
 * @example markdownText('<b>@team</b> see #12') // '&#60;b&#62;@&#8288;team&#60;/b&#62; see \\#&#8288;12'
 */
export function markdownText(text: string, maxChars = Infinity): string {
  // Punctuation first, references second: `&#60;` must stay a character reference, not become `&\#60;`.
  return neutralise(clip(oneLine(withoutControls(text)), maxChars).replace(/[\\`*_[\]()!|~{}+\-.:=^$#]/g, (char) => `\\${char}`))
}

/**
 * Multi-line record text as Markdown paragraphs: each line escaped as markdownText does, hard line breaks kept, at
 * most `maxChars` characters in all (a cut says so).
 */
export function markdownParagraphs(text: string, maxChars = Infinity): string {
  const clipped = clip(withoutControls(text).replace(/\r\n?/g, '\n'), maxChars)
  return clipped
    .split(/\n{2,}/)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .map((line) => markdownText(line))
        .filter((line) => line !== '')
        .join('<br>\n'),
    )
    .filter((paragraph) => paragraph !== '')
    .join('\n\n')
}

/** Record text inside raw HTML we write (`<summary>...</summary>`): character references only, one line. */
export function htmlText(text: string, maxChars = Infinity): string {
  return neutralise(clip(oneLine(withoutControls(text)), maxChars))
}

/**
 * An inline code span holding `text` as it is (one line): delimited by one backtick more than the longest run
 * inside, padded when it starts or ends with one. Inside a code span GitHub renders no HTML, mention or link.
 */
export function codeSpan(text: string, maxChars = Infinity): string {
  return inlineCode(clip(oneLine(withoutControls(text)), maxChars))
}

/** A fenced code block holding `text` as it is: the fence is longer than any run of backticks in it. */
export function codeBlock(text: string, maxChars = Infinity): string {
  const body = clip(withoutControls(text).replace(/\r\n?/g, '\n'), maxChars).replace(/\n+$/, '')
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((match) => match[0].length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return `${fence}text\n${body}\n${fence}`
}

/** `&`, `<`, `>`, quotes (and the joiner) as character references; `@` and `#` references broken. */
function neutralise(text: string): string {
  // References before entities: the `#` of `&#60;` is not an issue number.
  return text
    .replace(/@(?=[\p{L}\p{N}_-])/gu, `@${JOINER}`)
    .replace(/#(?=\d)/g, `#${JOINER}`)
    .replace(/\b(GH)(\\?)-(?=\d)/gi, `$1$2-${JOINER}`)
    .replace(/[&<>"'\u2060]/g, (char) => `&#${char.charCodeAt(0)};`)
}

/** Control characters (but tabs and line breaks) dropped: they have no business on a web page. */
function withoutControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
}
