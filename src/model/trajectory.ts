import {RecordFormatError, UsageError} from '../errors.js'
import {describeConfidence} from './confidence.js'
import type {Value} from './front-matter.js'
import {parseAgentName, type AgentName} from './names.js'
import {compact, FieldReader, renderRecord, renderYamlRecord, type Extensible} from './record.js'
import {redactText} from './redact.js'
import {isLinkable} from './linkable.js'
import {inlineCode, isBlank, oneLine, quoteInput} from './text.js'

// A trajectory is a unit of an agent's work: what it set out to do, the decisions it made on the way (events,
// each its own immutable file), and a retrospective when it ends. trajectory.md is written only by its owner.

export const TRAJECTORY_STATUSES = ['active', 'completed', 'abandoned'] as const
export type TrajectoryStatus = (typeof TRAJECTORY_STATUSES)[number]

export interface Trajectory extends Extensible {
  id: string
  title: string
  status: TrajectoryStatus
  agent: AgentName
  /** ISO 8601 times, UTC. */
  started: string
  updated: string
  ended?: string
  /** An external task: its id, the system it lives in, a link. */
  task?: string
  source?: string
  url?: string
  /** The branch checked out when the trajectory started (absent on a detached HEAD). */
  branch?: string
  summary?: string
  confidence?: number
  approach?: string
  challenges: string[]
  learnings: string[]
  /** Why it was abandoned. */
  reason?: string
  /** The current PDERO phase (plan, design, execute, review, observe): set by `start --phase` and `trail phase`. */
  phase?: string
  /** The project and the workflow run the trajectory belongs to (agent-trajectories' projectId, workflowId). */
  project?: string
  workflow?: string
  /** The task's longer description and free tags (agent-trajectories' task.description, tags). */
  description?: string
  tags?: string[]
  /** Imported from agent-trajectories: the id it had there (`trail show <legacy id>` finds it). */
  legacyId?: string
  /** Imported: its chapters (the agent-trajectories chapter objects without their events). */
  chapters?: LegacyChapter[]
  /** Imported: its agents' participation (agent-trajectories' `agents`). */
  agents?: Value[]
  /** Imported: what of the agent-trajectories file does not map to a field, verbatim (./agent-trajectories.ts). */
  legacy?: Value
}

/** A chapter of an imported trajectory: agent-trajectories' chapter object, its events left out. */
export type LegacyChapter = {readonly [key: string]: Value}

/**
 * decision, note, reflection; `phase`: a move to another PDERO phase (`trail phase`); `event`: anything else that
 * happened, its `type` as agent-relay and agent-trajectories name it (observation, tool_call, error, finding...).
 */
export const EVENT_KINDS = ['decision', 'note', 'reflection', 'phase', 'event'] as const
export type EventKind = (typeof EVENT_KINDS)[number]

/** A decision (or note, or reflection) in a trajectory. Never edited once written. */
export interface TrajectoryEvent extends Extensible {
  id: string
  kind: EventKind
  trajectory: string
  agent: AgentName
  at: string
  title: string
  reasoning?: string
  alternatives: string[]
  confidence?: number
  /** A decision's question, when it is not the decision itself (`trail decision --question`). */
  question?: string
  /** An `event`'s type: observation, tool_call, error... */
  type?: string
  /** A `phase` event's new phase. */
  phase?: string
  /** A reflection's focal points and course corrections (`trail reflect --focal-points --adjustments`). */
  focalPoints?: string[]
  adjustments?: string
  /** low, medium, high or critical (agent-trajectories' significance). */
  significance?: string
  tags?: string[]
  /** Imported: the chapter it was in, and its place in the trajectory's events (ties of time keep their order). */
  chapter?: string
  seq?: number
  /** Imported: what of the agent-trajectories event does not map to a field, verbatim. */
  legacy?: Value
}

/** The marker that says "this agent's active trajectory is this one". Created by start, removed on completion. */
export interface ActiveMarker extends Extensible {
  trajectory: string
  agent: AgentName
  started: string
}

