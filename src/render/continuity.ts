import {describeConfidence} from '../model/confidence.js'
import {FIELD_TITLES, renderFileReference, type Ledger} from '../model/ledger.js'
import type {Handoff} from '../model/handoff.js'
import {oneLine} from '../model/text.js'
import type {SaveResult, StartupContext} from '../model/results.js'
import {NO_REASONING} from '../model/trajectory.js'

// The startup context as Markdown, within a size budget, and the answers of the other continuity commands.

/** The default budget of `relay continuity load`, in characters: a SessionStart hook's output goes to the model. */
export const DEFAULT_CONTEXT_CHARS = 8000
/** The smallest budget: a heading and the line that says what was left out must fit. */
export const MIN_CONTEXT_CHARS = 300

interface Section {
  /** What the reader is told was left out, if this section is: "the latest handoff". */
  what: string
  /** 1 is kept longest. */
  priority: number
  text: string
}

const list = (items: readonly string[]) => items.map((item) => `- ${oneLine(item)}`).join('\n')

function ledgerState(ledger: Ledger): string {
  const lines: string[] = []
  if (ledger.currentTask) lines.push(`**Current task:** ${oneLine(ledger.currentTask)}`)
  if (ledger.inProgress.length > 0) lines.push(`**In progress:**\n${list(ledger.inProgress)}`)
  if (ledger.nextSteps.length > 0) lines.push(`**Next steps:**\n${list(ledger.nextSteps)}`)
  return lines.join('\n\n')
}

function ledgerDetails(ledger: Ledger): string {
  const lines: string[] = []
  if (ledger.keyDecisions.length > 0) lines.push(`**${FIELD_TITLES.keyDecisions}:**\n${list(ledger.keyDecisions)}`)
  if (ledger.files.length > 0) lines.push(`**Files:** ${ledger.files.map((file) => oneLine(renderFileReference(file))).join(', ')}`)
  if (ledger.completed.length > 0) lines.push(`**${FIELD_TITLES.completed}:**\n${list(ledger.completed)}`)
  for (const note of ledger.notes) lines.push(`**${oneLine(note.label)}:** ${note.text}`)
  return lines.join('\n\n')
}

function handoffText(handoff: Handoff): string {
  const lines = [`## Latest handoff (${oneLine(handoff.id)}, ${oneLine(handoff.created)})`]
  if (handoff.currentTask) lines.push(`**Task then:** ${oneLine(handoff.currentTask)}`)
  if (handoff.nextSteps && handoff.nextSteps.length > 0) lines.push(`**Next steps then:**\n${list(handoff.nextSteps)}`)
  if (handoff.keyDecisions && handoff.keyDecisions.length > 0) lines.push(`**Key decisions:**\n${list(handoff.keyDecisions)}`)
  if (handoff.files && handoff.files.length > 0) lines.push(`**Files:** ${handoff.files.map((file) => oneLine(renderFileReference(file))).join(', ')}`)
  if (handoff.trajectory) {
    const decisions = handoff.trajectory.decisions.map((d) => `- ${oneLine(d.title)}${d.reasoning ? `: ${oneLine(d.reasoning)}` : ''}`)
    lines.push(
      `**Trajectory then:** ${oneLine(handoff.trajectory.id)} "${oneLine(handoff.trajectory.title)}"${decisions.length > 0 ? `\n${decisions.join('\n')}` : ''}`,
    )
  }
  return lines.join('\n\n')
}

/** The parts of the context, most important first, each with the priority it is kept by. */
function sections(context: StartupContext): Section[] {
  const out: Section[] = []
  const {ledger, trajectory, handoff} = context
  if (ledger) {
    const state = ledgerState(ledger)
    if (state) out.push({what: 'the current state', priority: 1, text: `## Where you left off (ledger, updated ${oneLine(ledger.updated)})\n\n${state}`})
    if (ledger.uncertain.length > 0) out.push({what: 'the items to verify', priority: 2, text: `## Uncertain: verify these\n\n${list(ledger.uncertain)}`})
  }
  if (context.messages.length > 0) {
    const shown = context.messages.slice(-10)
    const lines = shown.map((entry) => {
      const m = entry.message
      return `- ${oneLine(m.id)} from ${entry.project}:${m.from}${m.thread ? ` [thread:${m.thread}]` : ''}: ${oneLine(m.body).slice(0, 200)}`
    })
    const older = context.messages.length - shown.length
    out.push({
      what: `${context.messages.length} unread messages`,
      priority: 2,
      text: `## Unread messages (${context.messages.length})\n\n${older > 0 ? `(${older} older ones: relay inbox --unread)\n` : ''}${lines.join('\n')}\n\nReply with \`->relay:<project>:<agent> <<<...>>>\`; mark them read with \`relay inbox --mark-read\`.`,
    })
  }
  if (trajectory) {
    const t = trajectory.trajectory
    const decisions = trajectory.events.filter((event) => event.kind === 'decision')
    const recent = decisions.slice(-3)
    const older = decisions.slice(0, -3)
    // Only the latest events are read when there are many (eventCount): the rest are a command away.
    const unread = (trajectory.eventCount ?? trajectory.events.length) - trajectory.events.length
    const counted =
      unread > 0
        ? `${trajectory.eventCount} decisions and other events, the latest ${trajectory.events.length} here (all of them: trail show ${oneLine(t.id)})`
        : `${decisions.length} decisions`
    const decision = (d: (typeof recent)[number]) =>
      `- ${oneLine(d.title)}: ${d.reasoning === undefined ? NO_REASONING : oneLine(d.reasoning)}${d.confidence === undefined ? '' : ` [confidence ${describeConfidence(d.confidence)}]`}`
    out.push({
      what: 'the active trajectory',
      priority: 3,
      text:
        `## Active trajectory: ${oneLine(t.id)}\n\n"${oneLine(t.title)}", started ${oneLine(t.started)}${t.task ? `, task ${oneLine(t.task)}` : ''}; ${counted}.` +
        (recent.length > 0 ? `\n\nLatest decisions:\n${recent.map(decision).join('\n')}` : '') +
        '\n\nWhen done: `trail complete --summary "..." --confidence 0.8`',
    })
    if (older.length > 0) out.push({what: `${older.length} earlier decisions`, priority: 6, text: `Earlier decisions:\n${older.map(decision).join('\n')}`})
  }
  if (ledger) {
    const details = ledgerDetails(ledger)
    if (details) out.push({what: 'the ledger details (decisions, files, completed work)', priority: 4, text: `## From the ledger\n\n${details}`})
  }
  if (handoff) out.push({what: 'the latest handoff', priority: 5, text: handoffText(handoff)})
  return out
}

