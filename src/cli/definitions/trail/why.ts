import {whyJson, whyText} from '../../../render/why.js'
import {explainLines, parseWhyTarget} from '../../../services/why.js'
import {defineCommand} from '../../definition.js'

export const why = defineCommand({
  bin: 'trail',
  name: 'why',
  summary: 'Why is this line like this? The decisions behind lines of a file',
  description:
    'Blames the lines (following moves and renames, as git blame -C -M does), finds the trajectories of their ' +
    "commits (by Trajectory links, and by the patch id of each commit's change to the file, so rebased and " +
    "squash-merged commits are found too), and shows each trajectory's decisions with their reasoning, " +
    'alternatives and confidence, its retrospective and handoffs, newest first, with the lines each covers. ' +
    'Without lines: every trajectory whose commits changed the file. Lines whose commits have no trajectory are ' +
    'counted and named.',
  examples: ['trail why src/auth.ts:42', 'trail why src/auth.ts:10-30 --json', 'trail why src/auth.ts', 'trail why src/auth.ts:5 --rev v1.2.0'],
  args: [{name: 'target', description: '<path>, <path>:<line> or <path>:<first>-<last>', required: true}],
  flags: {
    rev: {type: 'string', description: 'the commit to look from (default HEAD)', helpValue: '<commit>'},
  },
  json: true,
  run: (ctx, {args, flags}) => explainLines(ctx, {...parseWhyTarget(args.target!), rev: flags.rev}),
  text: whyText,
  toJson: whyJson,
})
