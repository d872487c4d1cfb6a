import {closeSync, constants, fstatSync, openSync, readFileSync, readSync, realpathSync, statSync, type Stats} from 'node:fs'
import {basename, join} from 'node:path'
import {UsageError} from '../errors.js'
import {trace} from '../git/process.js'
import {writeFileAtomic} from '../files.js'
import type {HookInput} from '../model/results.js'
import {redactText} from '../model/redact.js'
import {OutputParser, type OutputEvent} from '../protocol/output-parser.js'
import {acquireLock, sleep} from '../store/writer-lock.js'
import {ChunkDecoder} from './chunk-decoder.js'
import type {Context} from './context.js'
import {contentHash, type BatchCheckpoint, type CommitProbe} from './ingest-batch.js'
import type {IngestRun} from './ingest.js'
import {kindOf} from './outbox-folder.js'

// Where agent output comes from: a stream (a pipe), a log file read from where the last run stopped (and followed
// as it grows), or a Claude Code transcript (JSON lines; the assistant's text is what the agent printed).
//
// Bounded memory, whatever the size of the input: bytes are read in chunks of CHUNK_BYTES and fed through the
// parser, which keeps at most a block (1 MiB) and a line's start; nothing holds the whole input. A transcript is
// read line by line, and a line longer than MAX_TRANSCRIPT_LINE_BYTES is passed over with a warning.

export type IngestFormat = 'text' | 'claude-jsonl'

/**
 * Read and decoded this much at a time: a string of 64 KiB stays in V8's young generation, where larger ones go
 * to its large-object space and cost several times more to make and collect (measured: 64 KiB chunks decoded at
 * 3-5x the speed of 1 MiB ones).
 */
const CHUNK_BYTES = 64 * 1024
/** The longest transcript line read (a JSON object per line: an assistant message with its tool calls). */
export const MAX_TRANSCRIPT_LINE_BYTES = 64 * 1024 * 1024
/** A stream that has been quiet this long has its waiting events committed (an agent thinking between turns). */
const IDLE_FLUSH_MS = 100
/** Events wait no longer than this for a commit while a stream keeps coming. */
const MAX_BATCH_AGE_MS = 1000

/**
 * Feeds a stream of bytes through the parser, carrying out each event before reading on. Writes are committed
 * together (see ./ingest-batch.ts): when the stream goes quiet, at most MAX_BATCH_AGE_MS after an event, before
 * an answer, and at the end.
 */
export async function ingestStream(stream: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, run: IngestRun): Promise<void> {
  const decoder = new ChunkDecoder(true)
  const parser = new OutputParser()
  const iterator = Symbol.asyncIterator in stream ? stream[Symbol.asyncIterator]() : toAsync(stream[Symbol.iterator]())
  let batchStarted = 0
  for (;;) {
    const next = iterator.next()
    let result: IteratorResult<Buffer | string>
    if (run.pending.changes > 0) {
      let timer: NodeJS.Timeout | undefined
      const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), IDLE_FLUSH_MS)))
      const first = await Promise.race([next, idle])
      clearTimeout(timer)
      if (first === 'idle') {
        await run.flush()
        result = await next
      } else result = first
    } else result = await next
    if (result.done) break
    const chunk = result.value
    for (const event of parser.push(decoder.decode(chunk))) await run.handle(event)
    if (run.pending.changes === 0) batchStarted = 0
    else if (batchStarted === 0) batchStarted = Date.now()
    else if (Date.now() - batchStarted >= MAX_BATCH_AGE_MS) {
      await run.flush()
      batchStarted = 0
    }
  }
  for (const event of [...parser.push(decoder.end()), ...parser.end()]) await run.handle(event)
  await run.flush()
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return {next: async () => iterator.next()}
}

/** A Claude Code transcript given whole (piped on stdin): each assistant message read once. */
export async function ingestTranscriptText(text: string, run: IngestRun): Promise<void> {
  let line = 0
  for (let at = 0; at < text.length; ) {
    const newline = text.indexOf('\n', at)
    const end = newline < 0 ? text.length : newline
    line++
    await handleTranscriptLine(text.slice(at, end), line, (event) => run.handle(event))
    at = end + 1
  }
  await run.flush()
}

/**
 * Where a file was read up to, and its identity, so a rotated or rewritten file is read from the start again.
 * `skip`: how many events after `offset` are already committed (a flush can come between two events of one
 * line). `pending`: a commit under way when the cursor was written (see FileCursor).
 */
interface Cursor {
  offset: number
  skip: number
  inode: number
  /** The file's first bytes (up to 64, base64), so a file replaced in place is noticed. */
  head: string
  pending?: {offset: number; skip: number; probe: CommitProbe}
}

/** A resume point: a byte offset at the start of a line, and the events after it already committed. */
interface Position {
  offset: number
  skip: number
}

