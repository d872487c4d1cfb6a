import {closeSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {TrailError} from '../errors.js'
import {OutputParser} from '../protocol/output-parser.js'
import {sleep} from '../store/writer-lock.js'
import type {Context} from './context.js'
import type {IngestRun} from './ingest.js'
import type {HookInput} from '../model/results.js'

// Where agent output comes from: a stream (a pipe), a log file read from where the last run stopped (and followed
// as it grows), or a Claude Code transcript (JSON lines; the assistant's text is what the agent printed).

export type IngestFormat = 'text' | 'claude-jsonl'

/** Feeds a stream of bytes through the parser, carrying out each event before reading on. */
export async function ingestStream(stream: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, run: IngestRun): Promise<void> {
  const decoder = new TextDecoder()
  const parser = new OutputParser()
  for await (const chunk of stream) {
    for (const event of parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, {stream: true}))) await run.handle(event)
  }
  for (const event of [...parser.push(decoder.decode()), ...parser.end()]) await run.handle(event)
}

/** Where a file was read up to: its identity, so a rotated or rewritten file is read from the start again. */
interface Cursor {
  offset: number
  inode: number
  /** The file's first bytes (up to 64, base64), so a file replaced in place is noticed. */
  head: string
}

/** The cursors of one worktree: path → cursor, in the git dir (local state, not a record). */
class CursorFile {
  private readonly path: string

  constructor(gitDir: string) {
    this.path = join(gitDir, 'trail', 'ingest-cursors.json')
  }

  read(file: string): Cursor | null {
    try {
      return (JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, Cursor>)[file] ?? null
    } catch {
      return null
    }
  }

  write(file: string, cursor: Cursor): void {
    let all: Record<string, Cursor> = {}
    try {
      all = JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, Cursor>
    } catch {
      // first cursor
    }
    all[file] = cursor
    mkdirSync(dirname(this.path), {recursive: true})
    const temporary = `${this.path}.${process.pid}.tmp`
    writeFileSync(temporary, JSON.stringify(all, null, 1))
    renameSync(temporary, this.path)
  }
}

function headOf(path: string): string {
  const buffer = Buffer.alloc(64)
  const fd = openSync(path, 'r')
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, 64, 0)).toString('base64')
  } finally {
    closeSync(fd)
  }
}

function readFrom(path: string, offset: number): Buffer {
  const size = statSync(path).size
  if (size <= offset) return Buffer.alloc(0)
  const buffer = Buffer.alloc(size - offset)
  const fd = openSync(path, 'r')
  try {
    let read = 0
    while (read < buffer.length) {
      const count = readSync(fd, buffer, read, buffer.length - read, offset + read)
      if (count === 0) break
      read += count
    }
    return buffer.subarray(0, read)
  } finally {
    closeSync(fd)
  }
}

export interface FileIngestOptions {
  format: IngestFormat
  /** Keep reading as the file grows, until `stop` resolves. */
  follow?: {stop: Promise<void>; intervalMs?: number}
}

/**
 * Ingests a file from where the last run on it stopped (a cursor in the git dir, so a hook that runs after every
 * turn reads each block once). A block cut in half by the end of the file is read whole next time. Returns the
 * number of bytes read this time.
 *
 * @example await ingestFile(ctx, '/path/to/session.log', run, {format: 'text'})
 */
export async function ingestFile(ctx: Context, file: string, run: IngestRun, options: FileIngestOptions): Promise<number> {
  let path: string
  try {
    path = realpathSync(file)
  } catch {
    throw new TrailError(`no such file: ${file}`, 'give the path of an agent log or transcript, or - for standard input', 'E_NOT_FOUND', 2)
  }
  const cursors = new CursorFile((await ctx.store()).repo.gitDir)
  let total = 0
  for (;;) {
    const info = statSync(path)
    const saved = cursors.read(path)
    const head = headOf(path)
    // A file that shrank, or was replaced, is read from the start.
    const start = saved && saved.inode === info.ino && saved.head === head && saved.offset <= info.size ? saved.offset : 0
    const bytes = readFrom(path, start)
    const consumed = options.format === 'claude-jsonl' ? await ingestTranscript(bytes, run) : await ingestText(bytes, run)
    total += consumed
    if (consumed > 0 || !saved) cursors.write(path, {offset: start + consumed, inode: info.ino, head})
    if (!options.follow) return total
    const stopped = await Promise.race([options.follow.stop.then(() => true), sleep(options.follow.intervalMs ?? 250).then(() => false)])
    if (stopped) return total
  }
}

/**
 * Text: what is read up to the parser's settled point is consumed. The rest (an unfinished last line, a block
 * still open) is left for the next run, when the agent may have finished writing it.
 */
async function ingestText(bytes: Buffer, run: IngestRun): Promise<number> {
  if (bytes.length === 0) return 0
  const text = new TextDecoder().decode(bytes)
  const parser = new OutputParser()
  for (const event of parser.push(text)) await run.handle(event)
  const settled = parser.settledLength
  // A last line without its newline that opens nothing is complete enough: a one-line pattern at the very end.
  if (settled < text.length && !/\n/.test(text.slice(settled)) && !parser.isInBlock) {
    for (const event of parser.end()) await run.handle(event)
    return bytes.length
  }
  if (settled < text.length) run.note(`the output after byte ${Buffer.byteLength(text.slice(0, settled))} is an unfinished block; it is read when the file grows`)
  return Buffer.byteLength(text.slice(0, settled))
}

/**
 * A Claude Code transcript: one JSON object per line. Each assistant message's text is parsed on its own (a
 * message is complete when it is written). An unfinished last line is left for the next run.
 */
async function ingestTranscript(bytes: Buffer, run: IngestRun): Promise<number> {
  let consumed = 0
  while (consumed < bytes.length) {
    const newline = bytes.indexOf(0x0a, consumed)
    if (newline < 0) break
    const line = bytes.toString('utf8', consumed, newline)
    consumed = newline + 1
    for (const text of assistantTexts(line)) {
      const parser = new OutputParser()
      for (const event of [...parser.push(`${text}\n`), ...parser.end()]) await run.handle(event)
    }
  }
  return consumed
}

/** The text an assistant message of a Claude Code transcript line holds; [] for anything else. */
export function assistantTexts(line: string): string[] {
  let entry: {type?: unknown; message?: {role?: unknown; content?: unknown}}
  try {
    entry = JSON.parse(line) as typeof entry
  } catch {
    return []
  }
  if (entry?.type !== 'assistant' && entry?.message?.role !== 'assistant') return []
  const content = entry.message?.content
  if (typeof content === 'string') return [content]
  if (!Array.isArray(content)) return []
  return content.flatMap((item: {type?: unknown; text?: unknown}) => (item?.type === 'text' && typeof item.text === 'string' ? [item.text] : []))
}


/** Reads a Claude Code hook payload, or returns null when `text` is not one (a transcript piped in instead). */
export function parseHookInput(text: string): HookInput | null {
  try {
    const value = JSON.parse(text) as {transcript_path?: unknown; hook_event_name?: unknown; stop_hook_active?: unknown}
    if (typeof value?.transcript_path !== 'string' || typeof value.hook_event_name !== 'string') return null
    return {transcriptPath: value.transcript_path, event: value.hook_event_name, stopHookActive: value.stop_hook_active === true}
  } catch {
    return null
  }
}
