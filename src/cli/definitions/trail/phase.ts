import {UsageError} from '../../../errors.js'
import {PDERO_PHASES} from '../../../model/agent-trajectories.js'
import {quoteInput} from '../../../model/text.js'
import {parseText} from '../../../model/trajectory.js'
import {decisionJson, eventText} from '../../../render/trajectory.js'
import {recordPhase} from '../../../services/trajectories.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'
import {actor} from './actor.js'

export const phase = defineCommand({
  bin: 'trail',
  name: 'phase',
  summary: 'Move the active trajectory to another PDERO phase: plan, design, execute, review, observe',
  description: "Records a phase event and the trajectory's current phase (shown by trail status). agent-relay calls it as it detects phase changes.",
  examples: ['trail phase design', 'trail phase execute --reason "Design agreed with the lead"'],
  args: [{name: 'phase', description: `one of ${PDERO_PHASES.join(', ')}`, required: true}],
  flags: {
    reason: {type: 'string', char: 'r', description: 'why the work moves on', helpValue: '<text>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: (ctx, {args, flags}) =>
    recordPhase(ctx, {
      ...actor(flags.agent, ctx.env),
      phase: parsePhase(args.phase!),
      reason: flags.reason === undefined ? undefined : parseText(flags.reason, 'reason'),
    }),
  text: eventText,
  toJson: (result) => decisionJson(result.decision),
})

/** A phase as typed: one of the PDERO phases, in any case. */
export function parsePhase(raw: string): string {
  const phase = raw.trim().toLowerCase()
  if (!(PDERO_PHASES as readonly string[]).includes(phase)) {
    throw new UsageError(`'${quoteInput(raw)}' is not a phase`, `the phases are ${PDERO_PHASES.join(', ')}: trail phase design`, 'E_PHASE')
  }
  return phase
}
