import assert from 'node:assert/strict'
import {request as httpRequest} from 'node:http'
import {existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import type {UserState} from '../helpers/repo.js'
import type {
  AgentJson,
  AgentSummariesJson,
  CoordinatorJson,
  HistoryPageJson,
  MessageItemJson,
  MessagePageJson,
  OverviewJson,
  TrajectoryPageJson,
  TrajectoryViewJson,
} from '../../src/render/dashboard.js'
import type {InboxEntryJson} from '../../src/render/messages.js'
import type {SearchJson} from '../../src/render/search.js'
import {CONTENT_SECURITY_POLICY} from '../../src/dashboard/security.js'
import {api, as, eventually, request, seedProjects, startDashboard, type Dashboard, type Projects} from './fixture.js'

// The dashboard's HTTP surface: the token, the Host and Origin checks, the headers, every endpoint's status codes
// and JSON shapes, paging, server-sent events, sending (only with --allow-send, same-origin, with the CSRF token),
// the URL in `relay continuity load`, and the static export.

const API_PATHS = [
  '/api/overview',
  '/api/agents',
  '/api/trajectories',
  '/api/messages',
  '/api/summaries',
  '/api/coordinator',
  '/api/search?q=JWT',
  '/api/events',
  '/app.js',
  '/app.css',
]

describe('relay dashboard over HTTP', () => {
  let projects: Projects
  let dashboard: Dashboard
  let before_: UserState

  before(async () => {
    projects = await seedProjects()
    before_ = projects.backend.userState()
    dashboard = await startDashboard(projects.backend.dir)
  })

  after(async () => {
    await dashboard?.stop()
    projects?.remove()
  })

  it('serves the page only to a request with the token, moving it from the URL into a cookie', async () => {
    assert.equal((await request(dashboard.base, '/')).status, 401)
    assert.equal((await request(dashboard.base, '/?token=not-the-token')).status, 401)
    const entry = await request(dashboard.base, `/?token=${dashboard.token}`)
    assert.equal(entry.status, 303)
    assert.equal(entry.headers.location, '/')
    const cookie = String(entry.headers['set-cookie'])
    assert.match(cookie, new RegExp(`^relay_dashboard_${dashboard.port}=${dashboard.token}; HttpOnly; SameSite=Strict; Path=/$`))
    const page = await request(dashboard.base, '/', {headers: {Cookie: cookie.split(';')[0]!}})
    assert.equal(page.status, 200)
    assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY)
    assert.equal(page.headers['x-content-type-options'], 'nosniff')
    assert.match(page.body, /<meta name="relay-mode" content="live">/)
    assert.doesNotMatch(page.body, /<script(?![^>]*\bsrc=)/, 'no inline script')
    assert.doesNotMatch(page.body, /https?:\/\/(?!127\.0\.0\.1)/, 'nothing from the network')
  })

  it('refuses every other request without the token', async () => {
    for (const path of API_PATHS) {
      const answer = await request(dashboard.base, path)
      assert.equal(answer.status, 401, path)
      assert.equal(answer.headers['content-security-policy'], CONTENT_SECURITY_POLICY, path)
      assert.equal(answer.json<{error: {code: string}}>().error.code, 'E_TOKEN', path)
      assert.equal((await request(dashboard.base, path, {headers: {Authorization: 'Bearer wrong-token-wrong-token-wrong-token-x'}})).status, 401, path)
    }
  })

  it('refuses a foreign Host or Origin header, even with the token (DNS rebinding)', async () => {
    const auth = {Authorization: `Bearer ${dashboard.token}`}
    for (const host of [`rebind.example:${dashboard.port}`, `127.0.0.1:${dashboard.port + 1}`, 'localhost', `evil.127.0.0.1.nip.io:${dashboard.port}`]) {
      const answer = await request(dashboard.base, '/api/overview', {headers: {...auth, Host: host}})
      assert.equal(answer.status, 403, host)
      assert.equal(answer.json<{error: {code: string}}>().error.code, 'E_FOREIGN_HOST')
    }
    for (const origin of ['http://rebind.example', `http://rebind.example:${dashboard.port}`, 'null', `https://127.0.0.1:${dashboard.port}`]) {
      assert.equal((await request(dashboard.base, '/api/overview', {headers: {...auth, Origin: origin}})).status, 403, origin)
    }
    for (const host of [`localhost:${dashboard.port}`, `127.0.0.1:${dashboard.port}`]) {
      assert.equal((await request(dashboard.base, '/api/overview', {headers: {...auth, Host: host, Origin: `http://${host}`}})).status, 200, host)
    }
  })

  it('answers unknown paths with 404 and other methods with 405', async () => {
    const auth = {Authorization: `Bearer ${dashboard.token}`}
    assert.equal((await request(dashboard.base, '/api/nothing', {headers: auth})).status, 404)
    assert.equal((await request(dashboard.base, '/api/agents', {method: 'DELETE', headers: auth})).status, 405)
    assert.equal((await request(dashboard.base, '/api/agents', {method: 'POST', headers: auth})).status, 405)
  })

  it('/api/overview names this project and every synced sibling', async () => {
    const overview = await api<OverviewJson>(dashboard, '/api/overview')
    assert.equal(overview.project, 'backend')
    assert.equal(overview.mode, 'live')
    assert.equal(overview.allowSend, false)
    assert.equal(overview.sender, null)
    assert.match(overview.version, /^[0-9a-f]+-\d+$/)
    assert.deepEqual(
      overview.projects.map((p) => [p.project, p.sibling, p.lead, p.trajectories, p.active]),
      [
        ['backend', null, 'Architect', 2, 1],
        ['frontend', 'frontend', 'Designer', 2, 1],
      ],
    )
  })

  it('/api/agents: every agent of both projects, with presence, work, uncertain items and unread messages', async () => {
    const {agents} = await api<{agents: AgentJson[]}>(dashboard, '/api/agents')
    const by = (project: string, agent: string) => agents.find((a) => a.project === project && a.agent === agent)!
    assert.deepEqual(agents.map((a) => `${a.project}:${a.agent}`).sort(), ['backend:Architect', 'backend:Worker', 'frontend:Designer', 'frontend:Mallory'])
    const architect = by('backend', 'Architect')
    assert.equal(architect.isLead, true)
    assert.equal(architect.presence, 'working')
    assert.equal(architect.workingOn, 'Design the auth API')
    assert.deepEqual(
      architect.active.map((t) => t.id),
      [projects.ids.auth],
    )
    assert.equal(architect.unread, 1, 'the hostile message is unread; the one to the lead was marked read')
    const worker = by('backend', 'Worker')
    assert.equal(worker.presence, 'gone', 'its session end is its last record')
    assert.deepEqual(worker.uncertain, ['Is the rate limit per user or per key?'])
    assert.equal(by('frontend', 'Designer').presence, 'idle')
    assert.equal(by('frontend', 'Designer').isLead, true)
  })

  it('/api/trajectories pages newest first across projects, and filters by project, agent, status and time', async () => {
    const all = await api<TrajectoryPageJson>(dashboard, '/api/trajectories')
    assert.equal(all.total, 4)
    assert.deepEqual(
      all.trajectories.map((t) => t.id),
      [projects.ids.hostile, projects.ids.login, projects.ids.abandoned, projects.ids.auth],
    )
    const first = await api<TrajectoryPageJson>(dashboard, '/api/trajectories?limit=3')
    const second = await api<TrajectoryPageJson>(dashboard, '/api/trajectories?limit=3&page=2')
    assert.deepEqual([first.more, first.trajectories.length, second.more, second.trajectories.length], [true, 3, false, 1])
    assert.deepEqual(
      [...first.trajectories, ...second.trajectories].map((t) => t.id),
      all.trajectories.map((t) => t.id),
    )
    const ids = async (query: string) => (await api<TrajectoryPageJson>(dashboard, `/api/trajectories?${query}`)).trajectories.map((t) => t.id)
    assert.deepEqual(await ids('project=frontend'), [projects.ids.hostile, projects.ids.login])
    assert.deepEqual(await ids('status=abandoned'), [projects.ids.abandoned])
    assert.deepEqual(await ids('status=active'), [projects.ids.hostile, projects.ids.auth])
    assert.deepEqual(await ids('agent=Designer&status=completed'), [projects.ids.login])
    assert.deepEqual(await ids('since=2000-01-01&until=2000-12-31'), [])
    assert.deepEqual(await ids(`since=${new Date(Date.now() - 3_600_000).toISOString()}&project=backend`), [projects.ids.abandoned, projects.ids.auth])
    const item = all.trajectories.find((t) => t.id === projects.ids.login)!
    assert.deepEqual(
      [item.project, item.sibling, item.status, item.confidence, item.confidenceLevel],
      ['frontend', 'frontend', 'completed', 0.5, 'some uncertainty'],
    )
  })

  it('refuses bad trajectory queries with 400 and unknown projects with 404', async () => {
    const auth = {Authorization: `Bearer ${dashboard.token}`}
    for (const query of ['status=finished', 'limit=0', 'limit=101', 'page=-1', 'agent=../x', 'since=someday']) {
      const answer = await request(dashboard.base, `/api/trajectories?${query}`, {headers: auth})
      assert.equal(answer.status, 400, query)
      assert.ok(answer.json<{error: {message: string}}>().error.message, query)
    }
    assert.equal((await request(dashboard.base, '/api/trajectories?project=nowhere', {headers: auth})).status, 404)
  })

  it('/api/trajectories/<project>/<id>: the timeline with reasoning and alternatives, the rubric, handoffs, session ends and linked commits', async () => {
    const view = await api<TrajectoryViewJson>(dashboard, `/api/trajectories/backend/${projects.ids.auth}`)
    assert.equal(view.title, 'Design the auth API')
    assert.deepEqual(
      view.events.map((e) => [e.title, e.reasoning, e.alternatives, e.confidence, e.confidenceLevel]),
      [['Chose JWT over sessions', 'Stateless scaling across regions', ['server sessions', 'opaque tokens'], 0.8, 'good']],
    )
    assert.deepEqual(
      view.rubric.map((r) => r.level),
      ['high', 'good', 'some uncertainty', 'needs review'],
    )
    assert.equal(view.handoffs.length, 1)
    assert.equal(view.handoffs[0]!.currentTask, 'Auth API')
    assert.deepEqual(
      view.commits.map((c) => c.subject),
      ['Add the token schema'],
    )
    const sibling = await api<TrajectoryViewJson>(dashboard, `/api/trajectories/frontend/${projects.ids.login}`)
    assert.deepEqual([sibling.summary, sibling.challenges, sibling.commits], ['Login form with validation', ['Flaky focus handling'], []])
    const auth = {Authorization: `Bearer ${dashboard.token}`}
    assert.equal(
      (await request(dashboard.base, `/api/trajectories/backend/${projects.ids.login}`, {headers: auth})).status,
      404,
      "another project's trajectory",
    )
    assert.equal((await request(dashboard.base, '/api/trajectories/backend/traj_nope', {headers: auth})).status, 400)
    assert.equal((await request(dashboard.base, '/api/trajectories/backend/%E0%A4%A', {headers: auth})).status, 400)
  })

  it('/api/messages: across projects, with who read what; an unanswered message to a lead stands out', async () => {
    const page = await api<MessagePageJson>(dashboard, '/api/messages')
    assert.equal(page.total, 3)
    const toLead = page.messages.find((m) => m.to === 'backend:lead')!
    assert.deepEqual(
      [toLead.project, toLead.from, toLead.thread, toLead.readBy, toLead.toLead, toLead.unanswered],
      ['frontend', 'Designer', 'auth-feature', ['backend:Architect'], true, true],
    )
    const hostile = page.messages.find((m) => m.from === 'Mallory')!
    assert.deepEqual([hostile.toLead, hostile.unanswered, hostile.readBy], [true, false, []], 'to the lead by name, answered in its thread')
    const reply = page.messages.find((m) => m.from === 'Architect')!
    assert.deepEqual([reply.project, reply.to, reply.toLead], ['backend', 'frontend:Mallory', false])
    assert.deepEqual(
      page.threads.map((t) => [t.thread, t.messages]),
      [
        ['hostile', 2],
        ['auth-feature', 1],
      ],
    )
    const unanswered = await api<MessagePageJson>(dashboard, '/api/messages?unanswered=1')
    assert.deepEqual(
      unanswered.messages.map((m) => m.thread),
      ['auth-feature'],
    )
    assert.equal((await api<MessagePageJson>(dashboard, '/api/messages?agent=Designer')).total, 1)
    assert.equal((await api<MessagePageJson>(dashboard, '/api/messages?agent=Mallory')).total, 2)
    const frontend = await api<MessagePageJson>(dashboard, '/api/messages?project=frontend&limit=1')
    assert.deepEqual([frontend.total, frontend.more], [3, true], 'sent by frontend, or addressed to it')
    const thread = await api<{thread: string; messages: MessageItemJson[]}>(dashboard, '/api/threads/auth-feature')
    assert.deepEqual(
      thread.messages.map((m) => m.body),
      ['REST or GraphQL for the auth API?'],
    )
    assert.equal((await request(dashboard.base, '/api/threads/none-such', {headers: {Authorization: `Bearer ${dashboard.token}`}})).status, 404)
  })

  it('/api/summaries: the latest summary and session end of each agent, and their history a page at a time', async () => {
    const {agents} = await api<{agents: AgentSummariesJson[]}>(dashboard, '/api/summaries')
    const by = (agent: string) => agents.find((a) => a.agent === agent)!
    assert.deepEqual(by('Architect').summary?.completedTasks, ['token schema'])
    assert.equal(by('Worker').sessionEnd?.summary, 'Stopped the cache work')
    assert.equal(by('Designer').summary?.currentTask, 'Login UI')
    assert.equal(by('Designer').project, 'frontend')
    const history = await api<HistoryPageJson>(dashboard, '/api/summaries/backend/Architect?limit=1')
    assert.deepEqual([history.entries.length, history.entries[0]!.kind, history.more], [1, 'summary', false])
  })

  it('/api/coordinator: for each project, who works on what and what needs attention', async () => {
    const {projects: views} = await api<CoordinatorJson>(dashboard, '/api/coordinator')
    const kinds = (project: string) =>
      views
        .find((p) => p.project === project)!
        .attention.map((a) => a.kind)
        .sort()
    assert.deepEqual(kinds('backend'), ['abandoned', 'unanswered', 'uncertain'])
    assert.deepEqual(kinds('frontend'), ['low-confidence', 'uncertain'])
    assert.deepEqual(
      views.find((p) => p.project === 'frontend')!.agents.map((a) => a.agent),
      ['Designer', 'Mallory'],
    )
  })

  it('/api/search: relay search from the page; bad queries are refused', async () => {
    const found = await api<SearchJson>(dashboard, '/api/search?q=stateless')
    assert.deepEqual(found.hits.map((hit) => `${hit.project} ${hit.kind}`).sort(), ['backend decision', 'backend handoff'], 'the handoff carries the decision')
    const sibling = await api<SearchJson>(dashboard, '/api/search?q=validation&project=frontend')
    assert.deepEqual(
      sibling.hits.map((hit) => hit.kind),
      ['trajectory'],
    )
    const auth = {Authorization: `Bearer ${dashboard.token}`}
    for (const query of ['', 'q=', 'q=x&kind=everything', 'q=x&limit=1000'])
      assert.equal((await request(dashboard.base, `/api/search?${query}`, {headers: auth})).status, 400, query)
  })

  it('/api/events tells of a write by another process, and a page that comes back what it missed', async () => {
    const events = openEvents(dashboard, '')
    try {
      const hello = await events.next('hello')
      await ok(projects.backend.dir, ['trail', 'decision', 'Refresh tokens rotate', '--reasoning', 'Limits the damage of a leak'], as('Architect'))
      const change = await events.next('change')
      assert.ok(change.kinds.includes('trajectories'), JSON.stringify(change))
      assert.ok(change.trajectories.includes(`backend/${projects.ids.auth}`))
      assert.notEqual(change.version, hello.version)
      // A page that saw only the first version is told at once of what came after it...
      const back = openEvents(dashboard, `?since=${hello.version}`)
      const missed = (await back.next('change')) as {kinds: string[]; trajectories: string[]}
      back.close()
      assert.ok(missed.trajectories.includes(`backend/${projects.ids.auth}`))
      // ...and one that saw another run's versions is told that everything may have changed.
      const stranger = openEvents(dashboard, '?since=0123abcd-7')
      assert.equal((await stranger.next('change')).kinds, 'all')
      stranger.close()
    } finally {
      events.close()
    }
    const view = await api<TrajectoryViewJson>(dashboard, `/api/trajectories/backend/${projects.ids.auth}`)
    assert.deepEqual(
      view.events.map((e) => e.title),
      ['Chose JWT over sessions', 'Refresh tokens rotate'],
    )
  })

  it('refuses to send without --allow-send, and shows no sender', async () => {
    const answer = await request(dashboard.base, '/api/messages', {
      method: 'POST',
      headers: {Authorization: `Bearer ${dashboard.token}`, Origin: dashboard.base, 'Content-Type': 'application/json'},
      body: JSON.stringify({to: 'Architect', body: 'hello'}),
    })
    assert.equal(answer.status, 403)
    assert.equal(answer.json<{error: {code: string}}>().error.code, 'E_SEND_OFF')
  })

  it('gives agents the URL in relay continuity load while it runs', async () => {
    const loaded = await ok(projects.backend.dir, ['relay', 'continuity', 'load'], as('Architect'))
    assert.ok(loaded.includes(dashboard.url), loaded)
    assert.ok(loaded.startsWith(`# Session context for Architect\n\nDashboard (agents, trajectories, messages, live): ${dashboard.url}\n`))
    projects.backend.assertUserStateUnchanged(before_)
  })
})

