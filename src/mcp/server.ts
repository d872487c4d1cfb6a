import type {Readable, Writable} from 'node:stream'
import {McpServer, ResourceTemplate} from '@modelcontextprotocol/sdk/server/mcp.js'
import {
  ErrorCode,
  RootsListChangedNotificationSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js'
import {z} from 'zod'
import {continuityLoad} from '../cli/definitions/relay/continuity-load.js'
import {inbox} from '../cli/definitions/relay/inbox.js'
import {exportCommand} from '../cli/definitions/trail/export.js'
import type {AnyDefinition} from '../cli/hot.js'
import {NotFoundError} from '../errors.js'
import {packageVersion} from '../package-files.js'
import type {Env} from '../git/process.js'
import {LEDGER_DIR, ledgerPath, STORE_REF} from '../model/layout.js'
import {parseAgentName, resolveAgentName, type AgentTool} from '../model/names.js'
import {HookSessions} from '../services/hook-sessions.js'
import {listSiblings} from '../services/projects.js'
import {allActive} from '../services/trajectory-records.js'
import {listTrajectories} from '../services/trajectories.js'
import {Snapshot} from '../store/snapshot.js'
import type {Store} from '../store/store.js'
import {clientTool, sessionAgent} from './acting-agent.js'
import {failure, runDefinition, type CallFailure} from './calls.js'
import {PROMPTS} from './prompts.js'
import {RefWatcher, type Tips} from './ref-watcher.js'
import {RESOURCE_SCHEME, RESOURCE_URIS, resourcesToNotify, siblingMoved, touchedResources, type TouchedResources} from './resource-changes.js'
import {commandInput, inputSchema} from './tool-input.js'
import {StdioTransport} from './stdio-transport.js'
import {changedFiles} from './tree-diff.js'
import {MCP_TOOLS, toolName, type McpToolSpec} from './tools.js'
import {Workspace} from './workspace.js'
import {terminalText} from '../render/terminal.js'

// `relay mcp`: the protocol as Model Context Protocol tools, resources and prompts, over stdio, with the official
// SDK. Tools are the commands themselves (./tools.ts); resources are the startup context, ledgers, trajectories
// and inboxes, with a notification when the records behind a subscribed one change (./ref-watcher.ts). The store
// stays open between calls (./workspace.ts): that is what makes a write cost git's work alone.

export interface McpServeOptions {
  /** Where the server was started: the repository is found from here (see Workspace). */
  cwd: string
  env: Env
  /** `relay mcp --agent`: who acts when a call names no agent. */
  agent?: string
  /** `relay mcp --tool`: the agent tool that starts the server, whose live hooked session acts (acting-agent.ts). */
  tool?: AgentTool
  input?: Readable
  output?: Writable
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM). */
  stopped?: Promise<void>
}

const INSTRUCTIONS = [
  'relay-trail records what agents do and why in this git repository (refs/trail/records), and carries their state from one session to the next.',
  'Before you implement a task, call trail_start; record each real choice with trail_decision; finish with trail_complete (or trail_abandon).',
  'Save your state with relay_continuity_save before long operations, every 15-20 minutes and before the session ends (handoff true at milestones).',
  'Tools act for your agent unless you pass agent. An error ends with a hint naming a command; the tool of the same name with underscores does the same (trail start: trail_start).',
].join(' ')

/** Serves MCP on stdio until the client closes the connection (or the process is asked to stop). */
export async function serveMcp(options: McpServeOptions): Promise<void> {
  const server = new RelayMcpServer(options)
  await server.serve()
}

class RelayMcpServer {
  private readonly mcp: McpServer
  private readonly workspace: Workspace
  private readonly subscriptions = new Set<string>()
  private readonly debug: boolean
  /** The agent of the client tool's live hooked session, as last looked up (findHookedAgent). */
  private hookedAgent: string | undefined
  private watcher: RefWatcher | undefined
  private watching: Promise<void> | undefined
  private writes: Promise<unknown> = Promise.resolve()

  constructor(private readonly options: McpServeOptions) {
    this.debug = Boolean(options.env.DEBUG)
    this.mcp = new McpServer(
      {name: 'relay-trail', title: 'relay-trail: trajectories, continuity and messages', version: packageVersion()},
      {capabilities: {tools: {}, resources: {subscribe: true, listChanged: true}, prompts: {}}, instructions: INSTRUCTIONS},
    )
    this.workspace = new Workspace({cwd: options.cwd, env: options.env, roots: () => this.clientRoots()})
    this.registerTools()
    this.registerResources()
    this.registerPrompts()
    this.mcp.server.setNotificationHandler(RootsListChangedNotificationSchema, () => this.followRoots())
  }

