import {existsSync} from 'node:fs'
import {join} from 'node:path'
import type {Check} from '../model/results.js'
import {AGENT_TOOLS, type AgentTool} from '../model/names.js'
import {AGENT_TOOL_SPECS, cursorRule, instructionsFor, MCP_SERVER_NAME, type AgentToolSpec} from './agent-tools.js'
import {GIT_HOOKS_INSTALLER} from './git-hooks.js'
import {GITHUB_WORKFLOW_INSTALLER} from './github-workflow.js'
import {deleteInstallFile, readInstallFile, resolveInstallFile, writeInstallFile, type InstallRoot} from './files.js'
import {
  hookCommands,
  mergeFlatHooks,
  mergeGroupedHooks,
  parseJsonFile,
  readFlatHooks,
  readGroupedHooks,
  readMcpServers,
  renderJsonFile,
  type JsonFile,
  type JsonObject,
} from './json-config.js'
import {BLOCK_END, BLOCK_START, placeBlock, removeBlock} from './markdown-block.js'
import {relayCommandWords, resolvesExecutable, shellCommand, splitShellWords} from './relay-command.js'
import {codexMcpServers, mergeCodexToml, removeCodexToml} from './toml-config.js'

// The table of installers `trail init` runs: one entry per agent tool, each able to install its files (merged
// into what the user has), remove them again, and check that what is installed still runs (`trail doctor`). The
// git hooks (./git-hooks.ts) and the GitHub workflow (./github-workflow.ts) are entries too.

export interface InstalledFile {
  path: string
  action: 'created' | 'updated' | 'unchanged' | 'deleted'
}

export interface InstallOptions {
  /** Register the MCP server too (`--no-mcp` turns it off). */
  mcp: boolean
}

export interface Installer {
  name: string
  label: string
  /** The files it may write, relative to the work tree. */
  files(): string[]
  install(root: InstallRoot, options: InstallOptions): InstalledFile[]
  remove(root: InstallRoot): InstalledFile[]
  /** Checks for `trail doctor`: every installed command still resolves. Nothing when nothing is installed. */
  doctor(root: InstallRoot, env: Readonly<Record<string, string | undefined>>): Check[]
}

