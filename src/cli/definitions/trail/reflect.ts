import {parseConfidence} from '../../../model/confidence.js'
import {parseAlternatives, parseText, parseTitle} from '../../../model/trajectory.js'
import {decisionJson, eventText} from '../../../render/trajectory.js'
import {recordReflection} from '../../../services/trajectories.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'
import {actor} from './actor.js'

export const reflect = defineCommand({
  bin: 'trail',
  name: 'reflect',
  summary: 'Record a reflection in the active trajectory: a synthesis of progress so far',
  description: 'Step back every so often: what has been learnt, what prompted it, and what changes course. A comma inside a focal point is written \\,.',
  examples: [
    'trail reflect "Auth works; the session store is the risk" --focal-points "sessions,tests" --confidence 0.7 --adjustments "Write the store tests first"',
  ],
  args: [{name: 'synthesis', description: 'the synthesis, in a few sentences', required: true}],
  flags: {
    'focal-points': {type: 'string', char: 'f', description: 'what prompted it, comma-separated', helpValue: '<a,b>'},
    confidence: {type: 'string', char: 'c', description: 'confidence in the trajectory now, from 0 to 1', helpValue: '<0-1>'},
    adjustments: {type: 'string', char: 'a', description: 'the course corrections it leads to', helpValue: '<text>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: (ctx, {args, flags}) =>
    recordReflection(ctx, {
      ...actor(flags.agent, ctx.env),
      synthesis: parseTitle(args.synthesis!, 'reflection'),
      focalPoints: parseAlternatives(flags['focal-points']),
      adjustments: flags.adjustments === undefined ? undefined : parseText(flags.adjustments, 'adjustments'),
      confidence: flags.confidence === undefined ? undefined : parseConfidence(flags.confidence),
    }),
  text: eventText,
  toJson: (result) => decisionJson(result.decision),
})