  async serve(): Promise<void> {
    const input = this.options.input ?? process.stdin
    const output = this.options.output ?? process.stdout
    const transport = new StdioTransport(input, output)
    const closed = new Promise<void>((resolve) => (this.mcp.server.onclose = resolve))
    this.mcp.server.onerror = (error) => this.log(`protocol error: ${error.message}`)
    const close = () => void this.mcp.close().catch(() => {})
    // The client ends the session by closing our stdin: the transport answers the requests under way, then closes.
    // A client that went away makes stdout fail.
    output.on('error', close)
    void this.options.stopped?.then(close)
    const onRejection = (reason: unknown) => this.log(`unexpected: ${reason instanceof Error ? (this.debug ? reason.stack : reason.message) : String(reason)}`)
    process.on('unhandledRejection', onRejection)
    await this.mcp.connect(transport)
    // The store opens now, in the background, so the first call finds git running; outside a repository, the
    // first call says so (and the next one looks again).
    void this.ensureWatching()
    await closed
    process.off('unhandledRejection', onRejection)
    this.watcher?.stop()
    await this.workspace.close()
  }

  // --- tools ------------------------------------------------------------------------------------------------------

  private registerTools(): void {
    for (const spec of MCP_TOOLS) {
      const definition = spec.definition
      this.mcp.registerTool(
        toolName(definition),
        {
          title: definition.summary,
          description: `${definition.summary}. ${spec.whenToCall}`,
          inputSchema: inputSchema(spec),
          annotations: {readOnlyHint: spec.readOnly, destructiveHint: false, idempotentHint: spec.readOnly, openWorldHint: false},
        },
        (params: Record<string, unknown>, extra: {signal: AbortSignal}) => this.callTool(spec, params, extra.signal),
      )
    }
  }

