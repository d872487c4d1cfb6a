import type {OverviewJson} from '../../render/dashboard.js'
import type {Source} from './source.js'

// What every view gets, and what a view is: a part of the page bound to a route, drawn again when the records it
// shows change (its form controls are made once, so typing is never interrupted; its results are redrawn).

export type ChangeKind = 'projects' | 'agents' | 'trajectories' | 'messages' | 'summaries'

export interface App {
  source: Source
  overview: OverviewJson
}

export interface View {
  /** The changes that make it redraw. */
  kinds: ChangeKind[]
  /** The trajectory it shows ("project/id"): a change to it redraws the view too. */
  trajectory?: string
  /** Draws (again) its results. */
  refresh(): Promise<void>
}

/** A parsed location: "#trajectories?status=active" → {name: 'trajectories', parts: [], params}. */
export interface Route {
  name: string
  parts: string[]
  params: Record<string, string>
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?')
  const [name = 'agents', ...parts] = path.split('/').map((part) => {
    try {
      return decodeURIComponent(part)
    } catch {
      return ''
    }
  })
  return {name: name || 'agents', parts, params: Object.fromEntries(new URLSearchParams(search))}
}

/** A route with parameters: "#trajectories?status=active&page=2" (empty parameters left out). */
export function routeWith(name: string, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, value)
  const text = search.toString()
  return `#${name}${text ? `?${text}` : ''}`
}