describe('relay dashboard --allow-send', () => {
  let projects: Projects
  let dashboard: Dashboard

  before(async () => {
    projects = await seedProjects()
    dashboard = await startDashboard(projects.backend.dir, ['--allow-send'])
  })

  after(async () => {
    await dashboard?.stop()
    projects?.remove()
  })

  const post = async (headers: Record<string, string>, body: unknown) =>
    request(dashboard.base, '/api/messages', {
      method: 'POST',
      headers: {Authorization: `Bearer ${dashboard.token}`, ...headers},
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })

  it("sends only a same-origin JSON POST that carries the page's CSRF token", async () => {
    const page = await request(dashboard.base, '/', {headers: {Authorization: `Bearer ${dashboard.token}`}})
    const csrf = /<meta name="relay-csrf" content="([^"]+)">/.exec(page.body)![1]!
    const good = {Origin: dashboard.base, 'Content-Type': 'application/json', 'X-Relay-CSRF': csrf}
    const message = {to: 'Architect', body: 'Ship it on Friday?', thread: 'release'}
    assert.equal((await post({...good, 'X-Relay-CSRF': 'forged'}, message)).status, 403)
    assert.equal((await post({'Content-Type': 'application/json', 'X-Relay-CSRF': csrf}, message)).status, 403, 'no Origin')
    assert.equal((await post({...good, Origin: 'http://evil.example'}, message)).status, 403)
    assert.equal((await post({...good, 'Content-Type': 'text/plain'}, message)).status, 415)
    assert.equal((await post(good, '{not json')).status, 400)
    assert.equal((await post(good, {to: 42})).status, 400)
    const badTarget = await post(good, {to: 'a:b:c', body: 'x'})
    assert.equal(badTarget.status, 400)
    assert.match(badTarget.json<{error: {message: string}}>().error.message, /invalid message target/)

    const before_ = projects.backend.userState()
    const sent = await post(good, message)
    assert.equal(sent.status, 201, sent.body)
    const {message: recorded} = sent.json<{message: {id: string; from: string; project: string}}>()
    assert.deepEqual([recorded.from, recorded.project], ['Test-User', 'backend'], "from the person's git identity, made an agent name")
    const inbox = await json<InboxEntryJson[]>(projects.backend.dir, ['relay', 'inbox', '--agent', 'Architect', '--thread', 'release'])
    assert.deepEqual(
      inbox.map((entry) => [entry.from, entry.body]),
      [['Test-User', 'Ship it on Friday?']],
    )
    const overview = await api<OverviewJson>(dashboard, '/api/overview')
    assert.deepEqual(overview.sender, {name: 'Test User', email: 'test@example.com', agent: 'Test-User'})
    await eventually(async () => (await api<MessagePageJson>(dashboard, '/api/messages?thread=release')).total === 1, 5000, 'the sent message in the list')
    projects.backend.assertUserStateUnchanged(before_)
  })
})

