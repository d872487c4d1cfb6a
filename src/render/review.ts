import {describeConfidence} from '../model/confidence.js'
import type {CommitLink} from '../model/commit-link.js'
import type {Handoff} from '../model/handoff.js'
import type {Message} from '../model/message.js'
import {counted} from '../model/names.js'
import type {AttentionItem, ReviewResult, ReviewTrajectory} from '../model/review.js'
import {NO_DECISIONS, NO_REASONING} from '../model/trajectory.js'
import {codeBlock, codeSpan, htmlText, markdownParagraphs, markdownText} from './gfm.js'
import {trajectoryDocument, type Block, type DecisionView, type Section} from './sections.js'
import {paint, printable, printableLine, type OutputStyle} from './style.js'
import {detailJson, type TrajectoryDetailJson} from './trajectory.js'
import {messageJson, type MessageJson} from './messages.js'
import {notHereLine} from './why.js'

// `trail review` as a document: Markdown for a pull request (GitHub-flavoured, long parts folded in <details>,
// within a size a comment takes), text for a terminal, JSON for programs. Each trajectory is rendered from the
// section list every output of a trajectory uses (./sections.ts), then what the review adds: how it was found,
// its commits, handoffs and threads. Every piece of record text goes through ./gfm.ts (Markdown) or printable
// (terminal).

/** The hidden line the workflow finds its comment by. */
export const REVIEW_MARKER = '<!-- relay-trail:review -->'
/** GitHub refuses a comment over 65,536 characters; this leaves room for what the workflow adds. */
export const COMMENT_MAX_CHARS = 65_000

/** How much of each part a rendering shows. */
interface Limits {
  trajectories: number
  decisions: number
  textChars: number
  items: number
  commits: number
  messages: number
}

/** Tried in order until the document fits: everything first, then less and less. */
const LEVELS: Limits[] = [
  {trajectories: Infinity, decisions: Infinity, textChars: 20_000, items: Infinity, commits: 500, messages: 50},
  {trajectories: 50, decisions: 100, textChars: 2000, items: 100, commits: 200, messages: 20},
  {trajectories: 30, decisions: 30, textChars: 800, items: 40, commits: 100, messages: 10},
  {trajectories: 20, decisions: 10, textChars: 300, items: 20, commits: 50, messages: 5},
  {trajectories: 10, decisions: 3, textChars: 160, items: 10, commits: 20, messages: 2},
  {trajectories: 5, decisions: 0, textChars: 100, items: 5, commits: 10, messages: 0},
]

/** What a rendering left out, said in the document. */
class Cuts {
  decisions = 0
  texts = 0
  items = 0
  commits = 0
  trajectories = 0
  messages = 0

  get any(): boolean {
    return this.decisions + this.texts + this.items + this.commits + this.trajectories + this.messages > 0
  }
}

/**
 * The review as GitHub-flavoured Markdown of at most `maxChars` characters, whatever the size of the trajectories:
 * parts are shortened level by level (./LEVELS) until it fits, and what was cut is said.
 *
 * @example const body = reviewMarkdown(await reviewRange(ctx, {range: 'main..HEAD'}))
 */
export function reviewMarkdown(result: ReviewResult, maxChars = COMMENT_MAX_CHARS): string {
  for (const limits of LEVELS) {
    const text = renderMarkdown(result, limits)
    if (text.length <= maxChars) return text
  }
  return minimalMarkdown(result)
}

