import {answerText, ingestReportJson, ingestReportText, type IngestResult} from '../../../render/ingest.js'
import type {IngestFormat} from '../../../services/ingest-input.js'
import {ingestAgentOutput} from '../../../services/ingest-output.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

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
    format: {
      type: 'string',
      options: ['text', 'claude-jsonl'],
      description: 'text (default) or claude-jsonl (a Claude Code transcript)',
      helpValue: '<format>',
    },
    follow: {type: 'boolean', char: 'f', description: 'keep reading the file as it grows, until interrupted'},
    outbox: {type: 'string', description: 'the outbox base folder (default: $RELAY_OUTBOX, else /tmp/relay-outbox)', helpValue: '<dir>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: async (ctx, {args, flags}, io): Promise<IngestResult> => {
    const deliver = !flags.json
    const answers: string[] = []
    const warnings: string[] = []
    const outcome = await ingestAgentOutput(
      ctx,
      {
        agent: flags.agent,
        file: args.file === '-' ? undefined : args.file,
        format: (flags.format ?? 'text') as IngestFormat,
        follow: flags.follow,
        outbox: flags.outbox,
      },
      {
        readStdin: () => io.readStdin(),
        stdin: io.stdin,
        // Asked for only with --follow: asking installs the SIGINT and SIGTERM handlers (CommandIO.stopped), and
        // an ingest of stdin must still end at Ctrl-C.
        get stopped() {
          return io.stopped
        },
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
    )
    const tally = outcome.hook ? {events: 0, done: 0, raw: 0, failed: 0} : outcome.tally
    return {
      tally,
      answers,
      warnings,
      hook: outcome.hook,
      active: null,
      delivered: deliver && !outcome.hook,
      ...(outcome.hook ? {hookOutput: outcome.hookOutput} : {}),
    }
  },
  text: (result) => (result.hook ? (result.hookOutput ?? '') : ingestReportText(result)),
  toJson: ingestReportJson,
  exitCode: (result) => (result.hook || result.tally.failed === 0 ? 0 : 1),
})
