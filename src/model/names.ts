import {UsageError} from '../errors.js'
import {quoteInput} from './text.js'

// Names that become parts of paths on the ref and in the work tree (agents, projects, threads, outbox files) are
// checked once, here, at the edge. A value of one of these types is path-safe by construction: no separator, no
// "..", no leading dot or dash, nothing git refuses in a tree entry.

export type AgentName = string & {readonly __brand: 'AgentName'}
export type ProjectName = string & {readonly __brand: 'ProjectName'}
export type ThreadId = string & {readonly __brand: 'ThreadId'}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const NAME_RULE = '1-64 characters: letters, digits, ".", "_" and "-", starting with a letter or digit'

/** Whether `raw` is a valid name (agent, project, thread, sibling): the same rule for all of them. */
export function isValidName(raw: string): boolean {
  return NAME.test(raw) && !raw.includes('..') && !raw.endsWith('.') && !raw.toLowerCase().endsWith('.lock')
}

function checkName(raw: string, what: string, flag: string): string {
  if (!isValidName(raw)) {
    throw new UsageError(`invalid ${what} '${quoteInput(raw)}'`, `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} is ${NAME_RULE}; set it with ${flag}`, 'E_NAME')
  }
  return raw
}

export function parseAgentName(raw: string): AgentName {
  return checkName(raw, 'agent name', '--agent <name> or $AGENT_RELAY_NAME') as AgentName
}

export function parseProjectName(raw: string): ProjectName {
  return checkName(raw, 'project id', 'relay project --id <name>') as ProjectName
}

/** A sibling's name in `relay bridge add`: it becomes part of a ref name (refs/trail/siblings/<name>/records). */
export function parseSiblingName(raw: string): ProjectName {
  return checkName(raw, 'sibling name', 'relay bridge add <name> <path|url>') as ProjectName
}

export function parseThreadId(raw: string): ThreadId {
  return checkName(raw, 'thread id', '--thread <id>') as ThreadId
}

/** An outbox file name, as the spec allows it: `[A-Za-z0-9_-]+`. */
export function parseOutboxFileName(raw: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(raw)) {
    throw new UsageError(`invalid outbox file name '${quoteInput(raw)}'`, 'outbox file names are 1-128 characters of letters, digits, "_" and "-"', 'E_NAME')
  }
  return raw
}

/**
 * Who is acting: --agent, else $AGENT_RELAY_NAME (the spec's variable), else $TRAIL_AGENT, else
 * $TRAJECTORIES_AGENT (agent-trajectories' variable, which agent-relay sets), else "default". An empty value
 * counts as unset.
 */
export function resolveAgentName(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): AgentName {
  return parseAgentName(namedAgent(flag, env) ?? 'default')
}

/** The agent named by the flag or the environment, or undefined when nobody is named (the agent is "default"). */
export function namedAgent(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  return [flag, env.AGENT_RELAY_NAME, env.TRAIL_AGENT, env.TRAJECTORIES_AGENT].find((value) => value !== undefined && value !== '')
}

/** `1 message`, `2 messages`: a count with its noun (regular plurals only). */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** The agent tools whose sessions `relay hook` serves. */
export const AGENT_TOOLS = ['claude', 'codex', 'gemini', 'cursor'] as const
export type AgentTool = (typeof AGENT_TOOLS)[number]

export function isAgentTool(raw: string): raw is AgentTool {
  return (AGENT_TOOLS as readonly string[]).includes(raw)
}

/**
 * Who is acting in a hooked session: $AGENT_RELAY_NAME (then $TRAIL_AGENT) when set, the same name in every
 * session; else `<tool>-<8 characters of the session id>`, so two sessions of one tool in one repository never
 * share an active trajectory or a ledger. Without a session id: the tool's name.
 *
 * @example sessionAgentName('claude', '3f2a9c1e-77b0-4c1e-9d1a-0b6f5e2d7c10', {}) // 'claude-3f2a9c1e'
 */
export function sessionAgentName(tool: AgentTool, sessionId: string | undefined, env: Readonly<Record<string, string | undefined>>): AgentName {
  const named = [env.AGENT_RELAY_NAME, env.TRAIL_AGENT].find((value) => value !== undefined && value !== '')
  if (named !== undefined) return parseAgentName(named)
  return parseAgentName(sessionId ? `${tool}-${shortSessionId(sessionId)}` : tool)
}

/**
 * Eight lower-case letters or digits standing for a session id: its first eight when it starts with them (a
 * UUID's first group), else a hash of it.
 */
export function shortSessionId(sessionId: string): string {
  const plain = sessionId.toLowerCase().replace(/[^0-9a-z]/g, '')
  if (plain.length >= 8 && /^[0-9a-z]{8}/.test(sessionId.toLowerCase())) return plain.slice(0, 8)
  let hash = 0x811c9dc5
  for (let i = 0; i < sessionId.length; i++) hash = Math.imul(hash ^ sessionId.charCodeAt(i), 0x01000193) >>> 0
  return hash.toString(16).padStart(8, '0')
}