describe('relay dashboard, starting and stopping', () => {
  let projects: Projects

  before(async () => {
    projects = await seedProjects()
  })

  after(() => projects?.remove())

  it('stops on SIGTERM, removing its state file, and relay continuity load no longer gives the URL', async () => {
    const dashboard = await startDashboard(projects.backend.dir)
    const state = join(projects.backend.dir, '.git', 'trail', 'dashboard.json')
    assert.equal(JSON.parse(readFileSync(state, 'utf8')).url, dashboard.url)
    assert.equal(lstatSync(state).mode & 0o777, 0o600)
    const stopped = await dashboard.stop()
    assert.equal(stopped.code, 0, stopped.stderr)
    assert.equal(existsSync(state), false)
    const loaded = await ok(projects.backend.dir, ['relay', 'continuity', 'load'], as('Architect'))
    assert.doesNotMatch(loaded, /Dashboard/)
  })

  it('keeps its token and port across a restart, so an open page reconnects; --new-token changes the token', async () => {
    const first = await startDashboard(projects.backend.dir)
    await first.stop()
    const second = await startDashboard(projects.backend.dir)
    await second.stop()
    assert.equal(second.url, first.url)
    const third = await startDashboard(projects.backend.dir, ['--new-token'])
    await third.stop()
    assert.notEqual(third.token, first.token)
  })

  it('opens the system browser with --open, passing the URL as one argument (no shell)', async () => {
    // A stand-in for xdg-open that writes down the arguments it was given.
    const bin = join(projects.root, 'bin')
    mkdirSync(bin)
    const opened = join(projects.root, 'opened.txt')
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$#" "$@" > '${opened}'\n`, {mode: 0o755})
    writeFileSync(join(bin, 'open'), `#!/bin/sh\nprintf '%s\\n' "$#" "$@" > '${opened}'\n`, {mode: 0o755})
    const dashboard = await startDashboard(projects.backend.dir, ['--open'], {PATH: `${bin}:${process.env.PATH}`})
    try {
      await eventually(async () => existsSync(opened) && readFileSync(opened, 'utf8').includes('\n'), 10_000, 'the browser to be opened')
      assert.equal(readFileSync(opened, 'utf8'), `1\n${dashboard.url}\n`)
    } finally {
      await dashboard.stop()
    }
  })

  it('warns when it listens beyond loopback, and refuses a bad --port or --host', async () => {
    const open = await startDashboard(projects.backend.dir, ['--host', '0.0.0.0', '--port', '0'])
    const stopped = await open.stop()
    assert.match(stopped.stderr, /^warning: serving on 0\.0\.0\.0, not only on this machine/m)
    for (const args of [
      ['--port', '70000'],
      ['--port', 'http'],
      ['--host', 'a b'],
      ['--host', 'evil/x'],
    ]) {
      const result = await runCli(projects.backend.dir, ['relay', 'dashboard', ...args])
      assert.equal(result.code, 2, args.join(' '))
      assert.match(result.stderr, /^error: --(port|host) must be/, args.join(' '))
    }
  })
})

