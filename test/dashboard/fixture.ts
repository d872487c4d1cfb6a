import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {request as httpRequest} from 'node:http'
import {cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium, type BrowserContext, type Page} from 'playwright-core'
import {BIN} from '../helpers/cli.js'
import {runInProcess} from '../helpers/in-process.js'
import {TestRepo, testEnv} from '../helpers/repo.js'
import type {CommandDefinition} from '../../src/cli/definition.js'
import {bridgeAdd} from '../../src/cli/definitions/relay/bridge.js'
import {continuitySave} from '../../src/cli/definitions/relay/continuity-save.js'
import {continuityUncertain} from '../../src/cli/definitions/relay/continuity-uncertain.js'
import {inbox} from '../../src/cli/definitions/relay/inbox.js'
import {ingest} from '../../src/cli/definitions/relay/ingest.js'
import {project} from '../../src/cli/definitions/relay/project.js'
import {send} from '../../src/cli/definitions/relay/send.js'
import {sync} from '../../src/cli/definitions/relay/sync.js'
import {abandon} from '../../src/cli/definitions/trail/abandon.js'
import {complete} from '../../src/cli/definitions/trail/complete.js'
import {decision} from '../../src/cli/definitions/trail/decision.js'
import {start} from '../../src/cli/definitions/trail/start.js'

// Two sibling projects with records of every kind, a running `relay dashboard`, plain HTTP requests (with any
// Host or Origin header), and a headless Chromium: what the dashboard's tests share.

export const as = (agent: string) => ({env: {AGENT_RELAY_NAME: agent}})

/** Text a hostile sibling might write: script tags, event handlers, a javascript: link. */
export const HOSTILE = {
  title: '<script>window.__pwned = "title"</script><img src=x onerror="window.__pwned = \'img\'">Hostile title',
  reasoning: '<a href="javascript:window.__pwned=\'link\'">click me</a> and <b onmouseover="window.__pwned=1">bold</b>',
  url: 'javascript:window.__pwned="url"',
  message: '<iframe src="javascript:parent.__pwned=\'iframe\'"></iframe><svg onload="window.__pwned=\'svg\'">',
}

export interface Projects {
  root: string
  backend: TestRepo
  frontend: TestRepo
  /** The trajectory ids by name. */
  ids: {auth: string; hostile: string; login: string; abandoned: string}
  remove(): void
}

/** A repository with one commit and a dirty work tree (staged and unstaged changes, an untracked file). */
function makeProject(root: string, name: string): TestRepo {
  const repo = new TestRepo(join(root, name))
  mkdirSync(repo.dir)
  repo.git(['init', '--quiet', '--initial-branch=main'])
  repo.write('src/app.js', 'console.log("hello")\n')
  repo.git(['add', '.'])
  repo.git(['commit', '--quiet', '-m', 'initial'])
  repo.write('src/app.js', 'console.log("hello, staged")\n')
  repo.git(['add', 'src/app.js'])
  repo.write('src/app.js', 'console.log("hello, staged and then edited")\n')
  repo.write('notes.txt', 'untracked\n')
  return repo
}

/**
 * Runs a command in this process (the seeding makes about thirty records: as child processes, on a busy machine,
 * that took half a minute) and returns its trimmed stdout; fails on a non-zero exit.
 */
// biome-ignore lint/suspicious/noExplicitAny: any command's definition, with its own flags and result
async function run(cwd: string, definition: CommandDefinition<any, any>, argv: string[], input = ''): Promise<string> {
  const result = await runInProcess(cwd, definition, argv, input)
  if (result.code !== 0) throw new Error(`${definition.name} ${argv.join(' ')} exited ${result.code}: ${result.stderr}`)
  return result.stdout.trim()
}

/** The seeded projects, made once per test process; each test file works on its own copy. */
let template: Promise<{root: string; ids: Projects['ids']}> | undefined

/**
 * backend (lead Architect) and frontend (lead Designer), bridged both ways and synced: an active trajectory with a
 * decision, a handoff, a session end and a commit linked by its trailer; an abandoned one; a completed one with low
 * confidence; a summary per project; uncertain items; a message to backend's lead, read by it, unanswered; and,
 * in the sibling, records whose text is hostile (with a message to the lead by name, which the lead answered).
 */
