import type {OverviewJson} from '../../render/dashboard.js'
import {parseRoute, type App, type ChangeKind, type View} from './app.js'
import {clear, h} from './dom.js'
import {liveSource, RequestError, staticSource} from './source.js'
import {agentsView, coordinatorView, historyView, messagesView, searchView, summariesView, threadView, trajectoriesView, trajectoryView} from './views.js'
import {whyView} from './why-view.js'

// The page: reads its mode from a meta element (no inline script: the Content Security Policy forbids it),
// draws the panel the location names, and, live, listens to the server's events to redraw what changed.

const PANELS: {name: string; title: string}[] = [
  {name: 'agents', title: 'Agents'},
  {name: 'trajectories', title: 'Trajectories'},
  {name: 'messages', title: 'Messages'},
  {name: 'summaries', title: 'Summaries'},
  {name: 'coordinator', title: 'Coordinator'},
  {name: 'search', title: 'Search'},
  {name: 'why', title: 'Why'},
]

/** Which nav entry a route belongs to. */
const PANEL_OF: Record<string, string> = {trajectory: 'trajectories', thread: 'messages'}

function meta(name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? ''
}

const mode = meta('relay-mode') === 'static' ? 'static' : 'live'
const source = mode === 'static' ? staticSource() : liveSource(meta('relay-csrf'))
const main = document.getElementById('main') as HTMLElement
const status = document.getElementById('status') as HTMLElement
let app: App
let current: View | null = null
let version = ''

function setStatus(text: string, state: string): void {
  status.textContent = text
  status.dataset.state = state
}

async function show(focus: boolean): Promise<void> {
  const at = parseRoute(location.hash)
  const panel = PANEL_OF[at.name] ?? at.name
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a[data-panel]')) {
    if (link.dataset.panel === panel) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
  clear(main)
  const make = {
    agents: agentsView,
    trajectories: trajectoriesView,
    trajectory: trajectoryView,
    messages: messagesView,
    thread: threadView,
    summaries: at.parts.length === 2 ? historyView : summariesView,
    coordinator: coordinatorView,
    search: searchView,
    why: whyView,
  }[at.name]
  const view = (make ?? agentsView)(app, main, at)
  current = view
  await view.refresh()
  document.title = `${PANELS.find((p) => p.name === panel)?.title ?? 'Agents'} · relay dashboard · ${app.overview.project}`
  if (focus) document.getElementById('view-heading')?.focus()
  document.body.dataset.ready = 'true'
}

/** Redraws the current view when a change concerns it; the overview (projects, counts) when projects changed. */
async function changed(kinds: ChangeKind[] | 'all', trajectories: string[]): Promise<void> {
  if (kinds === 'all' || kinds.includes('projects')) app.overview = await source.get<OverviewJson>('overview').catch(() => app.overview)
  const view = current
  if (!view) return
  const concerns =
    kinds === 'all' || view.kinds.some((kind) => kinds.includes(kind)) || (view.trajectory !== undefined && trajectories.includes(view.trajectory))
  if (concerns) await view.refresh()
}

/**
 * Listens to the server's events. EventSource reconnects by itself after a dropped connection (sending the last
 * version it saw, so the server says what was missed); when it gives up (the server was down when it retried),
 * a new one is opened with ?since= after a pause that grows to 5 seconds.
 */
function connect(delayMs = 500): void {
  const events = new EventSource(`api/events${version ? `?since=${encodeURIComponent(version)}` : ''}`)
  events.addEventListener('open', () => {
    delayMs = 500
    setStatus('live', 'live')
  })
  events.addEventListener('hello', (event) => {
    version = JSON.parse((event as MessageEvent<string>).data).version
  })
  events.addEventListener('change', (event) => {
    const change = JSON.parse((event as MessageEvent<string>).data) as {version: string; kinds: ChangeKind[] | 'all'; trajectories: string[]}
    version = change.version
    void changed(change.kinds, change.trajectories)
  })
  events.addEventListener('error', () => {
    if (events.readyState === EventSource.CLOSED) {
      events.close()
      setStatus('reconnecting…', 'down')
      // A refused token (a new one was made) ends the stream for good: say so instead of retrying.
      fetch('api/overview', {credentials: 'same-origin'}).then(
        (response) => {
          if (response.status === 401 || response.status === 403)
            setStatus("this page's token is no longer valid: open the URL relay dashboard printed", 'down')
          else setTimeout(() => connect(Math.min(delayMs * 2, 5000)), delayMs)
        },
        () => setTimeout(() => connect(Math.min(delayMs * 2, 5000)), delayMs),
      )
    } else {
      setStatus('reconnecting…', 'down')
    }
  })
}

/** Keys 1 to 7 open the panels (not while typing). */
function shortcut(event: KeyboardEvent): void {
  if (event.altKey || event.ctrlKey || event.metaKey) return
  const target = event.target as HTMLElement | null
  if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return
  const panel = PANELS[Number(event.key) - 1]
  if (panel && /^[1-9]$/.test(event.key)) {
    event.preventDefault()
    location.hash = `#${panel.name}`
  }
}

async function start(): Promise<void> {
  const nav = document.getElementById('panels') as HTMLElement
  for (const [index, panel] of PANELS.entries()) {
    nav.appendChild(h('li', {}, h('a', {href: `#${panel.name}`, 'data-panel': panel.name, 'aria-keyshortcuts': String(index + 1)}, panel.title)))
  }
  try {
    app = {source, overview: await source.get<OverviewJson>('overview')}
  } catch (error) {
    setStatus(
      error instanceof RequestError && error.status === 401
        ? 'this page needs its token: open the URL relay dashboard printed'
        : `cannot read the dashboard's data: ${(error as Error).message}`,
      'down',
    )
    return
  }
  const project = document.getElementById('project') as HTMLElement
  project.textContent =
    app.overview.projects.length > 1
      ? `${app.overview.project} and ${app.overview.projects.length - 1} sibling${app.overview.projects.length > 2 ? 's' : ''}`
      : app.overview.project
  window.addEventListener('hashchange', () => void show(true))
  document.addEventListener('keydown', shortcut)
  if (mode === 'static')
    setStatus(`snapshot of ${app.overview.generated}${app.overview.exportLimit ? ` (the newest ${app.overview.exportLimit} trajectories)` : ''}`, 'static')
  version = app.overview.version
  await show(false)
  if (mode === 'live') {
    connect()
    // Presence follows the clock: an agent that stops writing becomes idle, then gone.
    setInterval(() => {
      if (current?.kinds.includes('agents')) void current.refresh()
    }, 30_000)
  }
}

void start()
