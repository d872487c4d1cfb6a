import assert from 'node:assert/strict'
import {closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, writeSync, ftruncateSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {IdGenerator} from '../../src/model/ids.js'
import {messagePath} from '../../src/model/layout.js'
import {renderMessage} from '../../src/model/message.js'
import type {AgentName, ProjectName, ThreadId} from '../../src/model/names.js'
import type {InboxEntryJson, SiblingSyncJson} from '../../src/render/messages.js'
import type {SearchJson} from '../../src/render/search.js'
import {json, ok, runCli} from '../helpers/cli.js'
import {craftCommit, entriesOf, type CraftEntry} from '../helpers/craft.js'
import {TestRepo} from '../helpers/repo.js'

// A sibling project is someone else's store: whatever it holds, relay inbox, thread, continuity load, search, sync
// and the session-start hook keep working for every agent here. A record over the size limit is never read whole
// and is left out with a warning naming the sibling and the path (a few MB over a lowered limit, and a real 100 MB
// blob over the default one); entries that do not fit a store are named by relay sync and never read; a sibling
// that never answers is stopped after --timeout and reported as that sibling's failure; a --regex search whose
// pattern backtracks is stopped after its time limit with E_TIMEOUT.

const REF = 'refs/trail/records'
const ids = new IdGenerator(
  () => new Date(),
  (count) => Uint8Array.from({length: count}, () => Math.floor(Math.random() * 256)),
)
/** Runs a command with the limit on one record from another store lowered to 512 KiB. */
const LOWERED = {env: {RELAY_TRAIL_MAX_RECORD_BYTES: String(512 * 1024)}}

/** A message of the sibling `project` to everyone in thread big-thread, as relay send would write it, with any body. */
function messageFile(project: string, body: string): {path: string; content: string; id: string} {
  const id = ids.next('msg')
  const content = renderMessage({
    id,
    from: 'Flooder' as AgentName,
    project: project as ProjectName,
    to: '*:*',
    thread: 'big-thread' as ThreadId,
    created: new Date().toISOString(),
    body,
  })
  return {path: messagePath(id), content, id}
}

describe('a sibling whose store holds oversized records and entries that do not fit', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'hostile-sibling-')))
  const ours = new TestRepo(join(root, 'app'))
  const backend = new TestRepo(join(root, 'backend'))
  let big: {path: string; id: string}
  let huge: {path: string; id: string}
  after(() => rmSync(root, {recursive: true, force: true}))

  before(async () => {
    for (const repo of [ours, backend]) {
      mkdirSync(repo.dir)
      repo.git(['init', '--quiet', '--initial-branch=main'])
    }
    await ok(ours.dir, ['relay', 'project', '--id', 'app', '--lead', 'Lead'])
    await ok(backend.dir, ['relay', 'project', '--id', 'backend'])
    await ok(backend.dir, ['relay', 'send', 'app:Reviewer', 'A normal message', '--thread', 'big-thread', '--agent', 'Architect'])
    await ok(backend.dir, ['relay', 'send', '*:*', 'For everyone', '--agent', 'Architect'])
    // 700,000 characters, written twice in the file (front matter and body): 1.4 MB, over the lowered 512 KiB and
    // within the body limit relay send itself allows, so without a size check every read here would show it.
    const large = messageFile('backend', `Read me: ${'x'.repeat(700_000)}`)
    big = large
    // A real 100 MB blob: a message's front matter, text for the first 8,000 bytes git looks at to tell text from
    // binary (so git grep searches it), then zeros up to 100 MB, from a sparse file (hashing it takes about a second).
    const hugeMessage = messageFile('backend', `Huge: ${'y'.repeat(9000)}`)
    const sparse = join(root, 'huge.md')
    const fd = openSync(sparse, 'w')
    writeSync(fd, hugeMessage.content)
    ftruncateSync(fd, 100 * 1024 * 1024)
    closeSync(fd)
    const hugeOid = backend.git(['hash-object', '-w', sparse]).trim()
    rmSync(sparse)
    huge = hugeMessage
    const tip = backend.git(['rev-parse', REF]).trim()
    const entries: CraftEntry[] = [
      ...entriesOf(backend, REF),
      {path: large.path, content: large.content},
      {path: hugeMessage.path, oid: hugeOid},
      {path: '.relay/messages/2026/01/02/msg_01kdyfk3r0aaaaaaaaaaaaaaaa.md', mode: '120000', content: '/etc/passwd'},
      {path: '.relay/../escaped.md', content: 'to: "*:*"\n'},
      {path: '.git/hooks/post-merge', mode: '100755', content: '#!/bin/sh\n'},
    ]
    backend.git(['update-ref', REF, craftCommit(backend, entries, [tip])])
    await ok(ours.dir, ['relay', 'bridge', 'add', 'backend', backend.dir])
  })

  it('relay sync names what does not fit and what is too large, reads neither, and reports the rest', async () => {
    const result = await runCli(ours.dir, ['relay', 'sync', '--json'], LOWERED)
    assert.equal(result.code, 0, result.stderr)
    const [report] = JSON.parse(result.stdout) as SiblingSyncJson[]
    assert.equal(report!.status, 'updated')
    assert.deepEqual(
      report!.messages.map((message) => message.body),
      ['A normal message', 'For everyone'],
    )
    assert.match(
      result.stderr,
      /^warning: sibling backend: 3 entries do not fit a store and are ignored: \.git\/hooks\/post-merge \(outside \.trail\/ and \.relay\/\); \.relay\/\.\.\/escaped\.md \(a name that is not plain/m,
    )
    assert.ok(result.stderr.includes('msg_01kdyfk3r0aaaaaaaaaaaaaaaa.md (a symbolic link where a record file belongs)'), result.stderr)
    assert.ok(
      result.stderr.includes(`warning: sibling backend: ${big.path} is left out: 1.3 MiB, over the limit of 512.0 KiB for a record from another store`),
      result.stderr,
    )
    assert.ok(result.stderr.includes(`warning: sibling backend: ${huge.path} is left out: 100.0 MiB, over the limit of 512.0 KiB`), result.stderr)
  })

  it('relay inbox, relay thread and relay continuity load show the rest, and name what was left out', async () => {
    await ok(ours.dir, ['relay', 'sync'], LOWERED)
    const inbox = await runCli(ours.dir, ['relay', 'inbox', '--agent', 'Reviewer', '--json'], LOWERED)
    assert.equal(inbox.code, 0, inbox.stderr)
    assert.deepEqual(
      (JSON.parse(inbox.stdout) as InboxEntryJson[]).map((entry) => entry.body),
      ['A normal message', 'For everyone'],
    )
    assert.match(inbox.stderr, new RegExp(`^warning: sibling backend: ${big.path} is left out: 1\\.3 MiB, over the limit`, 'm'))
    assert.match(inbox.stderr, new RegExp(`^warning: sibling backend: ${huge.path} is left out: 100\\.0 MiB`, 'm'))
    const thread = await runCli(ours.dir, ['relay', 'thread', 'big-thread', '--json'], LOWERED)
    assert.equal(thread.code, 0, thread.stderr)
    assert.deepEqual(
      (JSON.parse(thread.stdout) as InboxEntryJson[]).map((entry) => entry.body),
      ['A normal message'],
    )
    assert.match(thread.stderr, new RegExp(`^warning: sibling backend: ${huge.path} is left out: 100\\.0 MiB`, 'm'))
    const load = await runCli(ours.dir, ['relay', 'continuity', 'load', '--agent', 'Reviewer'], LOWERED)
    assert.equal(load.code, 0, load.stderr)
    assert.match(load.stdout, /A normal message/)
    assert.match(load.stdout, /For everyone/)
    assert.doesNotMatch(load.stdout, /Read me|Huge/)
    assert.match(load.stderr, /sibling backend: \S+ is left out: 1\.3 MiB/)
  })

  it('relay search leaves the oversized records out of its hits, and still finds the rest', async () => {
    await ok(ours.dir, ['relay', 'sync'], LOWERED)
    const found = await runCli(ours.dir, ['relay', 'search', 'message', '--json'], LOWERED)
    assert.equal(found.code, 0, found.stderr)
    const hits = (JSON.parse(found.stdout) as SearchJson).hits
    assert.deepEqual(
      hits.map((hit) => hit.id),
      hits.map((hit) => hit.id).filter((id) => id !== big.id && id !== huge.id),
    )
    assert.ok(
      hits.some((hit) => hit.title.includes('A normal message')),
      found.stdout,
    )
    const read = await runCli(ours.dir, ['relay', 'search', 'Read me', '--json'], LOWERED)
    assert.deepEqual((JSON.parse(read.stdout) as SearchJson).hits, [])
    assert.match(read.stderr, new RegExp(`sibling backend: ${big.path} is left out: 1\\.3 MiB`))
  })

  it('with the default limit, the session-start hook and the inbox leave out a real 100 MB message and start', async () => {
    await ok(ours.dir, ['relay', 'sync'])
    const inbox = await runCli(ours.dir, ['relay', 'inbox', '--agent', 'Reviewer', '--json'])
    assert.equal(inbox.code, 0, inbox.stderr)
    const bodies = (JSON.parse(inbox.stdout) as InboxEntryJson[]).map((entry) => entry.body)
    assert.deepEqual(
      bodies.map((body) => body.slice(0, 16)),
      ['A normal message', 'For everyone', `Read me: ${'x'.repeat(7)}`],
      'the 1.4 MB message is within 16 MiB',
    )
    assert.match(
      inbox.stderr,
      new RegExp(`^warning: sibling backend: ${huge.path} is left out: 100\\.0 MiB, over the limit of 16\\.0 MiB for a record from another store$`, 'm'),
    )
    const hook = await runCli(ours.dir, ['relay', 'hook', 'claude', 'session-start'], {
      input: JSON.stringify({session_id: '3f2a9c1e-77b0-4c1e-9d1a-0b6f5e2d7c10', hook_event_name: 'SessionStart', source: 'startup', cwd: ours.dir}),
    })
    assert.equal(hook.code, 0)
    const context = (JSON.parse(hook.stdout) as {hookSpecificOutput: {additionalContext: string}}).hookSpecificOutput.additionalContext
    assert.match(context, /For everyone/)
    assert.doesNotMatch(context, /Huge: y/)
    assert.match(hook.stderr, /sibling backend: \S+ is left out: 100\.0 MiB/)
    assert.doesNotMatch(hook.stderr, /internal|E_INTERNAL/i)
  })
})