describe('relay dashboard --export', () => {
  let projects: Projects

  before(async () => {
    projects = await seedProjects()
  })

  after(() => projects?.remove())

  it('writes the page and JSON snapshots that the page reads without a server', async () => {
    const before_ = projects.backend.userState()
    const dir = join(projects.root, 'site')
    const output = await ok(projects.backend.dir, ['relay', 'dashboard', '--export', dir])
    assert.match(output, /^Wrote \d+ files \(4 trajectories\) to /)
    const html = readFileSync(join(dir, 'index.html'), 'utf8')
    assert.match(html, /<meta name="relay-mode" content="static">/)
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self';/)
    for (const file of [
      'app.js',
      'app.css',
      'data/overview.json',
      'data/agents.json',
      'data/trajectories.json',
      'data/messages.json',
      'data/summaries.json',
      'data/coordinator.json',
    ]) {
      assert.ok(existsSync(join(dir, file)), file)
    }
    const overview = JSON.parse(readFileSync(join(dir, 'data/overview.json'), 'utf8')) as OverviewJson
    assert.deepEqual([overview.mode, overview.projects.length, overview.allowSend], ['static', 2, false])
    const detail = JSON.parse(readFileSync(join(dir, `data/trajectory/backend/${projects.ids.auth}.json`), 'utf8')) as TrajectoryViewJson
    assert.equal(detail.events[0]!.title, 'Chose JWT over sessions')
    assert.deepEqual([detail.commits.map((c) => c.subject), detail.handoffs.length], [['Add the token schema'], 1], 'the links, read once for every trajectory')
    assert.ok(existsSync(join(dir, 'data/summaries/frontend/Designer.json')))
    projects.backend.assertUserStateUnchanged(before_)
  })

  it('writes again into its own earlier export, leaving files of yours alone', async () => {
    const dir = join(projects.root, 'again')
    await ok(projects.backend.dir, ['relay', 'dashboard', '--export', dir])
    writeFileSync(join(dir, 'CNAME'), 'dashboard.example.com\n')
    await ok(projects.backend.dir, ['relay', 'dashboard', '--export', dir])
    assert.equal(readFileSync(join(dir, 'CNAME'), 'utf8'), 'dashboard.example.com\n')
    assert.ok(readdirSync(join(dir, 'data')).includes('overview.json'))
  })

  it('refuses a folder that is not empty, a symbolic link, or inside the git dir, and never writes through a link', async () => {
    const full = join(projects.root, 'full')
    mkdirSync(full)
    writeFileSync(join(full, 'keep.txt'), 'mine\n')
    const linked = join(projects.root, 'linked')
    symlinkSync(full, linked)
    const trap = join(projects.root, 'trap')
    await ok(projects.backend.dir, ['relay', 'dashboard', '--export', trap])
    // A link planted where the export writes a file: the next export refuses rather than write through it.
    const victim = join(projects.root, 'victim.txt')
    writeFileSync(victim, 'untouched\n')
    const manifest = JSON.parse(readFileSync(join(trap, '.relay-dashboard-export.json'), 'utf8')) as {files: string[]}
    writeFileSync(join(trap, '.relay-dashboard-export.json'), JSON.stringify({files: manifest.files.filter((file) => file !== 'app.css')}))
    const appCss = join(trap, 'app.css')
    rmSync(appCss)
    symlinkSync(victim, appCss)
    for (const [target, why] of [
      [full, /not empty/],
      [linked, /symbolic link/],
      [join(projects.backend.dir, '.git', 'site'), /inside the git dir/],
      [trap, /app\.css is there already/],
    ] as const) {
      const result = await runCli(projects.backend.dir, ['relay', 'dashboard', '--export', target])
      assert.equal(result.code, 2, `${target}: ${result.stderr}`)
      assert.match(result.stderr, why)
    }
    assert.equal(readFileSync(victim, 'utf8'), 'untouched\n')
    assert.deepEqual(readdirSync(full), ['keep.txt'])
    assert.equal(existsSync(join(projects.backend.dir, '.git', 'site')), false)
  })
})

