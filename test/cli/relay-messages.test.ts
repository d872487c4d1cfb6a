import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {TestRepo, useRepos, useTempDirs, type UserState} from '../helpers/repo.js'
import {runTraced} from '../helpers/trace.js'
import type {InboxEntryJson, SiblingSyncJson} from '../../src/render/messages.js'
import type {SearchJson} from '../../src/render/search.js'

// Three sibling projects on local paths, bridged to each other: messages to frontend:Designer, backend:lead,
// shared-lib:* and *:* reach exactly the right inboxes after relay sync; threads hold across projects; receipts
// mark messages read; a sibling that is missing or not a repository is reported on its own. Tests that only read
// share a suite's projects; a test that writes makes its own.

/** Runs a command as this agent. */
const as = (agent: string) => ({env: {AGENT_RELAY_NAME: agent}})

/** An agent's inbox as "project:sender body" lines. */
const inbox = async (repo: TestRepo, agent: string, ...flags: string[]) =>
  (await json<InboxEntryJson[]>(repo.dir, ['relay', 'inbox', '--agent', agent, ...flags])).map((entry) => `${entry.project}:${entry.from} ${entry.body}`)

const tempDir = useTempDirs()

/** A new folder for sibling repositories (removed after the file's tests), and a maker of repositories in it. */
function siblingsRoot(label: string): {root: string; repoAt: (name: string) => TestRepo} {
  const root = tempDir(label)
  return {root, repoAt: (name) => new TestRepo(join(root, name))}
}

/** frontend, backend and shared-lib, bridged to each other, after the messages of the spec's example and a sync. */
async function threeSiblings(): Promise<{root: string; frontend: TestRepo; backend: TestRepo; shared: TestRepo}> {
  const {root, repoAt: project} = siblingsRoot('siblings')
  const frontend = project('frontend')
  const backend = project('backend')
  const shared = project('shared-lib')
  for (const repo of [frontend, backend, shared]) {
    mkdirSync(repo.dir)
    repo.git(['init', '--quiet', '--initial-branch=main'])
  }
  await ok(frontend.dir, ['relay', 'project', '--id', 'frontend', '--lead', 'Designer'])
  await ok(backend.dir, ['relay', 'project', '--id', 'backend', '--lead', 'Architect'])
  await ok(shared.dir, ['relay', 'project', '--id', 'shared-lib', '--lead', 'Maintainer'])
  for (const [repo, others] of [
    [frontend, [backend, shared]],
    [backend, [frontend, shared]],
    [shared, [frontend, backend]],
  ] as const) {
    for (const other of others) await ok(repo.dir, ['relay', 'bridge', 'add', other.dir.split('/').pop()!, other.dir])
  }
  await ok(backend.dir, ['relay', 'send', 'frontend:Designer', 'Please update the login UI', '--thread', 'auth-feature'], as('Architect'))
  await ok(frontend.dir, ['relay', 'send', 'backend:lead', 'REST or GraphQL?', '--thread', 'auth-feature'], as('Designer'))
  await ok(backend.dir, ['relay', 'send', 'shared-lib:*', 'New utility functions available'], as('Worker'))
  await ok(shared.dir, ['relay', 'send', '*:*', 'Release 2.0 is out'], as('Maintainer'))
  // The same, printed by an agent: a pattern through relay ingest.
  await ok(frontend.dir, ['relay', 'ingest'], {input: '->relay:backend:Worker [thread:auth-feature] <<<\nUI mockups ready for review>>>\n', ...as('Designer')})
  for (const repo of [frontend, backend, shared]) {
    const synced = await json<SiblingSyncJson[]>(repo.dir, ['relay', 'sync'])
    assert.ok(
      synced.every((report) => report.status === 'updated'),
      JSON.stringify(synced),
    )
  }
  return {root, frontend, backend, shared}
}

