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
  private partial = ''
  private lineNumber = 0
  private block: OpenBlock | undefined
  private fence: string | undefined
  private settled = 0
  private fed = 0

  /** Feeds a chunk; returns the events of every line it completes. */
  push(chunk: string): OutputEvent[] {
    const events: OutputEvent[] = []
    let text = this.partial + chunk
    let start = 0
    const consumedBefore = this.fed - this.partial.length
    this.fed += chunk.length
    for (;;) {
      const newline = text.indexOf('\n', start)
      if (newline < 0) break
      this.line(text, start, newline, events)
      start = newline + 1
      if (!this.block && !this.fence) this.settled = consumedBefore + start
    }
    this.partial = text.slice(start)
    text = ''
    return events
  }

  /** Ends the input: a last line without a newline is read, and an unclosed block becomes raw text. */
  end(): OutputEvent[] {
    const events: OutputEvent[] = []
    if (this.partial !== '') {
      const last = this.partial
      this.partial = ''
      this.line(last, 0, last.length, events)
    }
    if (this.block) events.push(this.abandonBlock('by the end of the output'))
    if (!this.fence) this.settled = this.fed
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

  /** Whether a block (or a code fence) is open: the input so far does not end at a settled point. */
  get isInBlock(): boolean {
    return this.block !== undefined || this.fence !== undefined
  }

  private line(text: string, start: number, end: number, events: OutputEvent[]): void {
    this.lineNumber++
    // Fast path for plain output: a line that cannot open, close or continue anything is not even copied.
    if (!this.block) {
      let at = start
      while (at < end && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9)) at++
      const first = text.charCodeAt(at)
      // "[" (summary), "-" (->), "`" or "~" (fences), ESC (colour before a pattern).
      if (first !== 91 && first !== 45 && first !== 96 && first !== 126 && first !== 27) return
      if (end - start > MAX_PATTERN_LINE_CHARS && !this.fence) return
    }
    let line = text.slice(start, end)
    if (line.endsWith('\r')) line = line.slice(0, -1)
    if (line.includes('\u001b')) line = line.replace(ANSI, '')
    if (this.block) {
      // A forgotten terminator must not swallow the rest of the session: a line that opens a new pattern ends
      // the open block, which is kept as raw text.
      if (opensPattern(line.trimStart())) {
        events.push(this.abandonBlock(`before the next pattern on line ${this.lineNumber}`))
      } else {
        this.continueBlock(line, events)
        return
      }
    }
    const fence = FENCE.exec(line)?.[1]
    if (fence) {
      if (!this.fence) this.fence = fence
      else if (fence[0] === this.fence[0] && fence.length >= this.fence.length && line.trim() === fence) this.fence = undefined
      return
    }
    if (this.fence) return
    this.openPattern(line.trimStart(), events)
  }

  /** The open block as raw text, because it was not closed `where`. */
  private abandonBlock(where: string): OutputEvent {
    const block = this.block!
    this.block = undefined
    const closer = block.type === 'summary' || block.type === 'session-end' ? block.close : '>>>'
    return {kind: 'raw', text: block.parts.join('\n'), line: block.line, warning: `the block opened on line ${block.line} is not closed (${closer}) ${where}`}
  }

  private openPattern(line: string, events: OutputEvent[]): void {
    const at = this.lineNumber
    if (line.startsWith('[[SUMMARY]]')) return this.openTagged('summary', '[[/SUMMARY]]', line.slice(11), events)
    if (line.startsWith('[[SESSION_END]]')) return this.openTagged('session-end', '[[/SESSION_END]]', line.slice(15), events)
    if (line.startsWith('->continuity:')) return this.continuity(line.slice(13).trimEnd(), events)
    if (line.startsWith('->relay-file:')) {
      const name = line.slice(13).trim()
      if (OUTBOX_NAME.test(name)) events.push({kind: 'relay-file', name, line: at})
      else events.push({kind: 'raw', text: line, line: at, warning: `invalid outbox file name '${name.slice(0, 80)}': names are letters, digits, "_" and "-"`})
      return
    }
    if (line.startsWith('->relay:')) return this.relay(line.slice(8), events)
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
