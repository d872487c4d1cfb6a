import {AGENT_TOOLS, isValidName, type AgentTool} from '../model/names.js'

// Who is acting, through MCP: the `agent` parameter of a call, else `relay mcp --agent`, else $AGENT_RELAY_NAME,
// else $TRAIL_AGENT (as the CLI), else the name the hooks gave the tool's live session (`claude-3f2a9c1e`: see
// services/hook-sessions.ts), else the client's name from its `initialize` request, made path-safe, else
// "default". The stdio transport carries no session id: the hooks' name is the tool's newest session that has not
// ended, which is the right one unless two sessions of one tool run in one clone at once (then --agent, or
// $AGENT_RELAY_NAME in the tool's environment, tells them apart).

/**
 * The agent a call acts for when it names none, or undefined to leave it to the CLI's rule ($AGENT_RELAY_NAME,
 * $TRAIL_AGENT, "default").
 *
 * @example sessionAgent({flag: undefined, env: {}, clientName: 'claude-code'})   // 'claude-code'
 */
export function sessionAgent(options: {
  flag: string | undefined
  env: Readonly<Record<string, string | undefined>>
  /** The agent of the client tool's live hooked session, if any. */
  hooked?: string | undefined
  clientName: string | undefined
}): string | undefined {
  if (options.flag) return options.flag
  if (options.env.AGENT_RELAY_NAME || options.env.TRAIL_AGENT) return undefined
  return options.hooked ?? agentFromClientName(options.clientName)
}

/**
 * The agent tool a client is: `relay mcp --tool` (what trail init installs), else read from the client's name
 * ("claude-code", "codex-mcp-client", "gemini-cli-mcp-client", "cursor-vscode"); undefined when neither tells.
 *
 * @example clientTool(undefined, 'claude-code')   // 'claude'
 */
export function clientTool(flag: AgentTool | undefined, clientName: string | undefined): AgentTool | undefined {
  if (flag) return flag
  const name = (clientName ?? '').toLowerCase()
  return AGENT_TOOLS.find((tool) => name.includes(tool))
}

/**
 * A client's name ("Claude Code", "codex-mcp-client") as an agent name: runs of other characters become "-", and
 * what cannot start or end a name is trimmed; undefined when nothing valid is left.
 *
 * @example agentFromClientName('Claude Code')   // 'Claude-Code'
 */
export function agentFromClientName(name: string | undefined): string | undefined {
  if (!name) return undefined
  const safe = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64)
    .replace(/\.lock$/i, '')
    .replace(/[.-]+$/, '')
  return isValidName(safe) ? safe : undefined
}
