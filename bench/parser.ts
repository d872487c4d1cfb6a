import {median, markdownTable} from './harness.js'
import {OutputParser} from '../src/protocol/output-parser.js'

// The agent-output parser's throughput on one core, fed 64 KiB chunks as a pipe delivers them. Goal (issue:
// continuity and the agent-output protocol): at least 100 MB/s on plain output, 20 MB/s on pattern-dense output;
// and on output with an event every 200 KB (issue 14), what `relay ingest` must beat to reach 100 MB/s whole.

const PLAIN_LINES = [
  '  Compiling relay-trail v0.1.0 (/work/main)',
  'src/store/transaction.ts:42:7 - warning: unused variable',
  '[info] 1284 tests passed, 0 failed (38.1 s)',
  'I will now look at the failing test and check the fixture before changing anything.',
  '- updated the README section on exit codes',
  '    at Object.<anonymous> (/work/main/dist/test/cli/trail.test.js:101:5)',
]

const DENSE_BLOCKS = [
  '[[SUMMARY]]{"currentTask": "Auth", "completedTasks": ["a", "b"], "context": "JWT", "files": ["src/a.ts"]}[[/SUMMARY]]',
  '->continuity:save <<<\nCurrent task: Auth\nCompleted: User model, JWT utils\nFiles: src/auth/jwt.ts:10-50>>>',
  '->relay:frontend:Designer [thread:auth] <<<\nUI mockups ready for review\nwith two lines>>>',
  '->continuity:uncertain "API rate limit handling unclear"',
  '->relay-file:continuity',
  '\u001b[32m->continuity:load\u001b[0m',
]

function text(lines: readonly string[], bytes: number): string {
  const out: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const line = lines[i % lines.length]!
    out.push(line)
    size += line.length + 1
  }
  return `${out.join('\n')}\n`
}

function throughput(input: string, runs: number): {mbPerSecond: number; meanMbPerSecond: number; events: number} {
  const chunk = 64 * 1024
  const speeds: number[] = []
  let events = 0
  for (let run = 0; run < runs; run++) {
    const parser = new OutputParser()
    events = 0
    const start = process.hrtime.bigint()
    for (let at = 0; at < input.length; at += chunk) events += parser.push(input.slice(at, at + chunk)).length
    events += parser.end().length
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    speeds.push(Buffer.byteLength(input) / 1e6 / seconds)
  }
  // The mean of the times, as a speed: a slow run weighs as much as it cost.
  const meanSeconds = speeds.reduce((sum, speed) => sum + Buffer.byteLength(input) / 1e6 / speed, 0) / speeds.length
  return {mbPerSecond: median(speeds), meanMbPerSecond: Buffer.byteLength(input) / 1e6 / meanSeconds, events}
}

export function benchParser(megabytes: number, runs: number): string {
  const plain = text(PLAIN_LINES, megabytes * 1e6)
  // Every third line opens a pattern: far denser than any real session.
  const dense = text(
    PLAIN_LINES.flatMap((line, index) => [line, DENSE_BLOCKS[index % DENSE_BLOCKS.length]!]),
    megabytes * 1e6,
  )
  // An event every 200 KB: ordinary output, then a [[SUMMARY]].
  const filler = text(PLAIN_LINES, 200 * 1000)
  const every200k = Array.from(
    {length: Math.ceil((megabytes * 1e6) / 200_000)},
    (_, i) => `${filler}[[SUMMARY]]{"currentTask": "task ${i}"}[[/SUMMARY]]\n`,
  ).join('')
  throughput(plain.slice(0, 1e6), 3) // warm the JIT
  const rows = [
    ['plain output', plain, 100],
    ['an event every 200 KB', every200k, 100],
    ['pattern-dense output', dense, 20],
  ].map(([name, input, goal]) => {
    const {mbPerSecond, meanMbPerSecond, events} = throughput(input as string, runs)
    return [
      name as string,
      `${mbPerSecond.toFixed(0)} MB/s (${(mbPerSecond / (goal as number)).toFixed(1)}x goal)`,
      `${meanMbPerSecond.toFixed(0)} MB/s`,
      String(events),
      `${goal} MB/s`,
    ]
  })
  return [
    `### agent-output parser, ${megabytes} MB fed in 64 KiB chunks (${runs} runs, one core)`,
    '',
    markdownTable(['input', 'median', 'mean', 'events', 'goal'], rows),
  ].join('\n')
}
