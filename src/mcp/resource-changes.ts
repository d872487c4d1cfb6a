// Which resources a new tip touches, from the files that changed between two tips (git diff-tree): pure, so it is
// tested with paths alone. Where a file cannot be tied to one agent cheaply (a message, a handoff, a sibling's
// sync), every resource of that kind is touched: a notification too many costs a client one read; one too few
// leaves it showing stale records.

export const RESOURCE_SCHEME = 'relay-trail'

export const RESOURCE_URIS = {
  context: `${RESOURCE_SCHEME}://context`,
  inbox: `${RESOURCE_SCHEME}://inbox`,
  agentContext: (agent: string) => `${RESOURCE_SCHEME}://context/${agent}`,
  agentInbox: (agent: string) => `${RESOURCE_SCHEME}://inbox/${agent}`,
  ledger: (agent: string) => `${RESOURCE_SCHEME}://ledger/${agent}`,
  trajectory: (id: string) => `${RESOURCE_SCHEME}://trajectory/${id}`,
}

/** One changed file: whether it is new, gone, or changed. */
export type FileChangeKind = 'added' | 'removed' | 'changed'

export interface TouchedResources {
  /** Resources touched by name. */
  uris: Set<string>
  /** Every agent's context is touched. */
  everyContext: boolean
  /** Every agent's inbox is touched. */
  everyInbox: boolean
  /** The list of resources changed (a trajectory or a ledger was added or removed). */
  listChanged: boolean
}

/**
 * The resources that the changed files touch. `agentOf` gives the agent whose active trajectory a trajectory is
 * (from the active markers at the new tip), when known.
 *
 * @example touchedResources(new Map([['.relay/ledger/claude.md', 'changed']]), new Map()).uris  // ledger and context of claude
 */
export function touchedResources(changes: ReadonlyMap<string, FileChangeKind>, agentOf: ReadonlyMap<string, string>): TouchedResources {
  const touched: TouchedResources = {uris: new Set(), everyContext: false, everyInbox: false, listChanged: false}
  const context = (agent: string) => touched.uris.add(RESOURCE_URIS.agentContext(agent))
  for (const [path, kind] of changes) {
    const parts = path.split('/')
    if (parts[0] === '.trail' && parts[1] === 'trajectories' && parts.length >= 7) {
      const id = parts[5]!
      touched.uris.add(RESOURCE_URIS.trajectory(id))
      if (parts[6] === 'trajectory.md' && kind !== 'changed') touched.listChanged = true
      const agent = agentOf.get(id)
      if (agent) context(agent)
      else if (kind !== 'added' || parts[6] !== 'trajectory.md') touched.everyContext = true // an event of a trajectory no longer active, or not known
    } else if (parts[0] === '.trail' && parts[1] === 'active' && parts.length === 4) {
      context(parts[2]!)
    } else if (parts[0] === '.relay' && parts[1] === 'ledger' && parts.length === 3 && parts[2]!.endsWith('.md')) {
      const agent = parts[2]!.slice(0, -'.md'.length)
      touched.uris.add(RESOURCE_URIS.ledger(agent))
      context(agent)
      if (kind !== 'changed') touched.listChanged = true
    } else if (parts[0] === '.relay' && parts[1] === 'ledger' && parts[2] === 'handoffs') {
      touched.everyContext = true
    } else if (parts[0] === '.relay' && parts[1] === 'receipts' && parts.length === 4) {
      touched.uris.add(RESOURCE_URIS.agentInbox(parts[2]!))
      context(parts[2]!)
    } else if ((parts[0] === '.relay' && parts[1] === 'messages') || path === '.relay/project.yaml') {
      touched.everyInbox = true
      touched.everyContext = true
    }
  }
  return touched
}

/** A sibling's store moved (relay sync): messages may have arrived for anyone. */
export function siblingMoved(): TouchedResources {
  return {uris: new Set(), everyContext: true, everyInbox: true, listChanged: false}
}

/**
 * The subscribed resources to notify: those touched by name, and every context or inbox when all are. The acting
 * agent's own context and inbox (relay-trail://context, relay-trail://inbox) are touched with its named ones.
 */
export function resourcesToNotify(subscribed: Iterable<string>, touched: TouchedResources, actingAgent: string): string[] {
  const alias = (uri: string): string => {
    if (uri === RESOURCE_URIS.context) return RESOURCE_URIS.agentContext(actingAgent)
    if (uri === RESOURCE_URIS.inbox) return RESOURCE_URIS.agentInbox(actingAgent)
    return uri
  }
  const isContext = (uri: string) => uri.startsWith(`${RESOURCE_URIS.context}/`)
  const isInbox = (uri: string) => uri.startsWith(`${RESOURCE_URIS.inbox}/`)
  return [...subscribed].filter((uri) => {
    const named = alias(uri)
    return touched.uris.has(named) || (touched.everyContext && isContext(named)) || (touched.everyInbox && isInbox(named))
  })
}
