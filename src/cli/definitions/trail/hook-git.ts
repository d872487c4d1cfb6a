import {UsageError} from '../../../errors.js'
import {GIT_HOOKS, type GitHookName} from '../../../integrations/git-hooks.js'
import {quoteInput} from '../../../model/text.js'
import {addTrajectoryTrailer, carryRewrittenLinks, linkHeadCommit} from '../../../services/commit-links.js'
import {defineCommand} from '../../definition.js'

// `trail hook-git <hook>`: what the git hooks `trail init --hooks` installs run (templates/git-hooks/hook.sh). A
// commit never fails or waits on relay-trail: every problem (no store yet, a broken record, a locked ref) is one
// warning on stderr, nothing is printed on stdout, and the exit code is 0.

export const hookGit = defineCommand({
  bin: 'trail',
  name: 'hook-git',
  summary: 'Run a git hook installed by trail init --hooks (links commits to trajectories)',
  description:
    'prepare-commit-msg adds a Trajectory trailer when the committing agent ($AGENT_RELAY_NAME or $TRAIL_AGENT) ' +
    'has an active trajectory; post-commit records the commit and its patch ids on that trajectory; post-rewrite ' +
    '(amend, rebase) carries links over to the rewritten commits, read as "<old> <new>" lines on stdin. Always exits 0.',
  hidden: true,
  args: [{name: 'hook', description: `the git hook: ${GIT_HOOKS.join(', ')}`, required: true}],
  flags: {
    'message-file': {type: 'string', description: "prepare-commit-msg: the commit message file (git's $1)", helpValue: '<file>'},
    source: {
      type: 'string',
      description: "prepare-commit-msg: the message's source (git's $2: message, template, merge, squash, commit)",
      helpValue: '<source>',
    },
    kind: {type: 'string', description: "post-rewrite: amend or rebase (git's $1)", helpValue: '<kind>'},
  },
  json: false,
  run: async (ctx, {args, flags}, io): Promise<void> => {
    const hook = args.hook as GitHookName
    try {
      if (!(GIT_HOOKS as readonly string[]).includes(hook)) throw new UsageError(`unknown git hook '${quoteInput(hook)}'`, `one of: ${GIT_HOOKS.join(', ')}`)
      if (hook === 'prepare-commit-msg') {
        if (!flags['message-file']) throw new UsageError('prepare-commit-msg needs --message-file', "the installed hook passes git's $1")
        await addTrajectoryTrailer(ctx, {messageFile: flags['message-file'], source: flags.source})
      } else if (hook === 'post-commit') {
        await linkHeadCommit(ctx)
      } else {
        const input = io.stdinIsTTY ? '' : await io.readStdin()
        const pairs = input
          .split('\n')
          .map((line) => line.trim().split(/\s+/))
          .filter(
            (words): words is [string, string, ...string[]] => words.length >= 2 && /^[0-9a-f]{40,64}$/.test(words[0]!) && /^[0-9a-f]{40,64}$/.test(words[1]!),
          )
          .map(([old, next]) => [old, next] as const)
        await carryRewrittenLinks(ctx, pairs)
      }
    } catch (error) {
      const hint = (error as {hint?: string}).hint
      ctx.warn(`relay-trail ${hook} hook: ${(error as Error).message.split('\n')[0]}${hint ? ` (${hint})` : ''}; the commit is not affected`)
    }
  },
  text: () => '',
  exitCode: () => 0,
})
