import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {NotFoundError, TrailError, UsageError} from '../errors.js'
import {parseAgentName, parseThreadId, type AgentName} from '../model/names.js'
import {SEARCH_KINDS, type SearchKind} from '../model/kinds.js'
import {parseCount, parseSince} from '../model/time.js'
import {TRAJECTORY_STATUSES, type TrajectoryStatus} from '../model/trajectory.js'
import {pageHtml, type PageAssets} from './assets.js'
import type {DashboardData, MessageQuery, TrajectoryQuery} from './queries.js'
import {allowedHosts, csrfTokenFor, foreignHeader, requestToken, sameSecret, setSecurityHeaders, tokenCookie, urlHost} from './security.js'
import {terminalText} from '../render/terminal.js'
import {MAX_SUGGESTIONS} from './why.js'

// The dashboard's HTTP server (node:http): the page, its two files, a JSON API over the live index, and
// server-sent events that tell the page what changed. Every request passes the guards in ./security.ts first.

export interface ServeOptions {
  host: string
  /** The port asked for (0: any free one), or null to try `preferredPort` first, then any. */
  port: number | null
  preferredPort: number | null
  token: string
  allowSend: boolean
  assets: PageAssets
}

export interface RunningServer {
  url: string
  port: number
  close(): Promise<void>
}

/** The largest request body taken: a message of at most 1 MiB, as JSON. */
const MAX_BODY_BYTES = 2 * 1024 * 1024
/** A comment line on open event streams this often keeps proxies and the browser from closing them. */
const HEARTBEAT_MS = 15_000
const MAX_LIMIT = 100

/** A refusal with its HTTP status, answered as {"error": {code, message, hint}}. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

/**
 * Starts serving. Resolves once the server listens, with its URL (carrying the token).
 *
 * @example const server = await serveDashboard(data, {host: '127.0.0.1', port: null, preferredPort: null, token, allowSend: false, assets})
 */
