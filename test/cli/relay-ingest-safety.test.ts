import assert from 'node:assert/strict'
import {execFileSync, spawn} from 'node:child_process'
import {appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {BIN, runCli, type CliResult} from '../helpers/cli.js'
import {testEnv, useRepos, type TestRepo} from '../helpers/repo.js'
import type {IngestJson} from '../../src/render/ingest.js'
import {contentHash} from '../../src/services/ingest-batch.js'

// relay ingest keeps everything an agent meant, whatever its shape, size or depth, and nothing on the machine can
// make it hang or delete the wrong file: real files, real symlinks, real FIFOs, real git.

const newRepo = useRepos()

function refFiles(repo: TestRepo, dir: string): string[] {
  return repo.gitOrEmpty(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', dir]).split('\n').filter(Boolean)
}

function show(repo: TestRepo, path: string): string {
  return repo.git(['show', `refs/trail/records:${path}`])
}

function records(repo: TestRepo, dir: string): string[] {
  return refFiles(repo, dir).map((path) => show(repo, path))
}

function commits(repo: TestRepo): number {
  return Number(repo.gitOrEmpty(['rev-list', '--count', 'refs/trail/records']).trim() || '0')
}

async function ingestJson(
  repo: TestRepo,
  args: string[],
  options: {input?: string | Buffer; env?: Record<string, string>} = {},
): Promise<{result: CliResult; report: IngestJson}> {
  const result = await runCli(repo.dir, ['relay', 'ingest', '--json', ...args], options)
  return {result, report: JSON.parse(result.stdout) as IngestJson}
}

describe('relay ingest keeps every shape agents print', () => {
  it('reads openers with words before <<<: the words are the first line of the body', async () => {
    const repo = newRepo({dirty: true})
    const before = repo.userState()
    const input = '->continuity:save progress <<<\nCurrent task: Openers\n>>>\n->relay:Lead Status report below <<<\nall green\n>>>\nafter\n'
    const {result, report} = await ingestJson(repo, [], {input})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual({done: report.done, raw: report.raw}, {done: 2, raw: 0})
    assert.match(repo.read('.relay/ledger/default.md'), /currentTask: Openers\n/)
    assert.match(records(repo, '.relay/messages')[0]!, /body: "Status report below\\nall green\\n"\n/)
    repo.assertUserStateUnchanged(before)
  })

  it('keeps a block with a malformed thread tag whole, as a raw record with a warning, and reads on', async () => {
    const repo = newRepo()
    const input = '->relay:bob [thread:review 123] <<<\nthe review notes\n>>>\n->continuity:uncertain "after the block"\n'
    const {result, report} = await ingestJson(repo, [], {input})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual({done: report.done, raw: report.raw}, {done: 1, raw: 1})
    assert.match(report.warnings.join('\n'), /stdin line 1: cannot read the thread tag of '->relay:bob \[thread:review 123\] <<<'/)
    const raw = records(repo, '.relay/ledger/raw/default')[0]!
    assert.match(raw, /the review notes/)
    assert.match(repo.read('.relay/ledger/default.md'), /after the block/)
  })

  it('delivers a message to a project-qualified thread in the thread of that id', async () => {
    const repo = newRepo()
    const {result} = await ingestJson(repo, [], {input: '->relay:frontend:Designer [thread:backend:auth-feature] <<<\nready>>>\n'})
    assert.equal(result.code, 0, result.stderr)
    assert.match(records(repo, '.relay/messages')[0]!, /thread: auth-feature\n/)
    assert.equal(refFiles(repo, '.relay/ledger/raw').length, 0)
  })

  it('reads patterns after agent marks and list markers, and keeps quoted ones as raw records', async () => {
    const repo = newRepo()
    const input = [
      '✦ ->continuity:uncertain "from Gemini"',
      '⏺ [[SUMMARY]]{"currentTask": "from Claude Code"}[[/SUMMARY]]',
      '- ->relay:Bob from a list',
      '',
      '2. ->continuity:uncertain "numbered"',
      '> ->relay:Bob only quoted',
      '```',
      '✦ ->continuity:uncertain "in a fence"',
      '```',
    ].join('\n')
    const {result, report} = await ingestJson(repo, [], {input})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual({events: report.events, done: report.done, raw: report.raw}, {events: 5, done: 4, raw: 1})
    assert.match(repo.read('.relay/ledger/default.md'), /uncertain:\n {2}- from Gemini\n {2}- numbered\n/)
    assert.match(records(repo, '.relay/ledger/summaries/default')[0]!, /currentTask: from Claude Code/)
    assert.match(records(repo, '.relay/messages')[0]!, /body: from a list\n/)
    assert.match(records(repo, '.relay/ledger/raw/default')[0]!, /only quoted[\s\S]*a pattern in a quote/)
    assert.doesNotMatch(repo.read('.relay/ledger/default.md'), /in a fence/)
  })

  it('keeps the lines after a one-line message, up to a blank line, in its body', async () => {
    const repo = newRepo()
    const {result} = await ingestJson(repo, [], {input: '->relay:Bob Found the bug:\nthe cache key ignores the locale.\nFix in review.\n\nNow back to work.\n'})
    assert.equal(result.code, 0, result.stderr)
    assert.match(records(repo, '.relay/messages')[0]!, /body: "Found the bug:\\nthe cache key ignores the locale\.\\nFix in review\."\n/)
    assert.doesNotMatch(records(repo, '.relay/messages')[0]!, /back to work/)
  })
})

describe('relay ingest of deeply nested JSON', () => {
  const DEPTH = 100_000
  const arrays = `${'['.repeat(DEPTH)}"leaf"${']'.repeat(DEPTH)}`
  const objects = `${'{"a":'.repeat(DEPTH)}"leaf"${'}'.repeat(DEPTH)}`

  it(`keeps a [[SUMMARY]] and a [[SESSION_END]] nested ${DEPTH} levels deep in every field`, async () => {
    const repo = newRepo({dirty: true})
    const before = repo.userState()
    // Each block under the 1 MiB cap: 100,000 levels of {"a": are 600 KB.
    const summaries = [
      `{"currentTask": ${objects}, "completedTasks": [${arrays}]}`,
      `{"context": ${arrays}, "files": [${arrays}, "x"], "other": ${arrays}}`,
      `{"files": ${objects}}`,
    ]
    const session = `[[SESSION_END]]{"summary": ${arrays}, "completedTasks": [${arrays}]}[[/SESSION_END]]`
    const input = `${summaries.map((json) => `[[SUMMARY]]${json}[[/SUMMARY]]`).join('\n')}\n${session}\n`
    const {result, report} = await ingestJson(repo, [], {input})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual({done: report.done, raw: report.raw, failed: report.failed}, {done: 4, raw: 0, failed: 0})
    const kept = records(repo, '.relay/ledger/summaries/default').join('\n')
    assert.ok(kept.includes(JSON.stringify(objects).slice(1, 2000)), 'a nested value is kept as JSON text')
    assert.ok(kept.includes(arrays.slice(0, 2000)))
    assert.ok(records(repo, '.relay/ledger/sessions/default')[0]!.includes(JSON.stringify(arrays).slice(0, 2000)))
    repo.assertUserStateUnchanged(before)
  })

  it('keeps a deep summary found in a Claude Code transcript too', async () => {
    const repo = newRepo()
    const line = `${JSON.stringify({type: 'assistant', message: {role: 'assistant', content: [{type: 'text', text: `[[SUMMARY]]{"context": ${arrays}}[[/SUMMARY]]`}]}})}\n`
    const {result, report} = await ingestJson(repo, ['--format', 'claude-jsonl'], {input: line})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(report.done, 1)
    assert.equal(refFiles(repo, '.relay/ledger/summaries/default').length, 1)
  })
})

describe('relay ingest never hangs on what is not a file', () => {
  it('refuses a FIFO, a socket, a device and a folder as the file to read, at once, with a hint', {timeout: 60_000}, async () => {
    const repo = newRepo()
    const dir = mkdtempSync(join(tmpdir(), 'relay-ingest-kinds-'))
    const server = createServer()
    try {
      execFileSync('mkfifo', [join(dir, 'fifo')])
      await new Promise<void>((resolve) => server.listen(join(dir, 'socket'), resolve))
      for (const [path, kind] of [
        [join(dir, 'fifo'), 'a FIFO'],
        [join(dir, 'socket'), 'a socket'],
        ['/dev/null', 'a device'],
        [dir, 'a folder'],
      ] as const) {
        for (const format of ['text', 'claude-jsonl']) {
          const result = await runCli(repo.dir, ['relay', 'ingest', path, '--format', format])
          assert.equal(result.code, 2, `${kind}: ${result.stderr}`)
          assert.match(result.stderr, new RegExp(`error: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is ${kind}, not a regular file`))
          assert.match(result.stderr, kind === 'a folder' ? /hint: give the path of an agent log/ : /hint: read it as a stream instead: relay ingest < /)
        }
      }
    } finally {
      server.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('reads a FIFO given as stdin as the stream it is', {timeout: 60_000}, async () => {
    const repo = newRepo()
    const dir = mkdtempSync(join(tmpdir(), 'relay-ingest-fifo-'))
    try {
      const fifo = join(dir, 'fifo')
      execFileSync('mkfifo', [fifo])
      const child = spawn('bash', ['-c', `exec node ${BIN.relay} ingest --json < ${fifo}`], {cwd: repo.dir, env: testEnv()})
      let stdout = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      const fd = openSync(fifo, 'w')
      writeSync(fd, '->continuity:uncertain "through a FIFO"\n')
      closeSync(fd)
      assert.equal(await new Promise((resolve) => child.on('close', resolve)), 0)
      assert.equal((JSON.parse(stdout) as IngestJson).done, 1)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('refuses a FIFO as an outbox file without blocking, and leaves it in place', {timeout: 60_000}, async () => {
    const repo = newRepo()
    const outbox = mkdtempSync(join(tmpdir(), 'relay-outbox-'))
    try {
      mkdirSync(join(outbox, 'default'), {mode: 0o700})
      execFileSync('mkfifo', [join(outbox, 'default', 'continuity')])
      const {result, report} = await ingestJson(repo, ['--outbox', outbox], {input: '->relay-file:continuity\n->continuity:uncertain "still read"\n'})
      assert.equal(result.code, 1)
      assert.deepEqual({done: report.done, failed: report.failed}, {done: 1, failed: 1})
      assert.match(report.warnings.join('\n'), /outbox file \S+\/default\/continuity is not a regular file \(it is a FIFO\)/)
      assert.ok(existsSync(join(outbox, 'default', 'continuity')))
    } finally {
      rmSync(outbox, {recursive: true, force: true})
    }
  })
})

describe('relay ingest and the shared outbox folder', () => {
  it('never deletes a file of the same name elsewhere while the agent folder is swapped for a link in a loop', async () => {
    const repo = newRepo()
    const outbox = mkdtempSync(join(tmpdir(), 'relay-outbox-'))
    const elsewhere = mkdtempSync(join(tmpdir(), 'relay-victim-'))
    const folder = join(outbox, 'default')
    mkdirSync(folder, {mode: 0o700})
    writeFileSync(join(elsewhere, 'save'), 'precious\n')
    const script = `while true; do mv ${folder} ${outbox}/real 2>/dev/null && ln -sfn ${elsewhere} ${folder} && rm -f ${folder} && mv ${outbox}/real ${folder}; done`
    // In a process group of its own, so the mv or ln it runs when stopped stops with it (else it races the cleanup).
    const swapper = spawn('bash', ['-c', script], {stdio: 'ignore', detached: true})
    try {
      for (let round = 0; round < 6; round++) {
        try {
          writeFileSync(join(folder, 'save'), `KIND: continuity\nACTION: uncertain\n\nround ${round}\n`)
        } catch {
          // the folder is away right now
        }
        await runCli(repo.dir, ['relay', 'ingest', '--outbox', outbox], {input: '->relay-file:save\n'})
        assert.ok(existsSync(join(elsewhere, 'save')), `round ${round}: the file of the same name elsewhere was deleted`)
      }
    } finally {
      const closed = new Promise((resolve) => swapper.on('close', resolve))
      process.kill(-swapper.pid!, 'SIGKILL')
      await closed
      rmSync(outbox, {recursive: true, force: true, maxRetries: 5})
      rmSync(elsewhere, {recursive: true, force: true, maxRetries: 5})
    }
  })

  it('refuses a base folder others can write to without the sticky bit, and one that is a link', async () => {
    const repo = newRepo()
    const outbox = mkdtempSync(join(tmpdir(), 'relay-outbox-'))
    try {
      mkdirSync(join(outbox, 'default'), {mode: 0o700})
      writeFileSync(join(outbox, 'default', 'save'), 'KIND: continuity\nACTION: uncertain\n\nplanted?\n')
      execFileSync('chmod', ['0777', outbox])
      const open = await runCli(repo.dir, ['relay', 'ingest', '--outbox', outbox], {input: '->relay-file:save\n'})
      assert.equal(open.code, 1)
      assert.match(open.stderr, /outbox base folder \S+ can be written to by others and has no sticky bit.*chmod \+t/)
      execFileSync('ln', ['-s', outbox, `${outbox}-link`])
      const linked = await runCli(repo.dir, ['relay', 'ingest'], {input: '->relay-file:save\n', env: {RELAY_OUTBOX: `${outbox}-link`}})
      assert.match(linked.stderr, /outbox folder \S+-link is a symbolic link/)
      assert.ok(existsSync(join(outbox, 'default', 'save')))
      execFileSync('chmod', ['1777', outbox])
      const sticky = await runCli(repo.dir, ['relay', 'ingest', '--outbox', outbox], {input: '->relay-file:save\n'})
      assert.equal(sticky.code, 0, sticky.stderr)
      assert.ok(!existsSync(join(outbox, 'default', 'save')))
    } finally {
      rmSync(`${outbox}-link`, {force: true})
      rmSync(outbox, {recursive: true, force: true})
    }
  })
})

describe('relay ingest of large and dense output', () => {
  /** Runs relay ingest with a preloaded hook that reports the process's peak resident memory, in bytes. */
  async function ingestMeasured(repo: TestRepo, args: string[], dir: string): Promise<{result: CliResult; maxRssBytes: number}> {
    const hook = join(dir, 'max-rss.cjs')
    const report = join(dir, 'max-rss.txt')
    writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)}, String(process.resourceUsage().maxRSS * 1024)))\n`)
    const result = await runCli(repo.dir, ['relay', 'ingest', ...args], {env: {NODE_OPTIONS: `--require ${hook}`}})
    return {result, maxRssBytes: Number(readFileSync(report, 'utf8'))}
  }

  it('reads a 300 MB log in bounded memory, keeping the events at its start, middle and end', {timeout: 180_000}, async () => {
    const repo = newRepo()
    const dir = mkdtempSync(join(tmpdir(), 'relay-ingest-large-'))
    try {
      // Mostly sparse (NUL bytes, no line end for 100 MB at a time), with lines of ordinary output around the events.
      const log = join(dir, 'large.log')
      const output = 'ordinary output line, compiling module 42 of 1000 ... ok\n'.repeat(20_000)
      writeFileSync(log, `${output}->continuity:uncertain "start"\n`)
      const fd = openSync(log, 'r+')
      try {
        let size = Number(readFileSync(log).length)
        for (const [at, text] of [
          [150e6, `\n${output}->continuity:uncertain "middle"\n`],
          [300e6, `\n->continuity:uncertain "end"\n${output}`],
        ] as const) {
          writeSync(fd, text, at)
          size = at + Buffer.byteLength(text)
        }
        assert.ok(size > 300e6)
      } finally {
        closeSync(fd)
      }
      const small = join(dir, 'small.log')
      writeFileSync(small, `${output}->continuity:uncertain "small"\n`)
      const baseline = await ingestMeasured(repo, [small], dir)
      assert.equal(baseline.result.code, 0, baseline.result.stderr)
      const large = await ingestMeasured(repo, [log], dir)
      assert.equal(large.result.code, 0, large.result.stderr)
      assert.match(repo.read('.relay/ledger/default.md'), /uncertain:\n {2}- small\n {2}- start\n {2}- middle\n {2}- end\n/)
      // Flat: the 300 MB run needs no more than a few chunks and a block above the 1 MB run (measured: about 10 MB).
      assert.ok(large.maxRssBytes < baseline.maxRssBytes + 48 * 1024 * 1024, `peak memory ${large.maxRssBytes} for 300 MB, ${baseline.maxRssBytes} for 1 MB`)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('commits dense output in a few commits, each event once, and reads on from the cursor', async () => {
    const repo = newRepo({dirty: true})
    const before = repo.userState()
    const dir = mkdtempSync(join(tmpdir(), 'relay-ingest-dense-'))
    try {
      const log = join(dir, 'dense.log')
      const filler = `${'x'.repeat(199)}\n`
      writeFileSync(log, Array.from({length: 300}, (_, i) => `${filler.repeat(10)}[[SUMMARY]]{"currentTask": "task ${i}"}[[/SUMMARY]]\n`).join(''))
      const first = await ingestJson(repo, [log])
      assert.equal(first.report.done, 300, first.result.stderr)
      assert.equal(refFiles(repo, '.relay/ledger/summaries/default').length, 300)
      assert.ok(commits(repo) <= 2, `${commits(repo)} commits for 300 events`)
      appendFileSync(log, '->continuity:uncertain "later"\n')
      const second = await ingestJson(repo, [log])
      assert.equal(second.report.events, 1)
      assert.equal(refFiles(repo, '.relay/ledger/summaries/default').length, 300)
      repo.assertUserStateUnchanged(before)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('commits a transcript of many assistant messages together, and keeps answers in order', async () => {
    const repo = newRepo()
    const dir = mkdtempSync(join(tmpdir(), 'relay-ingest-transcript-'))
    const line = (text: string) => `${JSON.stringify({type: 'assistant', message: {role: 'assistant', content: [{type: 'text', text}]}})}\n`
    try {
      const transcript = join(dir, 'session.jsonl')
      writeFileSync(transcript, [...Array.from({length: 50}, (_, i) => line(`->continuity:uncertain "item ${i}"`)), line('->continuity:load')].join(''))
      const {result, report} = await ingestJson(repo, ['--format', 'claude-jsonl', transcript])
      assert.equal(result.code, 0, result.stderr)
      assert.equal(report.done, 51)
      assert.equal(commits(repo), 1, 'fifty ledger updates, one commit')
      assert.match(report.answers[0]!, /item 0[\s\S]*item 49/, 'the load sees every item printed before it')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('relay ingest --follow', () => {
  it('reads a file rewritten under it from its start, and keeps a block still open at the stop as raw text', {timeout: 120_000}, async () => {
    const repo = newRepo()
    const dir = mkdtempSync(join(tmpdir(), 'relay-ingest-follow-'))
    const log = join(dir, 'agent.log')
    writeFileSync(log, '->continuity:uncertain "before"\n')
    const child = spawn(process.execPath, [BIN.relay, 'ingest', log, '--follow', '--json'], {cwd: repo.dir, env: testEnv()})
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    const ledgerHas = async (text: string) => {
      for (let i = 0; i < 200 && !repo.gitOrEmpty(['show', 'refs/trail/records:.relay/ledger/default.md']).includes(text); i++)
        await new Promise((resolve) => setTimeout(resolve, 100))
      assert.match(repo.git(['show', 'refs/trail/records:.relay/ledger/default.md']), new RegExp(text))
    }
    try {
      await ledgerHas('before')
      // Rewritten in place (same file, same inode) and longer than what was read: its first bytes changed, so it
      // is read from its start again.
      writeFileSync(log, '->continuity:uncertain "rewritten"\n->relay:Carol <<<\nstill open')
      await ledgerHas('rewritten')
      child.kill('SIGINT')
      assert.equal(await exited, 0)
      const report = JSON.parse(stdout) as IngestJson
      assert.deepEqual({done: report.done, raw: report.raw}, {done: 2, raw: 1})
      assert.match(records(repo, '.relay/ledger/raw/default')[0]!, /still open/)
    } finally {
      child.kill('SIGKILL')
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('relay ingest after a crash', () => {
  /** The one cursor file of this repository's ingest runs. */
  function cursorPath(repo: TestRepo): string {
    const dir = join(repo.dir, '.git', 'trail', 'ingest')
    return join(dir, readdirSync(dir).find((name) => name.endsWith('.json'))!)
  }

  it('resumes after a commit whose cursor was not written: each event once', async () => {
    const repo = newRepo()
    const dir = mkdtempSync(join(tmpdir(), 'relay-ingest-crash-'))
    try {
      const log = join(dir, 'agent.log')
      writeFileSync(log, '[[SUMMARY]]{"currentTask": "one"}[[/SUMMARY]]\n->relay:Bob two\n')
      await ingestJson(repo, [log])
      assert.equal(refFiles(repo, '.relay/messages').length, 1)
      // The state a crash between the commit and the cursor's plain write leaves: the old position, and the
      // position the commit reached, marked pending with one of its files.
      const cursor = JSON.parse(readFileSync(cursorPath(repo), 'utf8')) as {offset: number; skip: number}
      const probe = refFiles(repo, '.relay/messages')[0]!
      writeFileSync(
        cursorPath(repo),
        JSON.stringify({...cursor, offset: 0, skip: 0, pending: {offset: cursor.offset, skip: 0, probe: {path: probe, hash: contentHash(show(repo, probe))}}}),
      )
      const again = await ingestJson(repo, [log])
      assert.equal(again.report.events, 0, 'the committed events are not read again')
      assert.equal(refFiles(repo, '.relay/messages').length, 1)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('reads again the events of a commit that never happened, and passes over those a cursor says are committed', async () => {
    const repo = newRepo()
    const dir = mkdtempSync(join(tmpdir(), 'relay-ingest-crash-'))
    try {
      const log = join(dir, 'agent.log')
      writeFileSync(log, '->continuity:uncertain "first"\n')
      await ingestJson(repo, [log])
      const cursor = JSON.parse(readFileSync(cursorPath(repo), 'utf8')) as {offset: number}
      appendFileSync(log, '[[SUMMARY]]{"currentTask": "a"}[[/SUMMARY]]\n->relay:Bob b\n')
      // A crash before the commit: its pending mark names a file that is not on the ref.
      writeFileSync(
        cursorPath(repo),
        JSON.stringify({...cursor, pending: {offset: 10_000, skip: 0, probe: {path: '.relay/messages/2026/01/01/msg_never.md', hash: '1-0'}}}),
      )
      const resumed = await ingestJson(repo, [log])
      assert.equal(resumed.report.done, 2)
      assert.equal(refFiles(repo, '.relay/messages').length, 1)
      // A flush between two events of one line (a transcript line, or a load): the cursor says one is done.
      appendFileSync(log, '->relay:Carol c\n\n->relay:Dave d\n')
      const now = JSON.parse(readFileSync(cursorPath(repo), 'utf8')) as {offset: number}
      writeFileSync(cursorPath(repo), JSON.stringify({...now, skip: 1}))
      await ingestJson(repo, [log])
      const to = records(repo, '.relay/messages')
        .map((text) => /^to: "?(\w+)/m.exec(text)![1])
        .sort()
      assert.deepEqual(to, ['Bob', 'Dave'], "Carol's message was counted as committed; Dave's was not")
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