function renderMarkdown(result: ReviewResult, limits: Limits): string {
  const cuts = new Cuts()
  const linked = result.commits.filter((commit) => commit.links.length > 0).length
  const out: string[] = [REVIEW_MARKER, `## Why this change: ${trajectoryCount(result.trajectories.length)}`]
  out.push(
    `Range ${codeSpan(shortRange(result))}${result.branch ? ` on branch ${codeSpan(result.branch, 100)}` : ''}: **${linked} of ${counted(result.commits.length, 'commit')}** linked to a trajectory.`,
  )
  if (result.attention.length > 0) {
    out.push('### Needs attention', attentionList(result.attention, limits, cuts))
  }
  const shown = result.trajectories.slice(0, limits.trajectories)
  cuts.trajectories += result.trajectories.length - shown.length
  shown.forEach((t, index) => {
    out.push(trajectoryMarkdown(t, index + 1, result, limits, cuts))
  })
  if (result.trajectories.length > shown.length) out.push(`_${result.trajectories.length - shown.length} more trajectories not shown._`)
  if (result.files.length > 0) out.push('### Decisions touching files in this diff', filesMarkdown(result, limits, cuts))
  out.push('### Coverage', coverageMarkdown(result, limits, cuts))
  if (result.unknown.length > 0) out.push(`${notHereLine(result.unknown.slice(0, limits.items).map((id) => codeSpan(id, 40)))}.`)
  if (cuts.any) {
    const parts = [
      cuts.trajectories ? trajectoryCount(cuts.trajectories) : '',
      cuts.decisions ? counted(cuts.decisions, 'decision') : '',
      cuts.items ? counted(cuts.items, 'list item') : '',
      cuts.commits ? counted(cuts.commits, 'commit') : '',
      cuts.messages ? counted(cuts.messages, 'message') : '',
    ].filter(Boolean)
    out.push(
      `> Shortened to fit a pull-request comment: ${parts.length > 0 ? `${parts.join(', ')} not shown` : 'nothing left out'}${cuts.texts ? `; ${counted(cuts.texts, 'text')} cut at ${limits.textChars} characters` : ''}. The whole review: ${codeSpan(`trail review ${shortRange(result)}`)}.`,
    )
  }
  return `${out.join('\n\n')}\n`
}

function trajectoryCount(count: number): string {
  return `${count} ${count === 1 ? 'trajectory' : 'trajectories'}`
}

function shortRange(result: ReviewResult): string {
  return `${result.base.slice(0, 12)}..${result.head.slice(0, 12)}`
}

const ATTENTION_LABEL: Record<AttentionItem['kind'], string> = {
  stale: 'Stale decision',
  'low-confidence': 'Low confidence',
  abandoned: 'Abandoned',
  uncertain: 'Still uncertain',
}

function attentionList(items: readonly AttentionItem[], limits: Limits, cuts: Cuts): string {
  const shown = items.slice(0, limits.items)
  cuts.items += items.length - shown.length
  const lines = shown.map((item) => `- **${ATTENTION_LABEL[item.kind]}** in _${markdownText(item.title, 120)}_: ${markdownText(item.text, limits.textChars)}`)
  if (items.length > shown.length) lines.push(`- _${items.length - shown.length} more not shown_`)
  return lines.join('\n')
}

/** A folded part: `<details>` with a summary line (HTML-escaped) and Markdown inside. */
function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`
}

function clipped(text: string, limits: Limits, cuts: Cuts): string {
  if (text.length > limits.textChars) cuts.texts++
  return markdownParagraphs(text, limits.textChars)
}

function trajectoryMarkdown(t: ReviewTrajectory, index: number, result: ReviewResult, limits: Limits, cuts: Cuts): string {
  const document = trajectoryDocument(t.detail)
  const out: string[] = [`### ${index}. ${markdownText(document.title, 200)}`]
  const stale = new Set(t.stale.map((item) => item.decision))
  for (const section of document.sections) out.push(sectionMarkdown(section, limits, cuts, stale))
  const found = t.matches.map((match) => MATCH_WORDS[match]).join(', ')
  const commits = t.commits.slice(0, limits.items)
  const subject = (oid: string) => result.commits.find((commit) => commit.oid === oid)?.subject ?? ''
  out.push(
    `**Found by** ${found}${t.source ? ` (records of ${markdownText(t.source, 60)})` : ''}.` +
      (commits.length > 0
        ? ` **Commits here:** ${commits.map((oid) => `${codeSpan(oid.slice(0, 12))} ${markdownText(subject(oid), 80)}`).join('; ')}${t.commits.length > commits.length ? `; and ${t.commits.length - commits.length} more` : ''}.`
        : ''),
  )
  if (t.handoffs.length > 0)
    out.push(
      details(
        `Handoffs (${t.handoffs.length})`,
        t.handoffs
          .slice(0, limits.items)
          .map((handoff) => handoffMarkdown(handoff, limits, cuts))
          .join('\n\n'),
      ),
    )
  for (const {thread, messages} of t.threads) {
    const shown = messages.slice(-limits.messages)
    cuts.messages += messages.length - shown.length
    if (shown.length === 0) continue
    out.push(details(`Messages in thread ${htmlText(thread, 80)} (${messages.length})`, shown.map((message) => messageMarkdown(message, limits)).join('\n\n')))
  }
  return out.join('\n\n')
}

const MATCH_WORDS: Record<ReviewTrajectory['matches'][number], string> = {
  trailer: 'a Trajectory trailer',
  commit: 'a recorded commit id',
  patch: 'a recorded patch id (a rebased or cherry-picked commit)',
  files: 'the patch ids of its files (a squash)',
  branch: 'the branch it was started on',
}

