import type {Trajectory} from '../model/trajectory.js'
import type {SearchResult, StartupContext} from '../model/results.js'
import {DEFAULT_CONTEXT_CHARS, renderContext} from './continuity.js'
import {searchText} from './search.js'
import {PLAIN_STYLE} from './style.js'
import type {IngestTally, HookInput} from '../model/results.js'

// What `relay ingest` prints once the output is read. The answers themselves (load, search) are printed as they
// come; for a Claude Code hook payload, `relay hook claude` does the work and its answer is printed instead.

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
  /** For a hook payload: what the hook prints, in the tool's own JSON (see ../integrations/hook-protocol.ts). */
  hookOutput?: string
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
