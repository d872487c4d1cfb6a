import type {
  AgentJson,
  AgentSummariesJson,
  CoordinatorJson,
  HistoryEntryJson,
  HistoryPageJson,
  MessageItemJson,
  MessagePageJson,
  SearchJson,
  SessionEndJson,
  SummaryJson,
  TrajectoryItemJson,
  TrajectoryPageJson,
  TrajectoryViewJson,
} from '../../render/dashboard.js'
import {routeWith, type App, type Route, type View} from './app.js'
import {append, badge, clear, facts, h, isSafeHref, list, prose, route, time} from './dom.js'
import {RequestError} from './source.js'

// The panels: agents, trajectories (and one trajectory), messages (and one thread), summaries (and one agent's
// history), the coordinator's view, and search. Each draws from the JSON shapes of src/render/dashboard.ts.

const STATUSES = ['active', 'completed', 'abandoned']
const SEARCH_KINDS = ['trajectory', 'decision', 'handoff', 'ledger', 'summary', 'session', 'message']

/** Draws `draw`'s result into `target`, or the error it met. */
export async function fill(target: HTMLElement, draw: () => Promise<(Node | null)[]>): Promise<void> {
  // Changes can come in bursts: only the newest of overlapping draws is shown, whichever answer arrives last.
  const draws = Number(target.dataset.draws ?? 0) + 1
  target.dataset.draws = String(draws)
  let nodes: (Node | null)[]
  try {
    nodes = await draw()
  } catch (error) {
    nodes = [h('p', {class: 'error', role: 'alert'}, (error as Error).message, error instanceof RequestError && error.hint ? ` (${error.hint})` : '')]
  }
  if (target.dataset.draws !== String(draws)) return
  // Where the focus was (a link of a list being redrawn), it is put back on the same link afterwards.
  const focused = document.activeElement instanceof HTMLElement && target.contains(document.activeElement) ? document.activeElement.dataset.key : undefined
  clear(target)
  append(target, ...nodes)
  if (focused) (target.querySelector(`[data-key="${CSS.escape(focused)}"]`) as HTMLElement | null)?.focus()
}

function heading(text: string, ...rest: (Node | string | null)[]): HTMLElement {
  return h('h2', {tabindex: -1, id: 'view-heading'}, text, ...rest)
}

function confidence(value: number | null, level: string | null): HTMLElement | string {
  return value === null ? '–' : h('span', {class: `confidence confidence-${(level ?? '').replace(/\s+/g, '-')}`}, `${value} (${level})`)
}

function projectSelect(app: App, value: string | undefined, label = 'Project'): HTMLElement {
  return h(
    'label',
    {},
    label,
    h(
      'select',
      {name: 'project'},
      h('option', {value: ''}, 'all'),
      ...app.overview.projects.map((p) => h('option', {value: p.project, selected: p.project === value}, p.project)),
    ),
  )
}

function pager(name: string, params: Record<string, string>, page: number, more: boolean, summary: string): HTMLElement {
  return h(
    'nav',
    {class: 'pager', 'aria-label': 'Pages'},
    page > 1 ? h('a', {href: routeWith(name, {...params, page: String(page - 1)}), 'data-key': 'previous'}, '← newer') : null,
    h('span', {}, summary),
    more ? h('a', {href: routeWith(name, {...params, page: String(page + 1)}), 'data-key': 'next'}, 'older →') : null,
  )
}

/** A form whose submission changes the route (the filters live in the URL, so Back works). */
function filterForm(name: string, fields: HTMLElement[], onReset?: string): HTMLFormElement {
  const form = h(
    'form',
    {class: 'filters', role: 'search'},
    ...fields,
    h('button', {type: 'submit'}, 'Apply'),
    onReset ? h('a', {href: onReset}, 'Clear') : null,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const params: Record<string, string> = {}
    for (const [key, value] of new FormData(form)) if (typeof value === 'string' && value !== '') params[key] = value
    location.hash = routeWith(name, params)
  })
  return form
}

// --- agents ------------------------------------------------------------------------------------------------------

