import {UsageError} from '../../../errors.js'
import {quoteInput} from '../../../model/text.js'
import {parseTitle} from '../../../model/trajectory.js'
import {decisionJson, eventText} from '../../../render/trajectory.js'
import {recordObservation} from '../../../services/trajectories.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'
import {actor} from './actor.js'

export const event = defineCommand({
  bin: 'trail',
  name: 'event',
  summary: 'Record something that happened in the active trajectory: an observation, a tool call, an error',
  description: 'What agent-relay logs as it watches an agent: milestones, tool calls, errors, messages. Decisions go to trail decision.',
  examples: ['trail event "Created auth middleware"', 'trail event "Error: tests failed" --type error'],
  args: [{name: 'content', description: 'what happened, in a line', required: true}],
  flags: {
    type: {type: 'string', description: 'observation (default), tool_call, error, finding, message...', helpValue: '<type>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: (ctx, {args, flags}) =>
    recordObservation(ctx, {
      ...actor(flags.agent, ctx.env),
      content: parseTitle(args.content!, 'event'),
      type: parseEventType(flags.type ?? 'observation'),
    }),
  text: eventText,
  toJson: (result) => decisionJson(result.decision),
})

function parseEventType(raw: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/.test(raw)) {
    throw new UsageError(
      `'${quoteInput(raw)}' is not an event type`,
      'a type is a word of letters, digits, "_", "-", ".", ":" (observation, tool_call, error)',
      'E_EVENT_TYPE',
    )
  }
  return raw
}
