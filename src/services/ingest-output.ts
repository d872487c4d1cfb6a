import {UsageError} from '../errors.js'
import {parseHookEvent, renderHookOutput, type HookKind} from '../integrations/hook-protocol.js'
import {resolveAgentName} from '../model/names.js'
import type {HookInput, IngestTally} from '../model/results.js'
import {runAgentHook} from './agent-hooks.js'
import type {Context} from './context.js'
import {IngestRun, outboxBase, type Answer} from './ingest.js'
import {ingestFile, ingestStream, ingestTranscriptText, parseHookInput, type IngestFormat} from './ingest-input.js'

// `relay ingest` as a use case: which input to read (a file from its cursor, stdin as a stream, a Claude Code
// transcript given on stdin, or a Claude Code hook payload from an older install), carried out by one IngestRun.

/** Claude Code's event names, as `relay hook claude` calls them. */
const CLAUDE_KINDS: Record<string, HookKind> = {
  SessionStart: 'session-start',
  UserPromptSubmit: 'prompt',
  Stop: 'stop',
  PreCompact: 'pre-compact',
  SessionEnd: 'session-end',
}

export interface IngestRequest {
  /** --agent, else the environment's name. */
  agent: string | undefined
  /** The file to read; undefined for stdin. */
  file: string | undefined
  format: IngestFormat
  follow: boolean
  /** --outbox, else $RELAY_OUTBOX, else the spec's folder. */
  outbox: string | undefined
}

/** What ingest reads besides files, and where its answers and warnings go as they come. */
export interface IngestIOPorts {
  readStdin(): Promise<string>
  stdin: AsyncIterable<Buffer | string>
  /** Resolves when the command is asked to stop (--follow reads until then). */
  stopped: Promise<void>
  answer(answer: Answer): void
  warn(message: string): void
}

export type IngestOutcome = {hook: null; tally: IngestTally} | {hook: HookInput; hookOutput: string}

/**
 * Reads an agent's output and carries out every pattern in it. A Claude Code hook payload on stdin (with
 * --format claude-jsonl and no file) is handled as `relay hook claude <event>` handles it.
 *
 * @example const outcome = await ingestAgentOutput(ctx, {agent: undefined, file: 'session.log', format: 'text', follow: false, outbox: undefined}, ports)
 */
export async function ingestAgentOutput(ctx: Context, request: IngestRequest, io: IngestIOPorts): Promise<IngestOutcome> {
  const {file, format} = request
  const input = file === undefined && format === 'claude-jsonl' ? await io.readStdin() : undefined
  const hook = input === undefined ? null : parseHookInput(input.trim())
  if (hook) {
    // Settings from an older trail init run `relay ingest --format claude-jsonl` as the hook: the same as
    // `relay hook claude <kind>`, so older installs behave as new ones do.
    const {event} = parseHookEvent('claude', CLAUDE_KINDS[hook.event] ?? 'stop', input!)
    const {answer} = await runAgentHook(ctx, event)
    return {hook, hookOutput: renderHookOutput('claude', event.kind, answer)}
  }
  if (request.follow && file === undefined) throw new UsageError('--follow needs a file', 'relay ingest session.log --follow (stdin is read to its end anyway)')
  const run = new IngestRun(
    ctx,
    resolveAgentName(request.agent, ctx.env),
    outboxBase(request.outbox, ctx.env),
    {answer: io.answer, warn: io.warn},
    file ?? 'stdin',
  )
  if (file !== undefined) await ingestFile(ctx, file, run, {format, ...(request.follow ? {follow: {stop: io.stopped}} : {})})
  else if (input !== undefined) await ingestTranscriptText(input, run)
  else await ingestStream(io.stdin, run)
  return {hook: null, tally: run.tally}
}