async function seedTemplate(): Promise<{root: string; ids: Projects['ids']}> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'relay-dashboard-template-')))
  process.on('exit', () => rmSync(root, {recursive: true, force: true}))
  const backend = makeProject(root, 'backend').dir
  const frontend = makeProject(root, 'frontend').dir
  await run(backend, project, ['--id', 'backend', '--lead', 'Architect'])
  await run(frontend, project, ['--id', 'frontend', '--lead', 'Designer'])
  await run(backend, bridgeAdd, ['frontend', frontend])
  await run(frontend, bridgeAdd, ['backend', backend])

  const auth = await run(backend, start, [
    'Design the auth API',
    '--task',
    'AUTH-1',
    '--url',
    'https://example.com/issues/1',
    '--quiet',
    '--agent',
    'Architect',
  ])
  await run(backend, decision, [
    'Chose JWT over sessions',
    '--reasoning',
    'Stateless scaling across regions',
    '--alternatives',
    'server sessions,opaque tokens',
    '--confidence',
    '0.8',
    '--agent',
    'Architect',
  ])
  await run(backend, continuitySave, ['--handoff', 'Current task: Auth API\nNext steps: refresh tokens', '--agent', 'Architect'])
  await run(
    backend,
    ingest,
    ['--agent', 'Architect'],
    '[[SUMMARY]]{"currentTask":"Auth API","completedTasks":["token schema"],"context":"JWT chosen"}[[/SUMMARY]]\n',
  )
  // A commit of the user's, linked to the trajectory by its trailer (what trail init --hooks adds).
  new TestRepo(backend).git(['commit', '--quiet', '-m', `Add the token schema\n\nTrajectory: ${auth}`])
  const abandoned = await run(backend, start, ['Cache sessions in Redis', '--quiet', '--agent', 'Worker'])
  await run(backend, abandon, ['--reason', 'JWT made it moot', '--agent', 'Worker'])
  await run(backend, continuityUncertain, ['Is the rate limit per user or per key?', '--agent', 'Worker'])
  await run(backend, ingest, ['--agent', 'Worker'], '[[SESSION_END]]{"summary":"Stopped the cache work","completedTasks":["spike"]}[[/SESSION_END]]\n')

  const login = await run(frontend, start, ['Login page', '--quiet', '--agent', 'Designer'])
  await run(frontend, complete, [
    '--summary',
    'Login form with validation',
    '--confidence',
    '0.5',
    '--challenges',
    'Flaky focus handling',
    '--agent',
    'Designer',
  ])
  await run(frontend, send, ['backend:lead', 'REST or GraphQL for the auth API?', '--thread', 'auth-feature', '--agent', 'Designer'])
  await run(frontend, ingest, ['--agent', 'Designer'], '[[SUMMARY]]{"currentTask":"Login UI","completedTasks":["form"]}[[/SUMMARY]]\n')
  const hostile = await run(frontend, start, [HOSTILE.title, '--url', HOSTILE.url, '--quiet', '--agent', 'Mallory'])
  await run(frontend, decision, [HOSTILE.title, '--reasoning', HOSTILE.reasoning, '--alternatives', HOSTILE.reasoning, '--agent', 'Mallory'])
  await run(frontend, send, ['backend:Architect', HOSTILE.message, '--thread', 'hostile', '--agent', 'Mallory'])
  await run(frontend, continuityUncertain, [HOSTILE.title, '--agent', 'Mallory'])

  await run(backend, sync, [])
  await run(backend, inbox, ['--agent', 'Architect', '--mark-read', '--thread', 'auth-feature'])
  // The lead answers Mallory's message in its thread (so that one is answered), not Designer's.
  await run(backend, send, ['frontend:Mallory', 'Not clicking that.', '--thread', 'hostile', '--agent', 'Architect'])
  await run(frontend, sync, [])
  return {root, ids: {auth, hostile, login, abandoned}}
}

