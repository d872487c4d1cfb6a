import {UsageError} from '../../../errors.js'
import {defineCommand, type FlagSpecs} from '../../definition.js'

// Commands of agent-trajectories' `trail` that relay-trail does not have: each is refused with one line naming
// what to use instead, rather than "command not found".

/** agent-trajectories' flags for a refused command, declared so that any line of it reaches the refusal. */
function incumbentFlags(strings: string[], booleans: string[]): FlagSpecs {
  const description = "agent-trajectories' flag, refused with the command"
  return Object.fromEntries([
    ...strings.map((name) => [name, {type: 'string', description, helpValue: '<value>'}] as const),
    ...booleans.map((name) => [name, {type: 'boolean', description}] as const),
  ])
}

function refused(name: string, summary: string, message: string, hint: string, flags: FlagSpecs = {}) {
  return defineCommand({
    bin: 'trail',
    name,
    summary,
    args: [],
    variadic: true,
    flags,
    json: false,
    run: async (): Promise<never> => {
      throw new UsageError(message, hint, 'E_NOT_SUPPORTED')
    },
    text: () => '',
  })
}

export const enable = refused(
  'enable',
  "agent-trajectories' command; relay-trail installs its git hooks with trail init --hooks",
  "trail enable is agent-trajectories' command: relay-trail installs its git hooks with trail init",
  'run: trail init --hooks (commits made while a trajectory is active get a Trajectory: trailer)',
  incumbentFlags([], ['force']),
)

export const disable = refused(
  'disable',
  "agent-trajectories' command; remove relay-trail's hooks from .git/hooks",
  "trail disable is agent-trajectories' command",
  "relay-trail's hooks are the files trail init --hooks wrote in .git/hooks; remove them there",
)

export const compact = refused(
  'compact',
  "agent-trajectories' command; relay-trail keeps every trajectory and searches them instead",
  'trail compact is not part of relay-trail: trajectories stay small files on refs/trail/records, never summarised away',
  'find past work with: relay search <text> --kind trajectory   or: trail list --search <text>',
  incumbentFlags(
    ['since', 'until', 'ids', 'workflow', 'pr', 'branch', 'commits', 'focus', 'output'],
    ['all', 'llm', 'no-llm', 'mechanical', 'markdown', 'no-markdown', 'discard-sources', 'dry-run'],
  ),
)
