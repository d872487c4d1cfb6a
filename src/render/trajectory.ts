import {confidenceLevel, describeConfidence} from '../model/confidence.js'
import {NO_DECISIONS, NO_REASONING, type Trajectory, type TrajectoryEvent} from '../model/trajectory.js'
import {isLinkable} from '../model/linkable.js'
import {inlineCode, oneLine, quoteInput} from '../model/text.js'
import {inertLinks} from './inert-links.js'
import {decisionView, trajectoryDocument, type Block, type Fact} from './sections.js'
import {formatTime, paint, printable, printableLine, table, type OutputStyle} from './style.js'
import type {TrajectoryDetail, DecisionResult, FinishResult, StatusResult, ListResult} from '../model/results.js'

// Trajectories as text, Markdown, HTML, a timeline, and JSON. The JSON shapes are the documented contract: add
// fields freely, never rename or drop one.

export interface TrajectoryJson {
  id: string
  title: string
  status: string
  agent: string
  started: string
  updated: string
  ended: string | null
  task: string | null
  source: string | null
  url: string | null
  branch: string | null
  summary: string | null
  confidence: number | null
  /** The rubric level of `confidence`: "high", "good", "some uncertainty", "needs review". */
  confidenceLevel: string | null
  approach: string | null
  challenges: string[]
  learnings: string[]
  reason: string | null
  /** The current PDERO phase (trail phase), or null. */
  phase: string | null
  project: string | null
  workflow: string | null
  /** Imported from agent-trajectories: the id it had there. */
  legacyId: string | null
}

export interface DecisionJson {
  id: string
  kind: string
  trajectory: string
  agent: string
  at: string
  title: string
  reasoning: string | null
  alternatives: string[]
  confidence: number | null
  confidenceLevel: string | null
  /** A decision's question, when it is not the decision itself. */
  question: string | null
  /** An `event`'s type (observation, tool_call, error...), a `phase` event's phase. */
  type: string | null
  phase: string | null
}

export interface TrajectoryDetailJson extends TrajectoryJson {
  decisions: DecisionJson[]
  /** How many events the trajectory has, when `decisions` holds only the latest of them (status). */
  eventCount?: number
}

export function trajectoryJson(t: Trajectory): TrajectoryJson {
  return {
    id: t.id,
    title: t.title,
    status: t.status,
    agent: t.agent,
    started: t.started,
    updated: t.updated,
    ended: t.ended ?? null,
    task: t.task ?? null,
    source: t.source ?? null,
    url: t.url ?? null,
    branch: t.branch ?? null,
    summary: t.summary ?? null,
    confidence: t.confidence ?? null,
    confidenceLevel: t.confidence === undefined ? null : confidenceLevel(t.confidence),
    approach: t.approach ?? null,
    challenges: t.challenges,
    learnings: t.learnings,
    reason: t.reason ?? null,
    phase: t.phase ?? null,
    project: t.project ?? null,
    workflow: t.workflow ?? null,
    legacyId: t.legacyId ?? null,
  }
}

export function decisionJson(e: TrajectoryEvent): DecisionJson {
  return {
    id: e.id,
    kind: e.kind,
    trajectory: e.trajectory,
    agent: e.agent,
    at: e.at,
    title: e.title,
    reasoning: e.reasoning ?? null,
    alternatives: e.alternatives,
    confidence: e.confidence ?? null,
    confidenceLevel: e.confidence === undefined ? null : confidenceLevel(e.confidence),
    question: e.question ?? null,
    type: e.type ?? null,
    phase: e.phase ?? null,
  }
}

export function detailJson(detail: TrajectoryDetail): TrajectoryDetailJson {
  return {
    ...trajectoryJson(detail.trajectory),
    decisions: detail.events.map(decisionJson),
    ...(detail.eventCount === undefined ? {} : {eventCount: detail.eventCount}),
  }
}

function statusColor(status: string): 'green' | 'yellow' | 'red' {
  return status === 'completed' ? 'green' : status === 'active' ? 'yellow' : 'red'
}

// --- the hot commands -------------------------------------------------------------------------------------------

export function startText(t: Trajectory, style: OutputStyle): string {
  return (
    `Started ${paint(style, 'bold', t.id)} for agent ${t.agent}: ${printableLine(t.title, 200)}\n` +
    `Record decisions with: trail decision "<what you chose>" --reasoning "<why>"\n`
  )
}