/**
 * The cursor of one file: a small JSON file per input in the worktree's git dir (local state, not a record),
 * with a lock beside it so two runs on one file (two hooks at once) take turns.
 *
 * The guarantee is exactly once, across crashes: the cursor is written with each commit of the run's events, not
 * after every line. Just before the commit (inside its transaction) the cursor is written with the position the
 * commit would reach, marked pending with one file of the commit and its content hash; once committed, the
 * position is written plain. A run that finds a pending mark looks for that file on the ref: there with that
 * content, the commit happened and the run resumes after it; otherwise it resumes before it. Events of a run
 * that crashed before their commit are read again; none is lost, none is kept twice.
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
    const key = `${basename(file)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40)}-${hash.toString(16).padStart(8, '0')}`
    this.path = join(gitDir, 'trail', 'ingest', `${key}.json`)
  }

  get lockPath(): string {
    return this.path.replace(/\.json$/, '.lock')
  }

  read(): Cursor | null {
    try {
      const cursor = JSON.parse(readFileSync(this.path, 'utf8')) as Cursor & {file?: string}
      return cursor.file === this.file ? {...cursor, skip: cursor.skip ?? 0} : null
    } catch {
      return null
    }
  }

  write(cursor: Cursor): void {
    trace?.('write', 'cursor', this.path)
    writeFileAtomic(this.path, JSON.stringify({file: this.file, ...cursor}))
  }
}

export interface FileIngestOptions {
  format: IngestFormat
  /** Keep reading as the file grows, until `stop` resolves. */
  follow?: {stop: Promise<void>; intervalMs?: number}
}

/**
 * Ingests a file from where the last run on it stopped (so a hook that runs after every turn reads each block
 * once). What is not finished at the end (a line without its newline, a block still open) is left for the next
 * run, when the agent may have finished writing it; with --follow, it is read when the run is stopped. Only a
 * regular file is read: a FIFO, a socket, a device or a folder is refused before it is opened (a FIFO would block
 * the open, and has no place to resume from). Returns the number of bytes consumed.
 *
 * @example await ingestFile(ctx, '/path/to/session.log', run, {format: 'text'})
 */
export async function ingestFile(ctx: Context, file: string, run: IngestRun, options: FileIngestOptions): Promise<number> {
  let path: string
  let info: Stats
  try {
    path = realpathSync(file)
    info = statSync(path)
  } catch {
    throw new UsageError(`no such file: ${file}`, 'give the path of an agent log or transcript, or - for standard input', 'E_INPUT')
  }
  checkRegular(file, info)
  const store = await ctx.store()
  const cursor = new FileCursor(store.repo.gitDir, path)
  const lock = await acquireLock(cursor.lockPath, 30_000)
  let stopRequested = false
  void options.follow?.stop.then(() => (stopRequested = true))
  let input: OpenInput | null = null
  try {
    let saved = await recover(ctx, cursor.read())
    let warnedAt = -1
    let reader: Reader | null = null
    for (;;) {
      // After a stop, one last read, with the end of the file as the end of the output.
      const final = stopRequested
      const now = statSync(path)
      if (
        input &&
        (now.ino !== input.inode ||
          now.dev !== input.dev ||
          now.size < input.position ||
          !readAt(input.fd, 0, Buffer.from(input.head, 'base64').length).equals(Buffer.from(input.head, 'base64')))
      ) {
        // Rotated, replaced, truncated or rewritten (its first bytes differ): what was open in the old file is
        // kept (as raw text), then the new file is read from its start.
        await reader!.finish(input)
        await reader!.commit()
        closeSync(input.fd)
        input = null
        reader = null
        saved = {offset: 0, skip: 0, inode: now.ino, head: ''}
      }
      if (!input) {
        input = openInput(file, path)
        const start = startOf(input, saved)
        const position = start === saved?.offset ? {offset: start, skip: saved.skip} : {offset: start, skip: 0}
        run.source = `${file}${start > 0 ? ` (from byte ${start})` : ''}`
        input.position = start
        const save = (at: Position, pending?: Cursor['pending']) => cursor.write({...at, inode: input!.inode, head: input!.head, ...(pending ? {pending} : {})})
        reader = options.format === 'claude-jsonl' ? new TranscriptReader(run, position, save) : new TextReader(run, position, save)
      }
      input.size = fstatSync(input.fd).size
      await reader!.read(input)
      if (final) await reader!.finish(input)
      await reader!.commit()
      const consumed = reader!.anchor.offset
      if (consumed < input.size && options.format === 'text' && !final && warnedAt !== consumed) {
        warnedAt = consumed
        run.note(`the output from byte ${consumed} on is not finished (a block or a line still open); it is read when the file grows`)
      }
      if (!options.follow || final) return consumed
      await Promise.race([options.follow.stop, sleep(options.follow.intervalMs ?? 250)])
    }
  } finally {
    if (input) closeSync(input.fd)
    await lock.release()
  }
}

