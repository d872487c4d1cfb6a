import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'
import {BIN, json, ok, runCli} from '../helpers/cli.js'
import {testEnv, useRepos, useTempDirs, type TestRepo} from '../helpers/repo.js'

// Colour and the pager, under a real pseudo-terminal (script(1), as test/cli/terminal-safety.test.ts does), with
// the terminal's size set by stty. The pager is a script of this test's own that records that it ran, its
// arguments, the LESS it was given and the text it was fed, so a test can tell paged output from printed output.

const newRepo = useRepos()
const tempDir = useTempDirs()

/** Any colour code (for match: a /g regex would keep its lastIndex between calls); SGR_ALL for replace. */
const SGR = /\u001b\[[0-9;]*m/
const SGR_ALL = /\u001b\[[0-9;]*m/g
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`

let repo: TestRepo
let dir = ''
let pager = ''

before(async () => {
  repo = newRepo()
  // 12 trajectories: more lines than a 10-row terminal, fewer than a 100-row one.
  for (let i = 1; i <= 12; i++) await ok(repo.dir, ['trail', 'start', `work number ${i}`, '--agent', `agent-${i}`])
  await ok(repo.dir, ['trail', 'complete', '--summary', 'done', '--confidence', '0.9', '--agent', 'agent-1'])
  await ok(repo.dir, ['trail', 'abandon', '--agent', 'agent-2'])
  const sibling = newRepo({dirty: false})
  await ok(repo.dir, ['relay', 'bridge', 'add', 'frontend-app', sibling.dir, '--lead', 'Designer'])
  // Locations a table must measure as they show: wide characters, an emoji, a combining accent, an escape.
  for (const [name, url] of SIBLING_URLS) await ok(repo.dir, ['relay', 'bridge', 'add', name, url, '--lead', 'Lina'])
  // An inbox of read and new messages, with and without a thread.
  await ok(repo.dir, ['relay', 'send', 'agent-3', 'first', '--agent', 'agent-1'])
  await ok(repo.dir, ['relay', 'send', 'agent-3', 'second', '--agent', 'agent-12', '--thread', 'auth'])
  await ok(repo.dir, ['relay', 'send', 'agent-3', 'third', '--agent', 'agent-2'])
  const first = (JSON.parse(await ok(repo.dir, ['relay', 'inbox', '--agent', 'agent-3', '--json'])) as {id: string}[])[0]!.id
  await ok(repo.dir, ['relay', 'inbox', '--agent', 'agent-3', '--mark-read', first])
  dir = tempDir('pager')
  pager = join(dir, 'pager.sh')
  writeFileSync(pager, `#!/bin/sh\nprintf '%s\\n' "$@" > '${dir}/args'\nprintf '%s' "$LESS" > '${dir}/less'\ncat > '${dir}/paged'\n`)
  chmodSync(pager, 0o755)
})

interface Run {
  stdout: string
  paged: string | null
  args: string[]
  less: string
}

/** Runs argv under a pseudo-terminal of `rows` rows; what the pager (if it ran) was given comes back too. */
function underTerminal(argv: ['trail' | 'relay', ...string[]], options: {rows?: number; env?: Record<string, string | undefined>} = {}): Run {
  for (const file of ['args', 'less', 'paged']) rmSync(join(dir, file), {force: true})
  const [bin, ...args] = argv
  const command = `stty rows ${options.rows ?? 100} cols 200; ${[process.execPath, BIN[bin], ...args].map(quote).join(' ')}`
  const env = testEnv({TERM: 'xterm-256color', PAGER: `${quote(pager)} 'two words'`, ...options.env})
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {cwd: repo.dir, env, encoding: 'utf8'})
  assert.equal(result.status, 0, `${argv.join(' ')} under script: ${result.stderr}${result.stdout}`)
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : null)
  return {stdout: result.stdout.replace(/\r\n/g, '\n'), paged: read('paged'), args: (read('args') ?? '').split('\n').filter(Boolean), less: read('less') ?? ''}
}