export function decisionText(result: DecisionResult, style: OutputStyle): string {
  const d = result.decision
  const lines = [`Recorded decision ${paint(style, 'bold', d.id)} in ${printableLine(result.trajectory.id)}: ${printableLine(d.title, 200)}`]
  if (d.question !== undefined) lines.push(`  question: ${printableLine(d.question, 200)}`)
  lines.push(`  reasoning: ${d.reasoning === undefined ? NO_REASONING : printableLine(d.reasoning, 200)}`)
  if (d.alternatives.length > 0) lines.push(`  alternatives: ${d.alternatives.map((a) => printableLine(a, 80)).join(', ')}`)
  if (d.confidence !== undefined) lines.push(`  confidence: ${describeConfidence(d.confidence)}`)
  return `${lines.join('\n')}\n`
}

/** `trail phase`, `trail event`, `trail reflect`: what was recorded, in a line or two. */
export function eventText(result: DecisionResult, style: OutputStyle): string {
  const e = result.decision
  const what = e.kind === 'phase' ? `phase ${e.phase}` : e.kind === 'event' ? `event (${printableLine(e.type ?? 'observation', 40)})` : e.kind
  const lines = [`Recorded ${what} ${paint(style, 'bold', e.id)} in ${result.trajectory.id}${e.kind === 'phase' ? '' : `: ${printableLine(e.title, 200)}`}`]
  if (e.reasoning !== undefined) lines.push(`  reason: ${printableLine(e.reasoning, 200)}`)
  if (e.focalPoints && e.focalPoints.length > 0) lines.push(`  focal points: ${e.focalPoints.map((f) => printableLine(f, 80)).join(', ')}`)
  if (e.adjustments !== undefined) lines.push(`  adjustments: ${printableLine(e.adjustments, 200)}`)
  if (e.confidence !== undefined) lines.push(`  confidence: ${describeConfidence(e.confidence)}`)
  return `${lines.join('\n')}\n`
}

/** `trail show --decisions`: the decisions only, each with its reasoning (or the lack of it, never hidden). */
export function decisionsText(detail: TrajectoryDetail, style: OutputStyle): string {
  const decisions = detail.events.filter((e) => e.kind === 'decision')
  if (decisions.length === 0) return 'No decisions recorded.\n'
  return `Decisions for ${printableLine(detail.trajectory.title)}:\n\n${textBlock({kind: 'decisions', decisions: decisions.map(decisionView)}, style)}\n`
}

/** `trail show --trace`: the trace references and attribution an imported trajectory brought along. */
export function traceText(detail: TrajectoryDetail): string {
  const t = detail.trajectory
  const legacy = (t.legacy ?? {}) as {set?: Record<string, unknown>; trace?: unknown}
  const ref = legacy.set?._trace as {startRef?: string; endRef?: string; traceId?: string} | undefined
  const commits = (legacy.set?.commits as unknown[] | undefined) ?? []
  const trace = legacy.trace as
    | {id?: string; timestamp?: string; files?: {path?: string; conversations?: {ranges?: unknown[]; contributor?: {model_id?: string}}[]}[]}
    | undefined
  if (!ref && !trace && commits.length === 0) {
    return `No trace information for ${printableLine(t.title)}.\nrelay-trail links commits to trajectories through its git hooks (trail init --hooks).\n`
  }
  const lines = [`Trace for ${printableLine(t.title)}:`]
  if (ref)
    lines.push(
      `  start ref: ${printableLine(String(ref.startRef ?? ''))}`,
      ...(ref.endRef ? [`  end ref:   ${printableLine(ref.endRef)}`] : []),
      ...(ref.traceId ? [`  trace id:  ${printableLine(ref.traceId)}`] : []),
    )
  if (commits.length > 0) lines.push(`  commits:   ${commits.map((c) => printableLine(String(c))).join(', ')}`)
  for (const file of trace?.files ?? []) {
    const ranges = (file.conversations ?? []).reduce((sum, c) => sum + (c.ranges?.length ?? 0), 0)
    lines.push(
      `  - ${printableLine(String(file.path ?? ''))}: ${ranges} ranges, model ${printableLine(file.conversations?.[0]?.contributor?.model_id ?? 'unknown')}`,
    )
  }
  return `${lines.join('\n')}\n`
}

export function finishText(result: FinishResult, style: OutputStyle): string {
  const t = result.trajectory
  const verb = t.status === 'completed' ? 'Completed' : 'Abandoned'
  const lines = [`${paint(style, statusColor(t.status), verb)} ${paint(style, 'bold', printableLine(t.id))}: ${printableLine(t.title, 200)}`]
  lines.push(`  decisions: ${result.eventCount}`)
  if (t.confidence !== undefined) lines.push(`  confidence: ${describeConfidence(t.confidence)}`)
  if (t.reason !== undefined) lines.push(`  reason: ${printableLine(t.reason, 200)}`)
  return `${lines.join('\n')}\n`
}

