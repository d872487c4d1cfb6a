import type {AgentTool} from '../model/names.js'
import {escapeControls} from '../render/terminal.js'

// The wire of each tool's hooks: what arrives on stdin (JSON, fields named per tool) and what a hook may print
// back (which field reaches the agent, which the human). Pure: text in, values out. Sources, by tool:
// - Claude Code, hooks reference (code.claude.com/docs/en/hooks): common `session_id`, `transcript_path`, `cwd`,
//   `hook_event_name`; SessionStart `source`; UserPromptSubmit `prompt`; Stop `stop_hook_active`,
//   `last_assistant_message`; PreCompact `trigger`; SessionEnd `reason`. Context goes back as
//   `hookSpecificOutput.additionalContext` (SessionStart, UserPromptSubmit); a Stop continues the agent with
//   `{"decision": "block", "reason"}`; `systemMessage` reaches only the human.
// - Codex (codex-rs/hooks, schema/generated/*.command.{input,output}.schema.json): the same names, plus `turn_id`;
//   its output parser refuses unknown fields, so only documented ones are printed.
// - Gemini CLI (google-gemini/gemini-cli, docs/hooks/reference.md): SessionStart/BeforeAgent `hookSpecificOutput.additionalContext`;
//   AfterAgent `prompt_response`, `stop_hook_active`, and `{"decision": "deny", "reason"}` to send the reason to
//   the agent as a new prompt. stdout must be JSON only.
// - Cursor (cursor.com/docs/agent/hooks): `conversation_id`, `hook_event_name`, `workspace_roots`; sessionStart
//   answers `additional_context` (and `env`); beforeSubmitPrompt only `continue`; afterAgentResponse `text`;
//   stop `status`, `loop_count`, answered with `followup_message` (sent as the next user message). Every hook
//   prints JSON.
// - Before an edit (pre-edit): Claude Code's PreToolUse (matcher Edit|Write|MultiEdit|NotebookEdit; `tool_input.file_path`
//   or `notebook_path`) answers `hookSpecificOutput.additionalContext` (Claude Code 2.1.9 and later). Gemini CLI's
//   reference gives BeforeTool no context to add (only `decision`, `reason` and a rewritten `tool_input`); its
//   AfterTool appends `hookSpecificOutput.additionalContext` to the tool's result: the pre-edit hook answers AfterTool
//   of read_file (`tool_input.file_path`, `absolute_path` in older versions), write_file and replace.

/** What `relay hook <tool> <kind>` is asked to do, whatever the tool calls the event. */
export const HOOK_KINDS = ['session-start', 'prompt', 'response', 'stop', 'pre-compact', 'session-end', 'pre-edit'] as const
export type HookKind = (typeof HOOK_KINDS)[number]

export function isHookKind(raw: string): raw is HookKind {
  return (HOOK_KINDS as readonly string[]).includes(raw)
}

