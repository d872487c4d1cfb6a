import {randomBytes} from 'node:crypto'
import {UsageError} from '../errors.js'
import {agentNameOfPerson} from '../model/presence.js'
import type {Context} from '../services/context.js'
import {readDashboardAccess, removeRunningDashboard, writeDashboardAccess, writeRunningDashboard} from '../services/dashboard-state.js'
import {readAssets} from './assets.js'
import {EXPORT_TRAJECTORIES, exportDashboard, type ExportResult} from './export.js'
import {LiveIndex} from './live-index.js'
import {DashboardData, type Sender} from './queries.js'
import {isLoopback, randomToken} from './security.js'
import {serveDashboard} from './server.js'
import {openBrowser} from './open-browser.js'

// `relay dashboard`: reads every store, serves the page until stopped (or writes it as static files), and keeps
// .git/trail/dashboard.json so `relay continuity load` gives agents the URL while it runs.

export interface DashboardOptions {
  port?: string
  host?: string
  open: boolean
  allowSend: boolean
  export?: string
  newToken: boolean
}

export type DashboardOutcome = {kind: 'served'; url: string} | {kind: 'exported'; result: ExportResult}

/** How the dashboard tells its user things while it runs (stdout: the URL first, alone on its line). */
export interface DashboardIO {
  print(text: string): void
  stopped: Promise<void>
}

/**
 * Runs the dashboard until `io.stopped`, or writes the export and returns.
 *
 * @example await runDashboard(ctx, {open: false, allowSend: false, newToken: false}, io)
 */
export async function runDashboard(ctx: Context, options: DashboardOptions, io: DashboardIO): Promise<DashboardOutcome> {
  // Asked for first: from here on SIGINT and SIGTERM stop the dashboard cleanly instead of killing it.
  const stopped = options.export === undefined ? io.stopped : null
  const port = options.port === undefined ? null : parsePort(options.port)
  const host = parseHost(options.host ?? '127.0.0.1')
  const assets = readAssets()
  const store = await ctx.store()
  const repo = store.repo
  const sender = options.allowSend ? await personSender(ctx) : null
  const index = new LiveIndex(ctx, randomBytes(6).toString('hex'))
  const exporting = options.export !== undefined
  await index.start({watch: !exporting})
  try {
    if (exporting) {
      const data = new DashboardData(index, ctx, {allowSend: false, sender: null, mode: 'static', exportLimit: EXPORT_TRAJECTORIES})
      return {kind: 'exported', result: await exportDashboard(data, assets, repo, options.export!, ctx.cwd)}
    }
    if (!isLoopback(host)) {
      ctx.warn(
        `serving on ${host}, not only on this machine: anyone who can reach it and has the token can read every record${options.allowSend ? ' and send messages as you' : ''}`,
      )
    }
    const data = new DashboardData(index, ctx, {allowSend: options.allowSend, sender, mode: 'live'})
    const access = readDashboardAccess(repo, {newToken: options.newToken, randomToken})
    const server = await serveDashboard(data, {host, port, preferredPort: access.port, token: access.token, allowSend: options.allowSend, assets})
    writeDashboardAccess(repo, {token: access.token, port: server.port})
    writeRunningDashboard(repo, {pid: process.pid, url: server.url, started: ctx.now().toISOString()})
    try {
      const projects = index.stores.length
      io.print(`${server.url}\n`)
      io.print(
        `Serving ${index.here.project}${projects > 1 ? ` and ${projects - 1} sibling${projects > 2 ? 's' : ''}` : ''}` +
          `${options.allowSend && sender ? `; messages sent from the page come from ${sender.agent} (${sender.name} <${sender.email}>)` : ''}. Stop with Ctrl-C.\n`,
      )
      if (options.open) openBrowser(server.url, ctx)
      await stopped
    } finally {
      removeRunningDashboard(repo, process.pid)
      await server.close()
    }
    return {kind: 'served', url: server.url}
  } finally {
    index.stop()
  }
}

/** The person's git identity, as the sender of messages from the page (model/presence.ts names the rule). */
async function personSender(ctx: Context): Promise<Sender> {
  const {author} = await (await ctx.store()).repo.settings()
  return {name: author.name, email: author.email, agent: author.isFallback ? agentNameOfPerson('human') : agentNameOfPerson(author.name)}
}

function parsePort(raw: string): number {
  const port = /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`--port must be a number from 0 to 65535, got '${raw.slice(0, 20)}'`, 'for example --port 4711 (0: any free port)')
  return port
}

function parseHost(raw: string): string {
  const host = raw.trim().replace(/^\[(.*)\]$/, '$1')
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host))
    throw new UsageError(`--host must be an address or a host name, got '${raw.slice(0, 40)}'`, 'for example --host 127.0.0.1 (the default)')
  return host
}