const SIBLING_URLS = [
  ['wide', 'https://example.com/日本語/repo.git'],
  ['emoji', 'https://example.com/😀/repo.git'],
  ['accent', 'https://example.com/cafe\u0301/repo.git'],
  ['escape', 'https://example.com/\u001b[31mred/repo.git'],
] as const

/**
 * The columns of a terminal `text` takes, as a terminal draws it (measured here on its own, not by the code under
 * test): a CJK character or an emoji takes two, a combining accent none.
 */
function columns(text: string): number {
  let width = 0
  for (const char of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]|\p{Extended_Pictographic}/u.test(char) ? 2 : /\p{Mn}/u.test(char) ? 0 : 1
  return width
}

/**
 * Checks that each cell of `rows` (null: a cell not looked for) starts at the same terminal column on every line
 * of `output` that holds a row (one that starts with a row's first cell: a message's body, a fix or a footer is
 * none), and at the header's word when there is a header. Colour codes are left out; the columns are counted as they show.
 */
function assertAligned(output: string, rows: readonly (readonly (string | null)[])[], what: string, header?: readonly string[]) {
  const expected = header ? [header, ...rows] : rows
  const lines = output
    .replace(SGR_ALL, '')
    .split('\n')
    .filter((line) => expected.some((row) => line.startsWith(row[0]!)))
  assert.equal(lines.length, expected.length, `${what}: one line a row:\n${output}`)
  const starts = lines.map((line, index) => {
    let from = 0
    return expected[index]!.map((cell) => {
      if (cell === null) return null
      const at = line.indexOf(cell, from)
      assert.ok(at >= 0, `${what}: ${JSON.stringify(cell)} in ${JSON.stringify(line)}`)
      from = at + cell.length
      return columns(line.slice(0, at))
    })
  })
  for (const [index, line] of lines.entries()) {
    starts[index]!.forEach((start, column) => {
      if (start === null || column === 0) return
      const first = starts.find((row) => row[column] !== null)![column]
      assert.equal(start, first, `${what}: cell ${column} starts at column ${first} of the first row, ${start} of\n${line}\n(all:\n${lines.join('\n')})`)
    })
  }
}

