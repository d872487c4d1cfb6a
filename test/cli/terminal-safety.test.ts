import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {BIN, ok, ROOT, runCli, type CliResult} from '../helpers/cli.js'
import {commitOnRef, testEnv, useRepos, type TestRepo} from '../helpers/repo.js'
import {IdGenerator} from '../../src/model/ids.js'
import {eventPath, messagePath, trajectoryPath} from '../../src/model/layout.js'

// No foreign byte reaches a terminal raw. Hostile text is planted every way it can arrive: through the commands
// (titles, reasoning, messages, continuity, agent output and outbox files through relay ingest), behind the tool's
// back on the ref (every front matter field, NUL included), and from a sibling's store through relay sync. Then
// every command that reads it runs, and neither stdout nor stderr may hold a dangerous character, while the text
// stays visible in escaped form. One test runs commands under a real pseudo-terminal, where colour is on.

const newRepo = useRepos()

/** One of each class of attack; `shown` is how part of it must look once escaped. */
const ATTACKS = [
  {name: 'OSC 52 (writes the clipboard)', text: '\u001b]52;c;cm0gLXJmIH4=\u0007', shown: '\\x1b]52;c;cm0gLXJmIH4=\\x07'},
  {name: 'OSC 0 (window title), ST-terminated', text: '\u001b]0;owned\u001b\\', shown: '\\x1b]0;owned\\x1b\\'},
  {name: 'ESC c (reset)', text: '\u001bc', shown: '\\x1bc'},
  {name: 'CSI (clear, move)', text: '\u001b[2J\u001b[1;1H', shown: '\\x1b[2J\\x1b[1;1H'},
  {name: 'DCS', text: '\u001bP1$r\u001b\\', shown: '\\x1bP1$r'},
  {name: 'C1 CSI and OSC', text: '\u009b31m\u009d0;t\u009c', shown: '\\u009b31m\\u009d0;t\\u009c'},
  {name: 'bidi override and isolate', text: '\u202eevil\u202c \u2067iso\u2069', shown: '\\u202eevil\\u202c \\u2067iso\\u2069'},
  {name: 'line separator', text: 'line\u2028sep', shown: 'line'},
  {name: 'zero width space', text: 'z\u200bw', shown: 'z\\u200bw'},
  {name: 'BEL and DEL', text: 'bell\u0007del\u007f', shown: 'bell\\x07del\\u007f'},
  {name: 'tag characters', text: '\u{e0041}\u{e0042}', shown: '\\udb40\\udc41'},
  {name: 'CR', text: 'shown\roverwritten', shown: 'shown'},
  {name: 'TAB', text: 'a\tb', shown: 'a'},
] as const

/** Every attack in one line of text, between markers that searches can find. */
const PAYLOAD = `zqxhostile ${ATTACKS.map((attack) => attack.text).join(' ')} end`

/**
 * What must never be printed as itself, written here apart from src/render/terminal.ts: C0 controls but TAB and
 * LF, DEL, C1, bidirectional marks and overrides, zero-width and invisible format characters, the line and
 * paragraph separators, tag characters, lone surrogates.
 */
const DANGEROUS =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\ud800-\udfff]|[\u{e0000}-\u{e007f}]/u

function assertNothingRaw(text: string, where: string): void {
  const found = DANGEROUS.exec(text)
  if (found) {
    const at = found.index
    assert.fail(
      `${where}: U+${found[0].codePointAt(0)!.toString(16).padStart(4, '0')} printed raw at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 60), at + 60))}`,
    )
  }
}

function assertSafe(result: CliResult, where: string): void {
  assertNothingRaw(result.stdout, `${where} (stdout)`)
  assertNothingRaw(result.stderr, `${where} (stderr)`)
}

/** The escaped forms every reader must show, for text that went through a one-line field or a body. */
const VISIBLE = ['\\x1b]52;c;cm0gLXJmIH4=\\x07', '\\x1bc', '\\u009b31m', '\\u202eevil', 'z\\u200bw', 'del\\u007f']

function assertVisible(text: string, where: string, expected: readonly string[] = VISIBLE): void {
  for (const shown of expected) assert.ok(text.includes(shown), `${where}: expected ${JSON.stringify(shown)} in:\n${text.slice(0, 3000)}`)
}