export function statusText(result: StatusResult, style: OutputStyle): string {
  const out: string[] = []
  if (!result.active) {
    out.push(`No active trajectory for agent '${result.agent}'.`, `Start one with: trail start "<title>"`)
  } else {
    const t = result.active.trajectory
    out.push(`Agent ${result.agent}: ${paint(style, 'yellow', 'active')} ${paint(style, 'bold', printableLine(t.id))}`)
    out.push(`  ${printableLine(t.title, 300)}`)
    out.push(
      `  started ${formatTime(t.started, style)}${t.task ? `, task ${printableLine(t.task, 80)}` : ''}${t.branch ? `, branch ${printableLine(t.branch, 80)}` : ''}`,
    )
    if (t.phase) out.push(`  phase: ${printableLine(t.phase, 40)}`)
    const decisions = result.active.events
    // Only the latest are read when there are many (eventCount): numbered as in the whole list.
    const count = result.active.eventCount ?? decisions.length
    const earlier = count - decisions.length
    out.push(
      decisions.length === 0
        ? '  no decisions yet'
        : earlier > 0
          ? `  decisions (${count}, the latest ${decisions.length} shown; all of them: trail show ${printableLine(t.id)}):`
          : `  decisions (${count}):`,
    )
    decisions.forEach((d, index) => {
      const reasoning = d.reasoning === undefined ? NO_REASONING : printableLine(d.reasoning, 120)
      const confidence = d.confidence === undefined ? '' : ` [confidence ${describeConfidence(d.confidence)}]`
      out.push(`    ${earlier + index + 1}. ${printableLine(d.title, 120)}: ${reasoning}${confidence}`)
    })
  }
  if (result.alsoActive.length > 0) {
    out.push(`Also active for ${result.agent} (merged from another clone): ${result.alsoActive.map((id) => printableLine(id)).join(', ')}`)
  }
  if (result.otherAgents.length > 0) {
    out.push(`Other agents working: ${result.otherAgents.map((o) => `${o.agent} (${printableLine(o.trajectory)})`).join(', ')}`)
  }
  return `${out.join('\n')}\n`
}

export interface StatusJson {
  agent: string
  active: TrajectoryDetailJson | null
  alsoActive: string[]
  otherAgents: {agent: string; trajectory: string}[]
}

export function statusJson(result: StatusResult): StatusJson {
  return {
    agent: result.agent,
    active: result.active ? detailJson(result.active) : null,
    alsoActive: result.alsoActive,
    otherAgents: result.otherAgents,
  }
}

// --- lists and single trajectories ------------------------------------------------------------------------------

export interface ListJson {
  /** null when counting would mean reading every trajectory (a filtered list): see `more`. */
  total: number | null
  more: boolean
  page: number
  limit: number
  trajectories: TrajectoryJson[]
}

export function listJson(result: ListResult): ListJson {
  return {total: result.total, more: result.more, page: result.page, limit: result.limit, trajectories: result.trajectories.map(trajectoryJson)}
}

export function listText(result: ListResult, style: OutputStyle): string {
  if (result.trajectories.length === 0) return style.isTTY ? 'No trajectories match.\n' : ''
  const rows = result.trajectories.map((t) => [
    t.id,
    paint(style, statusColor(t.status), t.status),
    t.agent,
    style.isTTY ? t.started.slice(0, 16).replace('T', ' ') : t.started,
    t.confidence === undefined ? '-' : String(t.confidence),
    printableLine(t.title, style.isTTY ? 80 : Infinity),
  ])
  return table(rows, style, style.isTTY ? ['ID', 'STATUS', 'AGENT', 'STARTED', 'CONF', 'TITLE'] : undefined)
}

/**
 * What a list that found nothing says: that there are none, and which filters were applied, as given.
 *
 * @example listEmptyText({status: 'completed', agent: 'bob'}) // 'No trajectories match status completed, agent bob.\n'
 */
export function listEmptyText(filters: {status?: string; agent?: string; since?: string; search?: string}): string {
  const applied = [
    filters.status === undefined ? '' : `status ${filters.status}`,
    filters.agent === undefined ? '' : `agent ${filters.agent}`,
    filters.since === undefined ? '' : `since ${quoteInput(filters.since)}`,
    filters.search === undefined || filters.search === '' ? '' : `search "${quoteInput(filters.search)}"`,
  ].filter(Boolean)
  return applied.length === 0 ? 'No trajectories yet.\n' : `No trajectories match ${applied.join(', ')}.\n`
}

