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

/**
 * The line for trajectories that commits' `Trajectory:` trailers name but this clone's records do not hold (trail
 * why, trail review): another clone recorded them, and `trail sync` brings its records, as a fresh clone is told.
 * `shown`: the trajectories as the output shows them.
 */
export function notHereLine(shown: readonly string[]): string {
  return `Trailers name trajectories not in this clone's records: ${shown.join(', ')}; if another clone recorded them, get them with: trail sync`
}

/** notHereLine for `trail why`: each trajectory with the commits naming it. */
function notHereOf(result: WhyResult): string | null {
  const missing = result.notHere ?? []
  return missing.length === 0
    ? null
    : notHereLine(missing.map((t) => `${printableLine(t.trajectory)} (${t.commits.map((oid) => oid.slice(0, 12)).join(', ')})`))
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
  const notHere = notHereOf(result)
  if (notHere) out.push('', notHere)
  if (result.newestRead && !sentence) out.push('', `Only the newest ${result.newestRead} commits of this file were read.`)
  if (result.shallow) {
    const where = result.shallow.lines.length > 0 ? `${linesWord(result.shallow.lines)}: history` : 'Older history'
    out.push('', `${where} not available here (a shallow clone; git fetch --unshallow brings it)`)
  }
  return `${out.join('\n')}\n`
}

function trajectoryText(t: WhyTrajectory, result: WhyResult, style: OutputStyle): string[] {
  const {trajectory} = t.detail
  const head = `${paint(style, 'bold', trajectory.id)} ${markdownLine(trajectory.title, 120)}`
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
  /** Trajectories the trailers of commits with no recorded reasoning name, not in this clone's records (trail sync). */
  notHere: {trajectory: string; commits: string[]}[]
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
    notHere: result.notHere ?? [],
  }
}

export interface WhyMarkdownOptions {
  /** Whether a trajectory's events were read; one not read yet stops the layout if its heading fits (`needs`). */
  isRead?: (t: WhyTrajectory) => boolean
  /** The file's history was read only this far (its newest commits): said, so the agent knows to look further. */
  historyLimit?: number
}

/**
 * The decisions behind a file, as Markdown for an agent's context (the edit hook), at most `maxChars` characters,
 * laid out as far as the events read allow: the trajectories newest first, each whole when it fits,
 * else cut to its newest decisions that fit (the rest counted), else left out and counted, and a smaller trajectory
 * after one left out still gets in. `needs` is the index of the first trajectory whose events are not read yet
 * (`options.isRead`) and whose heading fits in what is left: its events decide the rest. A trajectory whose heading
 * does not fit is left out whatever its events, so a reader that reads events only when asked (services/edit-fast.ts)
 * gets the Markdown it would get with every event read. `decisions`: how many decisions the text shows.
 */
