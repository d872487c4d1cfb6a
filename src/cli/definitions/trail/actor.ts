import {namedAgent, resolveAgentName} from '../../../model/names.js'
import type {Actor} from '../../../services/trajectories.js'

/** Who acts on the active trajectory: the agent named by --agent or the environment, or "default", unnamed. */
export function actor(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): Actor {
  return {agent: resolveAgentName(flag, env), implicit: namedAgent(flag, env) === undefined}
}