/** A string as a YAML double-quoted scalar with nothing but ASCII in it (\uXXXX, \UXXXXXXXX), so any value fits. */
function yamlString(value: string): string {
  let out = '"'
  for (const char of value) {
    const code = char.codePointAt(0)!
    if (char === '"' || char === '\\') out += `\\${char}`
    else if (code >= 0x20 && code < 0x7f) out += char
    else if (code > 0xffff) out += `\\U${code.toString(16).padStart(8, '0')}`
    else out += `\\u${code.toString(16).padStart(4, '0')}`
  }
  return `${out}"`
}

function frontMatter(fields: Record<string, string | string[]>, body: string): string {
  const lines = Object.entries(fields).map(([key, value]) =>
    Array.isArray(value) ? `${key}:\n${value.map((item) => `  - ${yamlString(item)}`).join('\n')}` : `${key}: ${yamlString(value)}`,
  )
  return `---\n${lines.join('\n')}\n---\n\n${body}\n`
}

/** A one-line field that tries to start a line of its own, with a NUL (YAML can carry it; an argument cannot). */
const FIELD = `zqxfield \u001b]0;title\u0007 nul\u0000 \u009b2J \u202etxt\nFAKE-LINE \u001bc`
/** Text of a field that is many lines by nature (a body, a reasoning, a summary): its lines are its own. */
const TEXT = `${PAYLOAD}\nzqxfield \u001b]0;title\u0007 nul\u0000 \u009b2J \u202etxt`
/** A date that is not one. */
const DATE = '2026-01-02T03:04:05.000Z\u001b]52;c;eA==\u0007\nFAKE-LINE'

/** Ids for records planted by hand, so they sit where the tool looks for them. */
const ids = new IdGenerator(
  () => new Date('2026-01-02T03:04:05Z'),
  (count) => new Uint8Array(count).fill(7),
)
const HOSTILE_TRAJECTORY = ids.next('traj')
const BROKEN_TRAJECTORY = ids.next('traj')
/** A trajectory whose id field is not its folder's (trail show builds paths from the id: it is only listed). */
const MISNAMED_TRAJECTORY = ids.next('traj')
const HOSTILE_MESSAGE = ids.next('msg')
const SIBLING_MESSAGE = ids.next('msg')