/** Refuses what is not a regular file, with a hint for each kind. */
function checkRegular(file: string, info: Stats): void {
  if (info.isFile()) return
  const hint =
    info.isFIFO() || info.isSocket() || info.isCharacterDevice()
      ? `read it as a stream instead: relay ingest < ${file}`
      : 'give the path of an agent log or transcript, or - for standard input'
  throw new UsageError(`${file} is ${kindOf(info)}, not a regular file: relay ingest <file> reads a file from where it stopped last time`, hint, 'E_INPUT')
}

interface OpenInput {
  fd: number
  dev: number
  inode: number
  /** The file's first bytes (base64), to notice a file replaced in place. */
  head: string
  /** How far it is read. */
  position: number
  size: number
}

/**
 * Opens the file without blocking (O_NONBLOCK: a FIFO swapped in after the check cannot hang the open) and checks
 * the opened file again: still a regular file.
 */
function openInput(file: string, path: string): OpenInput {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch {
    throw new UsageError(`cannot open ${file}`, 'check that it exists and that you can read it', 'E_INPUT')
  }
  try {
    const info = fstatSync(fd)
    checkRegular(file, info)
    return {fd, dev: info.dev, inode: info.ino, head: readAt(fd, 0, 64).toString('base64'), position: 0, size: info.size}
  } catch (error) {
    closeSync(fd)
    throw error
  }
}

/** Where to start: the cursor's offset, unless the file is another one now (other inode, other start, shorter). */
function startOf(input: OpenInput, saved: Cursor | null): number {
  if (!saved || saved.inode !== input.inode || saved.offset > input.size) return 0
  // Compare as many first bytes as were saved: a file that was short then has grown since, and is the same file.
  const head = Buffer.from(saved.head, 'base64')
  return readAt(input.fd, 0, head.length).equals(head) ? saved.offset : 0
}

/** The cursor to resume from: a pending commit is looked for on the ref (see FileCursor). */
async function recover(ctx: Context, saved: Cursor | null): Promise<Cursor | null> {
  if (!saved?.pending) return saved
  const {pending, ...before} = saved
  const text = await (await ctx.store()).snapshot().then((snapshot) => snapshot.readText(pending.probe.path))
  return text !== null && contentHash(text) === pending.probe.hash ? {...before, offset: pending.offset, skip: pending.skip} : before
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.alloc(Math.max(0, length))
  let read = 0
  while (read < buffer.length) {
    const count = readSync(fd, buffer, read, buffer.length - read, offset + read)
    if (count === 0) break
    read += count
  }
  return buffer.subarray(0, read)
}

/**
 * Reads one input file into a run, tracking the resume point (`anchor`): the start of a line up to which every
 * event is handled, and how many events after it are. The run's checkpoint writes it with each commit.
 */
abstract class Reader {
  /** Where a resumed run would start: a line start before which everything is handled. */
  anchor: {offset: number; lineEnds: number}
  private completedAtAnchor: number
  /** Events to pass over: already committed by an earlier run. */
  protected skip: number
  private saved: Position

  constructor(
    protected readonly run: IngestRun,
    start: Position,
    private readonly save: (at: Position, pending?: Cursor['pending']) => void,
  ) {
    this.anchor = {offset: start.offset, lineEnds: 0}
    this.completedAtAnchor = run.completed
    this.skip = start.skip
    this.saved = start
    run.checkpoint = () => this.checkpoint()
  }

  abstract read(input: OpenInput): Promise<void>
  /** Reads the unfinished rest as the end of the output. */
  abstract finish(input: OpenInput): Promise<void>

  /** Commits what the run holds, and saves the cursor (with the commit, or alone when it moved without one). */
  async commit(): Promise<void> {
    await this.run.flush()
    const here = this.position()
    if (here.offset !== this.saved.offset || here.skip !== this.saved.skip) {
      this.save(here)
      this.saved = here
    }
  }

  protected async handle(event: OutputEvent): Promise<void> {
    if (this.skip > 0) {
      this.skip--
      this.run.completed++
      return
    }
    await this.run.handle(event)
  }

  protected moveAnchor(offset: number, lineEnds: number): void {
    this.anchor = {offset, lineEnds}
    this.completedAtAnchor = this.run.completed
  }

  private position(): Position {
    return {offset: this.anchor.offset, skip: this.run.completed - this.completedAtAnchor}
  }

  private checkpoint(): BatchCheckpoint {
    const target = this.position()
    return {
      prepare: (probe) => this.save(this.saved, {...target, probe}),
      committed: () => {
        this.save(target)
        this.saved = target
      },
    }
  }
}