export function agentsView(app: App, main: HTMLElement): View {
  const results = h('div', {class: 'results'})
  append(
    main,
    heading('Agents'),
    h(
      'p',
      {class: 'hint'},
      'Working: an active trajectory and a record in the last 30 minutes. Idle: a record within a day. Gone: nothing for a day, or a session end was its last record.',
    ),
    results,
  )
  return {
    kinds: ['agents', 'projects'],
    refresh: () =>
      fill(results, async () => {
        const {agents} = await app.source.get<{agents: AgentJson[]}>('agents')
        if (agents.length === 0) return [h('p', {class: 'empty'}, 'No agents have written records yet.')]
        return app.overview.projects.map((project) => {
          const mine = agents.filter((agent) => agent.project === project.project && agent.sibling === project.sibling)
          return h(
            'section',
            {class: 'project'},
            h('h3', {}, project.project, project.sibling === null ? ' (this project)' : ''),
            mine.length === 0 ? h('p', {class: 'empty'}, 'No agents.') : agentTable(mine),
          )
        })
      }),
  }
}

function agentTable(agents: AgentJson[]): HTMLElement {
  return h(
    'table',
    {class: 'agents'},
    h('thead', {}, h('tr', {}, ...['Agent', 'Presence', 'Working on', 'Last record', 'Uncertain', 'Unread'].map((title) => h('th', {scope: 'col'}, title)))),
    h(
      'tbody',
      {},
      ...agents.map((agent) =>
        h(
          'tr',
          {class: `agent-row presence-${agent.presence}`},
          h('th', {scope: 'row'}, agent.agent, agent.isLead ? badge('lead') : null),
          h('td', {}, badge(agent.presence)),
          h(
            'td',
            {},
            agent.active[0]
              ? h(
                  'a',
                  {href: route('trajectory', agent.project, agent.active[0].id), 'data-key': `${agent.project}/${agent.agent}`},
                  agent.workingOn ?? agent.active[0].title,
                )
              : (agent.workingOn ?? '–'),
          ),
          h('td', {}, time(agent.lastActivity)),
          h('td', {}, list(agent.uncertain, 'uncertain') ?? '–'),
          h(
            'td',
            {},
            agent.unread > 0
              ? h('a', {href: routeWith('messages', {project: agent.project, agent: agent.agent})}, badge(`${agent.unread} unread`, 'unread'))
              : '0',
          ),
        ),
      ),
    ),
  )
}

// --- trajectories ------------------------------------------------------------------------------------------------

export function trajectoriesView(app: App, main: HTMLElement, at: Route): View {
  const p = at.params
  const form = filterForm(
    'trajectories',
    [
      projectSelect(app, p.project),
      h('label', {}, 'Agent', h('input', {name: 'agent', value: p.agent ?? '', size: 12, autocomplete: 'off'})),
      h(
        'label',
        {},
        'Status',
        h('select', {name: 'status'}, h('option', {value: ''}, 'any'), ...STATUSES.map((s) => h('option', {value: s, selected: s === p.status}, s))),
      ),
      h('label', {}, 'From', h('input', {name: 'since', type: 'date', value: p.since ?? ''})),
      h('label', {}, 'To', h('input', {name: 'until', type: 'date', value: p.until ?? ''})),
    ],
    '#trajectories',
  )
  const results = h('div', {class: 'results'})
  append(main, heading('Trajectories'), form, results)
  return {
    kinds: ['trajectories'],
    refresh: () =>
      fill(results, async () => {
        const page = await app.source.get<TrajectoryPageJson>('trajectories', {...p, limit: '30'})
        const first = (page.page - 1) * page.limit + 1
        const summary = page.trajectories.length === 0 ? 'none' : `${first}–${first + page.trajectories.length - 1} of ${page.total ?? 'more'}`
        if (page.trajectories.length === 0) return [h('p', {class: 'empty'}, 'No trajectories match.'), pager('trajectories', p, page.page, page.more, summary)]
        return [trajectoryTable(page.trajectories), pager('trajectories', p, page.page, page.more, summary)]
      }),
  }
}

function trajectoryTable(trajectories: TrajectoryItemJson[]): HTMLElement {
  return h(
    'table',
    {class: 'trajectories'},
    h('thead', {}, h('tr', {}, ...['Trajectory', 'Status', 'Project', 'Agent', 'Started', 'Confidence'].map((title) => h('th', {scope: 'col'}, title)))),
    h(
      'tbody',
      {},
      ...trajectories.map((t) =>
        h(
          'tr',
          {class: `trajectory-row status-${t.status}`},
          h('th', {scope: 'row'}, h('a', {href: route('trajectory', t.project, t.id), 'data-key': `${t.project}/${t.id}`}, t.title)),
          h('td', {}, badge(t.status)),
          h('td', {}, t.project),
          h('td', {}, t.agent),
          h('td', {}, time(t.started)),
          h('td', {}, confidence(t.confidence, t.confidenceLevel)),
        ),
      ),
    ),
  )
}