function sectionMarkdown(section: Section, limits: Limits, cuts: Cuts, stale: ReadonlySet<string>): string {
  const blocks = section.blocks.map((block) => blockMarkdown(block, section, limits, cuts, stale))
  return section.heading === '' || section.id === 'decisions' ? blocks.join('\n\n') : `#### ${section.heading}\n\n${blocks.join('\n\n')}`
}

function blockMarkdown(block: Block, section: Section, limits: Limits, cuts: Cuts, stale: ReadonlySet<string>): string {
  switch (block.kind) {
    case 'facts':
      return block.facts
        .filter((fact) => fact.label !== 'Started' && fact.label !== 'Ended')
        .map((fact) => `**${fact.label}:** ${fact.as === 'code' || fact.as === 'link' ? codeSpan(fact.value, 200) : markdownText(fact.value, 200)}`)
        .join(' · ')
    case 'text':
      return clipped(block.text, limits, cuts)
    case 'list': {
      const shown = block.items.slice(0, limits.items)
      cuts.items += block.items.length - shown.length
      return [
        ...shown.map((item) => `- ${markdownText(item, limits.textChars)}`),
        ...(block.items.length > shown.length ? [`- _${block.items.length - shown.length} more not shown_`] : []),
      ].join('\n')
    }
    case 'decisions': {
      if (block.decisions.length === 0) return `_${NO_DECISIONS}_`
      const shown = block.decisions.slice(0, limits.decisions)
      cuts.decisions += block.decisions.length - shown.length
      const body = [
        ...shown.map((decision, index) => decisionMarkdown(decision, index + 1, limits, cuts, stale.has(decision.title))),
        ...(block.decisions.length > shown.length ? [`_${block.decisions.length - shown.length} more decisions not shown._`] : []),
      ].join('\n\n')
      return details(`${htmlText(section.heading)} (${block.decisions.length})`, body)
    }
  }
}

function decisionMarkdown(d: DecisionView, index: number, limits: Limits, cuts: Cuts, isStale: boolean): string {
  const lines = [`**${index}. ${markdownText(d.title, 300)}**${isStale ? ' _(stale: its commit is no longer in this range)_' : ''}`]
  lines.push(d.reasoning === null ? `_${NO_REASONING}_` : clipped(d.reasoning, limits, cuts))
  if (d.alternatives.length > 0)
    lines.push(
      `_Alternatives considered:_ ${d.alternatives
        .slice(0, limits.items)
        .map((a) => markdownText(a, 200))
        .join('; ')}`,
    )
  if (d.confidence !== null) lines.push(`_Confidence:_ ${markdownText(d.confidence)}`)
  return lines.join('\n\n')
}

function handoffMarkdown(handoff: Handoff, limits: Limits, cuts: Cuts): string {
  const parts = [`**Handoff from ${markdownText(handoff.agent)}**, ${timeText(handoff.created)}`]
  if (handoff.currentTask) parts.push(`_Current task:_ ${markdownText(handoff.currentTask, limits.textChars)}`)
  const list = (label: string, items: readonly string[] | undefined) => {
    if (!items || items.length === 0) return
    const shown = items.slice(0, limits.items)
    cuts.items += items.length - shown.length
    parts.push(`_${label}:_\n\n${shown.map((item) => `- ${markdownText(item, limits.textChars)}`).join('\n')}`)
  }
  list('In progress', handoff.inProgress)
  list('Next steps', handoff.nextSteps)
  list('Uncertain', handoff.uncertain)
  return parts.join('\n\n')
}

function messageMarkdown(message: Message, limits: Limits): string {
  return `**${markdownText(message.from, 64)}** to ${markdownText(message.to, 100)}, ${timeText(message.created)}:\n\n${codeBlock(message.body, limits.textChars)}`
}

/** A time as records write it (ISO 8601, UTC) is shown as it is; anything else is escaped like any text. */
function timeText(text: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text) ? text : markdownText(text, 40)
}