/** What every output says of a decision recorded without its reasoning (in parentheses: it is not the agent's). */
export const NO_REASONING = '(no reasoning recorded)'
/** What every output says of a trajectory without decisions. */
export const NO_DECISIONS = '(no decisions recorded)'

export const TITLE_MAX_CHARS = 1000
export const TEXT_MAX_CHARS = 1024 * 1024

/**
 * Checks a short text typed by a user (a title, a task id, an item to verify): not blank (isBlank), at most
 * TITLE_MAX_CHARS. Stored exactly as given otherwise. `example` is the command line the hint shows.
 */
export function parseTitle(raw: string, what = 'title', example = 'trail start "Fix login bug"'): string {
  if (isBlank(raw)) throw new UsageError(`the ${what} is empty`, `give a short ${what}, for example: ${example}`, 'E_EMPTY')
  if ([...raw].length > TITLE_MAX_CHARS) {
    throw new UsageError(
      `the ${what} is ${[...raw].length} characters long; the limit is ${TITLE_MAX_CHARS}`,
      `keep the ${what} short and put the detail in --reasoning or --summary`,
      'E_TOO_LONG',
    )
  }
  return raw
}

/** Checks a free text (reasoning, summary, approach...): at most TEXT_MAX_CHARS; `required` texts not blank. */
export function parseText(raw: string, what: string, options: {required?: boolean} = {}): string {
  if (options.required && isBlank(raw)) throw new UsageError(`the ${what} is empty`, `say in a sentence what the ${what} is`, 'E_EMPTY')
  if (raw.length > TEXT_MAX_CHARS) {
    throw new UsageError(
      `the ${what} is ${raw.length} characters long; the limit is ${TEXT_MAX_CHARS}`,
      'store long material in a file and refer to it',
      'E_TOO_LONG',
    )
  }
  return raw
}

export function renderTrajectory(trajectory: Trajectory): string {
  return renderRecord(
    trajectory,
    (t) => ({
      id: t.id,
      title: t.title,
      status: t.status,
      agent: t.agent,
      started: t.started,
      updated: t.updated,
      ended: t.ended,
      task: t.task,
      source: t.source,
      url: t.url,
      branch: t.branch,
      confidence: t.confidence,
      summary: t.summary,
      approach: t.approach,
      challenges: t.challenges.length > 0 ? t.challenges : undefined,
      learnings: t.learnings.length > 0 ? t.learnings : undefined,
      reason: t.reason,
      phase: t.phase,
      project: t.project,
      workflow: t.workflow,
      description: t.description,
      tags: t.tags,
      legacy_id: t.legacyId,
      chapters: t.chapters,
      agents: t.agents,
      legacy: t.legacy,
    }),
    trajectoryBody,
  )
}

/** The last line of every trajectory's body (relay search never counts it: ../services/search-term.ts). */
export const EVENTS_NOTE = 'Decisions are in the `events/` folder beside this file.'

