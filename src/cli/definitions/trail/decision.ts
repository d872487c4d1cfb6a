import {parseConfidence} from '../../../model/confidence.js'
import {actor} from './actor.js'
import {parseAlternatives, parseText, parseTitle} from '../../../model/trajectory.js'
import {decisionJson, decisionText} from '../../../render/trajectory.js'
import {recordDecision} from '../../../services/trajectories.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const decision = defineCommand({
  bin: 'trail',
  name: 'decision',
  summary: 'Record a decision in the active trajectory',
  description: 'Record decisions when you choose between alternatives, make a trade-off, or settle on an approach. Reasoning is optional for minor ones.',
  examples: [
    'trail decision "Chose JWT over sessions" --reasoning "Stateless scaling"',
    'trail decision "Used existing auth middleware"',
    'trail decision "Postgres for the queue" --alternatives "Redis,SQS" --confidence 0.7',
  ],
  args: [{name: 'title', description: 'what was decided', required: true}],
  flags: {
    reasoning: {type: 'string', char: 'r', description: 'why', helpValue: '<text>'},
    alternatives: {type: 'string', char: 'a', description: 'the options not taken, comma-separated (a comma inside one: \\,)', helpValue: '<a,b>'},
    question: {type: 'string', description: 'the question it answers, when it is not the decision itself', helpValue: '<text>'},
    confidence: {type: 'string', description: 'how sure, from 0 to 1', helpValue: '<0-1>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: (ctx, {args, flags}) =>
    recordDecision(ctx, {
      ...actor(flags.agent, ctx.env),
      title: parseTitle(args.title!),
      question: flags.question === undefined ? undefined : parseTitle(flags.question, 'question'),
      reasoning: flags.reasoning === undefined ? undefined : parseText(flags.reasoning, 'reasoning'),
      alternatives: parseAlternatives(flags.alternatives),
      confidence: flags.confidence === undefined ? undefined : parseConfidence(flags.confidence),
    }),
  text: decisionText,
  toJson: (result) => decisionJson(result.decision),
})
