import {isLinkable} from '../model/linkable.js'

// Free text an agent wrote in Markdown (a summary, a decision's reasoning) kept as Markdown, with every way it could
// make a link anywhere but the web or mail taken away. The text is anyone's (an agent, a fork, a sibling's store),
// and a `[click](javascript:...)` in it would be a link in whatever shows the document. Each rule errs on the side of
// text: where this cannot be sure a construct is harmless, its opening character is backslash-escaped, which
// Markdown shows as the character itself.
// - `](` and `]:` (an inline link or image, a link reference definition) stay only when the destination is an
//   http(s) or mailto URL as written, or a path or fragment on the same site (`/`, `./`, `../`, `#`); any other
//   destination, an encoded one (`jav&#97;script:`, `javascript\:`) included, loses the construct;
// - `<` before a letter, `/`, `!` or `?` (an autolink, or raw HTML: a tag, a comment, a declaration) is escaped, but
//   for an autolink to an http(s) or mailto URL;
// - code is left as it is: a code span on one line, and a fenced code block opened at the start of a line (a fence
//   whose info string holds a backtick is no fence), up to its closing fence. Code this does not recognise (an
//   indented block, a span over lines) is treated as text: escaped, never a way around the rules.

/** A fence that opens a code block at the start of a line: its run of backticks or tildes, and the info string. */
const OPENING_FENCE = /^(`{3,}|~{3,})(.*)$/
/** A line that closes a fenced block: up to three spaces, the run, blanks. */
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/
/** ASCII punctuation, which a backslash escapes. */
const PUNCTUATION = /[!-/:-@[-`{-~]/
const BACKTICKS = /`+/y
/** An autolink as CommonMark reads one: a scheme, a colon, no blank or angle bracket, `>`. */
const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/y
/** Before a destination: blanks, at most one line break, blanks. */
const BEFORE_DESTINATION = /[ \t]*(?:\r\n|\r|\n)?[ \t]*/y
/** A destination's start: in angle brackets (to `>`), or up to a blank or `)`. */
const DESTINATION = /<([^<>\r\n]*)>|[^\s)]*/y
/** A destination on the same site: a path or a fragment. */
const SAME_SITE = /^(#|\/|\.{1,2}\/)/

/**
 * `markdown` with no link or raw HTML it could make but links to http(s) and mailto URLs and to the same site; the
 * rest as written.
 *
 * @example inertLinks('[click](javascript:alert(1)) and [docs](https://example.com)')
 * // '[click]\\(javascript:alert(1)) and [docs](https://example.com)'
 */
export function inertLinks(markdown: string): string {
  const out: string[] = []
  let text: string[] = []
  let fence: {char: string; length: number} | null = null
  // Lines with their line breaks, which are kept as they are.
  for (const line of markdown.match(/[^\r\n]*(?:\r\n|\r|\n|$)/g) ?? []) {
    const content = line.replace(/[\r\n]+$/, '')
    if (fence) {
      out.push(line)
      const closing = CLOSING_FENCE.exec(content)
      if (closing && closing[1]![0] === fence.char && closing[1]!.length >= fence.length) fence = null
      continue
    }
    const opening = OPENING_FENCE.exec(content)
    if (opening && !(opening[1]![0] === '`' && opening[2]!.includes('`'))) {
      out.push(inertText(text.join('')), line)
      text = []
      fence = {char: opening[1]![0]!, length: opening[1]!.length}
      continue
    }
    text.push(line)
  }
  out.push(inertText(text.join('')))
  return out.join('')
}

/** Text outside fenced code blocks (see inertLinks). */
function inertText(text: string): string {
  let out = ''
  let at = 0
  while (at < text.length) {
    const char = text[at]!
    if (char === '\\' && PUNCTUATION.test(text[at + 1] ?? '')) {
      out += text.slice(at, at + 2)
      at += 2
    } else if (char === '`') {
      BACKTICKS.lastIndex = at
      const run = BACKTICKS.exec(text)![0]
      const end = closingRun(text, at + run.length, run.length)
      const next = end === -1 ? at + run.length : end + run.length
      out += text.slice(at, next)
      at = next
    } else if (char === '<' && /[A-Za-z/!?]/.test(text[at + 1] ?? '')) {
      AUTOLINK.lastIndex = at
      const autolink = AUTOLINK.exec(text)
      if (autolink && isLinkable(autolink[1]!)) {
        out += autolink[0]
        at += autolink[0].length
      } else {
        out += '\\<'
        at++
      }
    } else if (char === ']' && (text[at + 1] === '(' || text[at + 1] === ':')) {
      const {destination, angled} = destinationAt(text, at + 2)
      const safe = destination === '' || isLinkable(destination) || SAME_SITE.test(destination)
      // A safe destination in angle brackets is kept whole: its `<` is no HTML (its text holds no `<` or `>`).
      const next = safe && angled !== null ? angled : at + 2
      out += safe ? text.slice(at, next) : `]\\${text[at + 1]}`
      at = next
    } else {
      out += char
      at++
    }
  }
  return out
}

/** Where the run of exactly `length` backticks that closes a code span starts, on the same line; -1 for none. */
function closingRun(text: string, from: number, length: number): number {
  for (let at = from; at < text.length && text[at] !== '\n' && text[at] !== '\r'; ) {
    if (text[at] !== '`') {
      at++
      continue
    }
    BACKTICKS.lastIndex = at
    const run = BACKTICKS.exec(text)![0]
    if (run.length === length) return at
    at += run.length
  }
  return -1
}

/**
 * The destination that starts at `at` (after `](` or `]:`), without its angle brackets; `angled`: where one in angle
 * brackets ends, else null.
 */
function destinationAt(text: string, at: number): {destination: string; angled: number | null} {
  BEFORE_DESTINATION.lastIndex = at
  BEFORE_DESTINATION.exec(text)
  DESTINATION.lastIndex = BEFORE_DESTINATION.lastIndex
  const found = DESTINATION.exec(text)
  return {destination: found?.[1] ?? found?.[0] ?? '', angled: found?.[1] === undefined ? null : DESTINATION.lastIndex}
}