function filesMarkdown(result: ReviewResult, limits: Limits, cuts: Cuts): string {
  const shown = result.files.slice(0, limits.items)
  cuts.items += result.files.length - shown.length
  const title = (id: string) => result.trajectories.find((t) => t.detail.trajectory.id === id)?.detail.trajectory.title ?? id
  const lines = shown.map((file) => {
    const decisions = file.decisions.slice(0, Math.max(1, Math.min(limits.decisions, 10)))
    cuts.decisions += file.decisions.length - decisions.length
    const listed = decisions
      .map(
        (d) =>
          `${markdownText(d.title, 120)} (_${markdownText(title(d.trajectory), 60)}_${d.confidence === null ? '' : `, ${markdownText(describeConfidence(d.confidence))}`})`,
      )
      .join('; ')
    return `- ${codeSpan(file.path, 200)}: ${listed}${file.decisions.length > decisions.length ? `; and ${file.decisions.length - decisions.length} more` : ''}`
  })
  if (result.files.length > shown.length) lines.push(`- _${result.files.length - shown.length} more files not shown_`)
  return details(`${counted(result.files.length, 'file')} with recorded decisions`, lines.join('\n'))
}

function coverageMarkdown(result: ReviewResult, limits: Limits, cuts: Cuts): string {
  const unlinked = result.commits.filter((commit) => commit.links.length === 0)
  const linked = result.commits.length - unlinked.length
  const line = `**${linked} of ${counted(result.commits.length, 'commit')}** linked to a trajectory.`
  if (unlinked.length === 0) return line
  const shown = unlinked.slice(0, limits.commits)
  cuts.commits += unlinked.length - shown.length
  const rows = shown.map(
    (commit) =>
      `- ${codeSpan(commit.oid.slice(0, 12))} ${markdownText(commit.subject, 120)} (${markdownText(commit.author.replace(/\s*<[^>]*>$/, ''), 60)})${commit.merge ? ' _merge_' : ''}`,
  )
  if (unlinked.length > shown.length) rows.push(`- _${unlinked.length - shown.length} more not shown_`)
  return `${line}\n\n${details(`${counted(unlinked.length, 'commit')} with no trajectory`, rows.join('\n'))}`
}

/** The last resort: counts and the command for the whole review (a few hundred characters). */
function minimalMarkdown(result: ReviewResult): string {
  const linked = result.commits.filter((commit) => commit.links.length > 0).length
  return `${REVIEW_MARKER}\n\n## Why this change: ${trajectoryCount(result.trajectories.length)}\n\n**${linked} of ${result.commits.length} commits** linked to a trajectory; ${result.attention.length} items need attention.\n\n> Too large for a pull-request comment: everything was left out. The whole review: ${codeSpan(`trail review ${shortRange(result)}`)}.\n`
}

// --- text, for a terminal ---------------------------------------------------------------------------------------

/** The review for a terminal or a pipe: every part, record text made printable. */
export function reviewText(result: ReviewResult, style: OutputStyle): string {
  const out: string[] = []
  const linked = result.commits.filter((commit) => commit.links.length > 0).length
  out.push(
    `${paint(style, 'bold', `Review of ${shortRange(result)}`)}${result.branch ? ` (branch ${printableLine(result.branch)})` : ''}: ${result.trajectories.length} trajectories, ${linked} of ${counted(result.commits.length, 'commit')} linked`,
  )
  if (result.attention.length > 0) {
    out.push('', paint(style, 'bold', 'Needs attention'))
    for (const item of result.attention)
      out.push(`  ${paint(style, 'yellow', ATTENTION_LABEL[item.kind])} in "${printableLine(item.title, 80)}": ${printableLine(item.text, 200)}`)
  }
  result.trajectories.forEach((t, index) => {
    const document = trajectoryDocument(t.detail)
    const stale = new Set(t.stale.map((item) => item.decision))
    out.push('', paint(style, 'bold', `${index + 1}. ${printableLine(document.title, 200)}`))
    for (const section of document.sections) {
      for (const block of section.blocks) {
        if (section.heading !== '')
          out.push(`  ${paint(style, 'bold', block.kind === 'decisions' ? `${section.heading} (${block.decisions.length})` : section.heading)}`)
        out.push(indent(textBlock(block, stale), '    '))
      }
    }
    out.push(
      `  found by: ${t.matches.join(', ')}${t.source ? ` (records of ${printableLine(t.source)})` : ''}; commits here: ${t.commits.map((oid) => oid.slice(0, 12)).join(', ') || 'none'}`,
    )
    for (const handoff of t.handoffs)
      out.push(`  handoff ${handoff.id} from ${handoff.agent}, ${handoff.created}${handoff.currentTask ? `: ${printableLine(handoff.currentTask, 120)}` : ''}`)
    for (const {thread, messages} of t.threads) {
      out.push(`  thread ${printableLine(thread)} (${messages.length})`)
      for (const message of messages) out.push(`    ${printableLine(message.from)} → ${printableLine(message.to)}: ${printableLine(message.body, 160)}`)
    }
  })
  if (result.files.length > 0) {
    out.push('', paint(style, 'bold', 'Decisions touching files in this diff'))
    for (const file of result.files) out.push(`  ${printableLine(file.path)}: ${file.decisions.map((d) => printableLine(d.title, 80)).join('; ')}`)
  }
  const unlinked = result.commits.filter((commit) => commit.links.length === 0)
  out.push('', paint(style, 'bold', 'Coverage'), `  ${linked} of ${counted(result.commits.length, 'commit')} linked to a trajectory`)
  for (const commit of unlinked) out.push(`  no trajectory: ${commit.oid.slice(0, 12)} ${printableLine(commit.subject, 100)}`)
  if (result.unknown.length > 0) out.push(`  ${notHereLine(result.unknown.map((id) => printableLine(id)))}`)
  return `${out.join('\n')}\n`
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : prefix + line))
    .join('\n')
}