describe('a sibling whose tip commit is over the size limit', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'heavy-sibling-')))
  const ours = new TestRepo(join(root, 'app'))
  const heavy = new TestRepo(join(root, 'heavy'))
  after(() => rmSync(root, {recursive: true, force: true}))

  it("is left out of every read with a warning, and relay sync reports it as that sibling's failure", async () => {
    for (const repo of [ours, heavy]) {
      mkdirSync(repo.dir)
      repo.git(['init', '--quiet', '--initial-branch=main'])
    }
    await ok(ours.dir, ['relay', 'project', '--id', 'app'])
    await ok(heavy.dir, ['relay', 'send', '*:*', 'Under a heavy commit', '--agent', 'Writer'])
    // Every read of a store reads its tip commit whole: one with a 48 KiB message, over a 32 KiB limit.
    const tip = heavy.git(['rev-parse', REF]).trim()
    heavy.git(['update-ref', REF, craftCommit(heavy, entriesOf(heavy, REF), [tip], `heavy\n\n${'m'.repeat(48 * 1024)}\n`)])
    await ok(ours.dir, ['relay', 'bridge', 'add', 'heavy', heavy.dir])
    const limit = {env: {RELAY_TRAIL_MAX_RECORD_BYTES: String(32 * 1024)}}
    const synced = await runCli(ours.dir, ['relay', 'sync', '--json'], limit)
    assert.equal(synced.code, 1)
    assert.match(
      (JSON.parse(synced.stdout) as SiblingSyncJson[])[0]!.error!,
      /^its store cannot be read: its commit [0-9a-f]{12} is 48\.\d KiB, over the limit of 32\.0 KiB for a record from another store$/,
    )
    const inbox = await runCli(ours.dir, ['relay', 'inbox', '--agent', 'Reviewer'], limit)
    assert.equal(inbox.code, 0, inbox.stderr)
    assert.match(inbox.stderr, /^warning: sibling heavy is left out: its commit [0-9a-f]{12} is 48\.\d KiB, over the limit/m)
  })
})

