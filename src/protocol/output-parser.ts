// The agent-output protocol (docs/spec/relay-protocol-output-blocks.md): one streaming parser for everything an
// agent prints. Fed chunks of any size, it emits events in order; the same input gives the same events whether it
// arrives whole, line by line or one character at a time. Patterns count only at the start of a line, after
// spaces and the decorations agents print before them (see `decorationEnd`), outside Markdown code fences; ANSI
// escapes are stripped first. Anything malformed becomes a `raw` event with a warning and its line number: never
// an exception, never dropped.
//
// Linear: every character is looked at a bounded number of times. A line is searched for its end once (in the
// chunk that holds it), a line that cannot open a pattern is not even copied, and nothing already consumed is
// scanned again.
//
// Pure: no I/O, no clock. Bytes are decoded by the caller (TextDecoder with {stream: true}).

export type ContinuityEvent =
  | {kind: 'continuity'; action: 'save'; handoff: boolean; content: string; line: number}
  | {kind: 'continuity'; action: 'load'; line: number}
  | {kind: 'continuity'; action: 'search'; query: string; line: number}
  | {kind: 'continuity'; action: 'uncertain'; text: string; line: number}

export type OutputEvent =
  /** `[[SUMMARY]]{json}[[/SUMMARY]]`; `data` is null (and `warning` says why) when the JSON is not an object. */
  | {kind: 'summary'; data: Record<string, unknown> | null; raw: string; line: number; warning?: string}
  /** `[[SESSION_END]]{json or text}[[/SESSION_END]]`: a JSON object, or plain text as `{summary: text}`. */
  | {kind: 'session-end'; data: Record<string, unknown>; raw: string; line: number}
  | ContinuityEvent
  /** `->relay:<target> [thread:<id>] <<<body>>>`, or `->relay:<target> <text>` and the lines after it up to a blank line. */
  | {kind: 'relay'; target: string; thread: string | null; body: string; line: number}
  /** `->relay-file:<name>`: the agent wrote an outbox file and asks for it to be carried out. */
  | {kind: 'relay-file'; name: string; line: number}
  /** Something that looked like a pattern but could not be read, kept as text. */
  | {kind: 'raw'; text: string; line: number; warning: string}

/** The largest block kept whole; beyond it the block is cut and kept as raw text with a warning. */
export const MAX_BLOCK_CHARS = 1024 * 1024
/** A line longer than this cannot open a pattern: it is passed over without being copied. */
const MAX_PATTERN_LINE_CHARS = 64 * 1024
/** What is kept of the end of a line cut at the block cap: enough for any terminator. */
const TAIL_CHARS = 64

interface BlockText {
  line: number
  parts: string[]
  size: number
  cut: boolean
}

type OpenBlock = BlockText &
  (
    | {type: 'summary' | 'session-end'; close: string}
    | {type: 'save'; handoff: boolean}
    | {type: 'relay'; target: string; thread: string | null}
    /** `->relay:<target> <text>`: the lines after it, up to a blank line, belong to the message. */
    | {type: 'relay-line'; target: string; thread: string | null}
    /** A block that cannot be carried out (a bad target or thread tag, a quoted pattern): kept whole, as printed. */
    | {type: 'raw'; close: string; warning: string}
  )