/** The body is for people reading the file on GitHub or in the mirror; the front matter is the data. */
function trajectoryBody(t: Trajectory): string {
  const facts = [
    `- Status: ${t.status}`,
    `- Agent: ${t.agent}`,
    `- Started: ${t.started}`,
    t.ended ? `- Ended: ${t.ended}` : '',
    t.task ? `- Task: ${oneLine(t.task)}${t.source ? ` (${oneLine(t.source)})` : ''}` : '',
    // A URL that may not be a link (javascript:, data:...) as code, so no Markdown viewer makes one of it.
    t.url ? `- Link: ${isLinkable(t.url) ? oneLine(t.url) : inlineCode(oneLine(t.url))}` : '',
    t.branch ? `- Branch: ${t.branch}` : '',
    t.phase ? `- Phase: ${oneLine(t.phase)}` : '',
    t.project ? `- Project: ${oneLine(t.project)}` : '',
    t.workflow ? `- Workflow: ${oneLine(t.workflow)}` : '',
    t.legacyId ? `- Imported from agent-trajectories: ${oneLine(t.legacyId)}` : '',
    t.confidence === undefined ? '' : `- Confidence: ${describeConfidence(t.confidence)}`,
  ].filter(Boolean)
  const sections: string[] = [`# ${oneLine(t.title)}`, facts.join('\n')]
  if (t.summary) sections.push(`## Summary\n\n${t.summary}`)
  if (t.approach) sections.push(`## Approach\n\n${t.approach}`)
  if (t.challenges.length > 0) sections.push(`## Challenges\n\n${t.challenges.map((c) => `- ${oneLine(c)}`).join('\n')}`)
  if (t.learnings.length > 0) sections.push(`## Learnings\n\n${t.learnings.map((l) => `- ${oneLine(l)}`).join('\n')}`)
  if (t.reason) sections.push(`## Why it was abandoned\n\n${t.reason}`)
  sections.push(EVENTS_NOTE)
  return `${sections.join('\n\n')}\n`
}

export function parseTrajectory(text: string, path: string): Trajectory {
  const r = FieldReader.fromDocument(text, path)
  return compact({
    id: r.string('id'),
    title: r.string('title'),
    status: r.oneOf('status', TRAJECTORY_STATUSES),
    agent: r.name('agent', parseAgentName),
    started: r.string('started'),
    updated: r.optionalString('updated') ?? r.string('started'),
    ended: r.optionalString('ended'),
    task: r.optionalString('task'),
    source: r.optionalString('source'),
    url: r.optionalString('url'),
    branch: r.optionalString('branch'),
    summary: r.optionalString('summary'),
    confidence: r.optionalNumber('confidence'),
    approach: r.optionalString('approach'),
    challenges: r.strings('challenges'),
    learnings: r.strings('learnings'),
    reason: r.optionalString('reason'),
    phase: r.optionalString('phase'),
    project: r.optionalString('project'),
    workflow: r.optionalString('workflow'),
    description: r.optionalString('description'),
    tags: r.has('tags') ? r.strings('tags') : undefined,
    legacyId: r.optionalString('legacy_id'),
    chapters: r.has('chapters') ? objects(r, 'chapters') : undefined,
    agents: r.has('agents') ? list(r, 'agents') : undefined,
    legacy: r.has('legacy') ? r.value('legacy') : undefined,
    // Last: the fields no line above asked for.
    extra: r.rest(),
  })
}

function list(r: FieldReader, key: string): Value[] {
  const value = r.value(key)
  if (!Array.isArray(value)) throw new RecordFormatError(r.path, `field '${key}' is not a list`)
  return [...(value as Value[])]
}

function objects(r: FieldReader, key: string): LegacyChapter[] {
  return list(r, key).map((item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new RecordFormatError(r.path, `field '${key}' holds an item that is not a mapping`)
    return item as LegacyChapter
  })
}

export function renderEvent(event: TrajectoryEvent): string {
  return renderRecord(
    event,
    (e) => ({
      id: e.id,
      kind: e.kind,
      trajectory: e.trajectory,
      agent: e.agent,
      at: e.at,
      title: e.title,
      reasoning: e.reasoning,
      alternatives: e.alternatives.length > 0 ? e.alternatives : undefined,
      confidence: e.confidence,
      question: e.question,
      type: e.type,
      phase: e.phase,
      focal_points: e.focalPoints,
      adjustments: e.adjustments,
      significance: e.significance,
      tags: e.tags,
      chapter: e.chapter,
      seq: e.seq,
      legacy: e.legacy,
    }),
    (e) => {
      const heading = `# ${e.kind === 'event' ? `Event (${oneLine(e.type ?? 'observation')})` : `${e.kind[0]!.toUpperCase()}${e.kind.slice(1)}`}: ${oneLine(e.title)}`
      const parts = [heading]
      if (e.question) parts.push(`Question: ${oneLine(e.question)}`)
      if (e.kind === 'decision' || e.reasoning !== undefined) parts.push(e.reasoning ?? `_${NO_REASONING}_`)
      if (e.adjustments) parts.push(`Adjustments: ${e.adjustments}`)
      if (e.focalPoints && e.focalPoints.length > 0) parts.push(`Focal points:\n\n${e.focalPoints.map((f) => `- ${oneLine(f)}`).join('\n')}`)
      if (e.alternatives.length > 0) parts.push(`Alternatives considered:\n\n${e.alternatives.map((a) => `- ${oneLine(a)}`).join('\n')}`)
      if (e.confidence !== undefined) parts.push(`Confidence: ${describeConfidence(e.confidence)}`)
      return `${parts.join('\n\n')}\n`
    },
  )
}

