import type {Trajectory} from '../model/trajectory.js'
import type {SearchResult, StartupContext} from '../model/results.js'
import {DEFAULT_CONTEXT_CHARS, renderContext} from './continuity.js'
import {searchText} from './search.js'
import {PLAIN_STYLE} from './style.js'
import type {IngestTally, HookInput} from '../model/results.js'

// What `relay ingest` prints once the output is read. The answers themselves (load, search) are printed as they
// come; for a Claude Code hook, they go back to the agent through the hook's JSON answer instead.

export interface IngestResult {
  tally: IngestTally
  /** The answers to load and search, as printed for the agent. */
  answers: string[]
  warnings: string[]
  /** The Claude Code hook payload, when stdin was one. */
  hook: HookInput | null
  /** The agent's active trajectory (only looked up for a hook). */
  active: Trajectory | null
  /** Whether the answers were already printed as they came. */
  delivered: boolean
}

/** An answer for the agent, as it is printed: Markdown context, or search hits. */
export function answerText(answer: {kind: 'context'; context: StartupContext} | {kind: 'search'; query: string; result: SearchResult}): string {
  return answer.kind === 'context' ? renderContext(answer.context, DEFAULT_CONTEXT_CHARS).markdown : searchText(answer.query, answer.result, PLAIN_STYLE)
}

export interface IngestJson {
  events: number
  done: number
  raw: number
  failed: number
  answers: string[]
  warnings: string[]
}

export function ingestReportJson(result: IngestResult): IngestJson {
  return {...result.tally, answers: result.answers, warnings: result.warnings}
}

/** Nothing more on stdout: the answers went out as they came, and stdout is the agent's. */
export function ingestReportText(_result: IngestResult): string {
  return ''
}

/**
 * The answer to a Claude Code hook (https://docs.anthropic.com/en/docs/claude-code/hooks): when the agent asked
 * for context or a search in its last turn, a Stop hook blocks the stop with the answers as the reason, which
 * Claude Code gives to the agent; the reminder to complete an active trajectory rides along. Never twice in a
 * row (`stop_hook_active`), so an agent cannot be kept from stopping. Nothing to say: no output.
 */
export function stopHookAnswer(result: IngestResult): string {
  const hook = result.hook!
  const reminder = result.active
    ? `Trajectory ${result.active.id} ("${result.active.title.replace(/\s+/g, ' ').slice(0, 80)}") is still active: when the work is done, run: trail complete --summary "<what was done>" --confidence <0-1>`
    : null
  if (hook.event === 'Stop' && !hook.stopHookActive && result.answers.length > 0) {
    const reason = [...result.answers, ...(reminder ? [reminder] : [])].join('\n\n')
    return `${JSON.stringify({decision: 'block', reason})}\n`
  }
  if (reminder && (hook.event === 'SessionEnd' || hook.event === 'Stop')) return `${JSON.stringify({systemMessage: reminder})}\n`
  return ''
}
