import {AGENT_TOOLS, isAgentTool, parseAgentName} from '../../../model/names.js'
import {defineCommand} from '../../definition.js'

export const mcp = defineCommand({
  bin: 'relay',
  name: 'mcp',
  summary: 'Serve trajectories, continuity and messages to an agent as Model Context Protocol tools (stdio)',
  description:
    'An MCP server on stdin/stdout, for an agent tool to start (Claude Code, Codex, Gemini CLI, Cursor). Tools are the ' +
    'commands (trail_start, trail_decision, relay_continuity_save, relay_send, ...), with the same checks, records ' +
    'and errors; resources are the startup context, ledgers, trajectories and inboxes, with change notifications; ' +
    "prompts are the protocol's moments. The repository is the one containing the folder it is started in, else " +
    "$CLAUDE_PROJECT_DIR or $GEMINI_PROJECT_DIR, else the client's first root. A call acts for its agent parameter, " +
    'else --agent, else $AGENT_RELAY_NAME, else $TRAIL_AGENT, else the client\'s name, else "default".',
  examples: ['relay mcp', 'relay mcp --agent Designer', 'relay mcp --tool claude'],
  args: [],
  flags: {
    agent: {
      type: 'string',
      description: "the agent a call acts for when it names none (default: $AGENT_RELAY_NAME, else $TRAIL_AGENT, else the client's name)",
      helpValue: '<name>',
    },
    tool: {
      type: 'string',
      description: 'the agent tool that starts the server (claude, codex, gemini, cursor): a call acts for its live hooked session (trail init sets this)',
      options: [...AGENT_TOOLS],
      helpValue: '<tool>',
    },
  },
  json: false,
  run: async (ctx, {flags}, io) => {
    const agent = flags.agent === undefined ? undefined : parseAgentName(flags.agent)
    // The SDK and zod load only here: no other command pays for them.
    const {serveMcp} = await import('../../../mcp/server.js')
    const tool = flags.tool !== undefined && isAgentTool(flags.tool) ? flags.tool : undefined
    await serveMcp({cwd: ctx.cwd, env: ctx.env, ...(agent ? {agent} : {}), ...(tool ? {tool} : {}), stopped: io.stopped})
    return null
  },
  text: () => '',
})