/**
 * The line that says a list is one page of more (stderr), with the command for the next page (the same filters),
 * or null when everything is shown.
 */
export function listFooter(result: ListResult, nextPage: (page: number) => string): string | null {
  const first = (result.page - 1) * result.limit + 1
  const last = first + result.trajectories.length - 1
  if (!result.more && result.page === 1) return null
  if (result.trajectories.length === 0) {
    return `page ${result.page} is past the end${result.total === null ? '' : `: ${result.total} trajectories match`}`
  }
  const of = result.total === null ? '; more match' : ` of ${result.total} trajectories`
  return `showing ${first}-${last}${of}${result.more ? `; next page: ${nextPage(result.page + 1)}` : ''}`
}

/** `trail show`: everything about one trajectory, for a person (the sections of ./sections.ts, as text). */
export function detailText(detail: TrajectoryDetail, style: OutputStyle): string {
  const document = trajectoryDocument(detail)
  const out: string[] = []
  for (const section of document.sections) {
    if (section.id === 'header') {
      const facts = section.blocks.flatMap((block) => (block.kind === 'facts' ? block.facts : []))
      const value = (label: string) => facts.find((fact) => fact.label === label)?.value ?? ''
      out.push(
        `${paint(style, 'bold', printableLine(value('ID')))}  ${paint(style, statusColor(value('Status')), value('Status'))}`,
        printableLine(document.title),
        '',
      )
      for (const fact of facts.filter((f) => !f.inHeading))
        out.push(`${fact.label.toLowerCase().padEnd(11)}${fact.as === 'time' ? formatTime(fact.value, style) : printableLine(fact.value)}`)
      continue
    }
    for (const block of section.blocks) {
      const heading = block.kind === 'decisions' ? `${section.heading} (${block.decisions.length})` : section.heading
      out.push('', paint(style, 'bold', heading), textBlock(block, style))
    }
  }
  return `${out.join('\n')}\n`
}

function textBlock(block: Block, style: OutputStyle): string {
  switch (block.kind) {
    case 'text':
      return printable(block.text)
    case 'list':
      return block.items.map((item) => `- ${printableLine(item)}`).join('\n')
    case 'facts':
      return block.facts.map((fact) => `${fact.label}: ${printableLine(fact.value)}`).join('\n')
    case 'decisions':
      if (block.decisions.length === 0) return NO_DECISIONS
      return block.decisions
        .map((d, index) => {
          const lines = [
            `${index + 1}. ${d.label === null ? '' : `[${printableLine(d.label, 40)}] `}${printableLine(d.title)}  ${paint(style, 'dim', formatTime(d.at, style))}`,
          ]
          if (d.question !== null) lines.push(`   question: ${printableLine(d.question)}`)
          if (d.reasoning !== null || d.label === null) lines.push(`   ${d.reasoning === null ? NO_REASONING : printable(d.reasoning).replace(/\n/g, '\n   ')}`)
          if (d.alternatives.length > 0) lines.push(`   alternatives: ${d.alternatives.map((a) => printableLine(a)).join(', ')}`)
          if (d.confidence !== null) lines.push(`   confidence: ${d.confidence}`)
          return lines.join('\n')
        })
        .join('\n')
  }
}

// --- export formats ---------------------------------------------------------------------------------------------

/** A Markdown document for a pull request or a wiki (the sections of ./sections.ts). */
export function detailMarkdown(detail: TrajectoryDetail): string {
  const document = trajectoryDocument(detail)
  const out = [`# ${markdownInline(document.title)}`]
  for (const section of document.sections) {
    const blocks = section.blocks.map(markdownBlock).join('\n\n')
    out.push(section.heading === '' ? blocks : `## ${section.heading}\n\n${blocks}`)
  }
  return `${out.join('\n\n')}\n`
}

function markdownBlock(block: Block): string {
  switch (block.kind) {
    case 'text':
      return inertLinks(block.text)
    case 'list':
      return block.items.map((item) => `- ${markdownInline(item)}`).join('\n')
    case 'facts':
      return block.facts.map((fact) => `- **${fact.label}:** ${markdownFact(fact)}`).join('\n')
    case 'decisions':
      if (block.decisions.length === 0) return `_${NO_DECISIONS}_`
      return block.decisions
        .map((d, i) => {
          const parts = [`### ${i + 1}. ${d.label === null ? '' : `[${markdownInline(d.label)}] `}${markdownInline(d.title)}`]
          if (d.question !== null) parts.push(`**Question:** ${markdownInline(d.question)}`)
          if (d.reasoning !== null || d.label === null) parts.push(d.reasoning === null ? `_${NO_REASONING}_` : inertLinks(d.reasoning))
          if (d.alternatives.length > 0) parts.push(`**Alternatives considered:** ${d.alternatives.map(markdownInline).join('; ')}`)
          if (d.confidence !== null) parts.push(`**Confidence:** ${d.confidence}`)
          return parts.join('\n\n')
        })
        .join('\n\n')
  }
}