/** Reads the server-sent events of /api/events, one named event at a time. */
function openEvents(
  dashboard: Dashboard,
  query: string,
): {next(name: string): Promise<{version: string; kinds: string[] | 'all'; trajectories: string[]}>; close(): void} {
  const queue: {name: string; data: string}[] = []
  const waiting: (() => void)[] = []
  let buffer = ''
  const req = httpRequest(
    {
      host: '127.0.0.1',
      port: dashboard.port,
      path: `/api/events${query}`,
      headers: {Authorization: `Bearer ${dashboard.token}`, Host: `127.0.0.1:${dashboard.port}`},
    },
    (res) => {
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const name = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (name && data) queue.push({name, data})
          for (const wake of waiting.splice(0)) wake()
        }
      })
    },
  )
  req.on('error', () => {})
  req.end()
  return {
    next: async (name) => {
      const until = Date.now() + 10_000
      for (;;) {
        const at = queue.findIndex((event) => event.name === name)
        if (at >= 0) return JSON.parse(queue.splice(at, 1)[0]!.data)
        if (Date.now() > until) throw new Error(`no ${name} event`)
        await new Promise<void>((resolve) => {
          waiting.push(resolve)
          setTimeout(resolve, 200)
        })
      }
    },
    close: () => req.destroy(),
  }
}
