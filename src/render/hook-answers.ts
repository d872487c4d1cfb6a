import type {AgentName, AgentTool} from '../model/names.js'
import type {StartupContext} from '../model/results.js'
import {quoteInput} from '../model/text.js'
import type {Trajectory} from '../model/trajectory.js'
import type {Answer} from '../services/ingest.js'
import {DEFAULT_CONTEXT_CHARS, renderContext} from './continuity.js'
import {searchText} from './search.js'
import {PLAIN_STYLE} from './style.js'

// What the hooks tell an agent, as short Markdown: each part under a heading that names what was asked or what
// happened (`## continuity search: "auth"`), never raw JSON. The tool wraps it in its own JSON field.

function oneLine(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

/** Markdown headings nested `levels` deeper (outside code fences), so a document fits under our heading. */
export function demoteHeadings(markdown: string, levels: number): string {
  let fenced = false
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced
      return !fenced && /^#{1,6} /.test(line) ? `${'#'.repeat(levels)}${line}` : line
    })
    .join('\n')
}

/** An answer to `->continuity:load` or `->continuity:search`, under a heading naming the request. */
export function hookAnswerMarkdown(answer: Answer): string {
  if (answer.kind === 'context') {
    return `## continuity load\n\n${demoteHeadings(renderContext(answer.context, DEFAULT_CONTEXT_CHARS).markdown.trim(), 2)}\n`
  }
  const query = `"${quoteInput(oneLine(answer.query, 60))}"`
  const hits = searchText(answer.query, answer.result, PLAIN_STYLE).trimEnd()
  return `## continuity search: ${query}\n\n${answer.result.hits.length === 0 ? hits : `\`\`\`\n${hits.replaceAll('```', "'''")}\n\`\`\``}\n`
}

/** How the agent's own commands act for it: already through the environment, or with --agent. */
export function agentFlag(agent: AgentName, carried: boolean): string {
  return carried ? '' : ` --agent ${agent}`
}

export interface SessionContextInput {
  tool: AgentTool
  agent: AgentName
  /** Whether the agent's shell commands carry the name ($AGENT_RELAY_NAME set for them). */
  carried: boolean
  /** This agent's own startup context. */
  own: StartupContext
  /** The latest earlier session of the same tool, when it left something. */
  previous: {agent: AgentName; ended: string | null; context: StartupContext} | null
}

function hasContent(context: StartupContext): boolean {
  return context.ledger !== null || context.trajectory !== null || context.handoff !== null || context.messages.length > 0
}