export function trajectoryView(app: App, main: HTMLElement, at: Route): View {
  const [project = '', id = ''] = at.parts
  const results = h('div', {class: 'results'})
  append(main, h('p', {}, h('a', {href: '#trajectories'}, '← all trajectories')), results)
  return {
    kinds: ['trajectories'],
    trajectory: `${project}/${id}`,
    refresh: () =>
      fill(results, async () => {
        const t = await app.source.get<TrajectoryViewJson>(`trajectories/${encodeURIComponent(project)}/${encodeURIComponent(id)}`)
        const link = t.url !== null && isSafeHref(t.url) ? h('a', {href: t.url, rel: 'noopener noreferrer'}, t.url) : t.url
        const parts: (Node | null)[] = [
          heading(t.title, ' ', badge(t.status)),
          facts([
            ['Id', t.id],
            ['Project', t.project],
            ['Agent', t.agent],
            ['Started', time(t.started)],
            ['Ended', t.ended ? time(t.ended) : null],
            ['Task', t.task ? `${t.task}${t.source ? ` (${t.source})` : ''}` : null],
            ['Link', link],
            ['Branch', t.branch],
            ['Confidence', t.confidence === null ? null : confidence(t.confidence, t.confidenceLevel)],
          ]),
          h('p', {class: 'hint'}, 'Confidence rubric: ', t.rubric.map((r) => `${r.from}+ ${r.level}`).join(', ')),
          h('h3', {}, `Timeline (${t.events.length} ${t.events.length === 1 ? 'decision' : 'decisions'})`),
          t.events.length === 0
            ? h('p', {class: 'empty'}, 'No decisions recorded.')
            : h(
                'ol',
                {class: 'timeline'},
                ...t.events.map((e) =>
                  h(
                    'li',
                    {class: `event event-${e.kind}`},
                    h('h4', {}, e.kind === 'decision' ? '' : `${e.kind}: `, e.title),
                    h(
                      'p',
                      {class: 'meta'},
                      time(e.at),
                      e.confidence === null ? '' : ' · confidence ',
                      e.confidence === null ? null : confidence(e.confidence, e.confidenceLevel),
                    ),
                    prose(e.reasoning) ?? h('p', {class: 'empty'}, '(no reasoning recorded)'),
                    e.alternatives.length > 0 ? h('div', {class: 'alternatives'}, 'Alternatives considered:', list(e.alternatives)) : null,
                  ),
                ),
              ),
        ]
        if (t.status !== 'active') {
          parts.push(
            h('h3', {}, t.status === 'completed' ? 'Retrospective' : 'Abandoned'),
            prose(t.summary),
            t.approach ? h('div', {}, h('h4', {}, 'Approach'), prose(t.approach)) : null,
            t.challenges.length > 0 ? h('div', {}, h('h4', {}, 'Challenges'), list(t.challenges)) : null,
            t.learnings.length > 0 ? h('div', {}, h('h4', {}, 'Learnings'), list(t.learnings)) : null,
            t.reason ? h('div', {}, h('h4', {}, 'Why it was abandoned'), prose(t.reason)) : null,
          )
        }
        if (t.handoffs.length > 0) {
          parts.push(
            h('h3', {}, 'Handoffs'),
            h(
              'ul',
              {class: 'handoffs'},
              ...t.handoffs.map((ho) => h('li', {}, time(ho.created), ' ', ho.agent, ho.currentTask ? `: ${ho.currentTask}` : '', list(ho.nextSteps))),
            ),
          )
        }
        if (t.sessionEnds.length > 0)
          parts.push(h('h3', {}, 'Session ends'), h('ul', {}, ...t.sessionEnds.map((s) => h('li', {}, time(s.created), ' ', s.summary ?? '(no summary)'))))
        parts.push(
          h('h3', {}, 'Linked commits'),
          t.commits.length === 0
            ? h(
                'p',
                {class: 'empty'},
                t.sibling === null ? 'No commit carries a Trajectory: trailer for it.' : 'Commits of a sibling project are in its own repository.',
              )
            : h(
                'ul',
                {class: 'commits'},
                ...t.commits.map((c) => h('li', {}, h('code', {}, c.oid.slice(0, 10)), ' ', c.subject, ' — ', c.author, ', ', time(c.date))),
              ),
        )
        return parts
      }),
  }
}

