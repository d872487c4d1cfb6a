import {UsageError} from '../../../errors.js'
import {resolveAgentName} from '../../../model/names.js'
import {DEFAULT_CONTEXT_CHARS, renderContext} from '../../../render/continuity.js'
import {ingestReportJson, ingestReportText, stopHookAnswer} from '../../../render/ingest.js'
import {searchText} from '../../../render/search.js'
import {PLAIN_STYLE} from '../../../render/style.js'
import {findActiveTrajectory} from '../../../services/trajectories.js'
import {IngestRun, outboxBase, type Answer} from '../../../services/ingest.js'
import {ingestFile, ingestStream, parseHookInput, type IngestFormat} from '../../../services/ingest-input.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

/** An answer for the agent, as it is printed: Markdown context, or search hits. */
export function answerText(answer: Answer): string {
  return answer.kind === 'context' ? renderContext(answer.context, DEFAULT_CONTEXT_CHARS).markdown : searchText(answer.query, answer.result, PLAIN_STYLE)
}

export const ingest = defineCommand({
  bin: 'relay',
  name: 'ingest',
  summary: 'Carry out what an agent printed: summaries, continuity, messages, outbox files',
  description:
    'Reads agent output (stdin, a log file, or a Claude Code transcript) and carries out each pattern of the protocol: ' +
    '[[SUMMARY]] and [[SESSION_END]] become records, ->continuity: saves, loads, searches and marks uncertain, ' +
    '->relay: records a message, ->relay-file: carries out an outbox file. Answers to load and search are printed ' +
    'on stdout, for the agent. A file is read from where the last run on it stopped. With no file and ' +
    '--format claude-jsonl, stdin may be a Claude Code hook payload: its transcript is read, and a Stop hook ' +
    'hands the answers back to the agent.',
  examples: [
    'agent-cli | relay ingest',
    'relay ingest session.log --follow',
    'relay ingest --format claude-jsonl ~/.claude/projects/x/session.jsonl',
  ],
  args: [{name: 'file', description: 'the output to read; - (or nothing) for stdin'}],
  flags: {
    format: {type: 'string', options: ['text', 'claude-jsonl'], description: 'text (default) or claude-jsonl (a Claude Code transcript)', helpValue: '<format>'},
    follow: {type: 'boolean', char: 'f', description: 'keep reading the file as it grows, until interrupted'},
    outbox: {type: 'string', description: 'the outbox base folder (default: $RELAY_OUTBOX, else /tmp/relay-outbox)', helpValue: '<dir>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: async (ctx, {args, flags}, io) => {
    const agent = resolveAgentName(flags.agent, ctx.env)
    const format = (flags.format ?? 'text') as IngestFormat
    const file = args.file === '-' ? undefined : args.file
    if (flags.follow && file === undefined) throw new UsageError('--follow needs a file', 'relay ingest session.log --follow (stdin is read to its end anyway)')
    const answers: string[] = []
    const warnings: string[] = []
    let hook: ReturnType<typeof parseHookInput> = null
    let input: string | undefined
    if (file === undefined && format === 'claude-jsonl') {
      input = await io.readStdin()
      hook = parseHookInput(input.trim())
    }
    const deliver = !hook && !flags.json
    const run = new IngestRun(
      ctx,
      agent,
      outboxBase(flags.outbox, ctx.env),
      {
        answer: (answer) => {
          const text = answerText(answer)
          answers.push(text)
          if (deliver) io.print(text)
        },
        warn: (message) => {
          warnings.push(message)
          ctx.warn(message)
        },
      },
      hook ? 'transcript' : (file ?? 'stdin'),
    )
    if (hook) await ingestFile(ctx, hook.transcriptPath, run, {format: 'claude-jsonl'})
    else if (file !== undefined) await ingestFile(ctx, file, run, {format, ...(flags.follow ? {follow: {stop: io.stopped}} : {})})
    else if (input !== undefined) await ingestStream([input], run)
    else await ingestStream(io.stdin, run)
    const active = hook ? await findActiveTrajectory(ctx, agent) : null
    return {tally: run.tally, answers, warnings, hook, active, delivered: deliver}
  },
  text: (result) => (result.hook ? stopHookAnswer(result) : ingestReportText(result)),
  toJson: ingestReportJson,
  exitCode: (result) => (result.tally.failed > 0 ? 1 : 0),
})