describe('terminal safety: hostile records reach no terminal raw', () => {
  let home: TestRepo
  let sibling: TestRepo
  let outbox: string
  let scratch: string
  let ownId: string
  let activeId: string
  /** The user's work tree, index and HEAD before anything was written: every test that writes proves them unchanged. */
  let userState: ReturnType<TestRepo['userState']>
  const env = {AGENT_RELAY_NAME: 'default'}

  before(async () => {
    home = newRepo()
    sibling = newRepo()
    outbox = mkdtempSync(join(tmpdir(), 'relay-trail-outbox-'))
    scratch = mkdtempSync(join(tmpdir(), 'relay-trail-scratch-'))
    userState = home.userState()

    // Through the commands.
    await ok(home.dir, ['relay', 'project', '--id', 'home'])
    ownId = (
      await ok(home.dir, ['trail', 'start', '--quiet', '--task', PAYLOAD, '--source', PAYLOAD, '--url', `https://example.com/${PAYLOAD}`, '--', PAYLOAD])
    ).trim()
    await ok(home.dir, [
      'trail',
      'decision',
      PAYLOAD,
      '--reasoning',
      `first line\n${PAYLOAD}\nlast line`,
      '--alternatives',
      `${PAYLOAD},plain`,
      '--confidence',
      '0.5',
    ])
    await ok(home.dir, [
      'trail',
      'complete',
      '--summary',
      `${PAYLOAD}\nsecond line`,
      '--approach',
      PAYLOAD,
      '--challenges',
      PAYLOAD,
      '--learnings',
      PAYLOAD,
      '--confidence',
      '0.6',
    ])
    activeId = (await ok(home.dir, ['trail', 'start', '--quiet', '--', `active ${PAYLOAD}`])).trim()
    await ok(home.dir, ['trail', 'decision', `active decision ${PAYLOAD}`, '--reasoning', PAYLOAD])
    await ok(home.dir, ['relay', 'send', 'default', `body ${PAYLOAD}\nsecond line`, '--thread', 'hostile', '--agent', 'sender'])
    await ok(home.dir, [
      'relay',
      'continuity',
      'save',
      `Current task: ${PAYLOAD}\nNext steps: ${PAYLOAD}\nKey decisions: ${PAYLOAD}\n## Notes\n${PAYLOAD}`,
      '--handoff',
    ])
    await ok(home.dir, ['relay', 'continuity', 'uncertain', `uncertain ${PAYLOAD}`])
    // Agent output and an outbox file, through relay ingest (the parser strips ANSI sequences, and reads a CR as the
    // end of a line, as it does U+2028; the rest arrives).
    const printed = PAYLOAD.replace(/[\r\u2028]/g, ' ')
    mkdirSync(join(outbox, 'default'))
    writeFileSync(join(outbox, 'default', 'hostile'), `TO: default\nTHREAD: hostile\n\noutbox ${printed}\n`)
    const agentOutput = [
      `->relay:default <<<ingested ${printed}>>>`,
      '->relay-file:hostile',
      `[[SUMMARY]]${JSON.stringify({currentTask: PAYLOAD, completedTasks: [PAYLOAD], context: PAYLOAD})}[[/SUMMARY]]`,
      'plain \u0000 nul',
    ].join('\n')
    await ok(home.dir, ['relay', 'ingest', '--outbox', outbox], {input: agentOutput, env})

    // Behind the tool's back: every front matter field hostile, a NUL among them, and a record that cannot be read.
    commitOnRef(home, 'refs/trail/records', [
      {
        path: trajectoryPath(HOSTILE_TRAJECTORY),
        content: frontMatter(
          {
            id: HOSTILE_TRAJECTORY,
            title: FIELD,
            status: 'abandoned',
            agent: 'default',
            started: DATE,
            updated: DATE,
            ended: DATE,
            task: FIELD,
            source: FIELD,
            url: FIELD,
            branch: FIELD,
            summary: TEXT,
            approach: TEXT,
            challenges: [FIELD],
            learnings: [FIELD],
            reason: TEXT,
          },
          'by hand',
        ),
      },
      {
        path: eventPath(HOSTILE_TRAJECTORY, ids.next('ev')),
        content: frontMatter(
          {
            id: `ev_${FIELD}`,
            kind: 'decision',
            trajectory: HOSTILE_TRAJECTORY,
            agent: 'default',
            at: DATE,
            title: FIELD,
            reasoning: TEXT,
            alternatives: [FIELD],
          },
          'by hand',
        ),
      },
      {
        path: trajectoryPath(MISNAMED_TRAJECTORY),
        content: frontMatter({id: `${MISNAMED_TRAJECTORY}${FIELD}`, title: 'misnamed', status: 'completed', agent: 'default', started: DATE}, 'by hand'),
      },
      {
        path: trajectoryPath(BROKEN_TRAJECTORY),
        content: frontMatter({id: BROKEN_TRAJECTORY, title: 'broken', status: FIELD, agent: 'default', started: DATE}, 'by hand'),
      },
      {
        path: messagePath(HOSTILE_MESSAGE),
        content: frontMatter(
          {id: `${HOSTILE_MESSAGE}${FIELD}`, from: 'planted', project: 'home', to: 'default', thread: 'hostile', created: DATE, body: `planted ${TEXT}`},
          'by hand',
        ),
      },
    ])

    // A sibling whose store says hostile things: messages for every project, a trajectory to search.
    await ok(sibling.dir, ['relay', 'project', '--id', 'sib'])
    commitOnRef(sibling, 'refs/trail/records', [
      {
        path: messagePath(SIBLING_MESSAGE),
        content: frontMatter(
          {id: `${SIBLING_MESSAGE}${FIELD}`, from: 'evil', project: 'sib', to: '*:*', thread: 'hostile', created: DATE, body: `sibling ${TEXT}`},
          'by hand',
        ),
      },
      {
        path: trajectoryPath(HOSTILE_TRAJECTORY),
        content: frontMatter(
          {id: `${HOSTILE_TRAJECTORY}${FIELD}`, title: `sibling ${PAYLOAD}`, status: 'active', agent: 'evil', started: DATE, summary: PAYLOAD},
          `# sibling ${PAYLOAD}\n`,
        ),
      },
    ])
    home.assertUserStateUnchanged(userState)
    // relay bridge add keeps the sibling in the repository's git config, as it says: the state is taken again after.
    await ok(home.dir, ['relay', 'bridge', 'add', 'sib', sibling.dir])
    userState = home.userState()
    await ok(home.dir, ['relay', 'sync'])
    home.assertUserStateUnchanged(userState)
  })

  after(() => {
    rmSync(outbox, {recursive: true, force: true})
    rmSync(scratch, {recursive: true, force: true})
  })

  /** Runs a reading command: it must succeed, print nothing raw, and show the hostile text escaped. */
  async function read(
    argv: Parameters<typeof runCli>[1],
    visible: readonly string[] = VISIBLE,
    options: Parameters<typeof runCli>[2] = {},
  ): Promise<CliResult> {
    const result = await runCli(home.dir, argv, options)
    assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`)
    assertSafe(result, argv.join(' '))
    assertVisible(result.stdout, argv.join(' '), visible)
    return result
  }

  /** No line of `text` starts with what a one-line field tried to put on a line of its own. */
  function assertNoInjectedLine(text: string, where: string): void {
    assert.doesNotMatch(text, /^FAKE-LINE/m, `${where}: a one-line field started a line of its own`)
  }

  it('trail list prints hostile titles, ids and dates escaped, each trajectory on one line', async () => {
    const result = await read(['trail', 'list'], ['\\x1b]0;title\\x07', 'nul\\x00', '\\u009b2J', '\\u202etxt'])
    assert.ok(result.stdout.includes(`${MISNAMED_TRAJECTORY}zqxfield \\x1b]0;title\\x07`), 'an id field shows escaped')
    assertNoInjectedLine(result.stdout, 'trail list')
    assert.match(
      result.stderr,
      new RegExp(`^warning: cannot read record .*${BROKEN_TRAJECTORY}.*\\\\x1b\\]0;title\\\\x07`, 'm'),
      'the warning quotes the bad field, escaped',
    )
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, 'one warning, on one line')
  })

  it('trail show prints every field of a planted trajectory escaped, one-line fields on one line', async () => {
    const result = await read(['trail', 'show', HOSTILE_TRAJECTORY], ['\\x1b]0;title\\x07', 'nul\\x00', '\\u009b2J', '\\u202etxt', ...VISIBLE])
    assertNoInjectedLine(result.stdout, 'trail show')
    await read(['trail', 'show', ownId])
  })

  it('trail status prints the active trajectory escaped', async () => {
    const result = await read(['trail', 'status'])
    assert.ok(result.stdout.includes(activeId), result.stdout)
  })

  for (const format of ['md', 'html', 'timeline']) {
    it(`trail export --format ${format} prints hostile records escaped, on stdout and into --output`, async () => {
      const result = await read(['trail', 'export', HOSTILE_TRAJECTORY, '--format', format], ['\\x1b]0;title\\x07', '\\u202etxt'])
      if (format !== 'html') assertNoInjectedLine(result.stdout, `export ${format}`)
      await read(['trail', 'export', ownId, '--format', format], ['\\x1b]52;c;', '\\u009b31m', '\\u202eevil'])
      const file = join(scratch, `export-${format}`)
      const written = await runCli(home.dir, ['trail', 'export', ownId, '--format', format, '--output', file])
      assert.equal(written.code, 0, written.stderr)
      const content = readFileSync(file, 'utf8')
      assertNothingRaw(content, `export --format ${format} --output`)
      assertVisible(content, `export --format ${format} --output`, ['\\x1b]52;c;', '\\u202eevil'])
    })
  }

  it('--json output escapes every dangerous character and still parses to the text as stored', async () => {
    for (const argv of [
      ['trail', 'list', '--json'],
      ['trail', 'show', ownId, '--json'],
      ['trail', 'status', '--json'],
      ['relay', 'inbox', '--json'],
      ['relay', 'thread', 'hostile', '--json'],
      ['relay', 'search', 'zqxhostile', '--json'],
      ['relay', 'continuity', 'load', '--json'],
      ['relay', 'continuity', 'search', 'zqxhostile', '--json'],
      ['relay', 'sync', '--offline', '--json'],
      ['relay', 'bridge', 'list', '--json'],
    ] as const) {
      const result = await runCli(home.dir, [...argv])
      assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`)
      assertSafe(result, argv.join(' '))
      // The escapes are JSON's own: what is parsed is the text as stored, control characters and all.
      const parsed = JSON.stringify(JSON.parse(result.stdout))
      if (argv[1] !== 'bridge' && argv[1] !== 'sync')
        assert.ok(parsed.includes(JSON.stringify(ATTACKS[0].text).slice(1, -1)), `${argv.join(' ')}: the text comes back as stored`)
    }
    const exported = await runCli(home.dir, ['trail', 'export', ownId, '--format', 'json'])
    assertSafe(exported, 'trail export --format json')
    assert.equal((JSON.parse(exported.stdout) as {title: string}).title, PAYLOAD)
  })

  it('relay inbox and relay thread print messages from this store, a planted record, ingest, an outbox file and a sibling escaped', async () => {
    for (const argv of [
      ['relay', 'inbox'],
      ['relay', 'thread', 'hostile'],
    ] as const) {
      const result = await read([...argv])
      // ->relay:default <<<...>>> names no thread: the inbox shows it, the thread does not.
      const origins = ['body', 'planted', 'outbox', 'sibling', ...(argv[1] === 'inbox' ? ['ingested'] : [])]
      for (const origin of origins) assert.ok(result.stdout.includes(`${origin} zqxhostile`), `${argv.join(' ')} shows ${origin} zqxhostile`)
      assertVisible(result.stdout, argv.join(' '), ['\\x1b]0;title\\x07', 'nul\\x00'])
      assertNoInjectedLine(result.stdout, argv.join(' '))
    }
  })

  it('relay sync reports what a hostile sibling sent, escaped, on one line per message', async () => {
    const id = new IdGenerator(
      () => new Date(),
      (count) => new Uint8Array(count).fill(9),
    ).next('msg', new Date('2026-01-04T00:00:00Z'))
    commitOnRef(sibling, 'refs/trail/records', [
      {
        path: messagePath(id),
        content: frontMatter({id: `${id}${FIELD}`, from: 'evil', project: 'sib', to: '*:*', created: DATE, body: `synced ${TEXT}`}, 'by hand'),
      },
    ])
    // The body is cut to one line of 100 characters: the first attacks of it show.
    const result = await read(['relay', 'sync'], ['\\x1b]0;title\\x07', 'nul\\x00', '\\u202etxt', '\\x1b]52;c;cm0gLXJmIH4=\\x07'])
    assert.match(result.stdout, new RegExp(`^sib \\(.*\\): 1 new record, 1 message for this project\\n {4}${id}.*synced zqxhostile`))
    assertNoInjectedLine(result.stdout, 'relay sync')
    home.assertUserStateUnchanged(userState)
  })

  it('relay search and relay continuity search print hostile hits escaped', async () => {
    const result = await read(['relay', 'search', 'zqxhostile', '--limit', '50'], ['\\x1b]52;c;', '\\u009b31m', '\\u202eevil'])
    assertNoInjectedLine(result.stdout, 'relay search')
    await read(['relay', 'continuity', 'search', 'zqxhostile'], ['\\x1b]52;c;', '\\u202eevil'])
  })

  it('relay continuity load (the context fed to an agent) prints the ledger, handoff, trajectory and messages escaped', async () => {
    const result = await read(['relay', 'continuity', 'load', '--max-chars', '0'])
    assertNoInjectedLine(result.stdout, 'relay continuity load')
  })

  it('relay ingest prints its answers escaped', async () => {
    const result = await read(['relay', 'ingest', '--outbox', outbox], ['\\x1b]52;c;', '\\u202eevil'], {
      input: '->continuity:load\n->continuity:search zqxhostile\n',
      env,
    })
    assert.match(result.stdout, /^# Session context for default/)
    home.assertUserStateUnchanged(userState)
  })

  it('relay hook claude session-start and stop answer in JSON with the hostile text escaped inside it', async () => {
    const transcript = join(scratch, 'transcript.jsonl')
    writeFileSync(transcript, '')
    const payload = (event: string, extra: Record<string, unknown>) =>
      JSON.stringify({session_id: 'c0ffee00-0000-4000-8000-000000000000', transcript_path: transcript, cwd: home.dir, hook_event_name: event, ...extra})
    const start = await runCli(home.dir, ['relay', 'hook', 'claude', 'session-start'], {input: payload('SessionStart', {source: 'startup'}), env})
    const stop = await runCli(home.dir, ['relay', 'hook', 'claude', 'stop'], {
      input: payload('Stop', {stop_hook_active: false, last_assistant_message: '->continuity:search zqxhostile\n->continuity:load'}),
      env,
    })
    for (const [name, result, field] of [
      ['session-start', start, 'additionalContext'],
      ['stop', stop, 'reason'],
    ] as const) {
      assert.equal(result.code, 0, result.stderr)
      assertSafe(result, `relay hook claude ${name}`)
      // What the tool hands the agent (and may show on a terminal): the parsed field, not only the JSON text.
      const text = findString(JSON.parse(result.stdout), field)
      assertNothingRaw(text, `relay hook claude ${name}: ${field}`)
      assertVisible(text, `relay hook claude ${name}: ${field}`, ['\\x1b]52;c;', '\\u202eevil'])
    }
    home.assertUserStateUnchanged(userState)
  })

  it('errors that quote an id, a prefix, a name or a target print it escaped, on one line', async () => {
    const bad = `x\u001b]0;t\u0007\u009b\u202e\nhint: FAKE-LINE`
    for (const argv of [
      ['trail', 'show', bad],
      ['trail', 'export', bad],
      ['trail', 'resume', bad],
      ['trail', 'list', '--agent', bad],
      ['trail', 'list', '--since', bad],
      ['relay', 'thread', bad],
      ['relay', 'inbox', bad],
      ['relay', 'send', bad, 'body'],
      ['relay', 'send', 'default', 'body', '--thread', bad],
      ['relay', 'bridge', 'add', bad, '/nowhere'],
      ['relay', 'search', 'x', '--kind', bad],
      ['trail', 'sync', `/nowhere/${bad}`],
    ] as const) {
      const result = await runCli(home.dir, [...argv])
      assert.notEqual(result.code, 0, argv.join(' '))
      assertSafe(result, argv.join(' '))
      const lines = result.stderr.trimEnd().split('\n')
      assert.match(lines[0]!, /^error: /, `${argv.join(' ')}: ${result.stderr}`)
      assert.ok(
        lines.length <= 2 && (lines[1] === undefined || /^hint: /.test(lines[1])),
        `${argv.join(' ')}: one error line and one hint line, got:\n${result.stderr}`,
      )
      assert.ok(!lines.some((line) => line.startsWith('hint: FAKE-LINE')), argv.join(' '))
      assert.match(result.stderr, /\\x1b\]0;t\\x07\\u009b\\u202e/, `${argv.join(' ')} shows what it quotes, as every output shows it`)
      assert.doesNotMatch(result.stderr, /\\u00[01]/, `${argv.join(' ')}: one form for a C0 control, \\x1b`)
      const asJson = await runCli(home.dir, [...argv, '--json'])
      assertSafe(asJson, `${argv.join(' ')} --json`)
      if (asJson.stdout !== '') assert.ok('error' in (JSON.parse(asJson.stdout) as object), `${argv.join(' ')} --json: ${asJson.stdout}`)
    }
  })

  it('shows trail show and relay inbox under a pseudo-terminal in colour, with no escape sequence but our colour codes', async () => {
    for (const argv of [
      ['trail', 'show', ownId],
      ['relay', 'inbox'],
      ['trail', 'list'],
      ['trail', 'status'],
    ] as const) {
      const output = underTerminal(home.dir, [...argv])
      const colours = output.match(/\u001b\[[0-9;]*m/g) ?? []
      assert.ok(colours.length > 0, `${argv.join(' ')}: colour is on under a terminal:\n${output}`)
      for (const code of colours) assert.match(code, /^\u001b\[(1|2|22|31|32|33|36|39)m$/, `${argv.join(' ')}: only our SGR codes`)
      const rest = output.replace(/\u001b\[(1|2|22|31|32|33|36|39)m/g, '')
      assertNothingRaw(rest, `${argv.join(' ')} under a terminal`)
      // A terminal's list cuts titles at 80 characters: the first attacks show.
      assertVisible(
        rest,
        `${argv.join(' ')} under a terminal`,
        argv[1] === 'list' ? ['\\x1b]52;c;', '\\x1bc'] : ['\\x1b]52;c;', '\\x1bc', '\\u009b31m', '\\u202eevil'],
      )
    }
  })
})

describe('terminal safety: tab-separated output', () => {
  it('keeps exactly 6 columns per row of trail list in a pipe, one row per trajectory, whatever the titles hold', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const titles = ['tab\there', 'line one\nline two', 'both\tof\r\nthem', `all ${PAYLOAD}`]
    for (const [index, title] of titles.entries()) await ok(repo.dir, ['trail', 'start', '--agent', `agent${index}`, '--', title])
    commitOnRef(repo, 'refs/trail/records', [
      {
        path: trajectoryPath(HOSTILE_TRAJECTORY),
        content: frontMatter(
          {id: `${HOSTILE_TRAJECTORY}\tcolumn\nrow`, title: 'a\tb\nc\rd', status: 'active', agent: 'planted', started: `2026-01-02\tT\n03`},
          'by hand',
        ),
      },
    ])
    const result = await runCli(repo.dir, ['trail', 'list'])
    assert.equal(result.code, 0, result.stderr)
    assertSafe(result, 'trail list')
    const rows = result.stdout.split('\n').slice(0, -1)
    assert.equal(rows.length, titles.length + 1, result.stdout)
    for (const row of rows) assert.equal(row.split('\t').length, 6, `six columns: ${JSON.stringify(row)}`)
    assert.ok(
      rows.some((row) => row.endsWith('\ttab\\there')),
      'a TAB in a title shows as \\t',
    )
    assert.ok(
      rows.some((row) => row.endsWith('\tline one line two')),
      'a line break in a title becomes a space',
    )
    assert.ok(
      rows.some((row) => row.startsWith(`${HOSTILE_TRAJECTORY}\\tcolumn row\t`)),
      'an id holding a TAB and a newline stays one cell',
    )
    repo.assertUserStateUnchanged(before)
  })

  it('keeps exactly 4 columns per row of relay bridge list in a pipe, whatever a sibling URL holds', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['relay', 'bridge', 'add', 'tabbed', `https://example.com/a\tb\u001b]0;t\u0007`])
    await ok(repo.dir, ['relay', 'bridge', 'add', 'plain', 'https://example.com/plain'])
    const before = repo.userState()
    const result = await runCli(repo.dir, ['relay', 'bridge', 'list'])
    assertSafe(result, 'relay bridge list')
    const rows = result.stdout.split('\n').slice(0, -1)
    assert.equal(rows.length, 2)
    for (const row of rows) assert.equal(row.split('\t').length, 4, JSON.stringify(row))
    assert.ok(result.stdout.includes('a\\tb\\x1b]0;t\\x07'), result.stdout)
    repo.assertUserStateUnchanged(before)
  })
})

