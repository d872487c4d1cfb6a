// The agent-output protocol (docs/spec/relay-protocol-output-blocks.md): one streaming parser for everything an
// agent prints. Fed chunks of any size, it emits events in order; the same input gives the same events whether it
// arrives whole, line by line or one character at a time. Patterns count only at the start of a line (after
// spaces), outside Markdown code fences; ANSI escapes are stripped first. Anything malformed becomes a `raw`
// event with a warning and its line number: never an exception, never dropped.
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
  /** `->relay:<target> [thread:<id>] <<<body>>>`, or `->relay:<target> <text>` on one line. */
  | {kind: 'relay'; target: string; thread: string | null; body: string; line: number}
  /** `->relay-file:<name>`: the agent wrote an outbox file and asks for it to be carried out. */
  | {kind: 'relay-file'; name: string; line: number}
  /** Something that looked like a pattern but could not be read, kept as text. */
  | {kind: 'raw'; text: string; line: number; warning: string}

/** The largest block kept whole; beyond it the block is cut and kept as raw text with a warning. */
export const MAX_BLOCK_CHARS = 1024 * 1024
/** A line longer than this cannot open a pattern: it is passed over without being copied. */
const MAX_PATTERN_LINE_CHARS = 64 * 1024

type OpenBlock =
  | {type: 'summary' | 'session-end'; close: string; line: number; parts: string[]; size: number; cut: boolean}
  | {type: 'save'; handoff: boolean; line: number; parts: string[]; size: number; cut: boolean}
  | {type: 'relay'; target: string; thread: string | null; line: number; parts: string[]; size: number; cut: boolean}

