import {describeConfidence} from '../model/confidence.js'
import type {TrajectoryDetail} from '../model/results.js'

// A trajectory as a document: its sections, declared once, in order. Every output of a trajectory renders this
// list: `trail show` (text), `trail export` (Markdown, HTML), and the pull-request review and the dashboard build on
// it. A section holds blocks of a few shapes; each renderer knows how to write each shape, and nothing else about
// trajectories. Record text stays raw here: escaping is the renderer's job, as it depends on where the text goes.

/** A fact of the header: a label and a value. */
export interface Fact {
  label: string
  value: string
  /** How the value is shown where that matters: an id or branch as code, a link as a link, a time as a time. */
  as?: 'code' | 'link' | 'time'
  /** Shown in the header line itself (id, status) by renderers that have one. */
  inHeading?: boolean
}

/** One decision (or other event) of a trajectory, as every output shows it. */
export interface DecisionView {
  title: string
  at: string
  kind: string
  /** What kind of event it is when it is not a decision ("phase", an event's type, "reflection"), or null. */
  label: string | null
  /** The question a decision answered, when it is not the decision itself. */
  question: string | null
  /** null: none was recorded (for a decision, renderers say NO_REASONING, model/trajectory.ts). */
  reasoning: string | null
  alternatives: string[]
  /** "0.7 (good)", or null. */
  confidence: string | null
}

export type Block =
  | {kind: 'facts'; facts: Fact[]}
  /** Free text written by an agent: paragraphs, kept as written. */
  | {kind: 'text'; text: string}
  /** One-line items. */
  | {kind: 'list'; items: string[]}
  | {kind: 'decisions'; decisions: DecisionView[]}

export interface Section {
  /** Stable, for renderers that treat a section specially (the review puts attention items first). */
  id: 'header' | 'summary' | 'decisions' | 'approach' | 'challenges' | 'learnings' | 'abandoned'
  /** The heading; empty for the header (its title is the trajectory's). */
  heading: string
  blocks: Block[]
}

/** What a trajectory document is: its title, and its sections in order. */
export interface TrajectoryDocument {
  title: string
  sections: Section[]
}

/**
 * The sections of a trajectory, in the order every output shows them: header facts, summary, decisions with
 * their reasoning and alternatives, approach, challenges, learnings, why it was abandoned. Sections with nothing
 * to say are left out, but for the decisions: "none recorded" is worth saying.
 *
 * @example detailText(trajectoryDocument(detail)) // what `trail show` prints
 */
export function trajectoryDocument(detail: TrajectoryDetail): TrajectoryDocument {
  const t = detail.trajectory
  const facts: Fact[] = [
    {label: 'ID', value: t.id, as: 'code', inHeading: true},
    {label: 'Status', value: t.status, inHeading: true},
    {label: 'Agent', value: t.agent},
    {label: 'Started', value: t.started, as: 'time'},
  ]
  if (t.ended) facts.push({label: 'Ended', value: t.ended, as: 'time'})
  if (t.task) facts.push({label: 'Task', value: `${t.task}${t.source ? ` (${t.source})` : ''}`})
  if (t.url) facts.push({label: 'Link', value: t.url, as: 'link'})
  if (t.branch) facts.push({label: 'Branch', value: t.branch, as: 'code'})
  if (t.phase) facts.push({label: 'Phase', value: t.phase})
  if (t.project) facts.push({label: 'Project', value: t.project})
  if (t.workflow) facts.push({label: 'Workflow', value: t.workflow})
  if (t.legacyId) facts.push({label: 'Imported', value: `from agent-trajectories, where it was ${t.legacyId}`})
  if (t.confidence !== undefined) facts.push({label: 'Confidence', value: describeConfidence(t.confidence)})
  const sections: Section[] = [{id: 'header', heading: '', blocks: [{kind: 'facts', facts}]}]
  if (t.summary) sections.push({id: 'summary', heading: 'Summary', blocks: [{kind: 'text', text: t.summary}]})
  sections.push({id: 'decisions', heading: 'Decisions', blocks: [{kind: 'decisions', decisions: detail.events.map(decisionView)}]})
  if (t.approach) sections.push({id: 'approach', heading: 'Approach', blocks: [{kind: 'text', text: t.approach}]})
  if (t.challenges.length > 0) sections.push({id: 'challenges', heading: 'Challenges', blocks: [{kind: 'list', items: t.challenges}]})
  if (t.learnings.length > 0) sections.push({id: 'learnings', heading: 'Learnings', blocks: [{kind: 'list', items: t.learnings}]})
  if (t.reason) sections.push({id: 'abandoned', heading: 'Why it was abandoned', blocks: [{kind: 'text', text: t.reason}]})
  return {title: t.title, sections}
}

export function decisionView(event: TrajectoryDetail['events'][number]): DecisionView {
  return {
    title: event.title,
    at: event.at,
    kind: event.kind,
    label: event.kind === 'decision' ? null : event.kind === 'event' ? (event.type ?? 'event') : event.kind,
    question: event.question ?? null,
    reasoning: event.reasoning ?? null,
    alternatives: event.alternatives,
    confidence: event.confidence === undefined ? null : describeConfidence(event.confidence),
  }
}
