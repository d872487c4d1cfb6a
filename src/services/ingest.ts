import {resolve} from 'node:path'
import {OutboxFormatError, TrailError, UsageError} from '../errors.js'
import type {AgentName} from '../model/names.js'
import {stringifyJson} from '../protocol/json-text.js'
import type {OutputEvent} from '../protocol/output-parser.js'
import {parseOutboxFile, type OutboxCommand} from '../protocol/outbox.js'
import {recordRaw, recordSessionEnd, recordSummary} from './agent-output.js'
import {WriteBatch, type BatchCheckpoint, type BatchTag} from './ingest-batch.js'
import {OutboxFolder} from './outbox-folder.js'
import type {Context} from './context.js'
import {loadContext, markUncertain, saveContinuity} from './continuity.js'
import {sendMessage} from './messages.js'
import {searchRecords} from './search.js'
import {CONTINUITY_KINDS, type IngestTally, type SearchResult, type StartupContext} from '../model/results.js'

// Carrying out what an agent printed: each event of the output parser becomes a record, a ledger update, a
// message, or an answer (load and search answers go back to the agent on stdout). One failing event is reported
// and the rest go on. Writes are gathered in a batch (./ingest-batch.ts) and committed together: before every
// answer and outbox file (so they see every event printed before them), when the batch is full, and when the
// reader says so (the end of the input, an idle stream, a checkpoint of a file's cursor).

/** The spec's outbox folder; agents write into <base>/<agent>/. */
export const DEFAULT_OUTBOX = '/tmp/relay-outbox'

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
 * Carries out the events of one agent's output. The reader calls `flush` at the end of its input (and whenever it
 * wants the events so far committed).
 *
 * @example
 * const run = new IngestRun(ctx, agent, outboxBase(undefined, process.env), io, 'stdin')
 * for (const event of parser.push(text)) await run.handle(event)
 * await run.flush()
 */
export class IngestRun {
  readonly tally: IngestTally = {events: 0, done: 0, raw: 0, failed: 0}
  /** Events fully handled (carried out, deferred into the batch, or reported as failed), and skipped ones. */
  completed = 0
  /**
   * Gives the checkpoint for a flush at this point (all events completed so far are in it): a file reader saves
   * its cursor with the commit. Null for input that cannot be read again (a stream).
   */
  checkpoint: (() => BatchCheckpoint) | null = null
  private readonly batch: WriteBatch
  private readonly batched: Context

  constructor(
    private readonly ctx: Context,
    private readonly agent: AgentName,
    private readonly outbox: string,
    private readonly io: IngestIO,
    /** Where the output comes from, for messages: "stdin", "session.log (from byte 1200)", "transcript". */
    public source: string,
  ) {
    this.batch = new WriteBatch(ctx, (tag, error) => {
      this.tally[tag.counted ?? 'done']--
      this.tally.failed++
      this.io.warn(`${tag.source} line ${tag.line}: ${describe(error)}`)
    })
    this.batched = this.batch.context
  }

  /** Tells people something about the input itself (stderr). */
  note(message: string): void {
    this.io.warn(`${this.source}: ${message}`)
  }

  /** How many writes wait in the batch, and whether it is full. */
  get pending(): {changes: number; full: boolean} {
    return {changes: this.batch.size, full: this.batch.isFull}
  }

  /** Commits every write waiting in the batch (with the reader's checkpoint, if it has one). */
  async flush(): Promise<void> {
    if (this.batch.size === 0) return
    await this.batch.flush(this.checkpoint?.() ?? undefined)
  }

  async handle(event: OutputEvent): Promise<void> {
    this.tally.events++
    const tag: BatchTag = {source: this.source, line: event.line}
    this.batch.tag = tag
    try {
      tag.counted = await this.carryOut(event)
      this.tally[tag.counted]++
    } catch (error) {
      this.tally.failed++
      this.io.warn(`${this.source} line ${event.line}: ${describe(error)}`)
    } finally {
      this.completed++
    }
    if (this.batch.isFull) await this.flush()
  }

  /** Carries out one event; says whether it was done or kept as raw text. */
  private async carryOut(event: OutputEvent): Promise<'done' | 'raw'> {
    try {
      await this.carryOutAsPrinted(event)
      return event.kind === 'raw' ? 'raw' : 'done'
    } catch (error) {
      // What the agent printed was read, but a value in it is refused (an invalid target or thread, an empty
      // save), or a block could not be stored as a record: kept as raw text with the reason, never dropped.
      // Outbox files stay where they are instead.
      const refused = error instanceof UsageError
      const unstorable = !(error instanceof TrailError) && (event.kind === 'summary' || event.kind === 'session-end')
      if ((!refused && !unstorable) || event.kind === 'relay-file' || event.kind === 'raw') throw error
      const warning = describe(error)
      this.io.warn(`${this.source} line ${event.line}: ${warning}; kept as raw text`)
      await recordRaw(this.batched, this.agent, rawTextOf(event), warning, `${this.source} line ${event.line}`)
      return 'raw'
    }
  }