describe('manners: colour', () => {
  it('tables and column lists align with colour on, whatever their cells hold (every one the CLIs print)', async () => {
    const before = repo.userState()
    const list = (await json<{trajectories: {id: string; status: string; agent: string}[]}>(repo.dir, ['trail', 'list'])).trajectories
    const shown = underTerminal(['trail', 'list', '--no-pager']).stdout
    assert.match(shown, /\u001b\[1m/, 'trail list: the header is in bold')
    assert.match(shown, /\u001b\[33mactive\u001b\[39m/, 'trail list: coloured cells (statuses) in the same column as plain ones')
    assertAligned(
      shown,
      list.map((t) => [t.id, t.status, t.agent, null, null, null]),
      'trail list',
      ['ID', 'STATUS', 'AGENT', 'STARTED', 'CONF', 'TITLE'],
    )

    const siblings = (await json<{name: string; lead: string; synced: boolean}[]>(repo.dir, ['relay', 'bridge', 'list'])).map((s) => [
      s.name,
      null,
      s.lead,
      'not synced',
    ])
    const bridges = underTerminal(['relay', 'bridge', 'list']).stdout
    assert.match(bridges, /\u001b\[1mNAME/, 'relay bridge list: the header is in bold')
    assert.match(bridges, /日本語.*😀|😀[\s\S]*日本語/u, 'relay bridge list: the wide locations are shown')
    assert.match(bridges, /\\x1b\[31mred/, 'relay bridge list: the escape is shown escaped')
    assertAligned(bridges, siblings, 'relay bridge list', ['NAME', 'LOCATION', 'LEAD', 'STATE'])

    const inbox = await json<{id: string; from: string; read: boolean; thread: string | null}[]>(repo.dir, ['relay', 'inbox', '--agent', 'agent-3'])
    assert.deepEqual(
      inbox.map((m) => [m.read, m.thread]),
      [
        [true, null],
        [false, 'auth'],
        [false, null],
      ],
    )
    const messages = inbox.map((m) => [m.read ? 'read' : 'new', m.id, `:${m.from} → agent-3`, null, m.thread ? `[thread:${m.thread}]` : null])
    assertAligned(underTerminal(['relay', 'inbox', '--agent', 'agent-3']).stdout, messages, 'relay inbox')
    assertAligned(underTerminal(['relay', 'thread', 'auth']).stdout, messages.slice(1, 2), 'relay thread')

    const doctor = await json<{checks: {name: string; status: string; message: string}[]}>(repo.dir, ['trail', 'doctor'])
    const marks: Record<string, string> = {ok: 'ok', warning: 'warn', problem: 'FAIL', fixed: 'fixed'}
    assertAligned(
      underTerminal(['trail', 'doctor']).stdout,
      doctor.checks.map((check) => [marks[check.status]!, check.name, check.message]),
      'trail doctor',
    )
    repo.assertUserStateUnchanged(before)
  })

  it('NO_COLOR with any non-empty value turns colour off on a terminal; empty leaves it on', () => {
    const before = repo.userState()
    for (const argv of [
      ['trail', 'list'],
      ['trail', 'status', '--agent', 'agent-5'],
    ] as ['trail', ...string[]][]) {
      for (const value of ['1', 'true', 'anything'])
        assert.doesNotMatch(underTerminal(argv, {env: {NO_COLOR: value}}).stdout, SGR, `${argv.join(' ')} NO_COLOR=${value}`)
      assert.match(underTerminal(argv, {env: {NO_COLOR: ''}}).stdout, SGR, `${argv.join(' ')} NO_COLOR=''`)
    }
    repo.assertUserStateUnchanged(before)
  })

  it('FORCE_COLOR turns colour on even into a pipe (the layout stays tab-separated); FORCE_COLOR=0 turns it off', async () => {
    const before = repo.userState()
    for (const argv of [
      ['trail', 'list'],
      ['trail', 'status', '--agent', 'agent-5'],
    ] as ['trail', ...string[]][]) {
      const piped = await runCli(repo.dir, argv, {env: {FORCE_COLOR: '1'}})
      assert.match(piped.stdout, SGR, `${argv.join(' ')} FORCE_COLOR=1 into a pipe`)
      assert.doesNotMatch((await runCli(repo.dir, argv)).stdout, SGR, `${argv.join(' ')} into a pipe`)
      assert.doesNotMatch((await runCli(repo.dir, argv, {env: {FORCE_COLOR: '0'}})).stdout, SGR)
      assert.doesNotMatch(underTerminal(argv, {env: {FORCE_COLOR: '0'}}).stdout, SGR, `${argv.join(' ')} FORCE_COLOR=0 on a terminal`)
      // FORCE_COLOR wins over NO_COLOR, as in Node.
      assert.match((await runCli(repo.dir, argv, {env: {FORCE_COLOR: '1', NO_COLOR: '1'}})).stdout, SGR)
    }
    const piped = await runCli(repo.dir, ['trail', 'list'], {env: {FORCE_COLOR: '1'}})
    for (const line of piped.stdout.trimEnd().split('\n')) assert.equal(line.split('\t').length, 6, line)
    repo.assertUserStateUnchanged(before)
  })

  it('--color=always|never|auto on every command, on both front ends, wherever it stands, over the environment', async () => {
    const before = repo.userState()
    // trail status runs on the fast path, trail list and relay bridge list through oclif.
    for (const argv of [
      ['trail', 'list'],
      ['trail', 'status', '--agent', 'agent-5'],
      ['relay', 'bridge', 'list'],
    ] as ['trail' | 'relay', ...string[]][]) {
      const [bin, ...rest] = argv
      // Into a pipe (a table there is tab-separated, with no header to embolden: bridge list has nothing to colour).
      const forms = [
        [bin, '--color=always', ...rest],
        [...argv, '--color=always'],
        [bin, '--color', ...rest],
        [...argv, '--color'],
      ] as (typeof argv)[]
      if (bin === 'trail') for (const always of forms) assert.match((await runCli(repo.dir, always, {env: {NO_COLOR: '1'}})).stdout, SGR, always.join(' '))
      for (const always of forms) {
        const shown = underTerminal(always, {env: {NO_COLOR: '1'}}).stdout
        assert.match(shown, SGR, `${always.join(' ')} on a terminal: ${shown}`)
      }
      assert.doesNotMatch(underTerminal([...argv, '--color=never'], {env: {FORCE_COLOR: '1'}}).stdout, SGR, `${argv.join(' ')} --color=never`)
      assert.match(underTerminal([...argv, '--color=auto']).stdout, SGR, `${argv.join(' ')} --color=auto on a terminal`)
      // As git: a terminal whose TERM is unset is taken for a dumb one.
      for (const term of [undefined, '', 'dumb']) {
        assert.doesNotMatch(underTerminal(argv, {env: {TERM: term}}).stdout, SGR, `${argv.join(' ')} with TERM=${term}`)
      }
      assert.doesNotMatch((await runCli(repo.dir, [...argv, '--color=auto'])).stdout, SGR, `${argv.join(' ')} --color=auto into a pipe`)
    }
    repo.assertUserStateUnchanged(before)
  })

  it('--json is never coloured, whatever is asked', async () => {
    const result = await runCli(repo.dir, ['trail', 'list', '--json', '--color=always'])
    assert.doesNotMatch(result.stdout, SGR)
    JSON.parse(result.stdout)
  })
})

describe('manners: the pager', () => {
  it('long output on a terminal goes through $PAGER, run as sh runs it, with LESS=FRX when LESS is unset', () => {
    const before = repo.userState()
    const run = underTerminal(['trail', 'list'], {rows: 10})
    assert.ok(run.paged !== null, `the pager ran:\n${run.stdout}`)
    assert.match(run.paged, /work number 12/)
    assert.match(run.paged, /\u001b\[1mID/, 'colour is kept for the pager (less -R)')
    assert.doesNotMatch(run.stdout, /work number/, 'nothing printed but through the pager')
    assert.deepEqual(run.args, ['two words'], "PAGER is split as sh splits it: 'two words' is one argument")
    assert.equal(run.less, 'FRX')
    assert.equal(underTerminal(['trail', 'list'], {rows: 10, env: {LESS: '-S'}}).less, '-S', "the user's LESS is kept")
    repo.assertUserStateUnchanged(before)
  })

  it('every command that prints long output pages: list, show, export, search, thread, inbox, review, why', () => {
    const before = repo.userState()
    const id = underTerminal(['trail', 'list', '--no-pager'])
      .stdout.replace(SGR_ALL, '')
      .match(/traj_[0-9a-z]+/)![0]
    const paged: ['trail' | 'relay', ...string[]][] = [
      ['trail', 'list'],
      ['trail', 'show', id],
      ['trail', 'export', id, '--format', 'markdown'],
      ['relay', 'search', 'work'],
    ]
    for (const argv of paged) {
      const run = underTerminal(argv, {rows: 3})
      assert.ok(run.paged !== null && run.paged.length > 0, `${argv.join(' ')} is paged:\n${run.stdout}`)
    }
    repo.assertUserStateUnchanged(before)
  })

  it('short output, --no-pager, a pipe, PAGER=cat and an empty PAGER print directly', async () => {
    const before = repo.userState()
    const direct: [string, Run][] = [
      ['fits the terminal', underTerminal(['trail', 'list'], {rows: 100})],
      ['--no-pager', underTerminal(['trail', 'list', '--no-pager'], {rows: 10})],
      ['--no-pager first', underTerminal(['trail', '--no-pager', 'list'], {rows: 10})],
      ['PAGER=cat', underTerminal(['trail', 'list'], {rows: 10, env: {PAGER: 'cat'}})],
      ['PAGER empty', underTerminal(['trail', 'list'], {rows: 10, env: {PAGER: ''}})],
      ['TERM=dumb', underTerminal(['trail', 'list'], {rows: 10, env: {TERM: 'dumb'}})],
    ]
    for (const [what, run] of direct) {
      assert.equal(run.paged, null, `${what}: no pager`)
      assert.match(run.stdout, /work number 12/, `${what}: printed`)
    }
    // Into a pipe, even asked to paginate, and with --json.
    for (const argv of [
      ['trail', 'list', '-P'],
      ['trail', 'list', '--json'],
      ['trail', 'list', '--paginate'],
    ] as ['trail', ...string[]][]) {
      const result = await runCli(repo.dir, argv, {env: {PAGER: quote(pager), LINES: '3'}})
      assert.equal(result.code, 0)
      assert.match(result.stdout, /work number 12/)
      assert.equal(existsSync(join(dir, 'paged')), false, `${argv.join(' ')} into a pipe: no pager`)
    }
    repo.assertUserStateUnchanged(before)
  })

  it('TRAIL_PAGER wins over PAGER; -P pages any command on a terminal, however short', () => {
    const before = repo.userState()
    const other = join(dir, 'other.sh')
    writeFileSync(other, `#!/bin/sh\ncat > '${dir}/paged'\necho other > '${dir}/args'\n`)
    chmodSync(other, 0o755)
    assert.deepEqual(underTerminal(['trail', 'list'], {rows: 10, env: {TRAIL_PAGER: quote(other)}}).args, ['other'])
    const status = underTerminal(['trail', 'status', '-P', '--agent', 'agent-5'], {rows: 100})
    assert.match(status.paged ?? '', /work number 5/, 'trail status -P is paged')
    assert.equal(underTerminal(['trail', 'status', '--agent', 'agent-5'], {rows: 3}).paged, null, 'trail status is not a paged command')
    repo.assertUserStateUnchanged(before)
  })

  it('a pager that cannot run leaves the output printed', () => {
    const run = underTerminal(['trail', 'list'], {rows: 10, env: {PAGER: join(dir, 'no-such-pager')}})
    assert.match(run.stdout, /work number 12/)
  })
})

describe('manners: help through the pager', () => {
  // Every spelling of help, of both executables, for the executable, a hot command, an oclif-only command and a topic.
  const spellings: ['trail' | 'relay', ...string[]][] = [
    ['trail'],
    ['trail', '--help'],
    ['trail', '-h'],
    ['trail', 'help'],
    ['trail', 'help', 'start'],
    ['trail', 'start', '--help'],
    ['trail', 'list', '-h'],
    ['trail', 'doctor', '--help'],
    ['relay', '--help'],
    ['relay', 'help', 'continuity', 'save'],
    ['relay', 'continuity', 'save', '-h'],
    ['relay', 'inbox', '--help'],
    ['relay', 'continuity', '--help'],
  ]

  it('long help on a terminal goes through the pager, in every spelling, whole and in colour', () => {
    const before = repo.userState()
    for (const argv of spellings) {
      const run = underTerminal(argv, {rows: 3})
      assert.ok(run.paged !== null, `${argv.join(' ')} is paged:\n${run.stdout}`)
      assert.match(run.paged, /USAGE/, `${argv.join(' ')}: the pager got the help`)
      assert.doesNotMatch(run.stdout, /USAGE/, `${argv.join(' ')}: nothing printed but through the pager`)
      assert.match(run.paged, /\u001b\[1mUSAGE\u001b\[22m/, `${argv.join(' ')}: headings in bold for less -R`)
      assert.equal(run.less, 'FRX')
    }
    // Whole: what the pager got is what a pipe gets, colour aside.
    const paged = underTerminal(['trail', 'help', 'list'], {rows: 3}).paged ?? ''
    assert.match(paged.replace(SGR_ALL, ''), /FLAGS\n[\s\S]*--status[\s\S]*EXAMPLES\n[\s\S]*\$ trail list --page 2 --json\n/)
    repo.assertUserStateUnchanged(before)
  })

  it('help that fits the terminal, --no-pager, PAGER=cat and an empty PAGER print it directly', () => {
    const before = repo.userState()
    const direct: [string, Run][] = [
      ['fits the terminal', underTerminal(['trail', 'help', 'abandon'], {rows: 100})],
      ['--no-pager after', underTerminal(['trail', 'help', 'start', '--no-pager'], {rows: 3})],
      ['--no-pager first', underTerminal(['trail', '--no-pager', '--help'], {rows: 3})],
      ['--no-pager with -h', underTerminal(['relay', 'continuity', 'save', '-h', '--no-pager'], {rows: 3})],
      ['PAGER=cat', underTerminal(['trail', '--help'], {rows: 3, env: {PAGER: 'cat'}})],
      ['PAGER empty', underTerminal(['relay', '--help'], {rows: 3, env: {PAGER: ''}})],
    ]
    for (const [what, run] of direct) {
      assert.equal(run.paged, null, `${what}: no pager`)
      assert.match(run.stdout, /USAGE/, `${what}: printed`)
    }
    repo.assertUserStateUnchanged(before)
  })

  it('-P pages help however short; TRAIL_PAGER wins over PAGER for help too', () => {
    const before = repo.userState()
    const short = underTerminal(['trail', 'help', 'abandon', '-P'], {rows: 100})
    assert.match(short.paged ?? '', /USAGE/, 'trail help abandon -P is paged on a tall terminal')
    const other = join(dir, 'other-help.sh')
    writeFileSync(other, `#!/bin/sh\ncat > '${dir}/paged'\necho other > '${dir}/args'\n`)
    chmodSync(other, 0o755)
    const run = underTerminal(['relay', '--help'], {rows: 3, env: {TRAIL_PAGER: quote(other)}})
    assert.deepEqual(run.args, ['other'])
    assert.match(run.paged ?? '', /USAGE/)
    repo.assertUserStateUnchanged(before)
  })

  it('help into a pipe is never paged, even with -P, and has no colour', async () => {
    const before = repo.userState()
    for (const argv of [['trail', '--help', '-P'], ['trail', 'help', 'list', '--paginate'], ['relay', '-h', '-P'], ['trail']] as [
      'trail' | 'relay',
      ...string[],
    ][]) {
      rmSync(join(dir, 'paged'), {force: true})
      const result = await runCli(repo.dir, argv, {env: {PAGER: quote(pager), LINES: '3'}})
      assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`)
      assert.match(result.stdout, /USAGE/, argv.join(' '))
      assert.doesNotMatch(result.stdout, SGR, `${argv.join(' ')}: no colour into a pipe`)
      assert.equal(existsSync(join(dir, 'paged')), false, `${argv.join(' ')} into a pipe: no pager`)
    }
    repo.assertUserStateUnchanged(before)
  })

  it("help's colour follows --color and NO_COLOR as every command's does", () => {
    const bold = /\u001b\[1mUSAGE/
    assert.match(underTerminal(['trail', 'help', 'list', '--no-pager']).stdout, bold, 'bold headings on a terminal')
    assert.doesNotMatch(underTerminal(['trail', 'help', 'list', '--no-pager'], {env: {NO_COLOR: '1'}}).stdout, SGR, 'NO_COLOR')
    assert.doesNotMatch(underTerminal(['trail', 'help', 'list', '--no-pager', '--color=never']).stdout, SGR, '--color=never')
    assert.doesNotMatch(underTerminal(['relay', '--help', '--no-pager', '--color=never']).stdout, SGR, 'relay --color=never')
  })
})