function markdownFact(fact: Fact): string {
  if (fact.as === 'link' && isLinkable(fact.value)) return `<${fact.value.replace(/[<>\s]/g, encodeURIComponent)}>`
  // Any other URL (javascript:, data:, vbscript:...) is shown as code: text, never a link.
  if (fact.as === 'code' || fact.as === 'link') return inlineCode(oneLine(fact.value))
  return fact.as === 'time' ? oneLine(fact.value) : markdownInline(fact.value)
}

/** Text on one Markdown line, with the characters that would start markup escaped. */
function markdownInline(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|#]/g, (char) => `\\${char}`)
}

/** A standalone HTML page (the sections of ./sections.ts); every piece of record text is escaped. */
export function detailHtml(detail: TrajectoryDetail): string {
  const document = trajectoryDocument(detail)
  const e = escapeHtml
  const body = document.sections.map((section) => {
    const blocks = section.blocks.map(htmlBlock).join('\n')
    return section.heading === '' ? blocks : `<h2>${e(section.heading)}</h2>\n${blocks}`
  })
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(document.title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
.at{color:#59636e;font-size:.85rem}h3{margin-bottom:.2rem}
</style>
</head>
<body>
<h1>${e(document.title)}</h1>
${body.join('\n')}
</body>
</html>
`
}

function htmlBlock(block: Block): string {
  const e = escapeHtml
  const paragraphs = (text: string) =>
    text
      .split(/\n{2,}/)
      .map((p) => `<p>${e(p).replace(/\n/g, '<br>')}</p>`)
      .join('\n')
  switch (block.kind) {
    case 'text':
      return paragraphs(block.text)
    case 'list':
      return `<ul>${block.items.map((item) => `<li>${e(item)}</li>`).join('')}</ul>`
    case 'facts':
      return `<dl>${block.facts
        .map((fact) => {
          // Only web and mail links become links: a javascript: or data: URL in a record stays text.
          const value = fact.as === 'link' && isLinkable(fact.value) ? `<a href="${e(fact.value)}">${e(fact.value)}</a>` : e(fact.value)
          return `<dt>${e(fact.label)}</dt><dd>${value}</dd>`
        })
        .join('')}</dl>`
    case 'decisions':
      if (block.decisions.length === 0) return `<p><em>${e(NO_DECISIONS)}</em></p>`
      return `<ol>\n${block.decisions
        .map(
          (d) =>
            `<li><h3>${d.label === null ? '' : `[${e(d.label)}] `}${e(d.title)}</h3>` +
            (d.question === null ? '' : `<p><strong>Question:</strong> ${e(d.question)}</p>`) +
            (d.reasoning === null ? (d.label === null ? `<p><em>${e(NO_REASONING)}</em></p>` : '') : paragraphs(d.reasoning)) +
            (d.alternatives.length > 0 ? `<p><strong>Alternatives considered:</strong> ${d.alternatives.map(e).join('; ')}</p>` : '') +
            (d.confidence === null ? '' : `<p><strong>Confidence:</strong> ${e(d.confidence)}</p>`) +
            `<p class="at">${e(d.at)}</p></li>`,
        )
        .join('\n')}\n</ol>`
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/** One line per moment, oldest first: start, each decision, the end. */
export function detailTimeline(detail: TrajectoryDetail): string {
  const t = detail.trajectory
  const stamp = (iso: string) => printableLine(iso.slice(0, 19).replace('T', ' '))
  const lines = [`${stamp(t.started)}  started    ${printableLine(t.title)} (agent ${t.agent}${t.task ? `, task ${printableLine(t.task)}` : ''})`]
  for (const d of detail.events) {
    const why = d.reasoning === undefined ? NO_REASONING : printableLine(d.reasoning, 200)
    lines.push(`${stamp(d.at)}  ${d.kind.padEnd(10)} ${printableLine(d.title)}: ${why}`)
  }
  if (t.ended) {
    const what = t.status === 'completed' ? (t.summary ?? '') : (t.reason ?? '')
    const confidence = t.confidence === undefined ? '' : ` [confidence ${describeConfidence(t.confidence)}]`
    lines.push(`${stamp(t.ended)}  ${t.status.padEnd(10)} ${printableLine(what, 300)}${confidence}`)
  }
  return `${lines.join('\n')}\n`
}