export function whyMarkdownFitting(
  result: WhyResult,
  maxChars: number,
  {isRead = () => true, historyLimit}: WhyMarkdownOptions = {},
): {text: string; decisions: number; needs: number | null} {
  // A path may be 4,095 bytes: a long one is named in the header only (the notes point to it), a longer one not even
  // there, so the budget still holds decisions.
  const whole = markdownCode(`trail why ${shellWord(target(result))}`)
  const command = whole.length <= 300 ? whole : '`trail why` on this file'
  const header = `## Decisions that shaped ${markdownCode(clip(printableLine(target(result)), 300))}\n\nRecorded by earlier agents (${whole.length <= maxChars / 4 ? whole : command} shows more). Keep them in mind, or record why you depart from one.\n`
  const cut = historyLimit !== undefined && commitCount(result) >= historyLimit
  const history = cut ? `\n(Only the newest ${historyLimit} commits of this file were looked at: ${command} reads more.)\n` : ''
  const {trajectories} = result
  const leftOut = (count: number) => `\n(${count} more ${count === 1 ? 'trajectory' : 'trajectories'} not shown: ${command})\n`
  let out = header
  let left = 0
  let decisions = 0
  for (const [index, t] of trajectories.entries()) {
    // Room for what follows: the count of trajectories left out, when one may be.
    const room = maxChars - history.length - (left > 0 || index < trajectories.length - 1 ? leftOut(trajectories.length).length : 0) - out.length
    const heading = trajectoryHeading(t)
    if (heading.length + 2 > room) {
      left++
      continue
    }
    if (!isRead(t)) return {text: '', decisions, needs: index}
    const lines = [...t.detail.events].reverse().map(decisionLine)
    const whole = `\n${[heading, ...lines].join('\n')}\n`
    if (whole.length <= room) {
      out += whole
      decisions += lines.length
      continue
    }
    // Its newest decisions that fit, and a count of the rest.
    let block = `\n${heading}`
    let shown = 0
    for (const line of lines) {
      const more = `\n(${counted(lines.length - shown - 1, 'more decision')}: ${command})\n`
      if (block.length + line.length + 1 + more.length > room) break
      block += `\n${line}`
      shown++
    }
    if (shown === 0) {
      left++
      continue
    }
    out += `${block}\n(${counted(lines.length - shown, 'more decision')}: ${command})\n`
    decisions += shown
  }
  if (left > 0) out += leftOut(left)
  return {text: out + history, decisions, needs: null}
}

/** A trajectory's heading in the Markdown: its title, id, status and confidence, and its summary. */
function trajectoryHeading(t: WhyTrajectory): string {
  const {trajectory} = t.detail
  const heading = `### ${markdownLine(trajectory.title, 120)} (${trajectory.id}, ${trajectory.status}${trajectory.confidence === undefined ? '' : `, confidence ${describeConfidence(trajectory.confidence)}`})`
  return trajectory.summary ? `${heading}\n${markdownLine(trajectory.summary, 300)}` : heading
}

/** One decision in the Markdown: its title, its reasoning as a sentence, its alternatives. */
function decisionLine(event: WhyTrajectory['detail']['events'][number]): string {
  const reasoning = event.reasoning === undefined ? NO_REASONING : markdownLine(event.reasoning, 300)
  const why = /[.!?\u2026]$/.test(reasoning) ? reasoning : `${reasoning}.`
  const alternatives = event.alternatives.length > 0 ? ` Alternatives: ${markdownLine(event.alternatives.map((a) => clip(a, 60)).join('; '), 240)}.` : ''
  return `- ${markdownLine(event.title, 160)}: ${why}${alternatives}`
}

/** Text on one line of the Markdown: blanks become one space, unsafe characters are escaped, long text is cut. */
function markdownLine(text: string, maxChars: number): string {
  return clip(printable(text.replace(/\s+/g, ' ').trim()), maxChars)
}

/** How many commits of the file the result looked at: those of its trajectories and those of none. */
function commitCount(result: WhyResult): number {
  return new Set([...result.trajectories.flatMap((t) => t.commits.map((c) => c.oid)), ...result.unexplained.commits.map((c) => c.oid)]).size
}

/**
 * `text` as a Markdown code span: fenced by more backticks than any run of them inside, and spaced from a backtick
 * at either end (CommonMark, "Code spans"), so a path holding backticks neither ends the span nor leaks out of it.
 */
function markdownCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

/**
 * One word for a POSIX shell, as an agent would paste it: plain when plainly safe; in single quotes (a quote as
 * '\'') otherwise; with a character that cannot be shown as is (a line break, an escape), in $'...' with its escapes,
 * so the command names the same file and stays on one line.
 */
function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word
  if (printableLine(word) === word) return `'${word.replaceAll("'", `'\\''`)}'`
  const escaped = [...new TextEncoder().encode(word)].map((byte) =>
    byte === 0x5c || byte === 0x27
      ? `\\${String.fromCharCode(byte)}`
      : byte >= 0x20 && byte < 0x7f
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, '0')}`,
  )
  return `$'${escaped.join('')}'`
}