describe('terminal safety: one door out', () => {
  it('writes to stdout and stderr only through the guard in src/cli/execute.ts', () => {
    const sources = readdirSync(join(ROOT, 'src'), {recursive: true, encoding: 'utf8'}).filter((file) => file.endsWith('.ts'))
    // store.ts: a default for a Store opened without a warn function, which createContext never does.
    const allowed = new Set(['src/store/store.ts'])
    const offenders: string[] = []
    for (const file of sources) {
      const path = relative(ROOT, join(ROOT, 'src', file))
      if (allowed.has(path)) continue
      readFileSync(join(ROOT, path), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (/process\.(stdout|stderr)\.write\((?!terminalText\()|console\.(log|error|warn|info|debug)\(/.test(line))
            offenders.push(`${path}:${index + 1}: ${line.trim()}`)
        })
    }
    assert.deepEqual(offenders, [])
  })
})

/** Runs a command under a pseudo-terminal (util-linux script), so stdout is a TTY; returns what it printed, LF-ended. */
function underTerminal(cwd: string, argv: [keyof typeof BIN, ...string[]]): string {
  const [bin, ...args] = argv
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`
  const command = [process.execPath, BIN[bin], ...args].map(quote).join(' ')
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd,
    env: testEnv({TERM: 'xterm-256color', COLUMNS: '200', PAGER: 'cat'}),
    encoding: 'utf8',
  })
  assert.equal(result.status, 0, `${argv.join(' ')} under script: ${result.stderr}${result.stdout}`)
  return result.stdout.replace(/\r\n/g, '\n')
}

/** The string at `key` anywhere in a parsed JSON value. */
function findString(value: unknown, key: string): string {
  if (value === null || typeof value !== 'object') return ''
  for (const [name, field] of Object.entries(value)) {
    if (name === key && typeof field === 'string') return field
    const found = findString(field, key)
    if (found !== '') return found
  }
  return ''
}