export function parseEvent(text: string, path: string): TrajectoryEvent {
  const r = FieldReader.fromDocument(text, path)
  return compact({
    id: r.string('id'),
    kind: r.oneOf('kind', EVENT_KINDS),
    trajectory: r.string('trajectory'),
    agent: r.name('agent', parseAgentName),
    at: r.string('at'),
    title: r.string('title'),
    reasoning: r.optionalString('reasoning'),
    alternatives: r.strings('alternatives'),
    confidence: r.optionalNumber('confidence'),
    question: r.optionalString('question'),
    type: r.optionalString('type'),
    phase: r.optionalString('phase'),
    focalPoints: r.has('focal_points') ? r.strings('focal_points') : undefined,
    adjustments: r.optionalString('adjustments'),
    significance: r.optionalString('significance'),
    tags: r.has('tags') ? r.strings('tags') : undefined,
    chapter: r.optionalString('chapter'),
    seq: r.optionalNumber('seq'),
    legacy: r.has('legacy') ? r.value('legacy') : undefined,
    // Last: the fields no line above asked for.
    extra: r.rest(),
  })
}

export function renderActiveMarker(marker: ActiveMarker): string {
  return renderYamlRecord(marker, (m) => ({trajectory: m.trajectory, agent: m.agent, started: m.started}))
}

export function parseActiveMarker(text: string, path: string): ActiveMarker {
  const r = FieldReader.fromYaml(text, path)
  return compact({trajectory: r.string('trajectory'), agent: r.name('agent', parseAgentName), started: r.string('started'), extra: r.rest()})
}

/** Newest first: ids sort by creation time. */
export function byNewest<T extends {id: string}>(a: T, b: T): number {
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

/** The link to a task: anything `new URL` accepts (https://..., jira://...). */
export function parseTaskUrl(raw: string): string {
  try {
    new URL(raw)
  } catch {
    throw new UsageError(`'${quoteInput(raw)}' is not a URL`, 'give a full link, for example --url https://github.com/org/repo/issues/12', 'E_URL')
  }
  return parseText(raw, 'url')
}

/**
 * `--alternatives "a,b, c"` → ["a", "b", "c"]; empty items are dropped. A comma inside an item is written `\,`
 * (`"Redis\, clustered,SQS"` → ["Redis, clustered", "SQS"]). The same rule splits --challenges, --learnings and
 * --focal-points, which agent-relay passes comma-joined. Redacted before it is split: a key id and its secret
 * separated by a comma are caught as a pair.
 */
export function parseAlternatives(raw: string | undefined): string[] {
  return raw === undefined ? [] : splitList(redactText(raw))
}

/** Splits on commas not escaped as `\,`; items trimmed, empty ones dropped. */
export function splitList(raw: string): string[] {
  const items: string[] = []
  let current = ''
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!
    if (char === '\\' && raw[i + 1] === ',') {
      current += ','
      i++
    } else if (char === ',') {
      items.push(current)
      current = ''
    } else {
      current += char
    }
  }
  items.push(current)
  return items.map((item) => item.trim()).filter((item) => item !== '')
}
