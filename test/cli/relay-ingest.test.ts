import assert from 'node:assert/strict'
import {execFileSync, spawn} from 'node:child_process'
import {appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {BIN, json, ok, ROOT, runCli} from '../helpers/cli.js'
import {testEnv, useRepos, type TestRepo} from '../helpers/repo.js'
import {codeBlocks} from '../helpers/shell-words.js'
import type {IngestJson} from '../../src/render/ingest.js'

// relay ingest: an agent's output, piped, read from a file (from where the last run stopped, or followed), or read
// from a Claude Code transcript; each pattern carried out, answers on stdout.

const newRepo = useRepos()

function refFiles(repo: TestRepo, dir: string): string[] {
  return repo.gitOrEmpty(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', dir]).split('\n').filter(Boolean)
}

const SESSION_LOG = `Starting work on auth.
\u001b[32m[[SUMMARY]]\u001b[0m
{
  "currentTask": "Auth module",
  "completedTasks": ["User model"],
  "context": "JWT chosen",
  "files": ["src/auth/jwt.ts"]
}
[[/SUMMARY]]
Some tool output with a fence:
\`\`\`
->continuity:save <<<
Current task: NOT THIS ONE (inside a code fence)>>>
\`\`\`
->continuity:save --handoff <<<
Current task: Implementing auth module
Completed: User model, JWT utils
Next steps: Login endpoint, Session middleware
Key decisions: JWT with refresh tokens, bcrypt for passwords
Files: src/auth/*.ts>>>
->continuity:uncertain "API rate limit handling unclear"
->relay:frontend:Designer [thread:auth-feature] <<<
UI mockups ready for review>>>
->continuity:load
->continuity:search "bcrypt"
[[SUMMARY]]{not json}[[/SUMMARY]]
[[SESSION_END]]
{"summary": "Auth groundwork done", "completedTasks": ["User model", "JWT utils"]}
[[/SESSION_END]]
->relay:backend:lead <<<
never closed
`

describe('relay ingest', () => {
  it('turns a session log into ledger, handoff, summary, session, message and raw records, and answers on stdout', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Auth'], {env: {AGENT_RELAY_NAME: 'claude'}})
    const before = repo.userState()
    const result = await runCli(repo.dir, ['relay', 'ingest'], {input: SESSION_LOG, env: {AGENT_RELAY_NAME: 'claude'}})
    assert.equal(result.code, 0, result.stderr)
    repo.assertUserStateUnchanged(before)
    assert.match(result.stdout, /^# Session context for claude\n\n## Where you left off/)
    assert.match(result.stdout, /\*\*Current task:\*\* Implementing auth module/)
    assert.match(result.stdout, /## Uncertain: verify these\n\n- API rate limit handling unclear/)
    assert.match(result.stdout, /\nledger \S+ \(\S+, claude, [\d-]+\): Implementing auth module\n +\d+: .*bcrypt/)
    assert.match(result.stderr, /stdin line 26: the \[\[SUMMARY\]\] on line 26 is not a JSON object; kept as text/)
    assert.match(result.stderr, /stdin line 30: the block opened on line 30 is not closed \(>>>\) by the end of the output; kept as raw text/)
    assert.doesNotMatch(repo.read('.relay/ledger/claude.md'), /NOT THIS ONE/)

    assert.equal(refFiles(repo, '.relay/ledger/summaries/claude').length, 2)
    assert.equal(refFiles(repo, '.relay/ledger/sessions/claude').length, 1)
    assert.equal(refFiles(repo, '.relay/ledger/handoffs').length, 1)
    assert.equal(refFiles(repo, '.relay/messages').length, 1)
    assert.equal(refFiles(repo, '.relay/ledger/raw/claude').length, 1)
    const session = repo.git(['show', `refs/trail/records:${refFiles(repo, '.relay/ledger/sessions/claude')[0]}`])
    assert.match(session, /trajectory: traj_\w+\nsummary: Auth groundwork done\n/)
    assert.equal(
      (await json<{active: {status: string}}>(repo.dir, ['trail', 'status'], {env: {AGENT_RELAY_NAME: 'claude'}})).active.status,
      'active',
      'a session end completes nothing',
    )
    const invalid = refFiles(repo, '.relay/ledger/summaries/claude')
      .map((path) => repo.git(['show', `refs/trail/records:${path}`]))
      .find((text) => text.includes('warning'))!
    assert.match(invalid, /raw: "\{not json\}"/)
    const message = repo.git(['show', `refs/trail/records:${refFiles(repo, '.relay/messages')[0]}`])
    assert.match(message, /from: claude\nproject: \S+\nto: "frontend:Designer"\nthread: auth-feature\n/)
  })

  it('reports counts with --json, keeps a refused block as raw text, and exits 1 when an event failed', async () => {
    const repo = newRepo()
    const outbox = mkdtempSync(join(tmpdir(), 'relay-outbox-'))
    try {
      mkdirSync(join(outbox, 'default'))
      const report = await runCli(repo.dir, ['relay', 'ingest', '--json', '--outbox', outbox], {
        input: '->continuity:save <<<\n  \n>>>\n->relay-file:missing\n->continuity:uncertain "kept"\n',
      })
      assert.equal(report.code, 1)
      const parsed = JSON.parse(report.stdout) as IngestJson
      assert.deepEqual({events: parsed.events, done: parsed.done, raw: parsed.raw, failed: parsed.failed}, {events: 3, done: 1, raw: 1, failed: 1})
      assert.match(parsed.warnings.join('\n'), /line 1: nothing to save: the content is empty .*; kept as raw text/)
      assert.match(parsed.warnings.join('\n'), new RegExp(`line 4: no outbox file ${outbox}/default/missing`))
    } finally {
      rmSync(outbox, {recursive: true, force: true})
    }
  })

  it('keeps messages it cannot deliver as raw records: a bad thread, a bad target', async () => {
    const repo = newRepo()
    const result = await runCli(repo.dir, ['relay', 'ingest'], {
      input: '->relay:Bob [thread:auth/feature] <<<\nImportant long message\n>>>\n->relay:*:Designer hello\n',
    })
    assert.equal(result.code, 0, result.stderr)
    assert.equal(refFiles(repo, '.relay/ledger/raw/default').length, 2)
    assert.equal(refFiles(repo, '.relay/messages').length, 0)
    const raw = refFiles(repo, '.relay/ledger/raw/default')
      .map((path) => repo.git(['show', `refs/trail/records:${path}`]))
      .join('\n')
    assert.match(raw, /Important long message/)
    assert.match(raw, /invalid thread id/)
    assert.match(raw, /invalid message target/)
  })

  it("carries out the spec's outbox flow, verbatim, and deletes each file once its effect is committed", async () => {
    const repo = newRepo()
    const agent = `spec-agent-${process.pid}`
    const base = '/tmp/relay-outbox'
    const made = !existsSync(base)
    const folder = join(base, agent)
    mkdirSync(folder, {recursive: true})
    try {
      const spec = readFileSync(join(ROOT, 'docs', 'spec', 'relay-protocol-outbox-and-trail.md'), 'utf8')
      const writes = codeBlocks(spec).filter((block) => block.language === 'bash' && block.body.startsWith('cat > /tmp/relay-outbox/'))
      assert.equal(writes.length, 3)
      for (const block of writes) {
        execFileSync('bash', ['-c', block.body], {cwd: repo.dir, env: testEnv({AGENT_RELAY_NAME: agent})})
        const name = /\$AGENT_RELAY_NAME\/(\w+) /.exec(block.body)![1]!
        assert.ok(existsSync(join(folder, name)))
        const result = await runCli(repo.dir, ['relay', 'ingest'], {input: `Then: \n->relay-file:${name}\n`, env: {AGENT_RELAY_NAME: agent}})
        assert.equal(result.code, 0, result.stderr)
        assert.ok(!existsSync(join(folder, name)), `${name} is deleted after it is carried out`)
        if (name === 'load') assert.match(result.stdout, /Current task:\*\* Implementing user authentication/)
      }
      const ledger = repo.read(`.relay/ledger/${agent}.md`)
      assert.match(ledger, /currentTask: Implementing user authentication\n/)
      assert.match(ledger, /uncertain:\n  - API rate limit handling unclear\n/)
      assert.match(ledger, /files:\n  - "src\/auth\/\*\.ts"\n/)
    } finally {
      rmSync(folder, {recursive: true, force: true})
      // The spec's base folder too, when this test made it and nothing else has put a folder in it since.
      if (made) {
        try {
          rmdirSync(base)
        } catch {
          // another process's folder is in it now: it stays
        }
      }
    }
  })

  it('sends a message from an outbox file (TO:), and keeps a bad outbox file where it is', async () => {
    const repo = newRepo()
    const outbox = join(repo.dir, '..', `outbox-${process.pid}-${Date.now()}`)
    const folder = join(outbox, 'default')
    mkdirSync(folder, {recursive: true})
    try {
      writeFileSync(join(folder, 'msg'), 'TO: frontend:Designer\r\nTHREAD: auth\r\n\r\nPlease update the login UI.\r\n')
      writeFileSync(join(folder, 'broken'), 'KIND: continuity\nACTION: fly\n')
      writeFileSync(join(folder, 'huge'), `KIND: continuity\nACTION: save\n\n${'x'.repeat(50 * 1024 * 1024)}`)
      writeFileSync(join(folder, 'binary'), Buffer.from([0x4b, 0x00, 0xff, 0x00]))
      const result = await runCli(repo.dir, ['relay', 'ingest', '--outbox', outbox], {
        input: '->relay-file:msg\n->relay-file:broken\n->relay-file:huge\n->relay-file:binary\n->relay-file:../../etc/passwd\n',
      })
      assert.equal(result.code, 1)
      assert.ok(!existsSync(join(folder, 'msg')))
      for (const name of ['broken', 'huge', 'binary']) assert.ok(existsSync(join(folder, name)), `${name} is left in place`)
      assert.match(result.stderr, /broken: unknown ACTION 'fly'/)
      assert.match(result.stderr, /huge is 52428831 bytes; the limit is 1052672/)
      assert.match(result.stderr, /binary is not text/)
      assert.match(result.stderr, /invalid outbox file name '\.\.\/\.\.\/etc\/passwd'/)
      const message = repo.git(['show', `refs/trail/records:${refFiles(repo, '.relay/messages')[0]}`])
      assert.match(message, /to: "frontend:Designer"\nthread: auth\n/)
      assert.match(message, /body: Please update the login UI\.\n/)
    } finally {
      rmSync(outbox, {recursive: true, force: true})
    }
  })

  it('survives binary output and keeps a save with no known field as text', async () => {
    const repo = newRepo()
    const noise = Buffer.alloc(256 * 1024)
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 256
    const input = Buffer.concat([noise, Buffer.from('\n->continuity:save <<<\njust thoughts, no fields>>>\n'), noise])
    const result = await runCli(repo.dir, ['relay', 'ingest'], {input})
    assert.equal(result.code, 0, result.stderr)
    assert.match(repo.read('.relay/ledger/default.md'), /notes:\n  - \{"label": "Notes", "text": "just thoughts, no fields"\}/)
  })

  it('reads a log file from where the last run stopped, leaving an unfinished block for the next run', async () => {
    const repo = newRepo()
    const log = join(repo.dir, '..', `agent-${process.pid}-${Date.now()}.log`)
    try {
      writeFileSync(log, '->continuity:uncertain "first"\n->continuity:save <<<\nCurrent task: half')
      const first = await runCli(repo.dir, ['relay', 'ingest', log])
      assert.equal(first.code, 0, first.stderr)
      assert.match(first.stderr, /is not finished \(a block or a line still open\); it is read when the file grows/)
      appendFileSync(log, ' written>>>\n->continuity:uncertain "second"\n')
      await ok(repo.dir, ['relay', 'ingest', log])
      await ok(repo.dir, ['relay', 'ingest', log])
      const ledger = repo.read('.relay/ledger/default.md')
      assert.match(ledger, /currentTask: half written\n/)
      assert.match(ledger, /uncertain:\n  - first\n  - second\n/)
      assert.equal(
        repo.git(['rev-list', '--count', 'refs/trail/records']).trim(),
        '2',
        'each block once, one commit per run that had events: uncertain; save and uncertain',
      )
    } finally {
      rmSync(log, {force: true})
    }
  })

  it('leaves a line still being written for the next run, and resumes right after short, non-UTF-8 and given-up input', async () => {
    const repo = newRepo()
    const dir = mkdtempSync(join(tmpdir(), 'relay-ingest-'))
    const messages = () => refFiles(repo, '.relay/messages').map((path) => repo.git(['show', `refs/trail/records:${path}`]).match(/^body: (.*)$/m)![1])
    try {
      const half = join(dir, 'half.log')
      writeFileSync(half, '->relay:Bob Please update the lo')
      await ok(repo.dir, ['relay', 'ingest', half])
      appendFileSync(half, 'gin UI\n')
      await ok(repo.dir, ['relay', 'ingest', half])
      const short = join(dir, 'short.log')
      writeFileSync(short, '->relay:Bob one\n')
      await ok(repo.dir, ['relay', 'ingest', short])
      appendFileSync(short, '->relay:Bob two\n')
      await ok(repo.dir, ['relay', 'ingest', short])
      assert.deepEqual(messages().sort(), ['Please update the login UI', 'one', 'two'])

      const latin = join(dir, 'latin.log')
      writeFileSync(
        latin,
        Buffer.concat([Buffer.from('\ufeffcaf'), Buffer.from([0xe9]), Buffer.from(' au lait\n->continuity:save <<<\nCurrent task: after Latin-1')]),
      )
      await ok(repo.dir, ['relay', 'ingest', latin])
      appendFileSync(latin, '>>>\n')
      await ok(repo.dir, ['relay', 'ingest', latin])
      assert.match(repo.read('.relay/ledger/default.md'), /currentTask: after Latin-1\n/)

      const given = join(dir, 'given.log')
      writeFileSync(given, '->relay:Carol <<<\nforgot the end\n->continuity:save <<<\nstill open')
      for (let run = 0; run < 3; run++) await ok(repo.dir, ['relay', 'ingest', given])
      assert.equal(refFiles(repo, '.relay/ledger/raw/default').length, 1, 'the block given up is kept once')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('refuses outbox files another user could have planted: a link, a folder others can write to', async () => {
    const repo = newRepo()
    const outbox = mkdtempSync(join(tmpdir(), 'relay-outbox-'))
    try {
      mkdirSync(join(outbox, 'default'))
      writeFileSync(join(outbox, 'secret'), 'KIND: continuity\nACTION: save\n\nCurrent task: from outside\n')
      symlinkSync(join(outbox, 'secret'), join(outbox, 'default', 'linked'))
      const linked = await runCli(repo.dir, ['relay', 'ingest', '--outbox', outbox], {input: '->relay-file:linked\n'})
      assert.equal(linked.code, 1)
      assert.match(linked.stderr, /linked is a link; only regular files are read/)
      assert.ok(existsSync(join(outbox, 'default', 'linked')))
      mkdirSync(join(outbox, 'open'))
      chmodSync(join(outbox, 'open'), 0o777)
      writeFileSync(join(outbox, 'open', 'save'), 'KIND: continuity\nACTION: save\n\nCurrent task: planted\n')
      const open = await runCli(repo.dir, ['relay', 'ingest', '--outbox', outbox, '--agent', 'open'], {input: '->relay-file:save\n'})
      assert.equal(open.code, 1)
      assert.match(open.stderr, /outbox folder \S+\/open is not a folder of yours that only you can write to/)
      assert.equal(refFiles(repo, '.relay/ledger').length, 0)
    } finally {
      rmSync(outbox, {recursive: true, force: true})
    }
  })

  it('follows a growing log until interrupted', async () => {
    const repo = newRepo()
    const log = join(repo.dir, '..', `follow-${process.pid}-${Date.now()}.log`)
    writeFileSync(log, 'starting\n')
    const child = spawn(process.execPath, [BIN.relay, 'ingest', log, '--follow'], {cwd: repo.dir, env: testEnv()})
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    try {
      await new Promise((resolve) => setTimeout(resolve, 500))
      appendFileSync(log, '->continuity:uncertain "seen while following"\n')
      for (let i = 0; i < 100 && !repo.gitOrEmpty(['show', 'refs/trail/records:.relay/ledger/default.md']).includes('seen while following'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      assert.match(repo.git(['show', 'refs/trail/records:.relay/ledger/default.md']), /seen while following/)
      child.kill('SIGINT')
      assert.equal(await exited, 0)
    } finally {
      child.kill('SIGKILL')
      rmSync(log, {force: true})
    }
  })
})

describe('relay ingest of Claude Code transcripts', () => {
  const line = (type: string, content: unknown) => `${JSON.stringify({type, message: {role: type, content}, uuid: Math.random().toString(36)})}\n`

  it("reads the assistant's text, once per line, however many times it runs", async () => {
    const repo = newRepo()
    const transcript = join(repo.dir, '..', `transcript-${process.pid}-${Date.now()}.jsonl`)
    try {
      writeFileSync(
        transcript,
        line('user', 'please save') +
          line('assistant', [
            {type: 'text', text: 'Saving.\n->continuity:save <<<\nCurrent task: From the transcript>>>'},
            {type: 'tool_use', name: 'Bash', input: {command: 'echo ->continuity:load'}},
          ]) +
          line('user', [{type: 'tool_result', content: '->continuity:uncertain "not from the assistant"'}]),
      )
      await ok(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl', transcript])
      await ok(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl', transcript])
      appendFileSync(transcript, line('assistant', '->continuity:uncertain "later"'))
      await ok(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl', transcript])
      const ledger = repo.read('.relay/ledger/default.md')
      assert.match(ledger, /currentTask: From the transcript\n/)
      assert.match(ledger, /uncertain:\n  - later\n/)
      assert.equal(repo.git(['rev-list', '--count', 'refs/trail/records']).trim(), '2')
    } finally {
      rmSync(transcript, {force: true})
    }
  })

  it('reads a transcript piped on stdin, and as a hook answers with exit 0 even when an event fails', async () => {
    const repo = newRepo()
    const piped = await runCli(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl', '--json'], {
      input: line('assistant', '->continuity:uncertain "piped"'),
    })
    assert.equal((JSON.parse(piped.stdout) as IngestJson).done, 1)
    const transcript = join(repo.dir, '..', `fail-${process.pid}-${Date.now()}.jsonl`)
    try {
      writeFileSync(transcript, line('assistant', '->continuity:load\n->relay-file:missing'))
      const payload = JSON.stringify({transcript_path: transcript, hook_event_name: 'Stop', stop_hook_active: false})
      const result = await runCli(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl'], {
        input: payload,
        env: {RELAY_OUTBOX: join(repo.dir, '..', 'no-outbox')},
      })
      assert.equal(result.code, 0)
      assert.equal((JSON.parse(result.stdout) as {decision: string}).decision, 'block')
      assert.match(result.stderr, /no outbox folder/)
      const badAgent = await runCli(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl'], {input: payload, env: {AGENT_RELAY_NAME: 'Claude Code'}})
      assert.equal(badAgent.code, 0, 'a hook never exits 2 (which would block the agent)')
      assert.match(badAgent.stderr, /relay hook claude stop: invalid agent name/)
    } finally {
      rmSync(transcript, {force: true})
    }
  })

  it('takes turns when two hooks read one transcript at once: each message once', async () => {
    const repo = newRepo()
    const transcript = join(repo.dir, '..', `twice-${process.pid}-${Date.now()}.jsonl`)
    try {
      writeFileSync(transcript, Array.from({length: 5}, (_, i) => line('assistant', `->relay:Bob message ${i}`)).join(''))
      const payload = JSON.stringify({transcript_path: transcript, hook_event_name: 'Stop', stop_hook_active: false})
      await Promise.all([0, 1].map(() => ok(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl'], {input: payload})))
      assert.equal(refFiles(repo, '.relay/messages').length, 5)
    } finally {
      rmSync(transcript, {force: true})
    }
  })

  it('as a Stop hook (an older install): hands load answers back to the agent as Markdown, never twice in a row, and no reminder to the human', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Hooked work'])
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: Hooked work'])
    const transcript = join(repo.dir, '..', `hook-${process.pid}-${Date.now()}.jsonl`)
    const env = {AGENT_RELAY_NAME: 'default'}
    try {
      writeFileSync(transcript, line('assistant', 'Let me reload.\n->continuity:load'))
      const payload = (active: boolean) => JSON.stringify({session_id: 's', transcript_path: transcript, hook_event_name: 'Stop', stop_hook_active: active})
      const answer = JSON.parse(await ok(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl'], {input: payload(false), env})) as {
        decision: string
        reason: string
      }
      assert.equal(answer.decision, 'block')
      assert.match(answer.reason, /^## continuity load\n\n### Session context for default\n/)
      assert.match(answer.reason, /Hooked work/)
      appendFileSync(transcript, line('assistant', '->continuity:load'))
      const again = await ok(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl'], {input: payload(true), env})
      assert.equal(again, '', 'stop_hook_active: no second block, and no systemMessage (it reaches only the human)')
      appendFileSync(transcript, line('assistant', 'done for now'))
      await ok(repo.dir, ['trail', 'complete', '--summary', 'done'])
      assert.match(
        await ok(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl'], {input: payload(false), env}),
        /^\{"decision":"block","reason":"## continuity load/,
        'the answer held back by the loop guard comes at the next stop',
      )
      assert.equal(await ok(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl'], {input: payload(false), env}), '', 'nothing to say, nothing printed')
    } finally {
      rmSync(transcript, {force: true})
    }
  })
})
