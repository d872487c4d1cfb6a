import {UsageError} from '../errors.js'

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
    throw new UsageError(`invalid ${what} '${truncate(raw)}'`, `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} is ${NAME_RULE}; set it with ${flag}`, 'E_NAME')
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
    throw new UsageError(
      `invalid outbox file name '${truncate(raw)}'`,
      'outbox file names are 1-128 characters of letters, digits, "_" and "-"',
      'E_NAME',
    )
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

/** Shortens user text quoted in an error so a 1 MB argument does not become a 1 MB error. */
export function truncate(text: string, max = 60): string {
  const visible = JSON.stringify(text).slice(1, -1)
  return visible.length > max ? `${visible.slice(0, max)}…` : visible
}

/** `1 message`, `2 messages`: a count with its noun (regular plurals only). */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
