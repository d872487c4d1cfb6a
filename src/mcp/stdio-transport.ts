import type {Readable, Writable} from 'node:stream'
import type {Transport} from '@modelcontextprotocol/sdk/shared/transport.js'
import {ErrorCode, JSONRPCMessageSchema, type JSONRPCMessage, type RequestId} from '@modelcontextprotocol/sdk/types.js'
import {escapeControls} from '../render/terminal.js'

// The stdio transport of `relay mcp`: newline-delimited JSON-RPC, as the SDK's StdioServerTransport, with three
// differences that keep the server serving.
// - A line over the limit is discarded as it streams in, never buffered whole, and answered with an error (when
//   its request id can be read from its start): the SDK's transport closes itself on one, so every later call
//   got "Not connected".
// - The end of stdin (`printf ... | relay mcp`) waits for the requests under way to be answered before closing:
//   the SDK's closes at once, and every response not yet written was lost.
// - Every string sent has its control and invisible characters shown escaped, as the CLI prints them
//   (../render/terminal.ts): tools, resources and prompts carry records' text, which may hold escape sequences
//   (OSC 52 clipboard writes, screen clears) or bidirectional overrides meant for the client's terminal or page.

/** The longest line read, in bytes: the SDK's own limit (STDIO_DEFAULT_MAX_BUFFER_SIZE). */
export const MAX_LINE_BYTES = 10 * 1024 * 1024

/** How much of a discarded line is kept to find its request id in. */
const HEAD_BYTES = 64 * 1024

export class StdioTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void

  /** The unfinished line's chunks, and their length. */
  private chunks: Buffer[] = []
  private bytes = 0
  /** Whether the unfinished line is over the limit (its chunks are then its head only). */
  private discarding = false
  /** The requests read and not answered yet. */
  private readonly unanswered = new Set<RequestId>()
  private ended = false
  private closed = false

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  async start(): Promise<void> {
    this.input.on('data', this.onData)
    this.input.on('error', this.onInputError)
    this.input.once('end', this.onEnd)
    this.input.once('close', this.onEnd)
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.resolve()
    const line = `${JSON.stringify(escapeStrings(message))}\n`
    if ('id' in message && !('method' in message) && message.id !== undefined) this.unanswered.delete(message.id)
    return new Promise((resolve) => {
      const written = () => {
        resolve()
        this.closeWhenAnswered()
      }
      if (this.output.write(line)) written()
      else this.output.once('drain', written)
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.input.off('data', this.onData)
    this.input.off('error', this.onInputError)
    this.input.off('end', this.onEnd)
    this.input.off('close', this.onEnd)
    if (this.input.listenerCount('data') === 0) this.input.pause()
    this.chunks = []
    this.onclose?.()
  }

  private readonly onData = (chunk: Buffer | string): void => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    for (let newline = data.indexOf(10); newline >= 0 && !this.closed; newline = data.indexOf(10)) {
      this.append(data.subarray(0, newline))
      data = data.subarray(newline + 1)
      this.endLine()
    }
    if (!this.closed) this.append(data)
  }

  /** Adds to the unfinished line; past the limit, only its head is kept. */
  private append(data: Buffer): void {
    if (data.length === 0) return
    this.bytes += data.length
    if (this.discarding) return
    this.chunks.push(data)
    if (this.bytes > this.maxLineBytes) {
      this.discarding = true
      this.chunks = [Buffer.concat(this.chunks).subarray(0, HEAD_BYTES)]
    }
  }

  private endLine(): void {
    const line = Buffer.concat(this.chunks)
    const {bytes, discarding} = this
    this.chunks = []
    this.bytes = 0
    this.discarding = false
    if (discarding) return this.refuse(line.toString('utf8'), bytes)
    const text = line.toString('utf8').replace(/\r$/, '')
    if (text.trim() === '') return
    let message: JSONRPCMessage
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(text))
    } catch (error) {
      this.onerror?.(error as Error)
      return
    }
    if ('method' in message && 'id' in message) this.unanswered.add(message.id)
    // A cancelled request gets no response (the SDK drops it): it is no longer waited for.
    if ('method' in message && message.method === 'notifications/cancelled') this.forget(message.params?.requestId)
    this.onmessage?.(message)
  }

  /** A line over the limit: an error for its request, when its id can be read, and a word on stderr. */
  private refuse(head: string, bytes: number): void {
    const limit = `${this.maxLineBytes / (1024 * 1024)} MiB`
    const message = `request too large: ${bytes} bytes, over the limit of ${limit} per message`
    const id = requestId(head)
    this.onerror?.(new Error(`${message}; discarded${id === undefined ? ' (no request id found to answer)' : ` (request id ${JSON.stringify(id)})`}`))
    if (id === undefined) return
    this.unanswered.add(id)
    void this.send({
      jsonrpc: '2.0',
      id,
      error: {
        code: ErrorCode.InvalidRequest,
        message,
        data: {hint: 'send less per call: split the text, or keep it in a file of the repository and send its path'},
      },
    })
  }

  private forget(id: unknown): void {
    if (typeof id === 'string' || typeof id === 'number') this.unanswered.delete(id)
    queueMicrotask(() => this.closeWhenAnswered())
  }

  private readonly onInputError = (error: Error): void => this.onerror?.(error)

  /** The client closed stdin: the requests under way are answered, then the transport closes. */
  private readonly onEnd = (): void => {
    this.ended = true
    this.closeWhenAnswered()
  }

  private closeWhenAnswered(): void {
    if (this.ended && this.unanswered.size === 0) void this.close()
  }
}

/**
 * The id of the request a (cut) line starts, if its top-level object shows an `id` and a `method` in the part
 * kept: keys of nested objects (a tool's arguments may have an `id`) are skipped.
 */
function requestId(head: string): RequestId | undefined {
  if (!head.trimStart().startsWith('{')) return undefined
  const found: Record<string, unknown> = {}
  let depth = 0
  for (let i = 0; i < head.length; ) {
    const char = head[i]
    if (char === '"') {
      const end = stringEnd(head, i)
      if (end < 0) break
      const colon = /^\s*:\s*/.exec(head.slice(end, end + 64))
      if (depth === 1 && colon) {
        const key = JSON.parse(head.slice(i, end)) as string
        const at = end + colon[0].length
        const value = /^(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(head.slice(at, at + 1024))
        if ((key === 'id' || key === 'method') && value) found[key] = JSON.parse(value[0])
        i = at
      } else i = end
      continue
    }
    if (char === '{' || char === '[') depth++
    else if (char === '}' || char === ']') depth--
    i++
  }
  const {id, method} = found
  return typeof method === 'string' && (typeof id === 'string' || typeof id === 'number') ? id : undefined
}

/** The index after the closing quote of the JSON string opening at `start`, or -1 when it is cut. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i + 1
  }
  return -1
}

/** `value` with every string in it (keys too) passed through escapeControls. */
function escapeStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeControls(value) as T
  if (Array.isArray(value)) return value.map(escapeStrings) as T
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, each]) => [escapeControls(key), escapeStrings(each)])) as T
  return value
}