  private async callTool(spec: McpToolSpec, params: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    try {
      await this.findHookedAgent()
      const input = commandInput(spec, params, this.sessionAgent())
      // A read stops where the client cancels it (its git grep is killed); a write, once started, is carried out.
      const run = () => runDefinition(this.workspace, spec.definition, input, this.debug, spec.readOnly ? signal : undefined)
      // Writes of this server queue here rather than at the writer lock, whose wait polls.
      const outcome = spec.readOnly ? await run() : await this.serialised(run)
      if (!spec.readOnly) this.watcher?.wake()
      void this.ensureWatching()
      if (!outcome.ok) return toolError(outcome)
      return {content: [{type: 'text', text: outcome.text}], ...structured(outcome.json, spec.listKey)}
    } catch (error) {
      return toolError(failure(error, `${spec.definition.bin} ${spec.definition.name}`))
    }
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work, work)
    this.writes = next.catch(() => {})
    return next
  }

  /** The agent a call acts for when it names none; undefined leaves it to $AGENT_RELAY_NAME, $TRAIL_AGENT, "default". */
  private sessionAgent(): string | undefined {
    return sessionAgent({flag: this.options.agent, env: this.options.env, hooked: this.hookedAgent, clientName: this.mcp.server.getClientVersion()?.name})
  }

  /**
   * Looks again for the client tool's live hooked session (a new session of the tool may have started since the
   * last call): a few small files in .git/trail/sessions. Nothing when the store cannot be opened yet.
   */
  private async findHookedAgent(): Promise<void> {
    const tool = clientTool(this.options.tool, this.mcp.server.getClientVersion()?.name)
    if (tool === undefined || this.options.agent || this.options.env.AGENT_RELAY_NAME || this.options.env.TRAIL_AGENT) return
    try {
      const store = await this.workspace.store()
      this.hookedAgent = new HookSessions(store.repo.commonDir).live(tool, new Date())?.agent
    } catch {
      this.hookedAgent = undefined
    }
  }

  /** The name of that agent. */
  private actingAgent(): string {
    try {
      return resolveAgentName(this.sessionAgent(), this.options.env)
    } catch {
      return 'default' // an invalid $AGENT_RELAY_NAME: every call reports it; notifications go on
    }
  }

  // --- resources --------------------------------------------------------------------------------------------------

  private registerResources(): void {
    const markdown = 'text/markdown'
    // Checked as the command checks --agent, so a bad name gets the CLI's error.
    const agentOf = (variables: Record<string, string | string[]>) => decodeURIComponent(String(variables.agent))
    this.mcp.registerResource(
      'context',
      RESOURCE_URIS.context,
      {
        title: 'Your startup context',
        description:
          'What relay continuity load prints for the agent acting: its ledger, items to verify, active trajectory, newest handoff and unread messages.',
        mimeType: markdown,
      },
      (uri) => this.readCommand(uri, continuityLoad, {}, markdown),
    )
    this.mcp.registerResource(
      'agent-context',
      new ResourceTemplate(`${RESOURCE_URIS.context}/{agent}`, {list: undefined}),
      {title: "An agent's startup context", description: 'The startup context of the agent named.', mimeType: markdown},
      (uri, variables) => this.readCommand(uri, continuityLoad, {agent: agentOf(variables)}, markdown),
    )
    this.mcp.registerResource(
      'ledger',
      new ResourceTemplate(RESOURCE_URIS.ledger('{agent}'), {list: () => this.listedInStore(() => this.listLedgers())}),
      {title: "An agent's continuity ledger", description: 'The ledger record of the agent named (.relay/ledger/<agent>.md), as stored.', mimeType: markdown},
      (uri, variables) => this.readLedger(uri, agentOf(variables)),
    )
    this.mcp.registerResource(
      'trajectory',
      new ResourceTemplate(RESOURCE_URIS.trajectory('{id}'), {list: () => this.listedInStore(() => this.listTrajectoryResources())}),
      {
        title: 'A trajectory',
        description:
          'A trajectory with its decisions and retrospective, as Markdown (trail export). The list holds the active and the 50 newest; any id or unique prefix can be read.',
        mimeType: markdown,
      },
      (uri, variables) => this.readCommand(uri, exportCommand, {id: decodeURIComponent(String(variables.id)), format: 'md'}, markdown),
    )
    this.mcp.registerResource(
      'inbox',
      RESOURCE_URIS.inbox,
      {
        title: 'Your inbox',
        description: 'The messages for the agent acting, from this project and every synced sibling (relay inbox).',
        mimeType: 'text/plain',
      },
      (uri) => this.readCommand(uri, inbox, {}, 'text/plain'),
    )
    this.mcp.registerResource(
      'agent-inbox',
      new ResourceTemplate(`${RESOURCE_URIS.inbox}/{agent}`, {list: undefined}),
      {title: "An agent's inbox", description: 'The messages for the agent named.', mimeType: 'text/plain'},
      (uri, variables) => this.readCommand(uri, inbox, {agent: agentOf(variables)}, 'text/plain'),
    )
    this.mcp.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
      if (!isServedUri(request.params.uri))
        throw Object.assign(
          new Error(
            `not a resource of this server: '${request.params.uri.slice(0, 200)}'; it serves ${RESOURCE_SCHEME}://context, inbox, ledger/<agent>, trajectory/<id>, context/<agent> and inbox/<agent>`,
          ),
          {code: ErrorCode.InvalidParams},
        )
      this.subscriptions.add(request.params.uri)
      await this.ensureWatching()
      return {}
    })
    this.mcp.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
      this.subscriptions.delete(request.params.uri)
      return {}
    })
  }

  /** A resource that is a command's output. */
  private async readCommand(uri: URL, definition: AnyDefinition, params: Record<string, unknown>, mimeType: string): Promise<ReadResourceResult> {
    const spec: McpToolSpec = {definition, whenToCall: '', acting: true, readOnly: true}
    await this.findHookedAgent()
    const outcome = await runDefinition(this.workspace, definition, commandInput(spec, params, this.sessionAgent()), this.debug)
    if (!outcome.ok) throw resourceError(outcome)
    return {contents: [{uri: uri.href, mimeType, text: outcome.text}]}
  }

  private async readLedger(uri: URL, name: string): Promise<ReadResourceResult> {
    const agent = await this.readStore(async () => parseAgentName(name))
    const outcome = await this.readStore(async (store) => (await store.snapshot()).readText(ledgerPath(agent)))
    if (outcome === null)
      throw resourceError(failure(new NotFoundError(`agent '${agent}' has no continuity ledger`, 'save one with: relay continuity save "Current task: ..."')))
    return {contents: [{uri: uri.href, mimeType: 'text/markdown', text: outcome}]}
  }

  /**
   * A list of resources of the store: none while there is no store to read (outside a repository, which every
   * read and tool call reports with its hint), so resources/list still lists the context and the inbox.
   */
  private async listedInStore<T>(list: () => Promise<{resources: T[]}>): Promise<{resources: T[]}> {
    try {
      await this.workspace.store()
    } catch {
      return {resources: []}
    }
    return list()
  }

  private async listLedgers() {
    const entries = await this.readStore(async (store) => (await store.snapshot()).list(LEDGER_DIR))
    const agents = entries.filter((entry) => entry.mode === '100644' && entry.name.endsWith('.md')).map((entry) => entry.name.slice(0, -'.md'.length))
    return {resources: agents.map((agent) => ({uri: RESOURCE_URIS.ledger(agent), name: `ledger of ${agent}`, mimeType: 'text/markdown'}))}
  }

  private async listTrajectoryResources() {
    const {value} = await this.workspace
      .run(async (ctx) => {
        const [active, newest] = await Promise.all([
          listTrajectories(ctx, {status: 'active', limit: 100, page: 1}),
          listTrajectories(ctx, {limit: 50, page: 1}),
        ])
        return [...new Map([...active.trajectories, ...newest.trajectories].map((t) => [t.id, t])).values()]
      })
      .catch((error: unknown) => {
        throw resourceError(failure(error))
      })
    return {resources: value.map((t) => ({uri: RESOURCE_URIS.trajectory(t.id), name: `${t.id} (${t.status})`, title: t.title, mimeType: 'text/markdown'}))}
  }

  private async readStore<T>(read: (store: Store) => Promise<T> | T): Promise<T> {
    try {
      return (await this.workspace.run(async (ctx) => read(await ctx.store()))).value
    } catch (error) {
      throw resourceError(failure(error))
    }
  }

  // --- prompts ----------------------------------------------------------------------------------------------------

  private registerPrompts(): void {
    for (const prompt of PROMPTS) {
      const argsSchema = Object.fromEntries(Object.entries(prompt.arguments).map(([name, description]) => [name, z.string().optional().describe(description)]))
      this.mcp.registerPrompt(
        prompt.name,
        {title: prompt.title, description: prompt.description, argsSchema},
        async (args: Record<string, string | undefined>) => {
          const text = prompt.text(args)
          if (!prompt.withContext) return {description: prompt.description, messages: [{role: 'user', content: {type: 'text', text}}]}
          const spec: McpToolSpec = {definition: continuityLoad, whenToCall: '', acting: true, readOnly: true}
          await this.findHookedAgent()
          const context = await runDefinition(this.workspace, continuityLoad, commandInput(spec, {}, this.sessionAgent()), this.debug)
          return {
            description: prompt.description,
            messages: [
              {role: 'user', content: {type: 'resource', resource: {uri: RESOURCE_URIS.context, mimeType: 'text/markdown', text: context.text}}},
              {role: 'user', content: {type: 'text', text}},
            ],
          }
        },
      )
    }
  }

  // --- change notifications ---------------------------------------------------------------------------------------

  /** Starts watching the refs once the store is open (a no-op after that, and while there is no repository). */
  private ensureWatching(): Promise<void> {
    this.watching ??= this.workspace
      .store()
      .then(async (store) => {
        const watcher = new RefWatcher({
          commonDir: store.repo.commonDir,
          readTips: () => this.readTips(),
          onMove: (moves) => this.notify(store, moves),
          onError: (error) => this.log(`watching the records: ${(error as Error).message}`),
        })
        await watcher.start()
        this.watcher = watcher
      })
      .catch(() => {
        this.watching = undefined // no repository (yet): the next call tries again
      })
    return this.watching
  }

  private async readTips(): Promise<Tips> {
    const {value} = await this.workspace.run(async (ctx) => {
      const store = await ctx.store()
      const tips = new Map<string, string | null>([[STORE_REF, await store.repo.resolveRef(STORE_REF)]])
      for (const sibling of await listSiblings(ctx)) tips.set(sibling.ref, sibling.tip)
      return tips
    })
    return value
  }

  private async notify(store: Store, moves: {ref: string; from: string | null; to: string | null}[]): Promise<void> {
    const touched: TouchedResources[] = []
    for (const move of moves) {
      if (move.ref !== STORE_REF) touched.push(siblingMoved())
      else if (move.to !== null) touched.push(await this.storeChanges(store, move.from, move.to))
    }
    if (!this.mcp.isConnected()) return
    const acting = this.actingAgent()
    const uris = new Set(touched.flatMap((each) => resourcesToNotify(this.subscriptions, each, acting)))
    for (const uri of uris) await this.mcp.server.sendResourceUpdated({uri})
    if (touched.some((each) => each.listChanged)) this.mcp.sendResourceListChanged()
  }

  /**
   * What moving the store from one tip to another touched: the files that differ, and whose trajectories are active
   * (no git process). Whose they are matters only to a subscribed resource: with none, the list's change is told
   * from the paths alone, and the active trajectories are not walked.
   */
  private async storeChanges(store: Store, from: string | null, to: string): Promise<TouchedResources> {
    const changes = await changedFiles(store.repo.reader, store.repo.objectFormat, from, to)
    const agentOf = new Map<string, string>()
    if (this.subscriptions.size > 0 && [...changes.keys()].some((path) => path.startsWith('.trail/'))) {
      for (const {agent, ids} of await allActive(await Snapshot.read(store.repo, to))) for (const id of ids) agentOf.set(id, agent)
    }
    return touchedResources(changes, agentOf)
  }

  // --- the rest ---------------------------------------------------------------------------------------------------

  /**
   * The client's roots changed: the workspace asks them again and, where they chose the repository, serves the one
   * they name now (./workspace.ts: rootsChanged). Then the refs watched are the new store's, and subscribers hear
   * that every resource may have changed. Calls that come after the notification wait for it.
   */
  private async followRoots(): Promise<void> {
    const change = await this.workspace.rootsChanged().catch((error: unknown) => {
      this.log(`the client's roots changed, and could not be read: ${(error as Error).message}`)
      return null
    })
    if (change === null) return
    this.log(change.said)
    if (!change.switched) return
    this.watcher?.stop()
    this.watcher = undefined
    this.watching = undefined
    void this.ensureWatching()
    if (!this.mcp.isConnected()) return
    for (const uri of this.subscriptions) await this.mcp.server.sendResourceUpdated({uri})
    this.mcp.sendResourceListChanged()
  }

  /** The client's roots (file:// URIs), when it offers them. */
  private async clientRoots(): Promise<string[]> {
    if (!this.mcp.server.getClientCapabilities()?.roots) return []
    const {roots} = await this.mcp.server.listRoots()
    return roots.map((root) => root.uri)
  }

  private log(message: string): void {
    process.stderr.write(terminalText(`relay mcp: ${message}\n`))
  }
}

