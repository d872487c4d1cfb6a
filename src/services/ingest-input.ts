import {closeSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {UsageError} from '../errors.js'
import type {HookInput} from '../model/results.js'
import {OutputParser} from '../protocol/output-parser.js'
import {redactText} from '../model/redact.js'
import {acquireLock, sleep} from '../store/writer-lock.js'
import type {Context} from './context.js'
import type {IngestRun} from './ingest.js'

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

/** A Claude Code transcript given whole (piped on stdin): each assistant message read once. */
export async function ingestTranscriptText(text: string, run: IngestRun): Promise<void> {
  await ingestTranscript(Buffer.from(text.endsWith('\n') ? text : `${text}\n`), run, () => {})
}

/** Where a file was read up to: its identity, so a rotated or rewritten file is read from the start again. */
interface Cursor {
  offset: number
  inode: number
  /** The file's first bytes (up to 64, base64), so a file replaced in place is noticed. */
  head: string
}

/**
 * The cursor of one file: a small JSON file per input in the worktree's git dir (local state, not a record),
 * with a lock beside it so two runs on one file (two hooks at once) take turns.
 */
class FileCursor {
  private readonly path: string

  constructor(
    gitDir: string,
    readonly file: string,
  ) {
    // FNV-1a of the path, for a short file name that cannot collide with another input's in practice.
    let hash = 0x811c9dc5
    for (let i = 0; i < file.length; i++) hash = Math.imul(hash ^ file.charCodeAt(i), 0x01000193) >>> 0
    const key = `${basename(file).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}-${hash.toString(16).padStart(8, '0')}`
    this.path = join(gitDir, 'trail', 'ingest', `${key}.json`)
  }

  get lockPath(): string {
    return this.path.replace(/\.json$/, '.lock')
  }

  read(): Cursor | null {
    try {
      const cursor = JSON.parse(readFileSync(this.path, 'utf8')) as Cursor & {file?: string}
      return cursor.file === this.file ? cursor : null
    } catch {
      return null
    }
  }

  write(cursor: Cursor): void {
    mkdirSync(join(this.path, '..'), {recursive: true})
    const temporary = `${this.path}.${process.pid}.tmp`
    writeFileSync(temporary, JSON.stringify({file: this.file, ...cursor}))
    renameSync(temporary, this.path)
  }
}

function readBytes(path: string, offset: number, length: number): Buffer {
  const buffer = Buffer.alloc(Math.max(0, length))
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

/** Where to start: the cursor's offset, unless the file is another one now (other inode, other start, shorter). */
function startOf(path: string, saved: Cursor | null, inode: number, size: number): number {
  if (!saved || saved.inode !== inode || saved.offset > size) return 0
  // Compare as many first bytes as were saved: a file that was short then has grown since, and is the same file.
  const head = Buffer.from(saved.head, 'base64')
  return readBytes(path, 0, head.length).equals(head) ? saved.offset : 0
}

export interface FileIngestOptions {
  format: IngestFormat
  /** Keep reading as the file grows, until `stop` resolves. */
  follow?: {stop: Promise<void>; intervalMs?: number}
}

/**
 * Ingests a file from where the last run on it stopped (so a hook that runs after every turn reads each block
 * once), saving the cursor after every event. What is not finished at the end (a line without its newline, a
 * block still open) is left for the next run, when the agent may have finished writing it; with --follow, it is
 * read when the run is stopped. Returns the number of bytes consumed.
 *
 * @example await ingestFile(ctx, '/path/to/session.log', run, {format: 'text'})
 */
export async function ingestFile(ctx: Context, file: string, run: IngestRun, options: FileIngestOptions): Promise<number> {
  let path: string
  try {
    path = realpathSync(file)
  } catch {
    throw new UsageError(`no such file: ${file}`, 'give the path of an agent log or transcript, or - for standard input', 'E_INPUT')
  }
  const cursor = new FileCursor((await ctx.store()).repo.gitDir, path)
  const lock = await acquireLock(cursor.lockPath, 30_000)
  let stopRequested = false
  void options.follow?.stop.then(() => (stopRequested = true))
  try {
    let total = 0
    let warnedAt = -1
    for (;;) {
      // After a stop, one last read, with the end of the file as the end of the output.
      const final = stopRequested
      const info = statSync(path)
      const start = startOf(path, cursor.read(), info.ino, info.size)
      const head = readBytes(path, 0, 64).toString('base64')
      const save = (offset: number) => cursor.write({offset, inode: info.ino, head})
      const bytes = readBytes(path, start, info.size - start)
      run.source = `${file}${start > 0 ? ` (from byte ${start})` : ''}`
      const consumed =
        options.format === 'claude-jsonl' ? await ingestTranscript(bytes, run, (at) => save(start + at)) : await ingestText(bytes, run, (at) => save(start + at), final)
      total += consumed
      save(start + consumed)
      if (consumed < bytes.length && options.format === 'text' && warnedAt !== start + consumed) {
        warnedAt = start + consumed
        run.note(`the output from byte ${start + consumed} on is not finished (a block or a line still open); it is read when the file grows`)
      }
      if (!options.follow || final) return total
      await Promise.race([options.follow.stop, sleep(options.follow.intervalMs ?? 250)])
    }
  } finally {
    await lock.release()
  }
}

/** The byte offset just after the `lines`-th newline of `bytes` (0 for none). */
function afterLines(bytes: Buffer, lines: number): number {
  let at = 0
  for (let n = 0; n < lines; n++) at = bytes.indexOf(0x0a, at) + 1
  return at
}

/**
 * Text: fed line by line, so the cursor can be saved after every event, at the parser's settled point (always at
 * the start of a line: converted to bytes by counting line ends, which stays right with invalid UTF-8 or a BOM).
 * `final` reads the unfinished rest too, as the end of the output.
 */
async function ingestText(bytes: Buffer, run: IngestRun, save: (consumed: number) => void, final: boolean): Promise<number> {
  if (bytes.length === 0) return 0
  const text = new TextDecoder().decode(bytes)
  const parser = new OutputParser()
  const consumed = () => {
    const settled = parser.settledLength
    return settled >= text.length ? bytes.length : afterLines(bytes, countLines(text, settled))
  }
  let at = 0
  for (;;) {
    const newline = text.indexOf('\n', at)
    if (newline < 0) break
    const events = parser.push(text.slice(at, newline + 1))
    at = newline + 1
    for (const event of events) await run.handle(event)
    if (events.length > 0) save(consumed())
  }
  parser.push(text.slice(at))
  if (!final) return consumed()
  for (const event of parser.end()) await run.handle(event)
  return bytes.length
}

function countLines(text: string, end: number): number {
  let lines = 0
  for (let at = text.indexOf('\n'); at >= 0 && at < end; at = text.indexOf('\n', at + 1)) lines++
  return lines
}

/**
 * A Claude Code transcript: one JSON object per line. Each assistant message's text is parsed on its own (a
 * message is complete when it is written), and the cursor is saved after each line. An unfinished last line is
 * left for the next run.
 */
async function ingestTranscript(bytes: Buffer, run: IngestRun, save: (consumed: number) => void): Promise<number> {
  let consumed = 0
  let line = 0
  while (consumed < bytes.length) {
    const newline = bytes.indexOf(0x0a, consumed)
    if (newline < 0) break
    const text = bytes.toString('utf8', consumed, newline)
    consumed = newline + 1
    line++
    const texts = assistantTexts(text)
    for (const message of texts) {
      const parser = new OutputParser()
      // A message is whole: redacted as it arrived, before the parser splits it (a stream, read line by line, is
      // redacted block by block where its records are made instead).
      for (const event of [...parser.push(`${redactText(message)}\n`), ...parser.end()]) await run.handle({...event, line})
    }
    if (texts.length > 0) save(consumed)
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