export interface RenderedContext {
  markdown: string
  /** What was left out to stay within the budget. */
  omitted: string[]
}

/**
 * The startup context as Markdown, at most `maxChars` characters (0: no limit): the least important parts are
 * left out first (earlier decisions, the handoff, the ledger details...), and a last line says what was.
 */
export function renderContext(context: StartupContext, maxChars: number): RenderedContext {
  const header = `# Session context for ${context.agent}${context.dashboardUrl ? `\n\nDashboard (agents, trajectories, messages, live): ${context.dashboardUrl}` : ''}`
  const parts = sections(context)
  if (parts.length === 0) {
    return {
      markdown: `${header}\n\nNothing saved yet for ${context.agent}. Save your state with \`->continuity:save <<<Current task: ...>>>\` or \`relay continuity save\`.\n`,
      omitted: [],
    }
  }
  const kept = new Set(parts)
  const omitted: string[] = []
  const note = () => `\n_Left out to stay within ${maxChars} characters: ${omitted.join(', ')}. For everything: relay continuity load --max-chars 0_\n`
  const body = () => `${[header, ...parts.filter((part) => kept.has(part)).map((part) => part.text)].join('\n\n')}\n`
  const fits = () => maxChars <= 0 || body().length + (omitted.length > 0 ? note().length : 0) <= maxChars
  const byPriority = [...parts].sort((a, b) => b.priority - a.priority)
  while (!fits() && kept.size > 1) {
    const drop = byPriority.find((part) => kept.has(part))!
    kept.delete(drop)
    omitted.push(drop.what)
  }
  if (fits()) return {markdown: omitted.length > 0 ? body() + note() : body(), omitted}
  // One part left and still too long: its end is cut, and the last line (which says so) always fits.
  omitted.push('the end of what is shown')
  const room = Math.max(0, maxChars - note().length - 2)
  return {markdown: `${body().slice(0, room)}…\n${note()}`, omitted}
}

export function saveText(result: SaveResult): string {
  const l = result.ledger
  const counts = [
    l.currentTask ? 'current task' : '',
    l.inProgress.length > 0 ? `${l.inProgress.length} in progress` : '',
    l.nextSteps.length > 0 ? `${l.nextSteps.length} next steps` : '',
    l.uncertain.length > 0 ? `${l.uncertain.length} uncertain` : '',
  ].filter(Boolean)
  const lines = [`Saved the continuity ledger of ${l.agent}${counts.length > 0 ? ` (${counts.join(', ')})` : ''}.`]
  if (result.handoff) lines.push(`Wrote handoff ${result.handoff.id}${result.handoff.trajectory ? `, with trajectory ${result.handoff.trajectory.id}` : ''}.`)
  return `${lines.join('\n')}\n`
}

export function uncertainText(ledger: Ledger): string {
  return `Marked as uncertain for ${ledger.agent} (${ledger.uncertain.length} to verify): ${oneLine(ledger.uncertain.at(-1) ?? '')}\n`
}

export interface LedgerJson {
  agent: string
  updated: string
  currentTask: string | null
  completed: string[]
  inProgress: string[]
  nextSteps: string[]
  keyDecisions: string[]
  files: {path: string; lines: string | null}[]
  uncertain: string[]
  notes: {label: string; text: string}[]
  handoff: string | null
}

export function ledgerJson(ledger: Ledger): LedgerJson {
  return {
    agent: ledger.agent,
    updated: ledger.updated,
    currentTask: ledger.currentTask ?? null,
    completed: ledger.completed,
    inProgress: ledger.inProgress,
    nextSteps: ledger.nextSteps,
    keyDecisions: ledger.keyDecisions,
    files: ledger.files.map((file) => ({path: file.path, lines: file.lines ?? null})),
    uncertain: ledger.uncertain,
    notes: ledger.notes,
    handoff: ledger.handoff ?? null,
  }
}

export function saveJson(result: SaveResult): {ledger: LedgerJson; handoff: string | null} {
  return {ledger: ledgerJson(result.ledger), handoff: result.handoff?.id ?? null}
}
