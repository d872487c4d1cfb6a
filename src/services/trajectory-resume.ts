import {AlreadyActiveError, StateError} from '../errors.js'
import {activePath, trajectoryPath} from '../model/layout.js'
import type {AgentName} from '../model/names.js'
import {subjectText} from '../model/redact.js'
import {renderActiveMarker, renderTrajectory, type Trajectory} from '../model/trajectory.js'
import type {Context} from './context.js'
import {activeIds, countEvents, readTrajectory, resolveTrajectoryId} from './trajectory-records.js'

// `trail resume <id>`: a session adopts a trajectory that an earlier session (another agent name) left open. One
// transaction moves the active marker to the new agent and names it in the trajectory; a trajectory the new agent
// had started from its first prompt and not used yet (no decisions) is abandoned in the same commit, so the
// adopted one is the agent's only active work.

export interface ResumeResult {
  trajectory: Trajectory
  /** The agent that held it before (itself when it was already this agent's). */
  from: AgentName
  /** An empty trajectory of this agent's, abandoned in its place. */
  replaced: Trajectory | null
}

/**
 * Makes trajectory `id` (an id or a unique prefix) the active trajectory of `agent`.
 *
 * @example await resumeTrajectory(ctx, {agent: 'claude-7b1e0042' as AgentName, id: 'traj_01k'})
 */
export async function resumeTrajectory(ctx: Context, input: {agent: AgentName; id: string}): Promise<ResumeResult> {
  const store = await ctx.store()
  return store.transact(async (snapshot) => {
    const id = await resolveTrajectoryId(snapshot, input.id)
    const trajectory = (await readTrajectory(snapshot, id))!
    if (trajectory.status !== 'active') {
      throw new StateError(
        `trajectory ${id} is ${trajectory.status}; only an active trajectory can be resumed`,
        'start a new one: trail start "<title>"',
        'E_NOT_ACTIVE',
      )
    }
    const from = trajectory.agent
    if (from === input.agent) return {writes: [], subject: '', result: {trajectory, from, replaced: null}}
    const now = ctx.now().toISOString()
    const writes: {path: string; content: string | null}[] = []
    let replaced: Trajectory | null = null
    for (const mine of await activeIds(snapshot, input.agent)) {
      const current = await readTrajectory(snapshot, mine)
      if (current === null) continue
      if ((await countEvents(snapshot, mine)) > 0 || replaced !== null) throw new AlreadyActiveError(current)
      replaced = {...current, status: 'abandoned', reason: `replaced by ${id} (trail resume)`, ended: now, updated: now}
      writes.push({path: trajectoryPath(mine), content: renderTrajectory(replaced)}, {path: activePath(input.agent, mine), content: null})
    }
    const adopted: Trajectory = {...trajectory, agent: input.agent, updated: now}
    writes.push(
      {path: trajectoryPath(id), content: renderTrajectory(adopted)},
      {path: activePath(from, id), content: null},
      {path: activePath(input.agent, id), content: renderActiveMarker({trajectory: id, agent: input.agent, started: trajectory.started})},
    )
    return {
      writes,
      subject: `resume ${id} ${subjectText(trajectory.title)} as ${input.agent}`,
      trailers: [
        ['Trail-Record', id],
        ['Trail-Agent', input.agent],
      ],
      result: {trajectory: adopted, from, replaced},
    }
  })
}