const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g
const FENCE = /^ {0,3}(`{3,}|~{3,})/
const TARGET = /^(?:[A-Za-z0-9*][A-Za-z0-9._*-]*)(?::[A-Za-z0-9*][A-Za-z0-9._*-]*)?$/
const OUTBOX_NAME = /^[A-Za-z0-9_-]+$/

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
  /** The unfinished line opens a pattern and was cut at the block cap: its rest is passed over. */
  private cutLine = false
  private lineNumber = 0
  private block: OpenBlock | undefined
  private fence: {marker: string; line: number; size: number} | undefined
  private settled = 0
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
        const text = this.overlong ? '' : this.partial.join('') + (this.cutLine ? '' : chunk.slice(start, newline))
        this.partial = []
        this.partialLength = 0
        if (!this.overlong) this.line(text, 0, text.length, lineStart, events)
        else this.lineNumber++
        this.overlong = false
        this.cutLine = false
      }
      start = newline + 1
      if (!this.block && !this.fence) this.settled = this.fed + start
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
    this.overlong = false
    this.cutLine = false
    if (this.block) events.push(this.abandonBlock('by the end of the output', this.fed))
    this.fence = undefined
    this.settled = this.fed
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
   * Keeps the start of an unfinished line. One that grows past MAX_PATTERN_LINE_CHARS outside a block is kept
   * only if it opens a pattern (whose block the cap then cuts); otherwise the rest of it is passed over.
   */
  private keepPartial(text: string): void {
    if (text === '' || this.overlong || this.cutLine) return
    this.partial.push(text)
    this.partialLength += text.length
    if (this.partialLength > MAX_PATTERN_LINE_CHARS && !this.block && !this.fence) {
      const head = this.partial.join('').slice(0, 64).replace(ANSI, '').trimStart()
      if (opensPattern(head)) {
        // A pattern on one very long line: kept up to the block cap (and a little), where the block is cut anyway.
        if (this.partialLength > MAX_BLOCK_CHARS + MAX_PATTERN_LINE_CHARS) {
          const kept = this.partial.join('').slice(0, MAX_BLOCK_CHARS + MAX_PATTERN_LINE_CHARS)
          this.partial = [kept]
          this.partialLength = kept.length
          this.cutLine = true
        }
        return
      }
      this.partial = []
      this.partialLength = 0
      this.overlong = true
    }
  }

  private line(text: string, start: number, end: number, lineStart: number, events: OutputEvent[]): void {
    this.lineNumber++
    // Fast path for plain output: a line that cannot open, close or continue anything is not even copied.
    if (!this.block) {
      let at = start
      while (at < end && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9)) at++
      const first = text.charCodeAt(at)
      // "[" (summary), "-" (->), "`" or "~" (fences), ESC (colour before a pattern).
      if (first !== 91 && first !== 45 && first !== 96 && first !== 126 && first !== 27) {
        this.growFence(end - start, events)
        return
      }
    }
    let line = text.slice(start, end)
    if (line.endsWith('\r')) line = line.slice(0, -1)
    if (line.includes('\u001b')) line = line.replace(ANSI, '')
    if (this.block) {
      // A forgotten terminator must not swallow the rest of the session: a line that opens a new pattern ends
      // the open block, which is kept as raw text (and the input is settled up to this line, so a reader that
      // resumes here does not keep it twice).
      if (opensPattern(line.trimStart())) {
        events.push(this.abandonBlock(`before the next pattern on line ${this.lineNumber}`, lineStart))
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
    this.openPattern(line.trimStart(), events)
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
    events.push({kind: 'raw', text: '', line: opened, warning: `the code fence opened on line ${opened} is not closed within ${MAX_BLOCK_CHARS} characters; patterns after it are read again`})
  }

  /** The open block as raw text, because it was not closed `where`; the input is settled up to `settledAt`. */
  private abandonBlock(where: string, settledAt: number): OutputEvent {
    const block = this.block!
    this.block = undefined
    this.settled = settledAt
    const closer = block.type === 'summary' || block.type === 'session-end' ? block.close : '>>>'
    return {kind: 'raw', text: block.parts.join('\n'), line: block.line, warning: `the block opened on line ${block.line} is not closed (${closer}) ${where}`}
  }

  private openPattern(line: string, events: OutputEvent[]): void {
    const at = this.lineNumber
    if (line.startsWith('[[SUMMARY]]')) this.openTagged('summary', '[[/SUMMARY]]', line.slice(11), events)
    else if (line.startsWith('[[SESSION_END]]')) this.openTagged('session-end', '[[/SESSION_END]]', line.slice(15), events)
    else if (line.startsWith('->continuity:')) this.continuity(line.slice(13).trimEnd(), events)
    else if (line.startsWith('->relay-file:')) {
      const name = line.slice(13).trim()
      if (OUTBOX_NAME.test(name)) events.push({kind: 'relay-file', name, line: at})
      else events.push({kind: 'raw', text: line, line: at, warning: `invalid outbox file name '${name.slice(0, 80)}': names are letters, digits, "_" and "-"`})
    } else if (line.startsWith('->relay:')) this.relay(line.slice(8), events)
  }

  private openTagged(type: 'summary' | 'session-end', close: string, rest: string, events: OutputEvent[]): void {
    this.block = {type, close, line: this.lineNumber, parts: [], size: 0, cut: false}
    this.continueBlock(rest, events, true)
  }

  private continuity(rest: string, events: OutputEvent[]): void {
    const at = this.lineNumber
    const save = /^save(\s+--handoff)?\s*<<<(.*)$/.exec(rest)
    if (save) {
      this.block = {type: 'save', handoff: Boolean(save[1]), line: at, parts: [], size: 0, cut: false}
      this.continueBlock(save[2]!, events, true)
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
    events.push({kind: 'raw', text: `->continuity:${rest}`, line: at, warning: `cannot read '->continuity:${rest.slice(0, 60)}': ${hint}`})
  }

  private relay(rest: string, events: OutputEvent[]): void {
    const at = this.lineNumber
    const match = /^([^\s<]+)(?:\s+\[thread:([^\]\s]+)\])?(?:\s*(<<<)(.*)|\s+(.*))?$/.exec(rest)
    const target = match?.[1]
    if (!match || !target || !TARGET.test(target)) {
      events.push({kind: 'raw', text: `->relay:${rest}`, line: at, warning: `cannot read the target of '->relay:${rest.slice(0, 60)}': use ->relay:project:agent <<<message>>>`})
      return
    }
    const thread = match[2] ?? null
    if (match[3]) {
      this.block = {type: 'relay', target, thread, line: at, parts: [], size: 0, cut: false}
      this.continueBlock(match[4]!, events, true)
      return
    }
    const body = (match[5] ?? '').trim()
    if (body === '') {
      events.push({kind: 'raw', text: `->relay:${rest}`, line: at, warning: `the message to ${target} has no text: use ->relay:${target} <<<message>>>`})
      return
    }
    events.push({kind: 'relay', target, thread, body, line: at})
  }

  /** Adds a line to the open block, closing it when the line holds its terminator. */
  private continueBlock(line: string, events: OutputEvent[], first = false): void {
    const block = this.block!
    let content = line
    let closed = false
    if (block.type === 'summary' || block.type === 'session-end') {
      const close = line.indexOf(block.close)
      if (close >= 0) {
        content = line.slice(0, close)
        closed = true
      }
    } else {
      // ">>>" ends a block only at the end of a line; inside a line it is text ("a >>> b").
      const trimmed = line.trimEnd()
      if (trimmed.endsWith('>>>')) {
        content = trimmed.slice(0, -3)
        closed = true
      }
    }
    if (!(first && content === '' && !closed)) this.append(block, content)
    if (closed) {
      this.block = undefined
      events.push(finishBlock(block))
    }
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

const OPENERS = ['[[SUMMARY]]', '[[SESSION_END]]', '->continuity:', '->relay-file:', '->relay:']

function opensPattern(line: string): boolean {
  return OPENERS.some((opener) => line.startsWith(opener))
}

function finishBlock(block: OpenBlock): OutputEvent {
  const text = block.parts.join('\n')
  if (block.cut) {
    return {kind: 'raw', text, line: block.line, warning: `the block opened on line ${block.line} is longer than ${MAX_BLOCK_CHARS} characters; kept as raw text, cut there`}
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
      return {kind: 'relay', target: block.target, thread: block.thread, body: text, line: block.line}
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
