import {parseConfidence} from '../../../model/confidence.js'
import {actor} from './actor.js'
import {parseText, splitList} from '../../../model/trajectory.js'
import {finishText, trajectoryJson} from '../../../render/trajectory.js'
import {completeTrajectory} from '../../../services/trajectories.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const complete = defineCommand({
  bin: 'trail',
  name: 'complete',
  summary: 'Complete the active trajectory with a retrospective',
  description:
    'Confidence: 0.9+ high (well-tested), 0.7-0.9 good (standard implementation), 0.5-0.7 some uncertainty ' + '(edge cases possible), below 0.5 needs review.',
  examples: [
    'trail complete --summary "Added JWT auth with refresh tokens" --confidence 0.85',
    'trail complete --summary "Fixed the race" --challenges "Flaky CI" --learnings "Lock before read"',
  ],
  args: [],
  flags: {
    summary: {type: 'string', required: true, description: 'what was done', helpValue: '<text>'},
    confidence: {type: 'string', description: 'how sure you are of the result, from 0 to 1', helpValue: '<0-1>'},
    approach: {type: 'string', description: 'how it was done', helpValue: '<text>'},
    challenges: {
      type: 'string',
      multiple: true,
      description: 'difficulties met, comma-separated or one per flag (a comma inside one: \\,)',
      helpValue: '<a,b>',
    },
    learnings: {type: 'string', multiple: true, description: 'what is worth knowing next time, comma-separated or one per flag', helpValue: '<a,b>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: (ctx, {flags}) =>
    completeTrajectory(ctx, {
      ...actor(flags.agent, ctx.env),
      summary: parseText(flags.summary, 'summary', {required: true}),
      confidence: flags.confidence === undefined ? undefined : parseConfidence(flags.confidence),
      approach: flags.approach === undefined ? undefined : parseText(flags.approach, 'approach'),
      challenges: flags.challenges.flatMap(splitList).map((text) => parseText(text, 'challenge')),
      learnings: flags.learnings.flatMap(splitList).map((text) => parseText(text, 'learning')),
    }),
  text: finishText,
  toJson: (result) => ({...trajectoryJson(result.trajectory), decisionCount: result.eventCount}),
})