export async function serveDashboard(data: DashboardData, options: ServeOptions): Promise<RunningServer> {
  const streams = new Set<ServerResponse>()
  let hosts = new Set<string>()
  let port = 0
  const csrf = csrfTokenFor(options.token)
  const server = createServer((request, response) => {
    setSecurityHeaders(response)
    handle(request, response).catch((error: unknown) => answerError(response, error))
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refused = foreignHeader(request, hosts)
    if (refused) throw new HttpError(403, 'E_FOREIGN_HOST', `refused: ${refused}`, 'open the dashboard at the URL relay dashboard printed')
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid')
    const token = requestToken(request, port)
    const authorised = sameSecret(token, options.token)
    if (url.pathname === '/' && request.method === 'GET') {
      const given = url.searchParams.get('token')
      if (given !== null) {
        if (!sameSecret(given, options.token))
          throw new HttpError(401, 'E_TOKEN', 'this link carries a wrong or old token', 'open the URL relay dashboard printed')
        // The token moves into a cookie, out of the address bar and the history.
        response.writeHead(303, {'Set-Cookie': tokenCookie(port, options.token), Location: '/'})
        response.end()
        return
      }
      if (!authorised) return answerUnauthorised(response, 'text/html')
      response.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'})
      response.end(pageHtml(options.assets, 'live', csrf))
      return
    }
    if (!authorised) return answerUnauthorised(response, 'application/json')
    if (request.method === 'POST') {
      if (url.pathname !== '/api/messages') throw new HttpError(405, 'E_METHOD', `${request.method} is not allowed here`)
      return send(request, response)
    }
    if (request.method !== 'GET') throw new HttpError(405, 'E_METHOD', `${request.method} is not allowed`)
    if (url.pathname === '/app.js') return answerFile(response, 'text/javascript; charset=utf-8', options.assets.js)
    if (url.pathname === '/app.css') return answerFile(response, 'text/css; charset=utf-8', options.assets.css)
    if (url.pathname === '/api/events') return events(request, response, url)
    return answerJson(response, 200, await route(url))
  }

  async function route(url: URL): Promise<unknown> {
    const q = url.searchParams
    const parts = url.pathname.split('/').slice(1).map(decodeSegment)
    const path = parts.join('/')
    if (path === 'api/overview') return data.overview()
    if (path === 'api/agents') return {agents: await data.agents()}
    if (path === 'api/trajectories') return data.trajectories(trajectoryQuery(q, data))
    if (parts[0] === 'api' && parts[1] === 'trajectories' && parts.length === 4) return data.trajectory(parts[2]!, parts[3]!)
    if (path === 'api/messages') return data.messages(messageQuery(q))
    if (parts[0] === 'api' && parts[1] === 'threads' && parts.length === 3) return {thread: parts[2], messages: await data.thread(parseThreadId(parts[2]!))}
    if (path === 'api/summaries') return {agents: await data.summaries()}
    if (parts[0] === 'api' && parts[1] === 'summaries' && parts.length === 4) {
      return data.history(parts[2]!, parseAgentName(parts[3]!), page(q), limit(q, 20))
    }
    if (path === 'api/coordinator') return data.coordinator()
    if (path === 'api/search') return data.search(searchQuery(q, data))
    if (path === 'api/why') {
      const target = q.get('target')
      if (target === null || target.trim() === '')
        throw new UsageError('no target given', 'give target=<path>[:<line>[-<line>]], for example target=src/app.js:10-20')
      return data.why(target, optional(q, 'rev'))
    }
    if (path === 'api/files') return data.files(q.get('q') ?? '', limit(q, 20, MAX_SUGGESTIONS))
    throw new HttpError(404, 'E_NOT_FOUND', `nothing at ${url.pathname.slice(0, 100)}`)
  }

  function events(request: IncomingMessage, response: ServerResponse, url: URL): void {
    response.writeHead(200, {'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive'})
    const sendEvent = (name: string, payload: {version: string}) =>
      response.write(`id: ${payload.version}\nevent: ${name}\ndata: ${JSON.stringify(payload)}\n\n`)
    // A page that comes back says which version it saw last: it is told at once what it missed.
    // The browser's own reconnection sends Last-Event-ID (the newest it saw); a page that reconnects itself, ?since=.
    const since = header(request, 'last-event-id') ?? url.searchParams.get('since')
    response.write('retry: 1000\n\n')
    sendEvent('hello', {version: data.index.version})
    const missed = since === null ? null : data.index.changesSince(since)
    if (missed) sendEvent('change', missed)
    const unsubscribe = data.index.subscribe((event) => sendEvent('change', event))
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS)
    streams.add(response)
    const end = () => {
      unsubscribe()
      clearInterval(heartbeat)
      streams.delete(response)
    }
    request.on('close', end)
    response.on('close', end)
  }

  async function send(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!options.allowSend) throw new HttpError(403, 'E_SEND_OFF', 'sending is off', 'start the dashboard with --allow-send to send messages from the page')
    // A same-origin POST from the page: its Origin is ours (checked above, and required here), and it carries the
    // CSRF token that only a page served by us can read.
    if (request.headers.origin === undefined) throw new HttpError(403, 'E_ORIGIN', 'refused: a POST without an Origin header')
    if (!sameSecret(header(request, 'x-relay-csrf'), csrf)) throw new HttpError(403, 'E_CSRF', "refused: the request does not carry the page's CSRF token")
    if (!/^application\/json(;|$)/.test(request.headers['content-type'] ?? ''))
      throw new HttpError(415, 'E_CONTENT_TYPE', 'send JSON (Content-Type: application/json)')
    const body = await readBody(request)
    let input: unknown
    try {
      input = JSON.parse(body)
    } catch {
      throw new HttpError(400, 'E_JSON', 'the request body is not JSON')
    }
    const {to, body: text, thread} = (input ?? {}) as Record<string, unknown>
    if (typeof to !== 'string' || typeof text !== 'string' || (thread !== undefined && thread !== null && typeof thread !== 'string')) {
      throw new HttpError(400, 'E_FIELDS', 'give {"to": "<target>", "body": "<message>", "thread": "<id>" or null}')
    }
    const sent = await data.send({to, body: text, thread: typeof thread === 'string' && thread.trim() !== '' ? thread.trim() : null})
    answerJson(response, 201, sent)
  }

  const listen = (wanted: number) =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error)
      server.once('error', onError)
      server.listen(wanted, options.host, () => {
        server.off('error', onError)
        resolve()
      })
    })
  if (options.port !== null) await listen(options.port)
  else {
    try {
      await listen(options.preferredPort ?? 0)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (error as NodeJS.ErrnoException).code !== 'EACCES') throw error
      await listen(0)
    }
  }
  port = (server.address() as AddressInfo).port
  hosts = allowedHosts(options.host, port)
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : urlHost(options.host)
  return {
    url: `http://${shownHost}:${port}/?token=${options.token}`,
    port,
    close: () => closeServer(server, streams),
  }
}

function closeServer(server: Server, streams: Set<ServerResponse>): Promise<void> {
  for (const stream of streams) stream.end()
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new HttpError(400, 'E_PATH', 'the path is not valid percent-encoding')
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  return typeof value === 'string' ? value : undefined
}

function page(q: URLSearchParams): number {
  const raw = q.get('page')
  return raw === null ? 1 : parseCount(raw, 'page')
}

function limit(q: URLSearchParams, fallback: number, most = MAX_LIMIT): number {
  const raw = q.get('limit')
  const value = raw === null ? fallback : parseCount(raw, 'limit')
  if (value > most) throw new UsageError(`limit must be at most ${most}, got ${value}`, 'page through the rest with page=')
  return value
}

