import {parseAgentName, type AgentName} from './names.js'
import {compact, FieldReader, renderRecord, type Extensible} from './record.js'
import {oneLine} from './text.js'

// What an agent prints at session checkpoints, kept as records: [[SUMMARY]] snapshots, [[SESSION_END]] records,
// and raw text that looked like a pattern but could not be read (kept, never dropped, with the reason).

export interface SummaryRecord extends Extensible {
  id: string
  agent: AgentName
  created: string
  currentTask?: string
  completedTasks: string[]
  context?: string
  files: string[]
  /** The block as printed; alone when it was not valid JSON. */
  raw: string
  /** Why the block could not be read as JSON, when it could not. */
  warning?: string
}

export interface SessionEndRecord extends Extensible {
  id: string
  agent: AgentName
  created: string
  summary?: string
  completedTasks: string[]
  /** The agent's active trajectory when the session ended (the session end completes nothing by itself). */
  trajectory?: string
  raw: string
}

export interface RawRecord extends Extensible {
  id: string
  agent: AgentName
  created: string
  /** Where it came from: "stdin line 12", "transcript.jsonl line 40", "outbox file continuity". */
  source: string
  warning: string
  text: string
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)))
  return typeof value === 'string' && value !== '' ? [value] : []
}

function optionalText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** A summary record from a parsed [[SUMMARY]] block (`data` null when its JSON was invalid). */
export function summaryFromBlock(
  base: {id: string; agent: AgentName; created: string},
  data: Record<string, unknown> | null,
  raw: string,
  warning?: string,
): SummaryRecord {
  return compact({
    ...base,
    currentTask: optionalText(data?.currentTask),
    completedTasks: stringList(data?.completedTasks),
    context: optionalText(data?.context),
    files: stringList(data?.files),
    raw,
    warning,
  })
}

export function sessionEndFromBlock(
  base: {id: string; agent: AgentName; created: string},
  data: Record<string, unknown>,
  raw: string,
  trajectory?: string,
): SessionEndRecord {
  return compact({...base, summary: optionalText(data.summary), completedTasks: stringList(data.completedTasks), trajectory, raw})
}

const list = (items: string[]) => (items.length > 0 ? items : undefined)
const bullets = (items: string[]) => items.map((item) => `- ${oneLine(item)}`).join('\n')

export function renderSummary(summary: SummaryRecord): string {
  return renderRecord(
    summary,
    (s) => ({
      id: s.id,
      agent: s.agent,
      created: s.created,
      currentTask: s.currentTask,
      completedTasks: list(s.completedTasks),
      context: s.context,
      files: list(s.files),
      warning: s.warning,
      raw: s.raw,
    }),
    (s) => {
      const parts = [`# Summary from ${s.agent}`, `Printed ${s.created}.`]
      if (s.warning) parts.push(`> ${s.warning}\n\n\`\`\`\n${s.raw}\n\`\`\``)
      if (s.currentTask) parts.push(`## Current task\n\n${s.currentTask}`)
      if (s.completedTasks.length > 0) parts.push(`## Completed\n\n${bullets(s.completedTasks)}`)
      if (s.context) parts.push(`## Context\n\n${s.context}`)
      if (s.files.length > 0) parts.push(`## Files\n\n${bullets(s.files)}`)
      return `${parts.join('\n\n')}\n`
    },
  )
}

export function parseSummary(text: string, path: string): SummaryRecord {
  const r = FieldReader.fromDocument(text, path)
  return compact({
    id: r.string('id'),
    agent: r.name('agent', parseAgentName),
    created: r.string('created'),
    currentTask: r.optionalString('currentTask'),
    completedTasks: r.strings('completedTasks'),
    context: r.optionalString('context'),
    files: r.strings('files'),
    raw: r.optionalString('raw') ?? '',
    warning: r.optionalString('warning'),
    extra: r.rest(),
  })
}

export function renderSessionEnd(session: SessionEndRecord): string {
  return renderRecord(
    session,
    (s) => ({id: s.id, agent: s.agent, created: s.created, trajectory: s.trajectory, summary: s.summary, completedTasks: list(s.completedTasks), raw: s.raw}),
    (s) => {
      const parts = [`# Session end: ${s.agent}`, `Ended ${s.created}${s.trajectory ? `, during trajectory ${s.trajectory}` : ''}.`]
      if (s.summary) parts.push(s.summary)
      if (s.completedTasks.length > 0) parts.push(`## Completed\n\n${bullets(s.completedTasks)}`)
      return `${parts.join('\n\n')}\n`
    },
  )
}

export function parseSessionEnd(text: string, path: string): SessionEndRecord {
  const r = FieldReader.fromDocument(text, path)
  return compact({
    id: r.string('id'),
    agent: r.name('agent', parseAgentName),
    created: r.string('created'),
    trajectory: r.optionalString('trajectory'),
    summary: r.optionalString('summary'),
    completedTasks: r.strings('completedTasks'),
    raw: r.optionalString('raw') ?? '',
    extra: r.rest(),
  })
}

export function renderRaw(raw: RawRecord): string {
  return renderRecord(
    raw,
    (r) => ({id: r.id, agent: r.agent, created: r.created, source: r.source, warning: r.warning, text: r.text}),
    (r) => `# Unreadable output from ${r.agent}\n\n> ${oneLine(r.warning)} (${oneLine(r.source)})\n\nThe text is kept in the \`text\` field above.\n`,
  )
}

export function parseRaw(text: string, path: string): RawRecord {
  const r = FieldReader.fromDocument(text, path)
  return compact({
    id: r.string('id'),
    agent: r.name('agent', parseAgentName),
    created: r.string('created'),
    source: r.string('source'),
    warning: r.string('warning'),
    text: r.string('text'),
    extra: r.rest(),
  })
}
