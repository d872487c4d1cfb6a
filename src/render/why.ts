import {describeConfidence} from '../model/confidence.js'
import {counted} from '../model/names.js'
import {clip} from '../model/text.js'
import {NO_REASONING} from '../model/trajectory.js'
import type {WhyResult, WhyTrajectory} from '../model/why.js'
import {trajectoryDocument} from './sections.js'
import {paint, printable, printableLine, type OutputStyle} from './style.js'
import {decisionJson, trajectoryJson, type DecisionJson, type TrajectoryJson} from './trajectory.js'

// `trail why` for a person (text), for programs (JSON), and for an agent's context (Markdown within a budget: the
// edit hook, the MCP tool). Each trajectory's parts come from the section list every output of a trajectory uses
// (./sections.ts).

/** "10-12, 15": line numbers as ranges. */
export function lineRanges(lines: readonly number[]): string {
  const parts: string[] = []
  for (let i = 0; i < lines.length; ) {
    let j = i
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++
    parts.push(j === i ? String(lines[i]) : `${lines[i]}-${lines[j]}`)
    i = j + 1
  }
  return parts.join(', ')
}

/** "line 4", "lines 10-12, 15". */
function linesWord(lines: readonly number[]): string {
  return `${lines.length === 1 ? 'line' : 'lines'} ${lineRanges(lines)}`
}

function target(result: WhyResult): string {
  return result.ranges === null
    ? result.path
    : `${result.path}:${result.ranges.map(([start, end]) => (start === end ? `${start}` : `${start}-${end}`)).join(',')}`
}

/** The sentence on lines (or commits) with no recorded reasoning: "12 lines from 3 commits with no recorded reasoning". */
export function unexplainedSentence(result: WhyResult): string | null {
  const {lines, commits} = result.unexplained
  if (commits.length === 0) return null
  return result.ranges === null
    ? `${counted(commits.length, 'commit')} of this file with no recorded reasoning${result.newestRead ? ` (only the newest ${result.newestRead} commits of this file were read)` : ''}`
    : `${counted(lines, 'line')} from ${counted(commits.length, 'commit')} with no recorded reasoning`
}

export function whyText(result: WhyResult, style: OutputStyle): string {
  const out: string[] = []
  out.push(`${paint(style, 'bold', printableLine(target(result)))} at ${result.rev.slice(0, 12)}${result.binary ? ' (a binary file)' : ''}`)
  if (result.trajectories.length === 0) out.push('No trajectory explains it.')
  for (const t of result.trajectories) out.push('', ...trajectoryText(t, result, style))
  const sentence = unexplainedSentence(result)
  if (sentence) {
    out.push('', `${sentence}:`)
    for (const commit of result.unexplained.commits) {
      out.push(
        `  ${commit.oid.slice(0, 12)} ${printableLine(commit.subject, 80)} (${printableLine(commit.author.replace(/\s*<[^>]*>$/, ''), 40)})${commit.lines.length > 0 ? `: ${linesWord(commit.lines)}` : ''}`,
      )
    }
  }
  if (result.newestRead && !sentence) out.push('', `Only the newest ${result.newestRead} commits of this file were read.`)
  if (result.shallow) {
    const where = result.shallow.lines.length > 0 ? `${linesWord(result.shallow.lines)}: history` : 'Older history'
    out.push('', `${where} not available here (a shallow clone; git fetch --unshallow brings it)`)
  }
  return `${out.join('\n')}\n`
}

function trajectoryText(t: WhyTrajectory, result: WhyResult, style: OutputStyle): string[] {
  const {trajectory} = t.detail
  const head = `${paint(style, 'bold', trajectory.id)} ${printableLine(trajectory.title, 120)}`
  const facts = [
    trajectory.agent,
    trajectory.status,
    trajectory.confidence === undefined ? null : `confidence ${describeConfidence(trajectory.confidence)}`,
    t.source ? `records of ${printableLine(t.source)}` : null,
  ]
    .filter(Boolean)
    .join(', ')
  const out = [`${head} (${facts})${result.ranges === null ? '' : `: ${linesWord(t.lines)}`}`]
  for (const section of trajectoryDocument(t.detail).sections) {
    if (section.id === 'header') continue
    for (const block of section.blocks) {
      if (block.kind === 'decisions') {
        if (t.detail.events.length === 0) continue
        out.push(`  ${section.heading.toLowerCase()}:`)
        const decisions = t.detail.events.map((event, index) => ({event, view: block.decisions[index]!})).reverse()
        for (const {event, view} of decisions) {
          const lines = t.decisionLines[event.id]
          out.push(`    - ${printableLine(view.title, 200)}${lines && result.ranges !== null ? ` (${linesWord(lines)})` : ''}`)
          out.push(`      ${view.reasoning === null ? NO_REASONING : printable(view.reasoning).replace(/\n/g, '\n      ')}`)
          if (view.alternatives.length > 0) out.push(`      alternatives: ${view.alternatives.map((a) => printableLine(a, 80)).join(', ')}`)
          if (view.confidence !== null) out.push(`      confidence: ${view.confidence}`)
        }
      } else if (block.kind === 'text') out.push(`  ${section.heading.toLowerCase()}: ${printable(block.text).replace(/\n/g, '\n    ')}`)
      else if (block.kind === 'list') out.push(`  ${section.heading.toLowerCase()}: ${block.items.map((item) => printableLine(item, 120)).join('; ')}`)
    }
  }
  for (const handoff of t.handoffs)
    out.push(`  handoff ${handoff.id} (${handoff.created})${handoff.currentTask ? `: ${printableLine(handoff.currentTask, 120)}` : ''}`)
  out.push(
    `  commits: ${t.commits.map((c) => `${c.oid.slice(0, 12)} ${printableLine(c.subject, 60)}${c.match === 'file' ? ' [same change]' : ''}`).join('; ')}`,
  )
  return out
}