function textBlock(block: Block, stale: ReadonlySet<string>): string {
  switch (block.kind) {
    case 'facts':
      return block.facts.map((fact) => `${fact.label.toLowerCase()}: ${printableLine(fact.value)}`).join('\n')
    case 'text':
      return printable(block.text)
    case 'list':
      return block.items.map((item) => `- ${printableLine(item)}`).join('\n')
    case 'decisions':
      if (block.decisions.length === 0) return NO_DECISIONS
      return block.decisions
        .map((d, index) => {
          const lines = [`${index + 1}. ${printableLine(d.title)}${stale.has(d.title) ? ' [stale: its commit is no longer in this range]' : ''}`]
          lines.push(`   ${d.reasoning === null ? NO_REASONING : printable(d.reasoning).replace(/\n/g, '\n   ')}`)
          if (d.alternatives.length > 0) lines.push(`   alternatives: ${d.alternatives.map((a) => printableLine(a)).join(', ')}`)
          if (d.confidence !== null) lines.push(`   confidence: ${d.confidence}`)
          return lines.join('\n')
        })
        .join('\n')
  }
}

// --- JSON ---------------------------------------------------------------------------------------------------------

export interface ReviewTrajectoryJson extends TrajectoryDetailJson {
  /** The store it was found in: null for this project's, else a remote's or sibling's name. */
  store: string | null
  matches: string[]
  commits: string[]
  links: {
    commit: string
    at: string
    branch: string | null
    subject: string | null
    patch: string | null
    via: string
    from: string | null
    files: {path: string; patch: string | null; combined: string | null}[]
  }[]
  stale: {decision: string; commit: string; subject: string | null}[]
  handoffs: {id: string; agent: string; created: string; currentTask: string | null; inProgress: string[]; nextSteps: string[]; uncertain: string[]}[]
  threads: {thread: string; messages: MessageJson[]}[]
  uncertain: string[]
}

export interface ReviewJson {
  range: string
  base: string
  head: string
  branch: string | null
  coverage: {linked: number; total: number}
  attention: AttentionItem[]
  trajectories: ReviewTrajectoryJson[]
  files: ReviewResult['files']
  commits: ReviewResult['commits']
  unknown: string[]
}

export function reviewJson(result: ReviewResult): ReviewJson {
  return {
    range: result.range,
    base: result.base,
    head: result.head,
    branch: result.branch,
    coverage: {linked: result.commits.filter((commit) => commit.links.length > 0).length, total: result.commits.length},
    attention: result.attention,
    trajectories: result.trajectories.map((t) => ({
      ...detailJson(t.detail),
      store: t.source,
      matches: t.matches,
      commits: t.commits,
      links: t.links.map(linkJson),
      stale: t.stale,
      handoffs: t.handoffs.map((h) => ({
        id: h.id,
        agent: h.agent,
        created: h.created,
        currentTask: h.currentTask ?? null,
        inProgress: h.inProgress ?? [],
        nextSteps: h.nextSteps ?? [],
        uncertain: h.uncertain ?? [],
      })),
      threads: t.threads.map(({thread, messages}) => ({thread, messages: messages.map(messageJson)})),
      uncertain: t.uncertain,
    })),
    files: result.files,
    commits: result.commits,
    unknown: result.unknown,
  }
}

function linkJson(link: CommitLink): ReviewTrajectoryJson['links'][number] {
  return {
    commit: link.commit,
    at: link.at,
    branch: link.branch ?? null,
    subject: link.subject ?? null,
    patch: link.patch ?? null,
    via: link.via,
    from: link.from ?? null,
    files: link.files.map((file) => ({path: file.path, patch: file.patch ?? null, combined: file.combined ?? null})),
  }
}