describe('a sibling that never answers', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'silent-sibling-')))
  const ours = new TestRepo(join(root, 'app'))
  const good = new TestRepo(join(root, 'good'))
  const sockets = new Set<Socket>()
  let server: Server
  let url = ''
  /** No proxy from the environment may stand between git and the local server. */
  const direct = {http_proxy: undefined, HTTP_PROXY: undefined, https_proxy: undefined, HTTPS_PROXY: undefined, all_proxy: undefined, ALL_PROXY: undefined}

  before(async () => {
    // Accepts every connection, reads what comes, and never says a word: a host that hangs.
    server = createServer((socket) => {
      sockets.add(socket)
      socket.resume()
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as {port: number}).port}/repo.git`
    for (const repo of [ours, good]) {
      mkdirSync(repo.dir)
      repo.git(['init', '--quiet', '--initial-branch=main'])
    }
    await ok(ours.dir, ['relay', 'project', '--id', 'app'])
    await ok(good.dir, ['relay', 'project', '--id', 'good'])
    await ok(good.dir, ['relay', 'send', 'app:Reviewer', 'From the sibling that answers', '--agent', 'Helper'])
    await ok(ours.dir, ['relay', 'bridge', 'add', 'good', good.dir])
    await ok(ours.dir, ['relay', 'bridge', 'add', 'silent', url])
  })
  after(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
    rmSync(root, {recursive: true, force: true})
  })

  /** Waits until the server holds no connection: git-remote-http was stopped with git. */
  const connectionsClosed = async () => {
    for (let waited = 0; sockets.size > 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50))
    return sockets.size === 0
  }

  it("is stopped after --timeout and reported as that sibling's failure; the others are synced", async () => {
    const started = Date.now()
    const result = await runCli(ours.dir, ['relay', 'sync', '--timeout', '1', '--json'], {env: direct})
    assert.equal(result.code, 1, result.stderr)
    const reports = JSON.parse(result.stdout) as SiblingSyncJson[]
    assert.deepEqual(
      reports.map((report) => [report.name, report.status]),
      [
        ['good', 'updated'],
        ['silent', 'failed'],
      ],
    )
    assert.match(reports[1]!.error!, /^timed out after 1 s \(relay sync --timeout <seconds> gives it longer\)$/)
    assert.ok(Date.now() - started < 60_000, 'well before the default limit of 60 s')
    assert.ok(await connectionsClosed(), 'the connection git-remote-http held is closed: the process group was stopped')
    assert.deepEqual(
      (await json<InboxEntryJson[]>(ours.dir, ['relay', 'inbox', '--agent', 'Reviewer'])).map((entry) => entry.body),
      ['From the sibling that answers'],
    )
  })

  it('takes its time limit from git config relay.syncTimeout, and refuses one that is not a number of seconds', async () => {
    ours.git(['config', 'relay.syncTimeout', '0.5'])
    try {
      const result = await runCli(ours.dir, ['relay', 'sync', '--json'], {env: direct})
      assert.equal(result.code, 1, result.stderr)
      assert.match((JSON.parse(result.stdout) as SiblingSyncJson[])[1]!.error!, /^timed out after 0\.5 s/)
      assert.ok(await connectionsClosed())
    } finally {
      ours.git(['config', '--unset', 'relay.syncTimeout'])
    }
    const bad = await runCli(ours.dir, ['relay', 'sync', '--timeout', 'soon'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /^error: invalid time limit 'soon' in --timeout\nhint: give a number of seconds, more than 0 and at most 86400: --timeout 30\n/)
  })
})

describe('a --regex search whose pattern backtracks', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'slow-regex-')))
  const repo = new TestRepo(join(root, 'app'))
  /** A back-reference after a nested repetition: glibc's matcher backtracks for minutes on a line of 3,000 "a". */
  const SLOW = '(a*)*\\1b'
  after(() => rmSync(root, {recursive: true, force: true}))

  before(async () => {
    mkdirSync(repo.dir)
    repo.git(['init', '--quiet', '--initial-branch=main'])
    await ok(repo.dir, ['relay', 'continuity', 'save', '--agent', 'worker', `Current task: ${'a'.repeat(3000)}`])
  })

  /** The git grep processes of this test still running (Linux: /proc). */
  const runningGreps = () =>
    existsSync('/proc')
      ? readdirSync('/proc')
          .filter((name) => /^\d+$/.test(name))
          .filter((pid) => {
            try {
              return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(SLOW)
            } catch {
              return false
            }
          })
      : []

  for (const argv of [
    ['relay', 'search', SLOW, '--regex', '--timeout', '1'],
    ['relay', 'continuity', 'search', SLOW, '--regex', '--timeout', '1'],
  ] as const) {
    it(`${argv.slice(0, -4).join(' ')} stops after its time limit with E_TIMEOUT and says how to make it fast`, async () => {
      const started = Date.now()
      const result = await runCli(repo.dir, [...argv])
      assert.equal(result.code, 1)
      assert.equal(
        result.stderr,
        `error: the --regex search for '${SLOW}' ran over its time limit of 1 s and was stopped\n` +
          'hint: simplify the pattern (back-references like \\1 and nested repetition like (a*)* make git grep backtrack), narrow the search with --kind, --agent or --since, or give it more time with --timeout <seconds>\n',
      )
      assert.ok(Date.now() - started < 60_000)
      assert.deepEqual(runningGreps(), [], 'git grep was stopped')
      const asJson = await runCli(repo.dir, [...argv, '--json'])
      assert.equal((JSON.parse(asJson.stdout) as {error: {code: string}}).error.code, 'E_TIMEOUT')
    })
  }

  it('takes its time limit from git config relay.searchTimeout; a fast pattern is not affected', async () => {
    repo.git(['config', 'relay.searchTimeout', '1'])
    try {
      const slow = await runCli(repo.dir, ['relay', 'search', SLOW, '--regex'])
      assert.equal(slow.code, 1)
      assert.match(slow.stderr, /ran over its time limit of 1 s/)
      // A limit a fast pattern meets even on a loaded machine (1 s is not always enough to start git there).
      repo.git(['config', 'relay.searchTimeout', '30'])
      const fast = await json<SearchJson>(repo.dir, ['relay', 'search', 'a{3000}', '--regex'])
      assert.equal(fast.hits.length, 1)
    } finally {
      repo.git(['config', '--unset', 'relay.searchTimeout'])
    }
  })
})