/** A fresh copy of the seeded projects, bridged to each other where they now are. */
export async function seedProjects(): Promise<Projects> {
  template ??= seedTemplate()
  const {root: from, ids} = await template
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'relay-dashboard-')))
  cpSync(from, root, {recursive: true, verbatimSymlinks: true})
  const backend = new TestRepo(join(root, 'backend'))
  const frontend = new TestRepo(join(root, 'frontend'))
  backend.git(['config', 'relay.sibling.frontend.url', frontend.dir])
  frontend.git(['config', 'relay.sibling.backend.url', backend.dir])
  return {root, backend, frontend, ids, remove: () => rmSync(root, {recursive: true, force: true})}
}

export interface Dashboard {
  url: string
  /** "http://127.0.0.1:<port>" */
  base: string
  port: number
  token: string
  process: ChildProcessWithoutNullStreams
  stderr(): string
  /** Stops it (SIGTERM) and resolves with its exit code and output. */
  stop(): Promise<{code: number | null; stdout: string; stderr: string}>
}

/** Starts `relay dashboard` in `cwd` and waits for the URL on its first line. */
export function startDashboard(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<Dashboard> {
  const child = spawn(process.execPath, [BIN.relay, 'dashboard', ...args], {cwd, env: testEnv(env)})
  let stdout = ''
  let stderr = ''
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
      const match = /^(http:\/\/([^/]+):(\d+))\/\?token=([A-Za-z0-9_-]+)\n/.exec(stdout)
      if (!match) return
      resolve({
        url: match[0].trim(),
        base: match[1]!,
        port: Number(match[3]),
        token: match[4]!,
        process: child,
        stderr: () => stderr,
        stop: async () => {
          child.kill('SIGTERM')
          return {code: await exited, stdout, stderr}
        },
      })
    })
    void exited.then((code) => reject(new Error(`relay dashboard exited ${code} before printing its URL\nstdout: ${stdout}\nstderr: ${stderr}`)))
  })
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  json<T = Record<string, unknown>>(): T
}

/** A plain HTTP request, with any headers (fetch forbids setting Host). */
export function request(base: string, path: string, options: {method?: string; headers?: Record<string, string>; body?: string} = {}): Promise<Answer> {
  const url = new URL(path, base)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? 'GET',
        headers: {Host: url.host, ...options.headers},
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8')
          resolve({status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T})
        })
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/** A GET of the API with the token (as a script would send it). */
export async function api<T = Record<string, unknown>>(dashboard: Dashboard, path: string): Promise<T> {
  const answer = await request(dashboard.base, path, {headers: {Authorization: `Bearer ${dashboard.token}`}})
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.body}`)
  return answer.json<T>()
}

/** Waits until `check` returns a value (polling), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Debian's Chromium, as .ci/run installs it. */
export const CHROMIUM = '/usr/bin/chromium'

export interface Browser {
  context: BrowserContext
  /** A new page whose console errors and uncaught exceptions are collected in `errors`. */
  page(): Promise<{page: Page; errors: string[]}>
  close(): Promise<void>
}

/**
 * A headless Chromium with a fresh profile in a temporary folder, removed on close. Chromium's own temporary files
 * (`.org.chromium.Chromium.*`, which a child process can leave behind when the browser is closed) go to a folder
 * inside it, not to the temporary folder the test run must leave empty. Its names are short: Chromium makes a
 * socket in that folder, and a socket's path must be under 108 bytes (npm test's own temporary folder is already
 * /tmp/relay-trail-run-XXXXXX). `rebind.test` resolves to 127.0.0.1, as a DNS rebinding attack would make it.
 */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'relay-c-'))
  const remove = () => rmSync(profile, {recursive: true, force: true, maxRetries: 5})
  const ownTemp = join(profile, 't')
  mkdirSync(ownTemp)
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(join(profile, 'profile'), {
      executablePath: CHROMIUM,
      env: {...process.env, TMPDIR: ownTemp},
      headless: true,
      viewport: {width: 1280, height: 800},
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--host-resolver-rules=MAP rebind.test 127.0.0.1',
      ],
    })
  } catch (error) {
    remove()
    throw error
  }
  return {
    context,
    page: async () => {
      const page = await context.newPage()
      const errors: string[] = []
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text())
      })
      page.on('pageerror', (error) => errors.push(error.message))
      return {page, errors}
    },
    close: async () => {
      await context.close()
      remove()
    },
  }
}
