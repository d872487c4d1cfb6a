import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {packagePath} from '../package-files.js'
import type {AgentTool} from '../model/names.js'
import type {HookKind} from './hook-protocol.js'

// What `trail init --<tool>` installs for each agent tool, as data: the settings file its hooks go into and in
// which shape, the tool's event names and the hook each one runs, where its MCP servers are registered, and where
// its instructions go. Built against each tool's own hook documentation (see docs/agent-authors.md, "Agent hooks", for the
// versions); ./installers.ts turns a spec into install, remove and doctor steps.

export interface HookBinding {
  /** The tool's own event name ("SessionStart", "beforeSubmitPrompt"). */
  event: string
  /** What `relay hook <tool> <kind>` does for it. */
  kind: HookKind
  /** Seconds (milliseconds for Gemini CLI, which counts in them). */
  timeout: number
  /** The tools the hook runs for (tool events: PreToolUse, AfterTool). */
  matcher?: string
}

export interface AgentToolSpec {
  tool: AgentTool
  label: string
  hooks: {
    file: string
    /** grouped: {Event: [{hooks: [{type, command}]}]} (Claude Code, Codex, Gemini CLI); flat: Cursor's {event: [{command}]}. */
    shape: 'grouped' | 'flat'
    /** The tool reads comments in this JSON file (then a file with comments is refused, not stripped). */
    jsonc: boolean
    bindings: HookBinding[]
  }
  mcp: {file: string; format: 'json' | 'toml'; jsonc: boolean}
  /** A Markdown file that gets our block between markers, or a rule file that is ours whole. */
  instructions: {file: string; kind: 'block' | 'rule'}
}

export const MCP_SERVER_NAME = 'relay-trail'

export const AGENT_TOOL_SPECS: Record<AgentTool, AgentToolSpec> = {
  claude: {
    tool: 'claude',
    label: 'Claude Code',
    hooks: {
      file: '.claude/settings.json',
      shape: 'grouped',
      jsonc: false,
      bindings: [
        {event: 'SessionStart', kind: 'session-start', timeout: 30},
        {event: 'UserPromptSubmit', kind: 'prompt', timeout: 30},
        {event: 'Stop', kind: 'stop', timeout: 60},
        {event: 'PreCompact', kind: 'pre-compact', timeout: 60},
        {event: 'SessionEnd', kind: 'session-end', timeout: 60},
        // The decisions that shaped a file, before the agent first edits it in a session.
        {event: 'PreToolUse', kind: 'pre-edit', timeout: 10, matcher: 'Edit|Write|MultiEdit|NotebookEdit'},
      ],
    },
    mcp: {file: '.mcp.json', format: 'json', jsonc: false},
    instructions: {file: 'CLAUDE.md', kind: 'block'},
  },
  codex: {
    tool: 'codex',
    label: 'Codex',
    hooks: {
      file: '.codex/hooks.json',
      shape: 'grouped',
      jsonc: false,
      bindings: [
        {event: 'SessionStart', kind: 'session-start', timeout: 30},
        {event: 'UserPromptSubmit', kind: 'prompt', timeout: 30},
        {event: 'Stop', kind: 'stop', timeout: 60},
        {event: 'PreCompact', kind: 'pre-compact', timeout: 60},
        // Codex caps SessionEnd hooks at 3 s and warns about a longer timeout.
        {event: 'SessionEnd', kind: 'session-end', timeout: 3},
      ],
    },
    mcp: {file: '.codex/config.toml', format: 'toml', jsonc: false},
    instructions: {file: 'AGENTS.md', kind: 'block'},
  },
  gemini: {
    tool: 'gemini',
    label: 'Gemini CLI',
    hooks: {
      file: '.gemini/settings.json',
      shape: 'grouped',
      jsonc: true,
      bindings: [
        {event: 'SessionStart', kind: 'session-start', timeout: 30_000},
        {event: 'BeforeAgent', kind: 'prompt', timeout: 30_000},
        {event: 'AfterAgent', kind: 'stop', timeout: 60_000},
        {event: 'PreCompress', kind: 'pre-compact', timeout: 60_000},
        {event: 'SessionEnd', kind: 'session-end', timeout: 30_000},
        // Gemini CLI adds a hook's context to a tool's result (AfterTool), never before a tool runs (its BeforeTool
        // can deny, or rewrite the tool's input, only): so the decisions come with the agent's first read of the
        // file, which is how an edit starts; or after its first write, when it writes without reading.
        {event: 'AfterTool', kind: 'pre-edit', timeout: 10_000, matcher: 'read_file|write_file|replace'},
      ],
    },
    mcp: {file: '.gemini/settings.json', format: 'json', jsonc: true},
    instructions: {file: 'GEMINI.md', kind: 'block'},
  },
  cursor: {
    tool: 'cursor',
    label: 'Cursor',
    hooks: {
      file: '.cursor/hooks.json',
      shape: 'flat',
      jsonc: true,
      bindings: [
        {event: 'sessionStart', kind: 'session-start', timeout: 30},
        {event: 'beforeSubmitPrompt', kind: 'prompt', timeout: 30},
        {event: 'afterAgentResponse', kind: 'response', timeout: 60},
        {event: 'stop', kind: 'stop', timeout: 60},
        {event: 'preCompact', kind: 'pre-compact', timeout: 60},
        {event: 'sessionEnd', kind: 'session-end', timeout: 30},
      ],
    },
    mcp: {file: '.cursor/mcp.json', format: 'json', jsonc: true},
    instructions: {file: '.cursor/rules/relay-trail.mdc', kind: 'rule'},
  },
}

const TEMPLATES = packagePath('templates')

/**
 * The instructions for a tool ('agents': AGENTS.md without hooks), saying only what is true there: what its hooks
 * do, and whether commands need --agent.
 */
export function instructionsFor(tool: AgentTool | 'agents'): string {
  const body = readFileSync(join(TEMPLATES, 'agents', 'relay-trail.md'), 'utf8')
  const hooks = readFileSync(join(TEMPLATES, 'agents', 'hooks', `${tool}.md`), 'utf8').trimEnd()
  const agentFlag = tool === 'agents' ? ' (as the agent you named)' : tool === 'claude' ? '' : ' (with `--agent <name>`, the name your session context gives)'
  const context =
    tool === 'agents'
      ? 'Load your previous context when a session starts: `relay continuity load` (or print `->continuity:load`).'
      : 'Your previous context is loaded for you when a session starts.'
  return body.replace('{{hooks}}', hooks).replace('{{agent-flag-note}}', agentFlag).replace('{{context-note}}', context)
}

/** Cursor's rule file: always applied, our instructions whole. */
export function cursorRule(): string {
  return `---\ndescription: Record agent work with relay-trail (trajectories, continuity)\nalwaysApply: true\n---\n\n`
}