// --- messages ----------------------------------------------------------------------------------------------------

export function messagesView(app: App, main: HTMLElement, at: Route): View {
  const p = at.params
  const form = filterForm(
    'messages',
    [
      projectSelect(app, p.project),
      h('label', {}, 'Agent', h('input', {name: 'agent', value: p.agent ?? '', size: 12, autocomplete: 'off'})),
      h('label', {}, 'Thread', h('input', {name: 'thread', value: p.thread ?? '', size: 12, autocomplete: 'off'})),
      h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'unanswered', value: '1', checked: p.unanswered === '1'}), 'Unanswered to a lead'),
    ],
    '#messages',
  )
  const results = h('div', {class: 'results'})
  append(main, heading('Messages'), form, results)
  return {
    kinds: ['messages'],
    refresh: () =>
      fill(results, async () => {
        const page = await app.source.get<MessagePageJson>('messages', {...p, limit: '30'})
        const first = (page.page - 1) * page.limit + 1
        const summary = page.messages.length === 0 ? 'none' : `${first}–${first + page.messages.length - 1} of ${page.total}`
        return [
          page.threads.length > 0
            ? h(
                'p',
                {class: 'threads'},
                'Threads: ',
                ...page.threads.slice(0, 20).flatMap((t) => [h('a', {href: route('thread', t.thread)}, `${t.thread} (${t.messages})`), ' ']),
              )
            : null,
          page.messages.length === 0 ? h('p', {class: 'empty'}, 'No messages match.') : h('div', {class: 'messages'}, ...page.messages.map(messageCard)),
          pager('messages', p, page.page, page.more, summary),
        ]
      }),
  }
}

function messageCard(m: MessageItemJson): HTMLElement {
  return h(
    'article',
    {class: `message${m.unanswered ? ' unanswered' : ''}`, 'data-id': m.id},
    h(
      'header',
      {},
      h('strong', {}, `${m.project}:${m.from}`),
      ' → ',
      h('strong', {}, m.to),
      m.thread ? h('a', {href: route('thread', m.thread), class: 'thread'}, `#${m.thread}`) : null,
      m.toLead ? badge('to lead', 'lead') : null,
      m.unanswered ? badge('unanswered') : null,
      ' ',
      time(m.created),
    ),
    prose(m.body, 'body'),
    h('p', {class: 'meta'}, m.readBy.length === 0 ? 'Read by nobody yet' : `Read by ${m.readBy.join(', ')}`),
  )
}

export function threadView(app: App, main: HTMLElement, at: Route): View {
  const [thread = ''] = at.parts
  const results = h('div', {class: 'results'})
  append(main, h('p', {}, h('a', {href: '#messages'}, '← all messages')), heading(`Thread ${thread}`), results)
  return {
    kinds: ['messages'],
    refresh: () =>
      fill(results, async () => {
        const {messages} = await app.source.get<{messages: MessageItemJson[]}>(`threads/${encodeURIComponent(thread)}`)
        return [h('div', {class: 'messages'}, ...messages.map(messageCard))]
      }),
  }
}

// --- summaries ---------------------------------------------------------------------------------------------------

function summaryBlock(s: SummaryJson): HTMLElement {
  return h(
    'div',
    {class: 'summary'},
    h('h4', {}, '[[SUMMARY]] ', time(s.created)),
    s.warning ? h('p', {class: 'warning'}, s.warning) : null,
    s.warning && s.raw ? h('pre', {}, s.raw) : null,
    facts([
      ['Current task', s.currentTask],
      ['Completed', list(s.completedTasks)],
      ['Context', s.context],
      ['Files', list(s.files, 'files')],
    ]),
  )
}

function sessionEndBlock(s: SessionEndJson, project: string): HTMLElement {
  return h(
    'div',
    {class: 'session-end'},
    h('h4', {}, '[[SESSION_END]] ', time(s.created)),
    prose(s.summary),
    list(s.completedTasks),
    s.trajectory ? h('p', {class: 'meta'}, 'During ', h('a', {href: route('trajectory', project, s.trajectory)}, s.trajectory)) : null,
  )
}