export interface WhyJson {
  path: string
  rev: string
  ranges: [number, number][] | null
  binary: boolean
  trajectories: (TrajectoryJson & {
    store: string | null
    lines: number[]
    decisions: (DecisionJson & {lines: number[] | null})[]
    commits: {oid: string; subject: string; author: string; path: string; lines: number[]; match: string}[]
    handoffs: {id: string; created: string; currentTask: string | null}[]
  })[]
  unexplained: WhyResult['unexplained']
  shallow: {lines: number[]} | null
  /** Without lines: only the newest this many commits of the file were read (it has older ones); else null. */
  newestRead: number | null
}

export function whyJson(result: WhyResult): WhyJson {
  return {
    path: result.path,
    rev: result.rev,
    ranges: result.ranges,
    binary: result.binary,
    trajectories: result.trajectories.map((t) => ({
      ...trajectoryJson(t.detail.trajectory),
      store: t.source,
      lines: t.lines,
      decisions: [...t.detail.events].reverse().map((event) => ({...decisionJson(event), lines: t.decisionLines[event.id] ?? null})),
      commits: t.commits,
      handoffs: t.handoffs.map((h) => ({id: h.id, created: h.created, currentTask: h.currentTask ?? null})),
    })),
    unexplained: result.unexplained,
    shallow: result.shallow ?? null,
    newestRead: result.newestRead ?? null,
  }
}

/**
 * The decisions behind a file, as Markdown for an agent's context (the edit hook, the MCP tool), at most `maxChars`
 * characters: newest trajectory first, each decision with its reasoning; what does not fit is counted.
 */
export function whyMarkdown(result: WhyResult, maxChars: number): string {
  return whyMarkdownFitting(result, maxChars).text
}

/**
 * whyMarkdown, and how many trajectories it shows (the first `shown`; the rest are counted): a reader that reads
 * trajectories newest first can stop once one does not fit (services/edit-context.ts).
 */
export function whyMarkdownFitting(result: WhyResult, maxChars: number): {text: string; shown: number} {
  const header = `## Decisions that shaped ${result.path}\n\nRecorded by earlier agents (\`trail why ${target(result)}\` shows more). Keep them in mind, or record why you depart from one.\n`
  const blocks: string[] = []
  for (const t of result.trajectories) {
    const {trajectory} = t.detail
    const lines = [
      `### ${clip(trajectory.title.replace(/\s+/g, ' '), 120)} (${trajectory.id}, ${trajectory.status}${trajectory.confidence === undefined ? '' : `, confidence ${describeConfidence(trajectory.confidence)}`})`,
    ]
    if (trajectory.summary) lines.push(clip(trajectory.summary.replace(/\s+/g, ' '), 300))
    for (const event of [...t.detail.events].reverse()) {
      const why = event.reasoning === undefined ? NO_REASONING : clip(event.reasoning.replace(/\s+/g, ' '), 300)
      const alternatives = event.alternatives.length > 0 ? ` Alternatives: ${event.alternatives.map((a) => clip(a, 60)).join('; ')}.` : ''
      lines.push(`- ${clip(event.title.replace(/\s+/g, ' '), 160)}: ${why}${alternatives}`)
    }
    blocks.push(lines.join('\n'))
  }
  let out = header
  let left = 0
  for (const [index, block] of blocks.entries()) {
    if (out.length + block.length + 2 > maxChars - 80) {
      left = blocks.length - index
      break
    }
    out += `\n${block}\n`
  }
  if (left > 0) out += `\n(${left} more ${left === 1 ? 'trajectory' : 'trajectories'} not shown: \`trail why ${result.path}\`)\n`
  return {text: printable(out), shown: blocks.length - left}
}