/** Whether a hook command is one trail init installed: `relay hook <tool> <kind>`, or an older install's. */
export function isOurHookCommand(command: string): boolean {
  return /(^|[\s/'"])relay(\.cjs)?['"]?\s+(hook\s+(claude|codex|gemini|cursor)\s+[a-z-]+|continuity load|ingest --format claude-jsonl)\s*$/.test(command.trim())
}

function isOurMcpServer(server: JsonObject | undefined): boolean {
  if (!server) return false
  const words = [server.command, ...(Array.isArray(server.args) ? server.args : [])].filter((word): word is string => typeof word === 'string')
  const relay = words.findIndex((word) => /(^|\/)relay(\.cjs)?$/.test(word))
  return relay !== -1 && words[relay + 1] === 'mcp'
}

function hookCommand(tool: AgentTool, kind: string): string {
  return shellCommand([...relayCommandWords(), 'hook', tool, kind])
}

function mcpEntry(spec: AgentToolSpec): JsonObject {
  const [node, script] = relayCommandWords()
  // --tool: a call then acts for the name the hooks gave the tool's live session (mcp/acting-agent.ts).
  const args = [script, 'mcp', '--tool', spec.tool]
  return spec.tool === 'claude' ? {type: 'stdio', command: node, args} : {command: node, args}
}

interface PlannedChange {
  path: string
  file: ReturnType<typeof resolveInstallFile>
  previous: string | null
  next: string | null
}

/**
 * Reads one file and computes its new text (null: delete it); nothing is written yet. `keep` tells the change that
 * the file must stay even when nothing is left in it: git tracks it, so the user made it (or adopted it), and
 * removing our part must not delete it.
 */
function planFile(root: InstallRoot, relative: string, change: (text: string | null, keep: boolean) => string | null): PlannedChange {
  const file = resolveInstallFile(root, relative)
  const previous = readInstallFile(file)
  return {path: join(root.workTree, relative), file, previous, next: change(previous, root.tracked?.has(relative) ?? false)}
}

/** Writes (or deletes) a planned file; reports what happened. */
function applyPlan(plan: PlannedChange): InstalledFile {
  const {path, file, previous, next} = plan
  if (next === null) {
    if (previous === null) return {path, action: 'unchanged'}
    deleteInstallFile(file)
    return {path, action: 'deleted'}
  }
  if (next === previous) return {path, action: 'unchanged'}
  writeInstallFile(file, next)
  return {path, action: previous === null ? 'created' : 'updated'}
}

function updateFile(root: InstallRoot, relative: string, change: (text: string | null, keep: boolean) => string | null): InstalledFile {
  return applyPlan(planFile(root, relative, change))
}

function isEmptySettings(file: JsonFile, spec: AgentToolSpec): boolean {
  const keys = Object.keys(file.value).filter((key) => !(key === 'version' && spec.hooks.shape === 'flat'))
  const empty = (value: unknown) => value !== null && typeof value === 'object' && Object.keys(value).length === 0
  return keys.every((key) => (key === 'hooks' || key === 'mcpServers') && empty(file.value[key]))
}

/** The hooks file's text with our hooks in (`install`) or out. */
function changeHooks(spec: AgentToolSpec, text: string | null, install: boolean, command: string, mcp: boolean, keep: boolean): string | null {
  const path = spec.hooks.file
  const file = parseJsonFile(text, path, {jsonc: spec.hooks.jsonc, command})
  const read = spec.hooks.shape === 'grouped' ? readGroupedHooks : readFlatHooks
  const existing = read(file.value, path, command)
  const ours: Record<string, JsonObject[]> = {}
  if (install) {
    for (const binding of spec.hooks.bindings) {
      const hook = {command: hookCommand(spec.tool, binding.kind), timeout: binding.timeout}
      ours[binding.event] =
        spec.hooks.shape === 'grouped' ? [{...(binding.matcher ? {matcher: binding.matcher} : {}), hooks: [{type: 'command', ...hook}]}] : [hook]
    }
  }
  const hooks = (spec.hooks.shape === 'grouped' ? mergeGroupedHooks : mergeFlatHooks)(existing, ours, isOurHookCommand)
  const value: JsonObject = spec.hooks.shape === 'flat' ? {version: 1, ...file.value, hooks} : {...file.value, hooks}
  if (spec.mcp.file === spec.hooks.file) changeMcpJson(spec, value, install && mcp, command)
  const next = {...file, value}
  if (!install && !keep && isEmptySettings(next, spec)) return null
  if (Object.keys(hooks).length === 0 && text === null) return null
  return renderJsonFile(next)
}

/**
 * Puts our MCP server into (or takes it out of) a settings object's mcpServers. Of our entry, only the keys we
 * write (type, command, args) are ours: what the user added to it (env, trust, timeout...) stays, in its place. An
 * entry of that name that does not run `relay mcp` is the user's own, and stays as it is.
 */
function changeMcpJson(spec: AgentToolSpec, value: JsonObject, install: boolean, command: string): void {
  const servers = {...readMcpServers(value, spec.mcp.file, command)}
  const present = servers[MCP_SERVER_NAME]
  if (install && (present === undefined || isOurMcpServer(present))) servers[MCP_SERVER_NAME] = {...present, ...mcpEntry(spec)}
  if (!install && isOurMcpServer(present)) delete servers[MCP_SERVER_NAME]
  if (Object.keys(servers).length > 0 || value.mcpServers !== undefined) value.mcpServers = servers
}

function changeMcpFile(spec: AgentToolSpec, text: string | null, install: boolean, command: string, keep: boolean): string | null {
  if (spec.mcp.format === 'toml') {
    const [node, script] = relayCommandWords()
    const next = install
      ? mergeCodexToml(
          text ?? '',
          {mcp: {name: MCP_SERVER_NAME, command: node, args: [script, 'mcp', '--tool', spec.tool]}, hooksFeature: true},
          spec.mcp.file,
          command,
        )
      : removeCodexToml(text ?? '')
    return next.trim() === '' && !keep ? null : next
  }
  const file = parseJsonFile(text, spec.mcp.file, {jsonc: spec.mcp.jsonc, command})
  const value = {...file.value}
  changeMcpJson(spec, value, install, command)
  if (keep && text !== null) return renderJsonFile({...file, value})
  if (Object.keys(value).length === 0 || (Object.keys(value).length === 1 && Object.keys((value.mcpServers as JsonObject | undefined) ?? {}).length === 0))
    return null
  return renderJsonFile({...file, value})
}

function changeInstructions(spec: AgentToolSpec, text: string | null, install: boolean, command: string, keep: boolean): string | null {
  if (spec.instructions.kind === 'rule') {
    const ours = text === null || (text.includes(BLOCK_START) && text.includes(BLOCK_END))
    if (!ours) return text
    return install ? placeBlock(cursorRule(), instructionsFor(spec.tool), spec.instructions.file, command) : null
  }
  if (install) return placeBlock(text ?? '', instructionsFor(spec.tool), spec.instructions.file, command)
  if (text === null) return null
  const rest = removeBlock(text, spec.instructions.file, command)
  return rest.trim() === '' && !keep ? null : rest
}

/**
 * Every command installed in a tool's files that trail init wrote, with whether it still runs: the executable
 * exists, and the script it names (relay.cjs) too.
 */
function checkCommands(spec: AgentToolSpec, root: InstallRoot, env: Readonly<Record<string, string | undefined>>): Check[] {
  const commands: {where: string; words: string[]}[] = []
  const readText = (relative: string) => {
    try {
      return readInstallFile(resolveInstallFile(root, relative))
    } catch {
      return null
    }
  }
  const hooksText = readText(spec.hooks.file)
  if (hooksText !== null) {
    try {
      const settings = parseJsonFile(hooksText, spec.hooks.file, {jsonc: spec.hooks.jsonc, command: ''}).value
      for (const {event, command} of hookCommands((settings.hooks as Record<string, unknown> | undefined) ?? {})) {
        if (isOurHookCommand(command)) commands.push({where: `${spec.hooks.file} ${event}`, words: splitShellWords(command)})
      }
    } catch (error) {
      return [
        {name: `${spec.tool}-hooks`, status: 'problem', message: (error as Error).message, fix: `fix ${spec.hooks.file}, then: trail init --${spec.tool}`},
      ]
    }
  }
  const mcpText = readText(spec.mcp.file)
  if (mcpText !== null) {
    let servers: Record<string, {command?: unknown; args?: unknown}> = {}
    try {
      servers =
        spec.mcp.format === 'toml'
          ? codexMcpServers(mcpText)
          : readMcpServers(parseJsonFile(mcpText, spec.mcp.file, {jsonc: spec.mcp.jsonc, command: ''}).value, spec.mcp.file, '')
    } catch {
      // reported above when it is the same file; an unreadable MCP file is the tool's to report
    }
    const server = servers[MCP_SERVER_NAME]
    if (isOurMcpServer(server as JsonObject | undefined)) {
      commands.push({where: `${spec.mcp.file} ${MCP_SERVER_NAME}`, words: [String(server!.command), ...((server!.args as unknown[]) ?? []).map(String)]})
    }
  }
  if (commands.length === 0) return []
  const broken: string[] = []
  let byName = false
  for (const {where, words} of commands) {
    const [first, second] = words
    if (first === undefined) continue
    if (first === 'relay') byName = true
    if (resolvesExecutable(first, env) === null) broken.push(`${where}: ${first} not found`)
    else if (second?.endsWith('relay.cjs') && !existsSync(second)) broken.push(`${where}: ${second} not found`)
  }
  if (broken.length > 0) {
    return [
      {
        name: `${spec.tool}-hooks`,
        status: 'problem',
        message: `${spec.label} hooks that cannot run: ${broken.slice(0, 3).join('; ')}${broken.length > 3 ? '; …' : ''}`,
        fix: `trail init --${spec.tool}`,
      },
    ]
  }
  if (byName) {
    return [
      {
        name: `${spec.tool}-hooks`,
        status: 'warning',
        message: `${spec.label} hooks start \`relay\` by name (an older trail init): they fail where the agent's PATH lacks it`,
        fix: `trail init --${spec.tool}`,
      },
    ]
  }
  return [{name: `${spec.tool}-hooks`, status: 'ok', message: `${commands.length} ${spec.label} commands installed, and each resolves`}]
}

function agentToolInstaller(spec: AgentToolSpec): Installer {
  const command = `trail init --${spec.tool}`
  const files = () => [...new Set([spec.hooks.file, spec.mcp.file, spec.instructions.file])]
  const run = (root: InstallRoot, install: boolean, mcp: boolean): InstalledFile[] => {
    // Every file is read and checked before any is written: a malformed one stops the install with all untouched.
    const plans = [planFile(root, spec.hooks.file, (text, keep) => changeHooks(spec, text, install, command, mcp, keep))]
    if (spec.mcp.file !== spec.hooks.file && (mcp || !install || spec.mcp.format === 'toml')) {
      plans.push(
        planFile(root, spec.mcp.file, (text, keep) =>
          install && !mcp && spec.mcp.format === 'toml' ? changeMcpTomlHooksOnly(spec, text, command) : changeMcpFile(spec, text, install, command, keep),
        ),
      )
    }
    plans.push(planFile(root, spec.instructions.file, (text, keep) => changeInstructions(spec, text, install, command, keep)))
    return plans.map(applyPlan)
  }
  return {
    name: spec.tool,
    label: spec.label,
    files,
    install: (root, options) => run(root, true, options.mcp),
    remove: (root) => run(root, false, false),
    doctor: (root, env) => checkCommands(spec, root, env),
  }
}

/** Codex with --no-mcp: config.toml still switches hooks on, and registers no server. */
function changeMcpTomlHooksOnly(spec: AgentToolSpec, text: string | null, command: string): string | null {
  const next = mergeCodexToml(text ?? '', {mcp: null, hooksFeature: true}, spec.mcp.file, command)
  return next.trim() === '' ? null : next
}

/** What `trail init --<name>` and `--remove <name>` name: an agent tool, the git hooks, or the GitHub workflow. */
export const INSTALLER_NAMES = [...AGENT_TOOLS, 'hooks', 'github'] as const
export type InstallerName = (typeof INSTALLER_NAMES)[number]

export function isInstallerName(raw: string): raw is InstallerName {
  return (INSTALLER_NAMES as readonly string[]).includes(raw)
}

/** The installers: one per agent tool, in the order `--all` runs them, then the git hooks and the GitHub workflow. */
export const INSTALLERS: Record<InstallerName, Installer> = {
  claude: agentToolInstaller(AGENT_TOOL_SPECS.claude),
  codex: agentToolInstaller(AGENT_TOOL_SPECS.codex),
  gemini: agentToolInstaller(AGENT_TOOL_SPECS.gemini),
  cursor: agentToolInstaller(AGENT_TOOL_SPECS.cursor),
  hooks: GIT_HOOKS_INSTALLER,
  github: GITHUB_WORKFLOW_INSTALLER,
}

/** AGENTS.md for any agent (`trail init --agents`): the instructions, without claims about hooks. */
export function installAgentsMd(root: InstallRoot): InstalledFile[] {
  return [updateFile(root, 'AGENTS.md', (text) => placeBlock(text ?? '', instructionsFor('agents'), 'AGENTS.md', 'trail init --agents'))]
}

/** `trail doctor`'s checks of every installed integration (nothing for a tool that is not installed). */
export function integrationChecks(root: InstallRoot, env: Readonly<Record<string, string | undefined>>): Check[] {
  return Object.values(INSTALLERS).flatMap((installer) => installer.doctor(root, env))
}
