import {isValidName} from '../model/names.js'

// Who is acting, through MCP: the `agent` parameter of a call, else `relay mcp --agent`, else $AGENT_RELAY_NAME,
// else $TRAIL_AGENT (as the CLI), else the client's name from its `initialize` request, made path-safe, else
// "default". The stdio transport carries no session id, so the client's name alone names it.

/**
 * The agent a call acts for when it names none, or undefined to leave it to the CLI's rule ($AGENT_RELAY_NAME,
 * $TRAIL_AGENT, "default").
 *
 * @example sessionAgent({flag: undefined, env: {}, clientName: 'claude-code'})   // 'claude-code'
 */
export function sessionAgent(options: {flag: string | undefined; env: Readonly<Record<string, string | undefined>>; clientName: string | undefined}): string | undefined {
  if (options.flag) return options.flag
  if (options.env.AGENT_RELAY_NAME || options.env.TRAIL_AGENT) return undefined
  return agentFromClientName(options.clientName)
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