/** Text: fed in chunks through one parser; the anchor follows the parser's settled point. */
class TextReader extends Reader {
  private readonly parser = new OutputParser()
  private readonly decoder: ChunkDecoder
  /** The byte offset just after the last line end fed to the parser. */
  private lastLineEnd: number

  constructor(run: IngestRun, start: Position, save: (at: Position, pending?: Cursor['pending']) => void) {
    super(run, start, save)
    this.lastLineEnd = start.offset
    this.decoder = new ChunkDecoder(start.offset === 0)
  }

  async read(input: OpenInput): Promise<void> {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    while (input.position < input.size) {
      const count = readSync(input.fd, buffer, 0, Math.min(CHUNK_BYTES, input.size - input.position), input.position)
      if (count === 0) break
      const chunk = buffer.subarray(0, count)
      const last = chunk.lastIndexOf(0x0a)
      if (last >= 0) this.lastLineEnd = input.position + last + 1
      input.position += count
      for (const event of this.parser.push(this.decoder.decode(chunk))) await this.handle(event)
      this.follow(input)
    }
    for (const event of this.parser.pause()) await this.handle(event)
    this.follow(input)
  }

  async finish(input: OpenInput): Promise<void> {
    for (const event of [...this.parser.push(this.decoder.end()), ...this.parser.end()]) await this.handle(event)
    this.moveAnchor(input.position, this.parser.settledLineEnds)
  }

  /** Moves the anchor to the parser's settled point, mapped to bytes by counting line ends (see settledLineEnds). */
  private follow(input: OpenInput): void {
    const settled = this.parser.settledLineEnds
    if (settled === this.anchor.lineEnds) return
    if (settled === this.parser.lineEndsRead) return this.moveAnchor(this.lastLineEnd, settled)
    // Settled inside what was read (a block opened and not closed yet): found by counting line ends from the
    // anchor on, so every byte is counted once whatever the number of events.
    let offset = this.anchor.offset
    let lineEnds = this.anchor.lineEnds
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    while (lineEnds < settled) {
      const count = readSync(input.fd, buffer, 0, Math.min(CHUNK_BYTES, input.position - offset), offset)
      if (count === 0) return
      let at = 0
      while (lineEnds < settled) {
        const newline = buffer.indexOf(0x0a, at)
        if (newline < 0 || newline >= count) break
        lineEnds++
        at = newline + 1
      }
      offset += lineEnds < settled ? count : at
    }
    this.moveAnchor(offset, lineEnds)
  }
}

/** A Claude Code transcript: one JSON object per line, each assistant message's text parsed on its own. */
class TranscriptReader extends Reader {
  private pieces: Buffer[] = []
  private pieceBytes = 0
  private oversized = false
  private line = 0

  async read(input: OpenInput): Promise<void> {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    while (input.position < input.size) {
      const count = readSync(input.fd, buffer, 0, Math.min(CHUNK_BYTES, input.size - input.position), input.position)
      if (count === 0) break
      const chunk = buffer.subarray(0, count)
      let at = 0
      for (;;) {
        const newline = chunk.indexOf(0x0a, at)
        if (newline < 0) break
        this.line++
        if (this.oversized) this.run.note(`line ${this.line} is longer than ${MAX_TRANSCRIPT_LINE_BYTES} bytes; it is passed over`)
        else {
          const bytes = this.pieces.length > 0 ? Buffer.concat([...this.pieces, chunk.subarray(at, newline)]) : chunk.subarray(at, newline)
          await handleTranscriptLine(bytes.toString('utf8'), this.line, (event) => this.handle(event))
        }
        this.pieces = []
        this.pieceBytes = 0
        this.oversized = false
        at = newline + 1
        this.moveAnchor(input.position + at, this.line)
      }
      if (at < count && !this.oversized) {
        this.pieceBytes += count - at
        if (this.pieceBytes > MAX_TRANSCRIPT_LINE_BYTES) {
          this.pieces = []
          this.oversized = true
        } else this.pieces.push(Buffer.from(chunk.subarray(at)))
      }
      input.position += count
    }
  }

  /** An unfinished last line is not a whole JSON object: it is left for the next run. */
  async finish(): Promise<void> {}
}

/** Carries out the assistant's text of one transcript line (numbered `line`). */
async function handleTranscriptLine(text: string, line: number, handle: (event: OutputEvent) => Promise<void>): Promise<void> {
  for (const message of assistantTexts(text)) {
    const parser = new OutputParser()
    // A message is whole: redacted as it arrived, before the parser splits it (a stream, read chunk by chunk, is
    // redacted block by block where its records are made instead).
    for (const event of [...parser.push(`${redactText(message)}\n`), ...parser.end()]) await handle({...event, line})
  }
}

/** The text an assistant message of a Claude Code transcript line holds; [] for anything else. */
export function assistantTexts(line: string): string[] {
  if (!line.includes('assistant')) return []
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