/** Whether `uri` names a resource this server serves (so a subscription to it can ever be notified). */
function isServedUri(uri: string): boolean {
  const name = '[^/?#]+'
  return new RegExp(`^${RESOURCE_SCHEME}://(context|inbox|(context|inbox|ledger|trajectory)/${name})$`).test(uri)
}

/** A command's failure as a tool error: the CLI's two lines as text, its --json error shape as structured content. */
function toolError(outcome: CallFailure): CallToolResult {
  return {isError: true, content: [{type: 'text', text: outcome.text.trimEnd()}], structuredContent: outcome.json}
}

/** A command's JSON as structured content, which is an object: a list goes under `listKey`. */
function structured(json: unknown, listKey = 'items'): {structuredContent?: Record<string, unknown>} {
  if (json === null || json === undefined) return {}
  return {structuredContent: Array.isArray(json) ? {[listKey]: json} : (json as Record<string, unknown>)}
}

/**
 * A failure to read a resource, as a JSON-RPC error with the CLI's message and hint (-32002: resource not found,
 * as the specification names it). Not an McpError: its message would carry "MCP error <code>:" twice by the
 * time the client has wrapped it too.
 */
function resourceError(outcome: CallFailure): Error {
  const code = outcome.error.code === 'E_NOT_FOUND' ? -32002 : outcome.error.exitCode === 2 ? ErrorCode.InvalidParams : ErrorCode.InternalError
  return Object.assign(new Error(outcome.text.trimEnd()), {code, data: outcome.json.error})
}
