import {UsageError} from '../../../errors.js'
import {parseHookEvent, renderHookOutput, type HookKind} from '../../../integrations/hook-protocol.js'
import {resolveAgentName, type AgentName} from '../../../model/names.js'
import type {HookInput} from '../../../model/results.js'
import {answerText, ingestReportJson, ingestReportText, type IngestResult} from '../../../render/ingest.js'
import {runAgentHook} from '../../../services/agent-hooks.js'
import type {Context} from '../../../services/context.js'
import {IngestRun, outboxBase} from '../../../services/ingest.js'
import {ingestFile, ingestStream, ingestTranscriptText, parseHookInput, type IngestFormat} from '../../../services/ingest-input.js'
import {AGENT_FLAG, defineCommand, type CommandIO} from '../../definition.js'

/** Claude Code's event names, as `relay hook claude` calls them. */
const CLAUDE_KINDS: Record<string, HookKind> = {SessionStart: 'session-start', UserPromptSubmit: 'prompt', Stop: 'stop', PreCompact: 'pre-compact', SessionEnd: 'session-end'}

export const ingest = defineCommand({
  bin: 'relay',
  name: 'ingest',
  summary: 'Carry out what an agent printed: summaries, continuity, messages, outbox files',
  description:
    'Reads agent output (stdin, a log file, or a Claude Code transcript) and carries out each pattern of the protocol: ' +
    '[[SUMMARY]] and [[SESSION_END]] become records, ->continuity: saves, loads, searches and marks uncertain, ' +
    '->relay: records a message, ->relay-file: carries out an outbox file. Answers to load and search are printed ' +
    'on stdout, for the agent. A file is read from where the last run on it stopped. With no file and ' +
    '--format claude-jsonl, stdin may be a Claude Code hook payload: it is handled as relay hook claude <event> ' +
    'does (for settings an older trail init installed), and the exit code is always 0.',
  examples: ['agent-cli | relay ingest', 'relay ingest session.log --follow', 'relay ingest --format claude-jsonl ~/.claude/projects/x/session.jsonl'],
  args: [{name: 'file', description: 'the output to read; - (or nothing) for stdin'}],
  flags: {
    format: {type: 'string', options: ['text', 'claude-jsonl'], description: 'text (default) or claude-jsonl (a Claude Code transcript)', helpValue: '<format>'},
    follow: {type: 'boolean', char: 'f', description: 'keep reading the file as it grows, until interrupted'},
    outbox: {type: 'string', description: 'the outbox base folder (default: $RELAY_OUTBOX, else /tmp/relay-outbox)', helpValue: '<dir>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: async (ctx, {args, flags}, io): Promise<IngestResult> => {
    const format = (flags.format ?? 'text') as IngestFormat
    const file = args.file === '-' ? undefined : args.file
    const input = file === undefined && format === 'claude-jsonl' ? await io.readStdin() : undefined
    const hook = input === undefined ? null : parseHookInput(input.trim())
    const collect = newResult(hook, !hook && !flags.json)
    if (!hook) {
      if (flags.follow && file === undefined) throw new UsageError('--follow needs a file', 'relay ingest session.log --follow (stdin is read to its end anyway)')
      const run = newRun(ctx, resolveAgentName(flags.agent, ctx.env), flags.outbox, io, collect, file ?? 'stdin')
      if (file !== undefined) await ingestFile(ctx, file, run, {format, ...(flags.follow ? {follow: {stop: io.stopped}} : {})})
      else if (input !== undefined) await ingestTranscriptText(input, run)
      else await ingestStream(io.stdin, run)
      return {...collect, tally: run.tally}
    }
    // A Claude Code hook payload (settings from an older trail init run `relay ingest --format claude-jsonl`):
    // the same as `relay hook claude <kind>`, so older installs behave as new ones do.
    const {event} = parseHookEvent('claude', CLAUDE_KINDS[hook.event] ?? 'stop', input!)
    const {answer} = await runAgentHook(ctx, event)
    return {...collect, hookOutput: renderHookOutput('claude', event.kind, answer)}
  },
  text: (result) => (result.hook ? (result.hookOutput ?? '') : ingestReportText(result)),
  toJson: ingestReportJson,
  exitCode: (result) => (result.hook || result.tally.failed === 0 ? 0 : 1),
})

function newResult(hook: HookInput | null, deliver: boolean): IngestResult {
  return {tally: {events: 0, done: 0, raw: 0, failed: 0}, answers: [], warnings: [], hook, active: null, delivered: deliver}
}

/** An ingest run whose answers are collected (and printed as they come, unless a hook or --json). */
function newRun(ctx: Context, agent: AgentName, outbox: string | undefined, io: CommandIO, result: IngestResult, source: string): IngestRun {
  return new IngestRun(
    ctx,
    agent,
    outboxBase(outbox, ctx.env),
    {
      answer: (answer) => {
        const text = answerText(answer)
        result.answers.push(text)
        if (result.delivered) io.print(text)
      },
      warn: (message) => {
        result.warnings.push(message)
        ctx.warn(message)
      },
    },
    source,
  )
}