/** A hook payload, read once into the fields any tool may send. */
export interface HookEvent {
  tool: AgentTool
  kind: HookKind
  /** The tool's own name for the event, from the payload. */
  event?: string
  sessionId?: string
  cwd?: string
  /** Claude Code's JSONL transcript (other tools' transcripts are not read: their formats are their own). */
  transcriptPath?: string
  /** startup, resume, clear, compact (SessionStart). */
  source?: string
  prompt?: string
  /** What the agent printed last: Stop's last_assistant_message, AfterAgent's prompt_response, Cursor's text. */
  message?: string
  /** pre-edit: the file the tool is about to change (Claude Code's Edit/Write/MultiEdit/NotebookEdit), or has read or written (Gemini CLI's read_file/write_file/replace). */
  filePath?: string
  /** The tool's loop guard: this stop follows one a hook already continued. */
  continued: boolean
  reason?: string
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * Reads a payload. Anything that is not a JSON object becomes an event with no fields (the hook then has little
 * to do, and says so on stderr), never an exception: a hook must not break the agent.
 *
 * @example parseHookEvent('claude', 'stop', '{"session_id":"3f2a…","stop_hook_active":false}')
 */
export function parseHookEvent(tool: AgentTool, kind: HookKind, input: string): {event: HookEvent; problem?: string} {
  let value: Record<string, unknown> = {}
  let problem: string | undefined
  const trimmed = input.replace(/^\uFEFF/, '').trim()
  if (trimmed !== '') {
    try {
      const parsed = JSON.parse(trimmed) as unknown
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) value = parsed as Record<string, unknown>
      else problem = 'the hook payload is not a JSON object'
    } catch {
      problem = 'the hook payload is not JSON'
    }
  } else {
    problem = 'no hook payload on stdin'
  }
  const toolInput = value.tool_input !== null && typeof value.tool_input === 'object' ? (value.tool_input as Record<string, unknown>) : {}
  const roots = Array.isArray(value.workspace_roots) ? value.workspace_roots.filter((root): root is string => typeof root === 'string') : []
  const event: HookEvent = {
    tool,
    kind,
    event: text(value.hook_event_name),
    sessionId: text(value.session_id) ?? text(value.conversation_id),
    cwd: text(value.cwd) ?? roots[0],
    transcriptPath: tool === 'claude' ? text(value.transcript_path) : undefined,
    source: text(value.source),
    prompt: text(value.prompt),
    message: text(value.last_assistant_message) ?? text(value.prompt_response) ?? (kind === 'response' ? text(value.text) : undefined),
    filePath: text(toolInput.file_path) ?? text(toolInput.notebook_path) ?? text(toolInput.absolute_path) ?? text(toolInput.path),
    continued: value.stop_hook_active === true || (typeof value.loop_count === 'number' && value.loop_count > 0),
    reason: text(value.reason) ?? text(value.trigger) ?? text(value.status),
  }
  return problem ? {event, problem} : {event}
}

/** What a hook has to say: to the agent (context before it works, or a reason to go on when it stops). */
export interface HookAnswer {
  /** Markdown added to the agent's context (session start, a prompt). */
  context?: string
  /** Markdown the agent must read before it stops (answers, the trajectory to complete): continues the agent. */
  followUp?: string
  /** Environment for the rest of the session (Cursor's sessionStart `env`). */
  env?: Record<string, string>
}

const CLAUDE_EVENTS: Partial<Record<HookKind, string>> = {'session-start': 'SessionStart', prompt: 'UserPromptSubmit', 'pre-edit': 'PreToolUse'}
const GEMINI_EVENTS: Partial<Record<HookKind, string>> = {'session-start': 'SessionStart', prompt: 'BeforeAgent', 'pre-edit': 'AfterTool'}

/**
 * The hook's stdout in the tool's own terms; '' for nothing (Claude Code and Codex), '{}' where the tool wants
 * JSON every time (Gemini CLI, Cursor). What cannot reach the agent through an event is left out, not shown
 * to the human instead.
 */
export function renderHookOutput(tool: AgentTool, kind: HookKind, answer: HookAnswer): string {
  // The answer quotes records and agent output; the tool hands it to the agent and may show it on a terminal, so
  // control characters and bidirectional marks in it are shown as escapes (../render/terminal.ts).
  const json = (value: unknown) => `${JSON.stringify(value, (_key, field: unknown) => (typeof field === 'string' ? escapeControls(field) : field))}\n`
  switch (tool) {
    case 'claude':
    case 'codex': {
      if (answer.context && CLAUDE_EVENTS[kind]) return json({hookSpecificOutput: {hookEventName: CLAUDE_EVENTS[kind], additionalContext: answer.context}})
      if (answer.followUp && kind === 'stop') return json({decision: 'block', reason: answer.followUp})
      return ''
    }
    case 'gemini': {
      if (answer.context && GEMINI_EVENTS[kind]) return json({hookSpecificOutput: {hookEventName: GEMINI_EVENTS[kind], additionalContext: answer.context}})
      if (answer.followUp && kind === 'stop') return json({decision: 'deny', reason: answer.followUp})
      return json({})
    }
    case 'cursor': {
      if (kind === 'session-start')
        return json({continue: true, ...(answer.env ? {env: answer.env} : {}), ...(answer.context ? {additional_context: answer.context} : {})})
      if (kind === 'prompt') return json({continue: true})
      if (answer.followUp && kind === 'stop') return json({followup_message: answer.followUp})
      return json({})
    }
  }
}