export function summariesView(app: App, main: HTMLElement): View {
  const results = h('div', {class: 'results'})
  append(main, heading('Summaries'), h('p', {class: 'hint'}, 'The latest [[SUMMARY]] and session end of each agent, newest first.'), results)
  return {
    kinds: ['summaries'],
    refresh: () =>
      fill(results, async () => {
        const {agents} = await app.source.get<{agents: AgentSummariesJson[]}>('summaries')
        if (agents.length === 0) return [h('p', {class: 'empty'}, 'No agent has printed a [[SUMMARY]] or [[SESSION_END]] yet.')]
        return agents.map((a) =>
          h(
            'section',
            {class: 'agent-summaries'},
            h('h3', {}, `${a.project}:${a.agent} `, h('a', {href: route('summaries', a.project, a.agent), 'data-key': `${a.project}/${a.agent}`}, 'history')),
            a.summary ? summaryBlock(a.summary) : null,
            a.sessionEnd ? sessionEndBlock(a.sessionEnd, a.project) : null,
          ),
        )
      }),
  }
}

export function historyView(app: App, main: HTMLElement, at: Route): View {
  const [project = '', agent = ''] = at.parts
  const page = Math.max(1, Number(at.params.page ?? 1) || 1)
  const results = h('div', {class: 'results'})
  append(main, h('p', {}, h('a', {href: '#summaries'}, '← all summaries')), heading(`History of ${project}:${agent}`), results)
  return {
    kinds: ['summaries'],
    refresh: () =>
      fill(results, async () => {
        const history = await app.source.get<HistoryPageJson>(`summaries/${encodeURIComponent(project)}/${encodeURIComponent(agent)}`, {page: String(page)})
        const entries = history.entries.map((entry: HistoryEntryJson) => (entry.kind === 'summary' ? summaryBlock(entry) : sessionEndBlock(entry, project)))
        const name = `summaries/${encodeURIComponent(project)}/${encodeURIComponent(agent)}`
        return [
          entries.length === 0 ? h('p', {class: 'empty'}, 'Nothing here.') : h('div', {}, ...entries),
          pager(name, {}, page, history.more, `page ${page}`),
        ]
      }),
  }
}

// --- coordinator -------------------------------------------------------------------------------------------------

export function coordinatorView(app: App, main: HTMLElement): View {
  const results = h('div', {class: 'results'})
  append(main, heading('Coordinator'), app.overview.allowSend ? sendForm(app) : null, results)
  return {
    kinds: ['agents', 'trajectories', 'messages'],
    refresh: () =>
      fill(results, async () => {
        const {projects} = await app.source.get<CoordinatorJson>('coordinator')
        return projects.map((project) =>
          h(
            'section',
            {class: 'project'},
            h('h3', {}, project.project, project.lead ? ` — lead ${project.lead}` : ' — no lead named'),
            project.agents.length === 0
              ? h('p', {class: 'empty'}, 'No agents.')
              : h(
                  'ul',
                  {class: 'who'},
                  ...project.agents.map((agent) =>
                    h('li', {}, h('strong', {}, agent.agent), ' ', badge(agent.presence), ' ', agent.workingOn ?? 'nothing recorded'),
                  ),
                ),
            h('h4', {}, `Needs attention (${project.attention.length})`),
            project.attention.length === 0
              ? h('p', {class: 'empty'}, 'Nothing.')
              : h(
                  'ul',
                  {class: 'attention'},
                  ...project.attention.map((item) =>
                    h(
                      'li',
                      {class: `attention-${item.kind}`},
                      badge(item.kind),
                      ' ',
                      h('strong', {}, item.agent),
                      ': ',
                      item.id?.startsWith('traj_') ? h('a', {href: route('trajectory', item.project, item.id)}, item.text) : item.text,
                      ' ',
                      time(item.at),
                    ),
                  ),
                ),
          ),
        )
      }),
  }
}