  private async carryOutAsPrinted(event: OutputEvent): Promise<void> {
    switch (event.kind) {
      case 'summary':
        if (event.warning) this.io.warn(`${this.source} line ${event.line}: ${event.warning}`)
        await recordSummary(this.batched, this.agent, event.data, event.raw, event.warning)
        return
      case 'session-end':
        await recordSessionEnd(this.batched, this.agent, event.data, event.raw)
        return
      case 'continuity':
        await this.continuity(event)
        return
      case 'relay':
        await sendMessage(this.batched, {from: this.agent, to: event.target, thread: event.thread, body: event.body})
        return
      case 'relay-file':
        await this.outboxFile(event.name)
        return
      case 'raw':
        this.io.warn(`${this.source} line ${event.line}: ${event.warning}; kept as raw text`)
        await recordRaw(this.batched, this.agent, event.text, event.warning, `${this.source} line ${event.line}`)
        return
    }
  }

  private async continuity(command: Extract<OutboxCommand | OutputEvent, {kind: 'continuity'}>): Promise<void> {
    switch (command.action) {
      case 'save':
        await saveContinuity(this.batched, {agent: this.agent, content: command.content, handoff: command.handoff})
        return
      case 'load':
        // An answer sees every event printed before it: those waiting in the batch are committed first.
        await this.flush()
        this.io.answer({kind: 'context', context: await loadContext(this.ctx, this.agent)})
        return
      case 'search':
        await this.flush()
        this.io.answer({kind: 'search', query: command.query, result: await searchRecords(this.ctx, {text: command.query, kinds: CONTINUITY_KINDS, limit: 10})})
        return
      case 'uncertain':
        await markUncertain(this.batched, {agent: this.agent, text: command.text})
        return
    }
  }

  /**
   * Carries out `<outbox>/<agent>/<name>` and deletes it, only once its effect is committed (or answered). A file
   * that cannot be read or carried out is left where it is, and the failure is reported. /tmp is shared: see
   * ./outbox-folder.ts for the checks and why the file read is the file deleted.
   */
  private async outboxFile(name: string): Promise<void> {
    await this.flush()
    const folder = OutboxFolder.open(this.outbox, this.agent)
    try {
      const {bytes, identity} = folder.read(name)
      let command: OutboxCommand
      try {
        command = parseOutboxFile(new TextDecoder().decode(bytes))
      } catch (error) {
        if (error instanceof OutboxFormatError)
          throw new UsageError(`outbox file ${folder.path}/${name}: ${error.message}`, 'the file is left in place; see the spec for its format', 'E_OUTBOX')
        throw error
      }
      if (command.kind === 'message') await sendMessage(this.ctx, {from: this.agent, to: command.to, thread: command.thread, body: command.body})
      else await this.continuityNow(command)
      folder.remove(name, identity)
    } finally {
      folder.close()
    }
  }

  /** A continuity command of an outbox file, committed before the file is deleted. */
  private async continuityNow(command: Extract<OutboxCommand, {kind: 'continuity'}>): Promise<void> {
    if (command.action === 'save') await saveContinuity(this.ctx, {agent: this.agent, content: command.content, handoff: command.handoff})
    else if (command.action === 'uncertain') await markUncertain(this.ctx, {agent: this.agent, text: command.text})
    else await this.continuity(command)
  }
}

function describe(error: unknown): string {
  return error instanceof TrailError ? `${error.message}${error.hint ? ` (${error.hint})` : ''}` : (error as Error).message
}

/** What an agent printed for an event, as text for a raw record (written without recursion, at any depth). */
function rawTextOf(event: OutputEvent): string {
  switch (event.kind) {
    case 'relay':
      return `->relay:${event.target}${event.thread ? ` [thread:${event.thread}]` : ''} <<<\n${event.body}>>>`
    case 'summary':
      return `[[SUMMARY]]\n${event.raw}\n[[/SUMMARY]]`
    case 'session-end':
      return `[[SESSION_END]]\n${event.raw}\n[[/SESSION_END]]`
    case 'continuity':
      return event.action === 'save' ? `->continuity:save${event.handoff ? ' --handoff' : ''} <<<\n${event.content}>>>` : stringifyJson(event)
    default:
      return stringifyJson(event)
  }
}