function optional(q: URLSearchParams, name: string): string | undefined {
  const value = q.get(name)
  return value === null || value === '' ? undefined : value
}

function agentParam(q: URLSearchParams): AgentName | undefined {
  const raw = optional(q, 'agent')
  return raw === undefined ? undefined : parseAgentName(raw)
}

function trajectoryQuery(q: URLSearchParams, data: DashboardData): TrajectoryQuery {
  const now = new Date()
  const status = optional(q, 'status')
  if (status !== undefined && !TRAJECTORY_STATUSES.includes(status as TrajectoryStatus))
    throw new UsageError(`status must be one of ${TRAJECTORY_STATUSES.join(', ')}`, 'or leave it out')
  const since = optional(q, 'since')
  const until = optional(q, 'until')
  const project = optional(q, 'project')
  if (project !== undefined) data.storesFor(project)
  return {
    ...(project === undefined ? {} : {project}),
    ...(agentParam(q) ? {agent: agentParam(q)!} : {}),
    ...(status === undefined ? {} : {status: status as TrajectoryStatus}),
    ...(since === undefined ? {} : {since: parseSince(since, now).getTime()}),
    // A day as `until` means its end.
    ...(until === undefined ? {} : {until: parseSince(until, now).getTime() + (/^\d{4}-\d\d-\d\d$/.test(until.trim()) ? 86_400_000 - 1 : 0)}),
    page: page(q),
    limit: limit(q, 30),
  }
}

function messageQuery(q: URLSearchParams): MessageQuery {
  const project = optional(q, 'project')
  const thread = optional(q, 'thread')
  return {
    ...(project === undefined ? {} : {project}),
    ...(agentParam(q) ? {agent: agentParam(q)!} : {}),
    ...(thread === undefined ? {} : {thread: parseThreadId(thread)}),
    ...(q.get('unanswered') === '1' ? {unanswered: true} : {}),
    page: page(q),
    limit: limit(q, 30),
  }
}

function searchQuery(q: URLSearchParams, data: DashboardData): Parameters<DashboardData['search']>[0] {
  const text = q.get('q') ?? ''
  if (text.trim() === '') throw new UsageError('the search is empty', 'give q=<text>')
  if (text.length > 1000) throw new UsageError('the search is over 1000 characters', 'search for a shorter text')
  const kinds = q.getAll('kind').filter((kind) => kind !== '')
  const unknown = kinds.find((kind) => !SEARCH_KINDS.includes(kind as SearchKind))
  if (unknown !== undefined) throw new UsageError(`kind must be one of ${SEARCH_KINDS.join(', ')}`, 'or leave it out')
  const project = optional(q, 'project')
  if (project !== undefined) data.storesFor(project)
  const since = optional(q, 'since')
  return {
    text,
    regex: q.get('regex') === '1',
    kinds: kinds as SearchKind[],
    limit: limit(q, 20),
    ...(agentParam(q) ? {agent: agentParam(q)!} : {}),
    ...(project === undefined ? {} : {project}),
    ...(since === undefined ? {} : {since: parseSince(since, new Date())}),
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'E_TOO_LARGE', `the request body is over ${MAX_BODY_BYTES} bytes`))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function answerJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  response.writeHead(status, {'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body)})
  response.end(body)
}

function answerFile(response: ServerResponse, type: string, content: Buffer): void {
  response.writeHead(200, {'Content-Type': type, 'Content-Length': content.length})
  response.end(content)
}

function answerUnauthorised(response: ServerResponse, type: 'text/html' | 'application/json'): void {
  const message = 'this dashboard needs its token: open the URL that relay dashboard printed'
  if (type === 'application/json')
    return answerJson(response, 401, {error: {code: 'E_TOKEN', message, hint: 'open the URL relay dashboard printed, or send Authorization: Bearer <token>'}})
  response.writeHead(401, {'Content-Type': 'text/html; charset=utf-8'})
  response.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>relay dashboard</title></head><body><p>This dashboard needs its token: open the URL that <code>relay dashboard</code> printed.</p></body></html>`,
  )
}

function answerError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.end()
    return
  }
  const known =
    error instanceof HttpError
      ? error
      : error instanceof UsageError
        ? new HttpError(400, error.code, error.message, error.hint)
        : error instanceof NotFoundError
          ? new HttpError(404, error.code, error.message, error.hint)
          : error instanceof TrailError
            ? new HttpError(500, error.code, error.message, error.hint)
            : new HttpError(500, 'E_INTERNAL', 'internal error', "see the dashboard's output (DEBUG=1 for details)")
  if (known.status === 500 && process.env.DEBUG) process.stderr.write(terminalText(`${(error as Error).stack ?? String(error)}\n`))
  answerJson(response, known.status, {error: {code: known.code, message: known.message, hint: known.hint ?? null}})
}
