import {RepositoryError} from '../errors.js'
import type {InstallRoot} from '../integrations/files.js'
import {AGENT_TOOLS} from '../model/names.js'
import {installAgentsMd, INSTALLERS, type InstalledFile, type InstallerName} from '../integrations/installers.js'
import type {Store} from '../store/store.js'
import type {InitResult, PushSetup} from '../model/results.js'
import type {Context} from './context.js'
import {initStore} from './setup.js'
import {configurePush, fetchRemoteStoreIfNew} from './sync.js'

// `trail init`: the store (adopting a remote's records on a new clone), the push set-up when asked, and what
// each agent tool needs (hooks, MCP server, instructions), installed or removed.

export interface InitInput {
  remote: string
  push: boolean
  /** Agent tools (and `hooks`, `github`) to install. */
  tools: InstallerName[]
  /** Agent tools (and `hooks`, `github`) to take out again. */
  remove: InstallerName[]
  /** AGENTS.md instructions for any agent. */
  agentsMd: boolean
  /** Register the MCP server for the tools installed. */
  mcp: boolean
}

export interface InitReport {
  store: InitResult | null
  adopted: string | null
  installed: InstalledFile[]
  push: PushSetup | null
}

async function installRoot(ctx: Context): Promise<InstallRoot> {
  const store = await ctx.store()
  const repo = store.repo
  if (repo.workTree === null)
    throw new RepositoryError('this is a bare repository: there is no work tree to install agent settings into', 'run trail init in a clone with a work tree')
  const agentFiles = AGENT_TOOLS.flatMap((tool) => INSTALLERS[tool].files())
  const tracked = new Set(await repo.trackedFiles(agentFiles))
  return {workTree: repo.workTree, gitDirs: [repo.gitDir, repo.commonDir], hooksDir: await hooksDir(store), tracked}
}

/** Where git runs this repository's hooks from (GitRepo.hooksDir). */
export async function hooksDir(store: Store): Promise<string> {
  return store.repo.hooksDir()
}

/**
 * Sets the store up and installs (or removes) the agent integrations asked for. Removing touches only the files
 * of the tools named, and not the store.
 *
 * @example await runInit(ctx, {remote: 'origin', push: false, tools: ['claude'], remove: [], agentsMd: false, mcp: true})
 */
export async function runInit(ctx: Context, input: InitInput): Promise<InitReport> {
  if (input.remove.length > 0) {
    const root = await installRoot(ctx)
    return {store: null, adopted: null, push: null, installed: input.remove.flatMap((tool) => INSTALLERS[tool].remove(root))}
  }
  // The agent files first: a malformed settings file stops init before the store or the remote is touched (each
  // tool's files are all read and checked before any of them is written).
  const root = input.tools.length > 0 || input.agentsMd ? await installRoot(ctx) : null
  const installed: InstalledFile[] = []
  for (const tool of input.tools) installed.push(...INSTALLERS[tool].install(root!, {mcp: input.mcp}))
  if (input.agentsMd) installed.push(...installAgentsMd(root!))
  const push = input.push ? await configurePush(ctx, input.remote) : null
  // A new clone looks for the remote's records before it makes a first commit of its own.
  const adopting = await fetchRemoteStoreIfNew(ctx, input.remote)
  const store = await initStore(ctx)
  // Adopted unless the fetched store held entries that do not fit, and a first commit of our own was made instead.
  return {store, adopted: adopting && !store.created ? input.remote : null, installed, push}
}
