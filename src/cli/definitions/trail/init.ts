import {UsageError} from '../../../errors.js'
import {INSTALLER_NAMES, isInstallerName, type InstallerName} from '../../../integrations/installers.js'
import {AGENT_TOOLS} from '../../../model/names.js'
import {initJson, initText} from '../../../render/setup.js'
import {printableLine} from '../../../render/style.js'
import {pushSetupText} from '../../../render/sync.js'
import {runInit} from '../../../services/repository-init.js'
import {defineCommand} from '../../definition.js'

const ACTIONS = {created: 'Created', updated: 'Updated', unchanged: 'Already in place', deleted: 'Removed'} as const

export const init = defineCommand({
  bin: 'trail',
  name: 'init',
  summary: 'Set up the record store in this repository (and, when asked, the agent hooks)',
  description:
    "Creates refs/trail/records with its first commit (on a new clone, adopts the remote's records instead), mirrors the records into .trail/ and .relay/, and lists " +
    'those folders in .git/info/exclude. Every write command does this silently on first use; init is for doing ' +
    "it explicitly. --claude, --codex, --gemini and --cursor (or --all) install that tool's lifecycle hooks " +
    "(context at session start, a trajectory from the first prompt, answers to the agent's requests, a prompt to " +
    'complete its trajectory, the ledger saved before compaction), register the MCP server (not with --no-mcp) and ' +
    'add the instructions for it; --remove <tool> takes them out again. --agents adds the instructions to ' +
    'AGENTS.md. --hooks installs the git hooks that link commits made during a trajectory to it (chained to hooks ' +
    'already there); --github the pull-request review workflows. --push makes plain git fetch and git push carry the records. Existing settings and text are kept; ' +
    'a malformed file is refused and left as it is. Running it again changes nothing in place.',
  examples: [
    'trail init',
    'trail init --claude',
    'trail init --hooks --github',
    'trail init --all --no-mcp',
    'trail init --remove cursor',
    'trail init --agents',
    'trail init --push',
  ],
  args: [],
  flags: {
    claude: {type: 'boolean', description: 'install the Claude Code hooks (.claude/settings.json), MCP server (.mcp.json) and CLAUDE.md instructions'},
    codex: {type: 'boolean', description: 'install the Codex hooks (.codex/hooks.json), MCP server (.codex/config.toml) and AGENTS.md instructions'},
    gemini: {type: 'boolean', description: 'install the Gemini CLI hooks and MCP server (.gemini/settings.json) and GEMINI.md instructions'},
    cursor: {
      type: 'boolean',
      description: 'install the Cursor hooks (.cursor/hooks.json), MCP server (.cursor/mcp.json) and rule (.cursor/rules/relay-trail.mdc)',
    },
    all: {type: 'boolean', description: 'install for every agent tool above'},
    hooks: {
      type: 'boolean',
      description: 'install the git hooks that link commits to trajectories (prepare-commit-msg, post-commit, post-rewrite; chained to hooks already there)',
    },
    github: {type: 'boolean', description: 'install the pull-request review workflows (.github/workflows/trail-review.yml and trail-review-comment.yml)'},
    remove: {
      type: 'string',
      multiple: true,
      options: [...INSTALLER_NAMES, 'all'],
      description: 'take out what --<tool>, --hooks or --github installed (the store is left alone)',
      helpValue: '<tool>',
    },
    'no-mcp': {type: 'boolean', description: 'do not register the MCP server'},
    agents: {type: 'boolean', description: 'install the agent instructions in AGENTS.md'},
    push: {type: 'boolean', description: 'make plain git fetch and git push carry the records with the remote'},
    remote: {type: 'string', description: 'the remote a new clone adopts the records of, and --push configures (default: origin)', helpValue: '<name>'},
  },
  json: true,
  run: (ctx, {flags}) => {
    const tools: InstallerName[] = [
      ...(flags.all ? [...AGENT_TOOLS] : AGENT_TOOLS.filter((tool) => flags[tool])),
      ...(flags.hooks ? (['hooks'] as const) : []),
      ...(flags.github ? (['github'] as const) : []),
    ]
    const remove = flags.remove.includes('all') ? [...INSTALLER_NAMES] : flags.remove.filter(isInstallerName)
    if (remove.length > 0 && (tools.length > 0 || flags.agents || flags.push)) {
      throw new UsageError('--remove cannot be combined with installing', 'run them one after the other: trail init --remove cursor && trail init --claude')
    }
    return runInit(ctx, {remote: flags.remote ?? 'origin', push: flags.push, tools, remove, agentsMd: flags.agents, mcp: !flags['no-mcp']})
  },
  text: ({store, adopted, installed, push}, style) =>
    (adopted ? `Adopted the records of ${printableLine(adopted)}.\n` : '') +
    (store ? initText(store, style) : '') +
    installed.map((file) => `${ACTIONS[file.action]}: ${file.path}\n`).join('') +
    (push ? pushSetupText(push) : ''),
  toJson: ({store, adopted, installed, push}) => ({...(store ? initJson(store) : {}), adopted, installed, push}),
})
