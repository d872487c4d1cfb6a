import {closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, unlinkSync, type Stats} from 'node:fs'
import {join, resolve, sep} from 'node:path'
import {NotFoundError, OutboxFormatError, TrailError, UsageError} from '../errors.js'
import type {AgentName} from '../model/names.js'
import {parseOutboxFileName} from '../model/names.js'
import {quoteInput} from '../model/text.js'
import type {OutputEvent} from '../protocol/output-parser.js'
import {parseOutboxFile, type OutboxCommand} from '../protocol/outbox.js'
import {recordRaw, recordSessionEnd, recordSummary} from './agent-output.js'
import type {Context} from './context.js'
import {loadContext, markUncertain, saveContinuity} from './continuity.js'
import {sendMessage} from './messages.js'
import {searchRecords} from './search.js'
import {CONTINUITY_KINDS, type IngestTally, type SearchResult, type StartupContext} from '../model/results.js'

// Carrying out what an agent printed: each event of the output parser becomes a record, a ledger update, a
// message, or an answer (load and search answers go back to the agent on stdout). One failing event is reported
// and the rest go on.

/** The spec's outbox folder; agents write into <base>/<agent>/. */
export const DEFAULT_OUTBOX = '/tmp/relay-outbox'

/** The largest outbox file read: a save or a message, not a document. */
export const MAX_OUTBOX_BYTES = 1024 * 1024 + 4096

/** The outbox base folder: --outbox, else $RELAY_OUTBOX, else the spec's /tmp/relay-outbox. */
export function outboxBase(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return resolve(flag ?? (env.RELAY_OUTBOX || DEFAULT_OUTBOX))
}

export type Answer = {kind: 'context'; context: StartupContext} | {kind: 'search'; query: string; result: SearchResult}

export interface IngestIO {
  /** An answer for the agent (load, search), in the order the agent asked. */
  answer(answer: Answer): void
  /** A line for people (stderr): a warning or a failure, with where it came from. */
  warn(message: string): void
}


/**
 * Carries out the events of one agent's output.
 *
 * @example
 * const run = new IngestRun(ctx, agent, outboxBase(undefined, process.env), io, 'stdin')
 * for (const event of parser.push(text)) await run.handle(event)
 */
export class IngestRun {
  readonly tally: IngestTally = {events: 0, done: 0, raw: 0, failed: 0}

  constructor(
    private readonly ctx: Context,
    private readonly agent: AgentName,
    private readonly outbox: string,
    private readonly io: IngestIO,
    /** Where the output comes from, for messages: "stdin", "session.log (from byte 1200)", "transcript". */
    public source: string,
  ) {}

  /** Tells people something about the input itself (stderr). */
  note(message: string): void {
    this.io.warn(`${this.source}: ${message}`)
  }

  async handle(event: OutputEvent): Promise<void> {
    this.tally.events++
    try {
      this.tally[await this.carryOut(event)]++
    } catch (error) {
      this.tally.failed++
      const problem = error instanceof TrailError ? `${error.message}${error.hint ? ` (${error.hint})` : ''}` : (error as Error).message
      this.io.warn(`${this.source} line ${event.line}: ${problem}`)
    }
  }

  /** Carries out one event; says whether it was done or kept as raw text. */
  private async carryOut(event: OutputEvent): Promise<'done' | 'raw'> {
    try {
      await this.carryOutAsPrinted(event)
      return event.kind === 'raw' ? 'raw' : 'done'
    } catch (error) {
      // What the agent printed was read, but a value in it is refused (an invalid target or thread, an empty
      // save): kept as raw text with the reason, never dropped. Outbox files stay where they are instead.
      if (!(error instanceof UsageError) || event.kind === 'relay-file' || event.kind === 'raw') throw error
      const text = event.kind === 'relay' ? `->relay:${event.target}${event.thread ? ` [thread:${event.thread}]` : ''} <<<\n${event.body}>>>` : JSON.stringify(event)
      const warning = `${error.message}${error.hint ? ` (${error.hint})` : ''}`
      this.io.warn(`${this.source} line ${event.line}: ${warning}; kept as raw text`)
      await recordRaw(this.ctx, this.agent, text, warning, `${this.source} line ${event.line}`)
      return 'raw'
    }
  }

