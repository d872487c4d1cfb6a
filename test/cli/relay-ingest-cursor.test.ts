import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {BIN} from '../helpers/cli.js'
import {testEnv, useRepos, useTempDirs, type TestRepo} from '../helpers/repo.js'
import {Trace} from '../helpers/trace.js'

// `relay ingest <file>` keeps a cursor per input file (where the last run stopped) in .git/trail/ingest/. It is
// written with the commits of the run's events (a pending mark before each commit, the plain position after), and
// once at the end when the position moved without one: never after every line (issue 14). Counted with
// RELAY_TRAIL_TRACE, which has a line for each write of a cursor (src/git/process.ts).

const newRepo = useRepos()
const tempDir = useTempDirs()

/** An assistant message of a Claude Code transcript, and the lines around it that are not the agent's text. */
const assistant = (text: string) => `${JSON.stringify({type: 'assistant', message: {role: 'assistant', content: [{type: 'text', text}]}})}\n`
const user = (text: string) => `${JSON.stringify({type: 'user', message: {role: 'user', content: text}})}\n`
const tool = (n: number) =>
  `${JSON.stringify({type: 'user', message: {role: 'user', content: [{type: 'tool_result', tool_use_id: `t${n}`, content: 'ok'}]}})}\n`

/** A transcript of `lines` lines; every `eventEvery`-th is an assistant message with a pattern (0: none has). */
function transcript(lines: number, eventEvery: number): string {
  const out: string[] = []
  for (let i = 0; i < lines; i++) {
    if (eventEvery > 0 && i % eventEvery === eventEvery - 1) out.push(assistant(`Noting it.\n->continuity:uncertain "item ${i}"`))
    else out.push([user(`step ${i}`), tool(i), assistant(`Working on step ${i}.`)][i % 3]!)
  }
  return out.join('')
}

/** A text log of `lines` lines; every `eventEvery`-th a pattern (0: none). */
function textLog(lines: number, eventEvery: number): string {
  const out: string[] = []
  for (let i = 0; i < lines; i++)
    out.push(eventEvery > 0 && i % eventEvery === eventEvery - 1 ? `->continuity:uncertain "item ${i}"\n` : `  compiling module ${i} of ${lines} ... ok\n`)
  return out.join('')
}

/** Runs `relay ingest` with RELAY_TRAIL_TRACE; returns how many times the cursor file was written, and the commits made. */
function ingestCounted(repo: TestRepo, args: string[]): {cursorWrites: number; commits: number; stderr: string} {
  const file = join(tempDir('trace'), 'trace')
  const count = () => Number(repo.gitOrEmpty(['rev-list', '--count', 'refs/trail/records']).trim() || 0)
  const commitsBefore = count()
  const result = spawnSync(process.execPath, [BIN.relay, 'ingest', ...args], {cwd: repo.dir, env: testEnv({RELAY_TRAIL_TRACE: file}), encoding: 'utf8'})
  assert.equal(result.status, 0, `relay ingest ${args.join(' ')}: ${result.stderr}`)
  const lines = Trace.read(file).lines
  const cursorWrites = lines.filter(
    (line) => line.kind === 'write' && line.fields[0] === 'cursor' && /\/trail\/ingest\/[^/]+\.json$/.test(line.fields[1]!),
  ).length
  const commits = count() - commitsBefore
  return {cursorWrites, commits, stderr: result.stderr}
}

describe('relay ingest: the cursor file', () => {
  for (const [format, make, name] of [
    ['claude-jsonl', transcript, 'session.jsonl'],
    ['text', textLog, 'agent.log'],
  ] as const) {
    it(`is written a bounded number of times for a ${format === 'text' ? 'log' : 'transcript'} of many lines, whatever their number`, (t) => {
      const counts: {lines: number; eventEvery: number; cursorWrites: number; commits: number}[] = []
      for (const [lines, eventEvery] of [
        [300, 0],
        [3000, 0],
        [300, 3],
        [3000, 3],
      ] as const) {
        const repo = newRepo({dirty: true})
        const before = repo.userState()
        const file = join(tempDir('ingest-cursor'), name)
        writeFileSync(file, make(lines, eventEvery))
        const args = format === 'text' ? [file] : ['--format', format, file]
        const {cursorWrites, commits} = ingestCounted(repo, args)
        counts.push({lines, eventEvery, cursorWrites, commits})
        // With each commit (a pending mark, then the position), and once at the end: never per line.
        assert.ok(cursorWrites >= 1, `${lines} lines: the cursor is written`)
        assert.ok(cursorWrites <= 2 * commits + 1, `${lines} lines, ${commits} commits: ${cursorWrites} cursor writes`)
        if (eventEvery > 0) assert.ok(commits >= 1 && commits <= 2, `${lines / eventEvery} events in ${commits} commits`)
        // A second run with nothing new reads nothing and writes nothing.
        const again = ingestCounted(repo, args)
        assert.deepEqual({cursorWrites: again.cursorWrites, commits: again.commits}, {cursorWrites: 0, commits: 0}, 'nothing new: no write')
        repo.assertUserStateUnchanged(before)
      }
      t.diagnostic(JSON.stringify(counts))
      // Ten times the lines, the same writes.
      assert.equal(counts[1]!.cursorWrites, counts[0]!.cursorWrites, JSON.stringify(counts))
      assert.equal(counts[3]!.cursorWrites, counts[2]!.cursorWrites, JSON.stringify(counts))
    })
  }
})
