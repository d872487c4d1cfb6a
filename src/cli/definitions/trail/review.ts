import {UsageError} from '../../../errors.js'
import {reviewJson, reviewMarkdown, reviewText} from '../../../render/review.js'
import {readReviewFile, reviewRange} from '../../../services/review.js'
import {defineCommand} from '../../definition.js'

export const REVIEW_FORMATS = ['md', 'json', 'text'] as const

export const review = defineCommand({
  bin: 'trail',
  name: 'review',
  summary: 'Review the trajectories behind a range of commits (for a pull request)',
  description:
    'Gathers every trajectory linked to the commits of <base>..<head> (default: from the merge base with the ' +
    'default branch to HEAD): by Trajectory trailers, recorded commit ids, patch ids (rebased and cherry-picked ' +
    "commits), the patch ids of a squash's files, and the branch the trajectory was started on. Prints what needs " +
    'attention first (low confidence, abandoned work, items to verify, decisions whose commits left the range), ' +
    'then each trajectory, the decisions touching files of the diff, and how many commits are linked. --format md ' +
    "is GitHub-flavoured Markdown for a pull request, at most --max-chars characters (65,000: a comment's limit).",
  examples: [
    'trail review',
    'trail review main..HEAD --format md',
    'trail review origin/main...feature --format json',
    'trail review --input review.json --format md',
  ],
  args: [{name: 'range', description: '<base>..<head>, <base>...<head> (from their merge base), or <base> (up to HEAD)'}],
  flags: {
    format: {type: 'string', options: REVIEW_FORMATS, description: 'md, json or text (default: text on a terminal, md into a pipe)', helpValue: '<format>'},
    branch: {type: 'string', description: "the branch reviewed, when HEAD does not name it (a pull request's merge commit in CI)", helpValue: '<name>'},
    'max-chars': {type: 'string', description: 'the most characters --format md prints (default 65000)', helpValue: '<n>'},
    input: {type: 'string', description: 'render a review from the JSON --format json wrote, instead of the repository', helpValue: '<file>'},
    output: {type: 'string', char: 'o', description: 'write to this file instead of stdout', helpValue: '<file>'},
  },
  json: true,
  run: (ctx, {args, flags}) => {
    if (flags.input !== undefined) {
      if (args.range !== undefined)
        throw new UsageError('--input renders a review already made: give no range with it', 'trail review --input review.json --format md')
      return Promise.resolve(readReviewFile(flags.input))
    }
    return reviewRange(ctx, {range: args.range, branch: flags.branch})
  },
  text: (result, style, {flags}) => {
    const format = flags.format ?? (style.isTTY ? 'text' : 'md')
    if (format === 'json') return `${JSON.stringify(reviewJson(result), null, 2)}\n`
    if (format === 'text') return reviewText(result, style)
    const max = flags['max-chars'] === undefined ? undefined : Number(flags['max-chars'])
    if (max !== undefined && !(Number.isInteger(max) && max >= 1000))
      throw new UsageError(`--max-chars must be a whole number of at least 1000, got '${flags['max-chars']}'`, 'for example --max-chars 65000')
    return reviewMarkdown(result, max)
  },
  toJson: reviewJson,
})