/** The context a SessionStart hook gives the agent. */
export function sessionContextMarkdown(input: SessionContextInput): string {
  const flag = agentFlag(input.agent, input.carried)
  const parts = [
    `# relay-trail: session context`,
    input.carried
      ? `You are agent \`${input.agent}\` in this repository's records; your shell commands carry the name ($AGENT_RELAY_NAME).`
      : `You are agent \`${input.agent}\` in this repository's records: pass \`--agent ${input.agent}\` to every \`trail\` and \`relay\` command.`,
  ]
  if (hasContent(input.own)) parts.push(demoteHeadings(renderContext(input.own, DEFAULT_CONTEXT_CHARS).markdown.trim(), 1))
  const open = input.own.trajectory?.trajectory
  if (open) {
    parts.push(
      `## Your trajectory is still open\n\n${oneLine(open.id)} "${oneLine(open.title)}" was started ${oneLine(open.started.slice(0, 16).replace('T', ' '))} and is still active. ` +
        `Continue it (record decisions with \`trail decision "<what>"${flag}\`), or, if it is done: \`trail complete${flag} --summary "<what was done>" --confidence <0-1>\`.`,
    )
  }
  const previous = input.previous
  if (previous && hasContent(previous.context)) {
    const left = previous.context.trajectory?.trajectory
    const lines = [
      `## Left by an earlier session (${previous.agent}${previous.ended ? `, ended ${oneLine(previous.ended.slice(0, 16).replace('T', ' '))}` : ''})`,
    ]
    if (left) {
      lines.push(
        '',
        `Its trajectory ${oneLine(left.id)} "${oneLine(left.title)}" is still open. Nothing completes it for you:`,
        `- to continue it in this session: \`trail resume ${oneLine(left.id)}${flag}\` (a trajectory your first prompt started and you have not used yet is abandoned in its place);`,
        `- if it is done: \`trail complete --agent ${previous.agent} --summary "<what was done>" --confidence <0-1>\`;`,
        `- if it was dropped: \`trail abandon --agent ${previous.agent} --reason "<why>"\`.`,
      )
    }
    const {trajectory: _trajectory, ...rest} = previous.context
    if (hasContent({...rest, trajectory: null}))
      lines.push('', demoteHeadings(renderContext({...rest, trajectory: null}, DEFAULT_CONTEXT_CHARS).markdown.trim(), 2))
    parts.push(lines.join('\n'))
  }
  parts.push(
    `## Recording\n\nYour first prompt starts a trajectory when you have none. Record decisions with \`trail decision "<what>" --reasoning "<why>"${flag}\`. ` +
      `Print \`[[SESSION_END]]{"summary": "..."}[[/SESSION_END]]\` when your work is done, and complete the trajectory: \`trail complete${flag} --summary "..." --confidence <0-1>\`.`,
  )
  return `${parts.join('\n\n')}\n`
}

/** The context a prompt hook adds after starting a trajectory for the agent. */
export function startedMarkdown(trajectory: Trajectory, agent: AgentName, carried: boolean, left: {id: string; agent: AgentName} | null): string {
  const flag = agentFlag(agent, carried)
  const lines = [
    `## trajectory started: ${trajectory.id}`,
    '',
    `"${oneLine(trajectory.title)}"${trajectory.task ? ` (task ${oneLine(trajectory.task)})` : ''} is now your active trajectory, started from this prompt. ` +
      `Record decisions with \`trail decision "<what>" --reasoning "<why>"${flag}\`; when the task is done: \`trail complete${flag} --summary "<what was done>" --confidence <0-1>\`.`,
  ]
  if (left)
    lines.push(
      '',
      `If this prompt continues the work an earlier session left open (${oneLine(left.id)}), run \`trail resume ${oneLine(left.id)}${flag}\` instead: this new trajectory is then abandoned in its place.`,
    )
  return `${lines.join('\n')}\n`
}

/** What a stop hook says when the agent ended its work with its trajectory still open. */
export function completeReminderMarkdown(trajectory: Trajectory, agent: AgentName): string {
  return (
    `## trajectory still open: ${oneLine(trajectory.id)}\n\n` +
    `You signalled the end of your work, but "${oneLine(trajectory.title)}" is still active. Before you stop, run:\n\n` +
    `\`\`\`bash\ntrail complete --agent ${agent} --summary "<what was done>" --confidence <0-1>\n\`\`\`\n\n` +
    `or, if it was not finished, \`trail abandon --agent ${agent} --reason "<why>"\`. To leave it open for the next session, say so and stop.\n`
  )
}

/** The free-form save text a [[SUMMARY]] becomes when it is saved to the ledger before a compaction. */
export function summarySaveText(summary: {currentTask?: string; completedTasks: string[]; context?: string; files: string[]}): string {
  const lines: string[] = []
  if (summary.currentTask) lines.push(`Current task: ${oneLine(summary.currentTask, 1000)}`)
  if (summary.completedTasks.length > 0) lines.push(`Completed: ${summary.completedTasks.map((task) => oneLine(task, 500)).join(', ')}`)
  if (summary.files.length > 0) lines.push(`Files: ${summary.files.join(', ')}`)
  if (summary.context) lines.push(`Context: ${oneLine(summary.context, 4000)}`)
  return lines.join('\n')
}
