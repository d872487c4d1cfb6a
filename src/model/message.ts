import {UsageError} from '../errors.js'
import {parseAgentName, parseProjectName, parseThreadId, type AgentName, type ProjectName, type ThreadId} from './names.js'
import {isBlank, quoteInput} from './text.js'
import {compact, FieldReader, renderRecord, renderYamlRecord, type Extensible} from './record.js'
import {oneLine} from './text.js'
import {TEXT_MAX_CHARS} from './trajectory.js'

// A message from an agent to agents of this or other projects. Written once, into the sender's own store
// (.relay/messages/); recipients find it when they read (this project) or sync (sibling projects).

/** Who a message is for: an agent, a project's lead, every agent of a project, or everyone. */
export interface MessageTarget {
  /** The project, "*" for every project, or null for the sender's own project. */
  project: ProjectName | '*' | null
  /** The agent, "*" for every agent, or "lead" for the project's lead. */
  agent: AgentName | '*' | 'lead'
}

export interface Message extends Extensible {
  id: string
  from: AgentName
  /** The sending project's id, when it was known. */
  project?: ProjectName
  /** The target as written: "frontend:Designer", "backend:lead", "shared-lib:*", "*:*", "Reviewer". */
  to: string
  thread?: ThreadId
  created: string
  body: string
}

/**
 * Reads a target: `agent`, `project:agent`, `project:lead`, `project:*` or `*:*`.
 *
 * @example parseTarget('frontend:Designer') // {project: 'frontend', agent: 'Designer'}
 */
export function parseTarget(raw: string): MessageTarget {
  const parts = raw.trim().split(':')
  const usage = () => new UsageError(`invalid message target '${quoteInput(raw)}'`, 'use agent, project:agent, project:lead, project:* or *:*', 'E_TARGET')
  if (parts.length > 2 || parts.some((part) => part === '')) throw usage()
  const [first, second] = parts as [string, string | undefined]
  const agentPart = second ?? first
  const projectPart = second === undefined ? null : first
  try {
    const project = projectPart === null ? null : projectPart === '*' ? '*' : parseProjectName(projectPart)
    const agent = agentPart === '*' ? '*' : agentPart === 'lead' ? 'lead' : parseAgentName(agentPart)
    if (project === '*' && agent !== '*') throw usage()
    return {project, agent}
  } catch (error) {
    if (error instanceof UsageError && error.code === 'E_TARGET') throw error
    throw usage()
  }
}

/** Checks a message body: not blank, at most TEXT_MAX_CHARS. */
export function parseMessageBody(raw: string): string {
  if (isBlank(raw)) throw new UsageError('the message is empty', 'say something: relay send <target> "<message>"', 'E_EMPTY')
  if (raw.length > TEXT_MAX_CHARS)
    throw new UsageError(`the message is ${raw.length} characters long; the limit is ${TEXT_MAX_CHARS}`, 'send a path to a file instead', 'E_TOO_LONG')
  return raw
}

export function renderMessage(message: Message): string {
  return renderRecord(
    message,
    (m) => ({id: m.id, from: m.from, project: m.project, to: m.to, thread: m.thread, created: m.created, body: m.body}),
    (m) => `# Message from ${m.project ? `${m.project}:` : ''}${m.from} to ${oneLine(m.to)}${m.thread ? ` [thread:${m.thread}]` : ''}\n\n${m.body}\n`,
  )
}

export function parseMessage(text: string, path: string): Message {
  const r = FieldReader.fromDocument(text, path)
  const thread = r.optionalString('thread')
  const project = r.optionalString('project')
  return compact({
    id: r.string('id'),
    from: r.name('from', parseAgentName),
    project: project === undefined ? undefined : r.name('project', parseProjectName),
    to: r.string('to'),
    thread: thread === undefined ? undefined : r.name('thread', parseThreadId),
    created: r.string('created'),
    body: r.string('body'),
    extra: r.rest(),
  })
}

/** Who is reading: an agent of a project, which may be that project's lead. */
export interface Reader {
  project: ProjectName
  agent: AgentName
  lead?: AgentName
}

/**
 * Whether `message` is for `reader`. `origin` is the project whose store holds it, or null for the reader's own
 * store. `agent` and `project:agent` reach an agent by name, `project:lead` the lead that the reader's project
 * names, `project:*` every agent of it, `*:*` every agent of every project. A target without a project means the
 * sender's own, so it reaches only readers of the store it was written to (a sibling that goes by this project's
 * id cannot address its agents that way). The sender never receives its own broadcast.
 *
 * @example isAddressedTo(message, 'frontend', {project: 'backend', agent: 'Architect', lead: 'Architect'})
 */
export function isAddressedTo(message: Message, origin: ProjectName | null, reader: Reader): boolean {
  let target: MessageTarget
  try {
    target = parseTarget(message.to)
  } catch {
    return false
  }
  if (target.project === null && origin !== null) return false
  const project = target.project ?? reader.project
  if (project !== '*' && project !== reader.project) return false
  if (target.agent === '*') return !(origin === null && message.from === reader.agent)
  if (target.agent === 'lead') return reader.lead !== undefined && reader.lead === reader.agent
  return target.agent === reader.agent
}

/** The targets a message for `reader` may be written to, in the sender's words (for a first `git grep`). */
export function targetsOf(reader: Reader, ownProject: boolean): string[] {
  const targets = [`${reader.project}:${reader.agent}`, `${reader.project}:*`, '*:*']
  if (reader.lead === reader.agent) targets.push(`${reader.project}:lead`)
  if (ownProject) targets.push(reader.agent, '*', 'lead')
  return targets
}

/** A "read" mark: the agent read a message (.relay/receipts/<agent>/<message-id>.yaml). Never edited. */
export interface Receipt extends Extensible {
  message: string
  agent: AgentName
  read: string
}

export function renderReceipt(receipt: Receipt): string {
  return renderYamlRecord(receipt, (r) => ({message: r.message, agent: r.agent, read: r.read}))
}

export function parseReceipt(text: string, path: string): Receipt {
  const r = FieldReader.fromYaml(text, path)
  return compact({message: r.string('message'), agent: r.name('agent', parseAgentName), read: r.string('read'), extra: r.rest()})
}