describe('messages between sibling projects', () => {
  /** The projects the tests that only read share. */
  let projects: Awaited<ReturnType<typeof threeSiblings>>
  before(async () => {
    projects = await threeSiblings()
  })

  it('delivers each message to exactly the agents it is for', async () => {
    const {frontend, backend, shared} = projects
    assert.deepEqual(await inbox(frontend, 'Designer'), ['backend:Architect Please update the login UI', 'shared-lib:Maintainer Release 2.0 is out'])
    assert.deepEqual(await inbox(frontend, 'Someone'), ['shared-lib:Maintainer Release 2.0 is out'])
    assert.deepEqual(await inbox(backend, 'Architect'), ['frontend:Designer REST or GraphQL?', 'shared-lib:Maintainer Release 2.0 is out'])
    assert.deepEqual(await inbox(backend, 'Worker'), ['shared-lib:Maintainer Release 2.0 is out', 'frontend:Designer UI mockups ready for review'])
    assert.deepEqual(await inbox(shared, 'Maintainer'), ['backend:Worker New utility functions available'], 'the sender never receives its own broadcast')
    assert.deepEqual(await inbox(shared, 'Anyone'), ['backend:Worker New utility functions available', 'shared-lib:Maintainer Release 2.0 is out'])
  })

  it('shows what arrived, and reports a sibling that is missing or not a repository on its own', async () => {
    const {root, frontend, backend} = await threeSiblings()
    await ok(frontend.dir, ['relay', 'send', 'backend:Worker', 'One more'], as('Designer'))
    const notRepo = join(root, 'plain-folder')
    mkdirSync(notRepo)
    await ok(backend.dir, ['relay', 'bridge', 'add', 'ghost', join(root, 'does-not-exist')])
    await ok(backend.dir, ['relay', 'bridge', 'add', 'plain', notRepo])
    const result = await runCli(backend.dir, ['relay', 'sync'])
    assert.equal(result.code, 1)
    assert.match(result.stdout, /^frontend \(\S+\): 1 new record, 1 message for this project\n    msg_\w+ frontend:Designer → backend:Worker: One more\n/m)
    assert.match(result.stdout, /^ghost \(\S+does-not-exist\): failed: \S+does-not-exist is not a git repository \(or does not exist\)$/m)
    assert.match(result.stdout, /^plain \(\S+plain-folder\): failed: \S+plain-folder is not a git repository \(or does not exist\)$/m)
    assert.match(result.stdout, /^shared-lib \(\S+\): nothing new$/m)
    await ok(backend.dir, ['relay', 'bridge', 'remove', 'ghost'])
    await ok(backend.dir, ['relay', 'bridge', 'remove', 'plain'])
    assert.deepEqual(
      (await json<{name: string}[]>(backend.dir, ['relay', 'bridge', 'list'])).map((s) => s.name),
      ['frontend', 'shared-lib'],
    )
  })

  it('holds a thread together across projects', async () => {
    const {backend} = projects
    const thread = await json<InboxEntryJson[]>(backend.dir, ['relay', 'thread', 'auth-feature'])
    assert.deepEqual(
      thread.map((entry) => `${entry.project}:${entry.from} → ${entry.to}`),
      ['backend:Architect → frontend:Designer', 'frontend:Designer → backend:lead', 'frontend:Designer → backend:Worker'],
    )
  })

  it('marks messages read with receipts, and load shows only unread ones', async () => {
    const {frontend} = await threeSiblings()
    assert.match(await ok(frontend.dir, ['relay', 'continuity', 'load'], as('Designer')), /## Unread messages \(2\)/)
    const [first] = await json<InboxEntryJson[]>(frontend.dir, ['relay', 'inbox', '--agent', 'Designer'])
    assert.match(await ok(frontend.dir, ['relay', 'inbox', '--mark-read', first!.id], as('Designer')), /^Marked 1 message read: msg_/)
    assert.deepEqual(await inbox(frontend, 'Designer', '--unread'), ['shared-lib:Maintainer Release 2.0 is out'])
    await ok(frontend.dir, ['relay', 'inbox', '--mark-read'], as('Designer'))
    assert.deepEqual(await inbox(frontend, 'Designer', '--unread'), [])
    const entries = await json<InboxEntryJson[]>(frontend.dir, ['relay', 'inbox', '--agent', 'Designer'])
    assert.ok(entries.every((entry) => entry.read))
    assert.doesNotMatch(await ok(frontend.dir, ['relay', 'continuity', 'load'], as('Designer')), /Unread messages/)
    const unknown = await runCli(frontend.dir, ['relay', 'inbox', '--mark-read', 'msg_00000000000000000000000000'], as('Designer'))
    assert.equal(unknown.code, 3)
  })

  it("searches siblings' records too, by kind, agent and project, literally", async () => {
    const {frontend, shared} = await threeSiblings()
    await ok(shared.dir, ['relay', 'continuity', 'save', '--handoff', 'Current task: Release\nFiles: src/quokkaParser.ts:1-20'], as('Maintainer'))
    await ok(frontend.dir, ['relay', 'sync'])
    const found = await json<SearchJson>(frontend.dir, ['relay', 'search', 'quokkaParser', '--kind', 'handoff'])
    assert.deepEqual(
      found.hits.map((hit) => [hit.project, hit.kind, hit.agent]),
      [['shared-lib', 'handoff', 'Maintainer']],
    )
    assert.equal((await json<SearchJson>(frontend.dir, ['relay', 'search', 'quokkaParser', '--agent', 'Someone'])).hits.length, 0)
    assert.equal((await json<SearchJson>(frontend.dir, ['relay', 'search', 'quokkaParser', '--project', 'backend'])).hits.length, 0)
    assert.ok((await json<SearchJson>(frontend.dir, ['relay', 'search', 'quokkaParser', '--project', 'shared-lib'])).hits.length >= 1)
    await ok(shared.dir, ['relay', 'continuity', 'save', 'Current task: explain --help and .* in the docs'], as('Maintainer'))
    await ok(frontend.dir, ['relay', 'sync'])
    for (const query of ['--help', '.*']) {
      const hits = JSON.parse(await ok(frontend.dir, ['relay', 'search', '--json', '--', query])) as SearchJson
      assert.deepEqual(
        hits.hits.map((hit) => hit.kind),
        ['ledger'],
        query,
      )
    }
  })

  it('refuses an invalid target, and says who project:lead reaches', async () => {
    const {frontend, backend} = projects
    const bad = await runCli(frontend.dir, ['relay', 'send', 'frontend:', 'hi'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /^error: invalid message target 'frontend:'\nhint: use agent, project:agent, project:lead, project:\* or \*:\*\n$/)
    assert.match(await ok(backend.dir, ['relay', 'project']), /^backend\nlead Architect\n$/)
  })
})

/**
 * app (with the user's work in progress), docs (never set up: it goes by its folder's name) and broken (a store
 * whose project.yaml cannot be read), app bridged to both and docs to app; and `user`, app's state before any of
 * it. With `delivered`, the messages of the first test below are sent and both projects synced.
 */
async function oddProjects(options: {delivered?: boolean} = {}): Promise<{app: TestRepo; docs: TestRepo; broken: TestRepo; user: UserState}> {
  const {repoAt} = siblingsRoot('odd')
  const app = repoAt('app')
  const docs = repoAt('docs')
  const broken = repoAt('broken')
  for (const repo of [app, docs, broken]) {
    mkdirSync(repo.dir)
    repo.git(['init', '--quiet', '--initial-branch=main'])
  }
  // The user's own work in progress in app: it must come out of all this byte for byte.
  app.write('src/index.ts', 'export {}\n')
  app.git(['add', 'src/index.ts'])
  app.write('src/index.ts', 'export const changed = true\n')
  const user = app.userState()
  await ok(app.dir, ['relay', 'project', '--lead', 'Boss'])
  // docs never runs relay project: it goes by its folder's name. app calls it "documentation".
  await ok(app.dir, ['relay', 'bridge', 'add', 'documentation', docs.dir])
  await ok(docs.dir, ['relay', 'bridge', 'add', 'app', app.dir])
  // broken's store names an id that is not one: its project.yaml cannot be read.
  broken.git(['fast-import', '--quiet'], {
    input:
      'commit refs/trail/records\ncommitter T <t@example.com> 0 +0000\ndata 4\ninit\nM 100644 inline .trail/format.yaml\ndata 10\nformat: 1\nM 100644 inline .relay/project.yaml\ndata 12\nid: "bad id"\n\n',
  })
  await ok(app.dir, ['relay', 'bridge', 'add', 'broken', broken.dir])
  // relay bridge add writes relay.sibling.* to the config: its purpose. Everything else must be as it was.
  user.config = app.userState().config
  if (options.delivered) await deliver(app, docs)
  return {app, docs, broken, user}
}

/** Messages within app, within docs and between them, then relay sync in both. */
async function deliver(app: TestRepo, docs: TestRepo): Promise<void> {
  await ok(app.dir, ['relay', 'send', 'Reviewer', 'Please review #12'], as('Coder'))
  await ok(app.dir, ['relay', 'send', '*', 'Standup in 5'], as('Coder'))
  await ok(app.dir, ['relay', 'send', 'lead', 'Blocked on credentials', '--thread', 'creds'], as('Coder'))
  await ok(docs.dir, ['relay', 'send', 'Reviewer', 'A docs review, for docs only'], as('Writer'))
  await ok(docs.dir, ['relay', 'send', 'app:Reviewer', 'Docs for #12 are in'], as('Writer'))
  await ok(app.dir, ['relay', 'send', 'docs:*', 'Release notes due Friday'], as('Boss'))
  const synced = await runCli(app.dir, ['relay', 'sync'])
  assert.equal(synced.code, 0, synced.stderr)
  await ok(docs.dir, ['relay', 'sync'])
}

describe('messages within a project, and siblings that are not set up', () => {
  it('delivers bare targets within the project only, lead to the lead it names', async () => {
    const {app, docs, user} = await oddProjects()
    await deliver(app, docs)
    assert.deepEqual(await inbox(app, 'Reviewer'), ['app:Coder Please review #12', 'app:Coder Standup in 5', 'docs:Writer Docs for #12 are in'])
    assert.deepEqual(await inbox(app, 'Boss'), ['app:Coder Standup in 5', 'app:Coder Blocked on credentials'])
    assert.deepEqual(await inbox(app, 'Coder'), [], 'the sender never receives its own broadcast')
    assert.deepEqual(await inbox(docs, 'Reviewer'), ['docs:Writer A docs review, for docs only', 'app:Boss Release notes due Friday'])
    assert.deepEqual(await inbox(docs, 'Writer'), ['app:Boss Release notes due Friday'])
    app.assertUserStateUnchanged(user)
  })

  it('leaves a sibling whose store cannot be read out with a warning, and reads the rest', async () => {
    const {app, user} = await oddProjects({delivered: true})
    const result = await runCli(app.dir, ['relay', 'inbox', '--agent', 'Reviewer'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /^warning: sibling broken: cannot read record \.relay\/project\.yaml: .* taken to go by 'broken'$/m)
    assert.match(result.stdout, /Docs for #12 are in/)
    assert.equal((await runCli(app.dir, ['relay', 'continuity', 'load'], as('Reviewer'))).code, 0)
    app.assertUserStateUnchanged(user)
  })

  it('filters and marks read by thread, and takes an id given twice once', async () => {
    const {app, user} = await oddProjects({delivered: true})
    await ok(app.dir, ['relay', 'send', 'lead', 'Still blocked', '--thread', 'creds'], as('Coder'))
    assert.deepEqual(await inbox(app, 'Boss', '--thread', 'creds'), ['app:Coder Blocked on credentials', 'app:Coder Still blocked'])
    assert.match(await ok(app.dir, ['relay', 'inbox', '--mark-read', '--thread', 'creds'], as('Boss')), /^Marked 2 messages read: /)
    assert.deepEqual(await inbox(app, 'Boss', '--unread'), ['app:Coder Standup in 5'], 'only the thread was marked')
    const [standup] = await json<InboxEntryJson[]>(app.dir, ['relay', 'inbox', '--agent', 'Boss', '--unread'])
    assert.match(await ok(app.dir, ['relay', 'inbox', '--mark-read', standup!.id, standup!.id], as('Boss')), /^Marked 1 message read: /)
    const outside = await runCli(app.dir, ['relay', 'inbox', '--mark-read', '--thread', 'other', standup!.id], as('Boss'))
    assert.equal(outside.code, 3)
    assert.match(outside.stderr, /^error: not in the inbox of Boss \(thread other\): msg_\w+\nhint: see the ids with: relay inbox --thread other\n$/m)
    app.assertUserStateUnchanged(user)
  })

  it('reports without fetching with --offline', async () => {
    const {app, docs, user} = await oddProjects({delivered: true})
    await ok(docs.dir, ['relay', 'send', 'app:Reviewer', 'Not fetched yet'], as('Writer'))
    const offline = await json<SiblingSyncJson[]>(app.dir, ['relay', 'sync', '--offline'])
    assert.deepEqual(
      offline.map((report) => [report.name, report.status]),
      [
        ['broken', 'unchanged'],
        ['documentation', 'unchanged'],
      ],
    )
    assert.doesNotMatch((await inbox(app, 'Reviewer')).join('\n'), /Not fetched yet/)
    await ok(app.dir, ['relay', 'sync'])
    assert.match((await inbox(app, 'Reviewer')).join('\n'), /Not fetched yet/)
    app.assertUserStateUnchanged(user)
  })

  it('warns when a target names no known project, or a project with no lead; bridge --lead names it', async () => {
    const {app, docs, user} = await oddProjects({delivered: true})
    const unknown = await runCli(app.dir, ['relay', 'send', 'nowhere:Someone', 'Hello?'], as('Coder'))
    assert.equal(unknown.code, 0)
    assert.match(
      unknown.stderr,
      /^warning: no sibling goes by 'nowhere' yet \(relay bridge list, relay sync\): the message waits in this project's store until one does$/m,
    )
    const noLead = await runCli(app.dir, ['relay', 'send', 'docs:lead', 'Who leads docs?'], as('Coder'))
    assert.match(noLead.stderr, /^warning: docs names no lead in its store: /m)
    await ok(app.dir, ['relay', 'bridge', 'add', 'documentation', docs.dir, '--lead', 'Writer'])
    user.config = app.userState().config // relay bridge add writes relay.sibling.* to the config: its purpose
    const named = await runCli(app.dir, ['relay', 'send', 'docs:lead', 'Writer leads docs', '--json'], as('Coder'))
    assert.equal(JSON.parse(named.stdout).to, 'docs:Writer')
    await ok(docs.dir, ['relay', 'sync'])
    assert.match((await inbox(docs, 'Writer')).join('\n'), /Writer leads docs/)
    app.assertUserStateUnchanged(user)
  })

  it("left the user's work in progress alone", async () => {
    // Every command of the tests above, one after another, in one project: the user's state comes out as it was.
    const {app, docs, user} = await oddProjects({delivered: true})
    await runCli(app.dir, ['relay', 'inbox', '--agent', 'Reviewer'])
    await ok(app.dir, ['relay', 'continuity', 'load'], as('Reviewer'))
    await ok(app.dir, ['relay', 'send', 'lead', 'Still blocked', '--thread', 'creds'], as('Coder'))
    await ok(app.dir, ['relay', 'inbox', '--mark-read', '--thread', 'creds'], as('Boss'))
    await ok(app.dir, ['relay', 'inbox', '--mark-read'], as('Boss'))
    await ok(docs.dir, ['relay', 'send', 'app:Reviewer', 'Not fetched yet'], as('Writer'))
    await ok(app.dir, ['relay', 'sync', '--offline'])
    await ok(app.dir, ['relay', 'sync'])
    await runCli(app.dir, ['relay', 'send', 'nowhere:Someone', 'Hello?'], as('Coder'))
    await ok(app.dir, ['relay', 'bridge', 'add', 'documentation', docs.dir, '--lead', 'Writer'])
    user.config = app.userState().config
    await ok(app.dir, ['relay', 'send', 'docs:lead', 'Writer leads docs'], as('Coder'))
    app.assertUserStateUnchanged(user)
  })
})

// This project's messages are read from the mirror's files when the mirror shows the ref's tip (no git process),
// from git otherwise: the same inbox and thread either way; never through a symbolic link.
describe("this project's messages read from the mirror", () => {
  const repos = useRepos()

  /** A project with messages to two agents, in two threads, and a receipt. */
  async function withMessages(): Promise<TestRepo> {
    const repo = repos()
    await ok(repo.dir, ['relay', 'send', 'Reviewer', 'Please review #12', '--thread', 'pr-12'], as('Coder'))
    await ok(repo.dir, ['relay', 'send', 'Reviewer', 'Also #13'], as('Coder'))
    await ok(repo.dir, ['relay', 'send', 'Coder', 'Looks good', '--thread', 'pr-12'], as('Reviewer'))
    await ok(repo.dir, ['relay', 'send', '*', 'Standup in 5'], as('Boss'))
    const [first] = await json<InboxEntryJson[]>(repo.dir, ['relay', 'inbox', '--agent', 'Reviewer'])
    await ok(repo.dir, ['relay', 'inbox', '--mark-read', first!.id], as('Reviewer'))
    return repo
  }

  /** What the commands that read messages answer, and whether any of them ran git grep. */
  async function readings(repo: TestRepo): Promise<{answers: string[]; grep: boolean}> {
    const runs = await Promise.all([
      runTraced(repo.dir, ['relay', 'inbox', '--agent', 'Reviewer', '--json']),
      runTraced(repo.dir, ['relay', 'inbox', '--agent', 'Coder', '--unread', '--json']),
      runTraced(repo.dir, ['relay', 'thread', 'pr-12', '--json']),
      runTraced(repo.dir, ['relay', 'continuity', 'load'], as('Reviewer')),
    ])
    for (const run of runs) assert.equal(run.code, 0, run.stderr)
    return {answers: runs.map((run) => run.stdout), grep: runs.some((run) => run.trace.processes.includes('grep'))}
  }

  /** Marks the mirror as built from part of the ref only: reads then ask git (src/store/mirror.ts `shows`). */
  function partialMirror(repo: TestRepo): void {
    const path = join(repo.dir, '.git', 'trail', 'mirror.json')
    writeFileSync(path, JSON.stringify({...JSON.parse(readFileSync(path, 'utf8')), partial: true}))
  }

  it('answers without git grep, as git grep answers', async () => {
    const repo = await withMessages()
    const before = repo.userState()
    const fromMirror = await readings(repo)
    assert.equal(fromMirror.grep, false, 'no git grep while the mirror shows the tip')
    assert.match(fromMirror.answers[0]!, /Please review #12/)
    assert.match(fromMirror.answers[3]!, /Also #13/)
    partialMirror(repo)
    const fromGit = await readings(repo)
    assert.equal(fromGit.grep, true, 'git grep once the mirror does not show the tip')
    assert.deepEqual(fromMirror.answers, fromGit.answers)
    repo.assertUserStateUnchanged(before)
  })

  it('asks git when a link or something else than a file or folder is among the messages, and reads nothing through it', async () => {
    const repo = await withMessages()
    const expected = await readings(repo)
    const outside = repos()
    mkdirSync(join(outside.dir, 'elsewhere'))
    writeFileSync(join(outside.dir, 'elsewhere', 'msg_planted.md'), '---\nto: Reviewer\n---\nplanted\n')
    symlinkSync(join(outside.dir, 'elsewhere'), join(repo.dir, '.relay', 'messages', 'zz-link'))
    const withLink = await readings(repo)
    assert.equal(withLink.grep, true)
    assert.deepEqual(withLink.answers, expected.answers)
    assert.ok(!withLink.answers.some((answer) => answer.includes('planted')))
  })
})

describe("a sibling that goes by this project's own id", () => {
  it('is named in a warning by relay sync, and its bare targets never reach this project', async () => {
    const {repoAt} = siblingsRoot('same-id')
    const here = repoAt('one/app')
    const there = repoAt('two/app')
    for (const repo of [here, there]) {
      mkdirSync(repo.dir, {recursive: true})
      repo.git(['init', '--quiet', '--initial-branch=main'])
    }
    await ok(here.dir, ['relay', 'bridge', 'add', 'other', there.dir])
    await ok(there.dir, ['relay', 'send', 'Reviewer', 'For the other app only'], as('Coder'))
    const synced = await runCli(here.dir, ['relay', 'sync'])
    assert.equal(synced.code, 0)
    assert.match(synced.stderr, /^warning: sibling other goes by this project's own id 'app': give one of them another with: relay project --id <name>$/m)
    assert.deepEqual(await inbox(here, 'Reviewer'), [])
  })
})