const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g
const FENCE = /^ {0,3}(`{3,}|~{3,})/
const TARGET = /^(?:[A-Za-z0-9*][A-Za-z0-9._*-]*)(?::[A-Za-z0-9*][A-Za-z0-9._*-]*)?$/
const OUTBOX_NAME = /^[A-Za-z0-9_-]+$/
const OPENERS = ['[[SUMMARY]]', '[[SESSION_END]]', '->continuity:', '->relay-file:', '->relay:']

/**
 * The marks agents' front ends print before a line of the agent's own text, read as decoration: Gemini CLI's
 * "✦", Claude Code's "⏺" and "●", and the bullets, arrows and ticks others use.
 */
const AGENT_MARKS = new Set([...'✦✧●⏺•◆◇▶►▸▹⏵→➜➤★☆✓✔✱✳○◉∙·⎿'].map((char) => char.codePointAt(0)!))

/**
 * @example
 * const parser = new OutputParser()
 * const events = [...parser.push('->continuity:load\n'), ...parser.end()]
 * // [{kind: 'continuity', action: 'load', line: 1}]
 */
export class OutputParser {
  /** The start of a line not finished yet: its parts (joined only when the line ends), their length. */
  private partial: string[] = []
  private partialLength = 0
  /** The unfinished line is too long to open a pattern: its rest is passed over, not kept. */
  private overlong = false
  /** The unfinished line was found to open a pattern while still unfinished (it is kept, up to the cap). */
  private longPattern = false
  /** The unfinished line opens a pattern and was cut at the block cap: its rest is passed over... */
  private cutLine = false
  /** ...but for its last characters, where a terminator may be. */
  private cutTail = ''
  /** The length of the unfinished line passed over (`overlong`), for a fence's size. */
  private skippedLength = 0
  private lineNumber = 0
  private block: OpenBlock | undefined
  private fence: {marker: string; line: number; size: number} | undefined
  private settled = 0
  private settledLines = 0
  private fed = 0

  /** Feeds a chunk; returns the events of every line it completes. */
  push(chunk: string): OutputEvent[] {
    const events: OutputEvent[] = []
    let start = 0
    // Only the new text is searched for line ends: a line that never ends (a spinner redrawn with "\r") costs
    // its length once, not once per chunk.
    for (;;) {
      const newline = chunk.indexOf('\n', start)
      if (newline < 0) break
      const lineStart = this.fed + start - this.partialLength
      if (this.partialLength === 0 && !this.overlong) this.line(chunk, start, newline, lineStart, events)
      else {
        const rest = this.cutLine
          ? (this.cutTail + chunk.slice(Math.max(start, newline - TAIL_CHARS), newline)).slice(-TAIL_CHARS)
          : chunk.slice(start, newline)
        const text = this.overlong ? '' : this.partial.join('') + rest
        this.partial = []
        this.partialLength = 0
        if (!this.overlong) this.line(text, 0, text.length, lineStart, events)
        else this.passOver(this.skippedLength + newline - start, events)
        this.resetLine()
      }
      start = newline + 1
      if (!this.block && !this.fence) {
        this.settled = this.fed + start
        this.settledLines = this.lineNumber
      }
    }
    this.keepPartial(chunk.slice(start))
    this.fed += chunk.length
    return events
  }

  /** Ends the input: a last line without a newline is read, and an unclosed block becomes raw text. */
  end(): OutputEvent[] {
    const events: OutputEvent[] = []
    if (this.partialLength > 0 && !this.overlong) {
      const last = this.partial.join('')
      this.line(last, 0, last.length, this.fed - last.length, events)
    }
    this.partial = []
    this.partialLength = 0
    this.resetLine()
    if (this.block?.type === 'relay-line') this.finishOpenBlock(events)
    else if (this.block) events.push(this.abandonBlock('by the end of the output', this.fed, this.lineNumber))
    this.fence = undefined
    this.settled = this.fed
    this.settledLines = this.lineNumber
    return events
  }

  /**
   * Says the input pauses here: a file read to its current end. A one-line message whose line has ended, still
   * waiting for more lines, ends here (the agent stopped printing). Nothing else changes: an open block waits.
   */
  pause(): OutputEvent[] {
    if (this.block?.type !== 'relay-line' || this.partialLength > 0 || this.overlong) return []
    const events: OutputEvent[] = []
    this.finishOpenBlock(events)
    this.settled = this.fed
    this.settledLines = this.lineNumber
    return events
  }

  /**
   * How much of the input (in UTF-16 code units, from the first chunk) is fully handled: the end of the last line
   * read outside any open block and code fence. A reader that stops and resumes later from here (a log file, a
   * transcript) sees each block once, and a block cut in half by the stop whole the next time.
   */
  get settledLength(): number {
    return this.settled
  }

  /**
   * The same point as `settledLength`, counted in line ends: how many "\n" lie before it. A reader of bytes maps
   * it to a byte offset by counting 0x0A bytes, which stays right whatever the encoding errors (a "\n" is one byte
   * and one code unit, and never part of a UTF-8 sequence).
   */
  get settledLineEnds(): number {
    return this.settledLines
  }

  /** How many line ends have been read so far. */
  get lineEndsRead(): number {
    return this.lineNumber
  }

  /**
   * Keeps the start of an unfinished line. One that grows past MAX_PATTERN_LINE_CHARS outside a block is kept
   * only if it opens a pattern (whose block the cap then cuts); otherwise the rest of it is passed over.
   */
  private keepPartial(text: string): void {
    if (text === '') return
    if (this.overlong) {
      this.skippedLength += text.length
      return
    }
    if (this.cutLine) {
      this.cutTail = (this.cutTail + text.slice(-TAIL_CHARS)).slice(-TAIL_CHARS)
      return
    }
    this.partial.push(text)
    this.partialLength += text.length
    if (this.partialLength <= MAX_PATTERN_LINE_CHARS) return
    // Decided once per line: its first characters do not change as it grows. Inside a fence a long line can
    // only be counted; inside a block it is the block's text.
    if (!this.block && !this.longPattern) {
      if (this.fence || !opensPattern(this.head(256).replace(ANSI, ''))) {
        this.skippedLength = this.partialLength
        this.partial = []
        this.partialLength = 0
        this.overlong = true
        return
      }
      this.longPattern = true
    }
    // Kept up to the block cap (and a little), where the block is cut anyway; of the rest, only the last
    // characters, where the block's terminator may be.
    if (this.partialLength > MAX_BLOCK_CHARS + MAX_PATTERN_LINE_CHARS) {
      const joined = this.partial.join('')
      this.partial = [joined.slice(0, MAX_BLOCK_CHARS + MAX_PATTERN_LINE_CHARS)]
      this.partialLength = this.partial[0]!.length
      this.cutTail = joined.slice(this.partialLength).slice(-TAIL_CHARS)
      this.cutLine = true
    }
  }

  private resetLine(): void {
    this.overlong = false
    this.longPattern = false
    this.cutLine = false
    this.cutTail = ''
    this.skippedLength = 0
  }

  /** The first `chars` characters of the unfinished line, without joining all of it. */
  private head(chars: number): string {
    let text = ''
    for (const part of this.partial) {
      text += part.slice(0, chars - text.length)
      if (text.length >= chars) break
    }
    return text
  }

  /** A line passed over unread (too long to open anything): counted, and it ends a one-line message. */
  private passOver(chars: number, events: OutputEvent[]): void {
    this.lineNumber++
    if (this.block?.type === 'relay-line') this.finishOpenBlock(events)
    this.growFence(chars, events)
  }

  private line(text: string, start: number, end: number, lineStart: number, events: OutputEvent[]): void {
    this.lineNumber++
    // Fast path for plain output: a line that cannot open, close or continue anything is not even copied.
    if (!this.block && !mayOpen(text, start, end)) {
      this.growFence(end - start, events)
      return
    }
    // A copy, not a view: V8 makes a slice of a string a view that keeps the whole string alive, and an event
    // kept until its commit would keep the 64 KiB chunk it came from (measured: 32 MB held, and most of the time
    // spent collecting garbage, on output with an event every 200 KB).
    let line = detach(text.slice(start, end))
    if (line.endsWith('\r')) line = line.slice(0, -1)
    if (line.includes('\u001b')) line = line.replace(ANSI, '')
    if (this.block) {
      if (this.block.type === 'relay-line') {
        // A one-line message goes on to the first blank line, fence or pattern; its text is the message.
        if (line.trim() !== '' && !FENCE.test(line) && !opensPattern(line)) return this.append(this.block, line)
        this.finishOpenBlock(events)
        this.settled = lineStart
        this.settledLines = this.lineNumber - 1
        if (line.trim() === '') return
      } else if (opensPattern(line)) {
        // A forgotten terminator must not swallow the rest of the session: a line that opens a new pattern ends
        // the open block, which is kept as raw text (and the input is settled up to this line, so a reader that
        // resumes here does not keep it twice).
        events.push(this.abandonBlock(`before the next pattern on line ${this.lineNumber}`, lineStart, this.lineNumber - 1))
      } else {
        this.continueBlock(line, events)
        return
      }
    }
    const fence = FENCE.exec(line)?.[1]
    if (fence) {
      if (!this.fence) this.fence = {marker: fence, line: this.lineNumber, size: 0}
      else if (fence[0] === this.fence.marker[0] && fence.length >= this.fence.marker.length && line.trim() === fence) this.fence = undefined
      return
    }
    if (this.fence) {
      this.growFence(line.length, events)
      return
    }
    const decoration = decorationEnd(line, 0, line.length)
    if (decoration === null) return
    const rest = line.slice(decoration.end)
    if (!OPENERS.some((opener) => rest.startsWith(opener))) return
    if (decoration.quoted) return this.quoted(line, rest, events)
    this.openPattern(rest, line, events)
  }

  /**
   * Counts a line inside a code fence. A fence left open for more than MAX_BLOCK_CHARS is taken as unclosed: the
   * patterns after it are read again, and a warning says so.
   */
  private growFence(chars: number, events: OutputEvent[]): void {
    if (!this.fence) return
    this.fence.size += chars + 1
    if (this.fence.size <= MAX_BLOCK_CHARS) return
    const opened = this.fence.line
    this.fence = undefined
    events.push({
      kind: 'raw',
      text: '',
      line: opened,
      warning: `the code fence opened on line ${opened} is not closed within ${MAX_BLOCK_CHARS} characters; patterns after it are read again`,
    })
  }

  /**
   * The open block as raw text, because it was not closed `where`; the input is settled up to `settledAt` (after
   * `lineEnds` line ends).
   */
  private abandonBlock(where: string, settledAt: number, lineEnds: number): OutputEvent {
    const block = this.block!
    this.block = undefined
    this.settled = settledAt
    this.settledLines = lineEnds
    const closer = block.type === 'summary' || block.type === 'session-end' || block.type === 'raw' ? block.close : '>>>'
    const why = block.type === 'raw' ? `${block.warning}; ` : ''
    return {
      kind: 'raw',
      text: block.parts.join('\n'),
      line: block.line,
      warning: `${why}the block opened on line ${block.line} is not closed (${closer}) ${where}`,
    }
  }

  private finishOpenBlock(events: OutputEvent[]): void {
    const block = this.block!
    this.block = undefined
    events.push(finishBlock(block))
  }

  /**
   * A pattern behind a quote mark ("> ->relay:Bob ..."): the agent is quoting it, not asking for it. Kept as raw
   * text with a warning, with its whole block when it opens one.
   */
  private quoted(line: string, rest: string, events: OutputEvent[]): void {
    const warning = `a pattern in a quote (">") on line ${this.lineNumber} is not carried out`
    const close = rest.startsWith('[[SUMMARY]]')
      ? '[[/SUMMARY]]'
      : rest.startsWith('[[SESSION_END]]')
        ? '[[/SESSION_END]]'
        : rest.includes('<<<')
          ? '>>>'
          : null
    if (close === null) return void events.push({kind: 'raw', text: line, line: this.lineNumber, warning})
    this.openRaw(line, close, warning, events)
  }

  /** Opens a block kept whole as raw text (it is closed by `close`), or keeps the line alone when it closes it. */
  private openRaw(line: string, close: string, warning: string, events: OutputEvent[]): void {
    this.block = {type: 'raw', close, warning, line: this.lineNumber, parts: [], size: 0, cut: false}
    this.continueBlock(line, events, false, true)
  }

  private openPattern(line: string, printed: string, events: OutputEvent[]): void {
    const at = this.lineNumber
    if (line.startsWith('[[SUMMARY]]')) return this.openTagged('summary', '[[/SUMMARY]]', line.slice(11), events)
    if (line.startsWith('[[SESSION_END]]')) return this.openTagged('session-end', '[[/SESSION_END]]', line.slice(15), events)
    if (line.startsWith('->continuity:')) return this.continuity(line.slice(13).trimEnd(), printed, events)
    if (line.startsWith('->relay-file:')) {
      const name = line.slice(13).trim()
      if (OUTBOX_NAME.test(name)) events.push({kind: 'relay-file', name, line: at})
      else events.push({kind: 'raw', text: line, line: at, warning: `invalid outbox file name '${name.slice(0, 80)}': names are letters, digits, "_" and "-"`})
      return
    }
    if (line.startsWith('->relay:')) return this.relay(line.slice(8), printed, events)
  }

  private openTagged(type: 'summary' | 'session-end', close: string, rest: string, events: OutputEvent[]): void {
    this.block = {type, close, line: this.lineNumber, parts: [], size: 0, cut: false}
    this.continueBlock(rest, events, true)
  }

  /** Opens a block whose first line is `title` (the words an agent wrote between the opener and `<<<`), if any. */
  private openBody(block: OpenBlock, title: string, after: string, events: OutputEvent[]): void {
    this.block = block
    if (title !== '') this.append(block, title)
    this.continueBlock(after, events, true)
  }

  private continuity(rest: string, printed: string, events: OutputEvent[]): void {
    const at = this.lineNumber
    const save = /^save(?=\s|<<<)(.*?)<<<(.*)$/.exec(rest)
    if (save) {
      // Words before <<< other than --handoff ("->continuity:save progress <<<") are the first line of the content.
      const words = save[1]!.trim().split(/\s+/).filter(Boolean)
      const handoff = words.includes('--handoff')
      const title = words.filter((word) => word !== '--handoff').join(' ')
      this.openBody({type: 'save', handoff, line: at, parts: [], size: 0, cut: false}, title, save[2]!, events)
      return
    }
    if (rest === 'load') return void events.push({kind: 'continuity', action: 'load', line: at})
    const argument = /^(search|uncertain)\s+(.+)$/.exec(rest)
    if (argument) {
      const value = unquote(argument[2]!.trim())
      if (argument[1] === 'search') events.push({kind: 'continuity', action: 'search', query: value, line: at})
      else events.push({kind: 'continuity', action: 'uncertain', text: value, line: at})
      return
    }
    const hint = /^save/.test(rest) ? 'a save needs its content after <<< and an end with >>>' : 'the actions are save, load, search and uncertain'
    const warning = `cannot read '->continuity:${rest.slice(0, 60)}': ${hint}`
    if (rest.includes('<<<')) return this.openRaw(printed, '>>>', warning, events)
    events.push({kind: 'raw', text: `->continuity:${rest}`, line: at, warning})
  }

  private relay(rest: string, printed: string, events: OutputEvent[]): void {
    const at = this.lineNumber
    const header = readRelayHeader(rest)
    if (typeof header === 'string') {
      if (rest.includes('<<<')) return this.openRaw(printed, '>>>', header, events)
      return void events.push({kind: 'raw', text: `->relay:${rest}`, line: at, warning: header})
    }
    const {target, thread, text} = header
    const open = text.indexOf('<<<')
    if (open >= 0) {
      this.openBody({type: 'relay', target, thread, line: at, parts: [], size: 0, cut: false}, text.slice(0, open).trim(), text.slice(open + 3), events)
      return
    }
    const body = text.trim()
    if (body === '') {
      events.push({kind: 'raw', text: `->relay:${rest}`, line: at, warning: `the message to ${target} has no text: use ->relay:${target} <<<message>>>`})
      return
    }
    this.block = {type: 'relay-line', target, thread, line: at, parts: [], size: 0, cut: false}
    this.append(this.block, body)
  }

  /**
   * Adds a line to the open block, closing it when the line holds its terminator. `whole` keeps the terminator
   * (a raw block keeps the text as printed).
   */
  private continueBlock(line: string, events: OutputEvent[], first = false, whole = false): void {
    const block = this.block!
    let content = line
    let closed = false
    if (block.type === 'summary' || block.type === 'session-end') {
      const close = line.indexOf(block.close)
      if (close >= 0) {
        content = line.slice(0, close)
        closed = true
      }
    } else if (block.type === 'raw' && block.close !== '>>>') {
      closed = line.includes(block.close)
    } else {
      // ">>>" ends a block only at the end of a line; inside a line it is text ("a >>> b").
      const trimmed = line.trimEnd()
      if (trimmed.endsWith('>>>')) {
        if (!whole && block.type !== 'raw') content = trimmed.slice(0, -3)
        closed = true
      }
    }
    if (!(first && content === '' && !closed)) this.append(block, content)
    if (closed) this.finishOpenBlock(events)
  }

  private append(block: OpenBlock, content: string): void {
    if (block.cut) return
    if (block.size + content.length > MAX_BLOCK_CHARS) {
      block.parts.push(content.slice(0, Math.max(0, MAX_BLOCK_CHARS - block.size)))
      block.cut = true
      block.size = MAX_BLOCK_CHARS
      return
    }
    block.parts.push(content)
    block.size += content.length + 1
  }
}

/**
 * Where the text after a line's decoration starts, and whether the decoration quotes it; null when the line has
 * none of the shapes below. Read as decoration, before a pattern at the start of a line:
 * - spaces and tabs;
 * - one mark of an agent's front end (AGENT_MARKS: "✦ ", "⏺ ", "● ", "• ", ...);
 * - one Markdown list marker: "- ", "* ", "+ ", "1. ", "1) ";
 * - quote marks "> " (the pattern is then kept as raw text with a warning: a quote is not a request).
 * Each mark must be followed by a space or a tab. Anything else before a pattern ("I will now ->continuity:load")
 * makes it text.
 */
export function decorationEnd(text: string, start: number, end: number): {end: number; quoted: boolean} | null {
  let at = skipBlanks(text, start, end)
  let quoted = false
  let mark = false
  let list = false
  for (let round = 0; round < 4 && at < end; round++) {
    const code = text.codePointAt(at)!
    let next = at
    if (code === 62 /* > */) {
      quoted = true
      next = at + 1
      while (text.charCodeAt(next) === 62) next++ // ">> " nested quotes
    } else if (!list && (code === 45 || code === 42 || code === 43) /* - * + */) {
      list = true
      next = at + 1
    } else if (!list && code >= 48 && code <= 57 /* 0-9 */) {
      let digits = at
      while (digits < end && digits - at < 9 && text.charCodeAt(digits) >= 48 && text.charCodeAt(digits) <= 57) digits++
      const after = text.charCodeAt(digits)
      if (after !== 46 && after !== 41 /* . ) */) break
      list = true
      next = digits + 1
    } else if (!mark && !list && AGENT_MARKS.has(code)) {
      mark = true
      next = at + (code > 0xffff ? 2 : 1)
    } else break
    const blank = text.charCodeAt(next)
    // Every mark needs a space after it: "✦->relay:" and "-->relay:" are text.
    if (blank !== 32 && blank !== 9) break
    at = skipBlanks(text, next, end)
  }
  return at < end ? {end: at, quoted} : null
}

function skipBlanks(text: string, at: number, end: number): number {
  while (at < end && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9)) at++
  return at
}

/**
 * Whether a line may open a pattern or a fence: the cheap test that lets plain output through without a copy.
 * "[" (summary), "-" (->), "`" or "~" (fences), ESC (colour before a pattern), and the decorations.
 */
function mayOpen(text: string, start: number, end: number): boolean {
  const at = skipBlanks(text, start, end)
  const first = text.charCodeAt(at)
  if (first === 91 || first === 45 || first === 96 || first === 126 || first === 27) return true
  // A decoration: a quote, list or agent mark, then (after it) "[" or "-".
  if (first === 62 || first === 42 || first === 43 || (first >= 48 && first <= 57) || first >= 0x2000) {
    const decoration = decorationEnd(text, at, end)
    if (decoration === null) return false
    const next = text.charCodeAt(decoration.end)
    return next === 91 || next === 45 || next === 27
  }
  return false
}

/** The same text in a string of its own (flattening a concatenation copies it), not a view into a larger one. */
function detach(text: string): string {
  return ` ${text}`.slice(1)
}

/** Whether a line (ANSI stripped) opens a pattern, after its decoration. */
function opensPattern(line: string): boolean {
  const decoration = decorationEnd(line, 0, line.length)
  if (decoration === null) return false
  return OPENERS.some((opener) => line.startsWith(opener, decoration.end))
}

/**
 * Reads `<target> [thread:<id>] <text>` after `->relay:`; a string says why it cannot be read. A thread tag
 * qualified by a project (`[thread:<project>:<id>]`) names the thread `<id>`: thread ids are shared by every
 * project (`relay thread <id>` gathers all of them), so the project adds nothing to deliver.
 */
function readRelayHeader(rest: string): {target: string; thread: string | null; text: string} | string {
  const target = /^[^\s<]+/.exec(rest)?.[0]
  if (!target || !TARGET.test(target)) return `cannot read the target of '->relay:${rest.slice(0, 60)}': use ->relay:project:agent <<<message>>>`
  let text = rest.slice(target.length)
  let thread: string | null = null
  const tag = /^\s*\[thread:/.exec(text)
  if (tag) {
    const close = text.indexOf(']', tag[0].length)
    const value = close < 0 ? text.slice(tag[0].length) : text.slice(tag[0].length, close)
    const parts = value.split(':')
    if (close < 0 || value === '' || /\s/.test(value) || parts.length > 2 || parts.some((part) => part === '')) {
      return `cannot read the thread tag of '->relay:${rest.slice(0, 60)}': use [thread:<id>] or [thread:<project>:<id>], with no spaces`
    }
    thread = parts[parts.length - 1]!
    text = text.slice(close + 1)
  }
  if (text !== '' && !/^\s|^<<</.test(text)) return `cannot read the target of '->relay:${rest.slice(0, 60)}': use ->relay:project:agent <<<message>>>`
  return {target, thread, text}
}

function finishBlock(block: OpenBlock): OutputEvent {
  const text = block.parts.join('\n')
  if (block.cut) {
    const why = block.type === 'raw' ? `${block.warning}; ` : ''
    return {
      kind: 'raw',
      text,
      line: block.line,
      warning: `${why}the block opened on line ${block.line} is longer than ${MAX_BLOCK_CHARS} characters; kept as raw text, cut there`,
    }
  }
  switch (block.type) {
    case 'summary': {
      const data = parseObject(text)
      return data
        ? {kind: 'summary', data, raw: text.trim(), line: block.line}
        : {kind: 'summary', data: null, raw: text.trim(), line: block.line, warning: `the [[SUMMARY]] on line ${block.line} is not a JSON object; kept as text`}
    }
    case 'session-end': {
      const trimmed = text.trim()
      return {kind: 'session-end', data: parseObject(trimmed) ?? {summary: trimmed}, raw: trimmed, line: block.line}
    }
    case 'save':
      return {kind: 'continuity', action: 'save', handoff: block.handoff, content: text, line: block.line}
    case 'relay':
    case 'relay-line':
      return {kind: 'relay', target: block.target, thread: block.thread, body: text, line: block.line}
    case 'raw':
      return {kind: 'raw', text, line: block.line, warning: block.warning}
  }
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** `"authentication patterns"` → `authentication patterns`; unquoted text is taken as it is. */
function unquote(text: string): string {
  const match = /^(["'])(.*)\1$/.exec(text)
  return match ? match[2]! : text
}