function sendForm(app: App): HTMLElement {
  const suggestions = h('datalist', {id: 'targets'}, h('option', {value: '*:*'}))
  for (const project of app.overview.projects)
    append(suggestions, h('option', {value: `${project.project}:lead`}), h('option', {value: `${project.project}:*`}))
  void app.source.get<{agents: AgentJson[]}>('agents').then(
    ({agents}) => {
      for (const agent of agents) append(suggestions, h('option', {value: `${agent.project}:${agent.agent}`}))
    },
    () => {},
  )
  const status = h('p', {class: 'send-status', role: 'status', 'aria-live': 'polite'})
  const form = h(
    'form',
    {class: 'send', 'aria-label': 'Send a message'},
    h('h3', {}, 'Send a message'),
    h(
      'p',
      {class: 'hint'},
      `As ${app.overview.sender?.agent ?? '?'} (${app.overview.sender?.name ?? ''}). To an agent (project:agent), a project's lead (project:lead), a project (project:*) or everyone (*:*).`,
    ),
    h('label', {}, 'To', h('input', {name: 'to', list: 'targets', required: true, autocomplete: 'off', placeholder: 'project:lead'})),
    h('label', {}, 'Thread', h('input', {name: 'thread', autocomplete: 'off', placeholder: 'optional'})),
    h('label', {class: 'wide'}, 'Message', h('textarea', {name: 'body', rows: 3, required: true})),
    suggestions,
    h('button', {type: 'submit'}, 'Send'),
    status,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const data = new FormData(form)
    const thread = String(data.get('thread') ?? '').trim()
    status.textContent = 'Sending…'
    app.source.send({to: String(data.get('to') ?? ''), body: String(data.get('body') ?? ''), thread: thread === '' ? null : thread}).then(
      (sent) => {
        status.textContent = `Sent ${sent.message.id} to ${sent.message.to}.${sent.warnings.length > 0 ? ` Note: ${sent.warnings.join('; ')}` : ''}`
        ;(form.elements.namedItem('body') as HTMLTextAreaElement).value = ''
      },
      (error: Error) => {
        status.textContent = `Not sent: ${error.message}${error instanceof RequestError && error.hint ? ` (${error.hint})` : ''}`
      },
    )
  })
  return form
}

// --- search ------------------------------------------------------------------------------------------------------

export function searchView(app: App, main: HTMLElement, at: Route): View {
  const p = at.params
  const form = filterForm('search', [
    h('label', {class: 'wide'}, 'Search', h('input', {name: 'q', type: 'search', value: p.q ?? '', required: true, autocomplete: 'off'})),
    h(
      'label',
      {},
      'Kind',
      h('select', {name: 'kind'}, h('option', {value: ''}, 'any'), ...SEARCH_KINDS.map((k) => h('option', {value: k, selected: k === p.kind}, k))),
    ),
    projectSelect(app, p.project),
  ])
  const results = h('div', {class: 'results'})
  append(
    main,
    heading('Search'),
    app.source.mode === 'static' ? h('p', {class: 'hint'}, 'Search needs the live dashboard (relay dashboard).') : null,
    form,
    results,
  )
  return {
    kinds: [],
    refresh: () =>
      fill(results, async () => {
        if (!p.q) return [h('p', {class: 'hint'}, 'git grep over every record of this project and its siblings, as relay search does.')]
        const found = await app.source.get<SearchJson>('search', {q: p.q, kind: p.kind, project: p.project})
        if (found.hits.length === 0) return [h('p', {class: 'empty'}, 'No records match.')]
        return [
          h('p', {}, `${found.total} records match${found.total > found.hits.length ? `; the best ${found.hits.length}` : ''}.`),
          h(
            'ol',
            {class: 'hits'},
            ...found.hits.map((hit) => {
              const target =
                hit.kind === 'trajectory' ? route('trajectory', hit.project, hit.id) : hit.kind === 'decision' ? trajectoryOfPath(hit.project, hit.path) : null
              return h(
                'li',
                {class: 'hit'},
                badge(hit.kind),
                ' ',
                target ? h('a', {href: target}, hit.title) : h('strong', {}, hit.title),
                h('span', {class: 'meta'}, ` ${[hit.project, hit.agent, hit.date?.slice(0, 10)].filter(Boolean).join(', ')}`),
                h('ul', {class: 'matches'}, ...hit.matches.slice(0, 3).map((match) => h('li', {}, h('code', {}, String(match.line)), ' ', match.text))),
              )
            }),
          ),
        ]
      }),
  }
}

function trajectoryOfPath(project: string, path: string): string | null {
  const id = /\/(traj_[0-9a-z]{26})\//.exec(path)?.[1]
  return id ? route('trajectory', project, id) : null
}