  private async carryOutAsPrinted(event: OutputEvent): Promise<void> {
    switch (event.kind) {
      case 'summary':
        if (event.warning) this.io.warn(`${this.source} line ${event.line}: ${event.warning}`)
        await recordSummary(this.ctx, this.agent, event.data, event.raw, event.warning)
        return
      case 'session-end':
        await recordSessionEnd(this.ctx, this.agent, event.data, event.raw)
        return
      case 'continuity':
        await this.continuity(event)
        return
      case 'relay':
        await sendMessage(this.ctx, {from: this.agent, to: event.target, thread: event.thread, body: event.body})
        return
      case 'relay-file':
        await this.outboxFile(event.name)
        return
      case 'raw':
        this.io.warn(`${this.source} line ${event.line}: ${event.warning}; kept as raw text`)
        await recordRaw(this.ctx, this.agent, event.text, event.warning, `${this.source} line ${event.line}`)
        return
    }
  }

  private async continuity(command: Extract<OutboxCommand | OutputEvent, {kind: 'continuity'}>): Promise<void> {
    switch (command.action) {
      case 'save':
        await saveContinuity(this.ctx, {agent: this.agent, content: command.content, handoff: command.handoff})
        return
      case 'load':
        this.io.answer({kind: 'context', context: await loadContext(this.ctx, this.agent)})
        return
      case 'search':
        this.io.answer({kind: 'search', query: command.query, result: await searchRecords(this.ctx, {text: command.query, kinds: CONTINUITY_KINDS, limit: 10})})
        return
      case 'uncertain':
        await markUncertain(this.ctx, {agent: this.agent, text: command.text})
        return
    }
  }

  /**
   * Carries out `<outbox>/<agent>/<name>` and deletes it, only once its effect is committed (or answered). A file
   * that cannot be read or carried out is left where it is, and the failure is reported. /tmp is shared: the
   * agent's folder must be this user's and not writable by others, and the file a regular file of this user's,
   * not a link to somewhere else.
   */
  private async outboxFile(name: string): Promise<void> {
    const folder = join(this.outbox, this.agent)
    const path = resolve(folder, parseOutboxFileName(name))
    if (!path.startsWith(folder + sep)) throw new UsageError(`outbox file name '${quoteInput(name)}' leaves the outbox folder`, undefined, 'E_NAME')
    const bytes = readOwnFile(folder, path)
    let command: OutboxCommand
    try {
      command = parseOutboxFile(new TextDecoder().decode(bytes))
    } catch (error) {
      if (error instanceof OutboxFormatError) throw new UsageError(`outbox file ${path}: ${error.message}`, 'the file is left in place; see the spec for its format', 'E_OUTBOX')
      throw error
    }
    if (command.kind === 'message') await sendMessage(this.ctx, {from: this.agent, to: command.to, thread: command.thread, body: command.body})
    else await this.continuity(command)
    unlinkSync(path)
  }
}

/** Reads an outbox file, refusing what another user could have planted or pointed elsewhere. */
function readOwnFile(folder: string, path: string): Buffer {
  const uid = process.getuid?.()
  const place = lstatOrNull(folder)
  if (place === null) throw new NotFoundError(`no outbox folder ${folder}`, `write the file first: mkdir -p ${folder} && cat > ${path} << 'EOF' ... EOF`)
  if (!place.isDirectory() || (uid !== undefined && place.uid !== uid) || (place.mode & 0o022) !== 0) {
    throw new UsageError(`outbox folder ${folder} is not a folder of yours that only you can write to`, `remove it, or fix it: chown ${uid ?? '$USER'} ${folder} && chmod go-w ${folder}`, 'E_OUTBOX')
  }
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new NotFoundError(`no outbox file ${path}`, `write it first: cat > ${path} << 'EOF' ... EOF`)
    if (code === 'ELOOP') throw new UsageError(`outbox file ${path} is a link; only regular files are read`, 'the file is left in place', 'E_OUTBOX')
    throw error
  }
  try {
    const info = fstatSync(fd)
    if (!info.isFile() || (uid !== undefined && info.uid !== uid)) throw new UsageError(`outbox file ${path} is not a regular file of yours`, 'the file is left in place', 'E_OUTBOX')
    if (info.size > MAX_OUTBOX_BYTES) {
      throw new UsageError(`outbox file ${path} is ${info.size} bytes; the limit is ${MAX_OUTBOX_BYTES}`, 'an outbox file holds one save or one message; the file is left in place', 'E_TOO_LONG')
    }
    const bytes = readFileSync(fd)
    if (bytes.includes(0)) throw new UsageError(`outbox file ${path} is not text (it holds NUL bytes)`, 'the file is left in place', 'E_OUTBOX')
    return bytes
  } finally {
    closeSync(fd)
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path)
  } catch {
    return null
  }
}

